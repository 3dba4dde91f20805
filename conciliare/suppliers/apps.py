from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "conciliare.suppliers"
    verbose_name = _("Suppliers and the ethical charter")
