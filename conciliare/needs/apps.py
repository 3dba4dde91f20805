from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "conciliare.needs"
    verbose_name = _("Needs, matching and gaps")

    def ready(self) -> None:
        # Changes to profiles, families, answers and offers mark the "per te" lists stale.
        from . import signals

        signals.connect()
