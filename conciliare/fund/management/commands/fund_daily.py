from django.core.management.base import BaseCommand

from conciliare.fund.tasks import fund_daily


class Command(BaseCommand):
    help = (
        "Queues the Solidarity Fund's daily job (unspent credit of expired grants back to the fund; documents "
        "deleted and applications pseudonymised after the regulation's retention period). Run it from cron."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = fund_daily.enqueue()
        self.stdout.write(f"fund_daily queued ({result.id}, {result.status})")
        if result.is_finished and result.status == "SUCCESSFUL":  # the immediate backend ran it already
            for name, count in (result.return_value or {}).items():
                self.stdout.write(f"{name}: {count}")
