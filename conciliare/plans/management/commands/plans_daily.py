from django.core.management.base import BaseCommand

from conciliare.plans.tasks import plans_daily


class Command(BaseCommand):
    help = "Queues the daily plan job (expiry reminders, residual credit of ended plans). Run it from cron."

    def handle(self, *args: object, **options: object) -> None:
        result = plans_daily.enqueue()
        self.stdout.write(f"plans_daily queued ({result.id}, {result.status})")
