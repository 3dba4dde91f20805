import sys

from django.core.management.base import BaseCommand

from conciliare.core.money import format_euro
from conciliare.ledger.verification import ledger_verify


class Command(BaseCommand):
    help = "Re-derives every balance from the entries and checks the ledger's invariants; exits 1 on any violation."

    def handle(self, *args: object, **options: object) -> None:
        report = ledger_verify()
        self.stdout.write(
            f"accounts: {report.accounts}  transactions: {report.transactions}  pending holds: {report.holds_pending}"
        )
        for kind, total in report.totals_by_kind.items():
            self.stdout.write(f"  {kind:<20} {format_euro(total):>18}")
        if report.clean:
            self.stdout.write(self.style.SUCCESS("ledger: no violation"))
            return
        for violation in report.violations:
            self.stderr.write(f"VIOLATION {violation}")
        self.stderr.write(self.style.ERROR(f"ledger: {len(report.violations)} violation(s)"))
        sys.exit(1)
