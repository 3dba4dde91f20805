"""Issues last month's settlement statements. Run it from cron on the first days of the month;
running it again issues nothing new."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from conciliare.orders.settlement import statements_monthly


class Command(BaseCommand):
    help = "Issues one settlement statement per supplier for last month's unsettled movements (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Pretend today is this day (YYYY-MM-DD): last month is the one before it.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
        made = statements_monthly(today=today)
        for statement in made:
            self.stdout.write(
                f"{statement.reference} {statement.supplier.organization.name} "
                f"{statement.period_start}..{statement.period_end} net {statement.net} cents"
            )
        self.stdout.write(f"{len(made)} statement(s) issued")
