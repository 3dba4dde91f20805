from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from conciliare.needs import recommendations
from conciliare.needs.tasks import recommendations_refresh_all, recommendations_refresh_stale


class Command(BaseCommand):
    help = (
        'Recomputes the employees\' "per te" recommendations: all of them (run it nightly from cron: '
        "spent credit and expired DURCs change lists without any save), or only the stale ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stale", action="store_true", help="Only the lists a change marked stale.")
        parser.add_argument("--queue", action="store_true", help="Queue the job for the worker instead of running it.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            result = (recommendations_refresh_stale if options["stale"] else recommendations_refresh_all).enqueue()
            self.stdout.write(f"queued ({result.id}, {result.status})")
        elif options["stale"]:
            self.stdout.write(f"{recommendations.refresh_stale()} stale lists recomputed")
        else:
            report = recommendations.refresh_all()
            self.stdout.write(f"{report.employees} employees, {report.items} items, {report.seconds:.1f} s")
