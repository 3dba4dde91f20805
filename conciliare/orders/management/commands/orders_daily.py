from django.core.management.base import BaseCommand

from conciliare.orders.tasks import orders_daily


class Command(BaseCommand):
    help = (
        "Queues the orders' daily job (orders not paid in time and bookings the supplier did not answer are "
        "released, with their places and credit). Run it from cron."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = orders_daily.enqueue()
        self.stdout.write(f"orders_daily queued ({result.id}, {result.status})")
        if result.is_finished and result.status == "SUCCESSFUL":  # the immediate backend ran it already
            for name, count in (result.return_value or {}).items():
                self.stdout.write(f"{name}: {count}")
