from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "conciliare.plans"
    verbose_name = _("Welfare plans")
