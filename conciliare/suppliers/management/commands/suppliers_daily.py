from django.core.management.base import BaseCommand

from conciliare.suppliers.tasks import suppliers_daily


class Command(BaseCommand):
    help = "Queues the suppliers' daily job (DURC reminders 30 and 7 days ahead and on expiry). Run it from cron."

    def handle(self, *args: object, **options: object) -> None:
        result = suppliers_daily.enqueue()
        self.stdout.write(f"suppliers_daily queued ({result.id}, {result.status})")
