from django.core.management.base import BaseCommand

from conciliare.territory.loading import ATTRIBUTION, load_territory
from conciliare.territory.models import District, Municipality


class Command(BaseCommand):
    help = "Loads (or refreshes) the districts and municipalities shipped with Conciliare."

    def handle(self, *args: object, **options: object) -> None:
        count = load_territory(District, Municipality)
        self.stdout.write(self.style.SUCCESS(f"{count} municipalities loaded. {ATTRIBUTION}"))
