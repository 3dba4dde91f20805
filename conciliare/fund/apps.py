from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "conciliare.fund"
    verbose_name = _("Solidarity Fund")
