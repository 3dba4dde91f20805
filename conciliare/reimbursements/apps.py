from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReimbursementsConfig(AppConfig):
    name = "conciliare.reimbursements"
    verbose_name = _("Reimbursements")
