"""Re-derives the ledger from its entries and checks every invariant.

Used by `manage.py ledger_verify` and after every money test. It reads only: a
violation is reported, never repaired (repairs are reversals, made by people).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from .models import Entry, Hold, HoldStatus, LedgerAccount, LedgerTransaction, TransactionKind


@dataclass
class Report:
    accounts: int = 0
    transactions: int = 0
    holds_pending: int = 0
    totals_by_kind: dict[str, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.violations


def _check_accounts(report: Report) -> None:
    accounts = LedgerAccount.objects.annotate(
        derived=Sum("entries__amount", default=0),
    ).order_by("pk")
    pending = dict(
        Hold.objects.filter(status=HoldStatus.PENDING)
        .values_list("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    totals: Counter[str] = Counter()
    for account in accounts:
        report.accounts += 1
        totals[account.kind] += account.derived
        if account.balance != account.derived:
            report.violations.append(
                f"account {account.pk}: cached balance {account.balance} != sum of entries {account.derived}"
            )
        if account.held != pending.get(account.pk, 0):
            report.violations.append(
                f"account {account.pk}: held {account.held} != pending holds {pending.get(account.pk, 0)}"
            )
        if not account.may_go_negative and account.derived - account.held < 0:
            report.violations.append(f"account {account.pk}: overdrawn ({account.derived - account.held})")
    report.totals_by_kind = dict(sorted(totals.items()))
    if sum(totals.values()) != 0:
        report.violations.append(f"all entries sum to {sum(totals.values())}, not zero")


def _check_transactions(report: Report) -> None:
    report.transactions = LedgerTransaction.objects.count()
    for txn_id, lines, total in (
        LedgerTransaction.objects.annotate(lines=Count("entries"), total=Sum("entries__amount", default=0))
        .filter(Q(lines__lt=2) | ~Q(total=0))
        .values_list("pk", "lines", "total")
    ):
        report.violations.append(f"transaction {txn_id}: {lines} entries summing to {total}")
    reversals = LedgerTransaction.objects.filter(kind=TransactionKind.REVERSAL).values_list("pk", "reverses")
    entries: dict[int, set[tuple[int, int]]] = {}
    wanted = {pk for pair in reversals for pk in pair}
    for txn_id, account_id, amount in Entry.objects.filter(transaction__in=wanted).values_list(
        "transaction", "account", "amount"
    ):
        entries.setdefault(txn_id, set()).add((account_id, amount))
    for reversal_id, original_id in reversals:
        mirrored = {(account_id, -amount) for account_id, amount in entries.get(original_id or 0, set())}
        if entries.get(reversal_id, set()) != mirrored:
            report.violations.append(f"transaction {reversal_id}: does not mirror transaction {original_id}")


def _check_holds(report: Report) -> None:
    report.holds_pending = Hold.objects.filter(status=HoldStatus.PENDING).count()
    captured = Hold.objects.filter(status=HoldStatus.CAPTURED).values_list(
        "pk", "account", "destination", "amount", "capture"
    )
    legs: dict[int, set[tuple[int, int]]] = {}
    for txn_id, account_id, amount in Entry.objects.filter(
        transaction__in=[capture for *_rest, capture in captured]
    ).values_list("transaction", "account", "amount"):
        legs.setdefault(txn_id, set()).add((account_id, amount))
    for hold_id, account_id, destination_id, amount, capture_id in captured:
        moved = [a for (acc, a) in legs.get(capture_id, set()) if acc == destination_id]
        expected = {(account_id, -moved[0]), (destination_id, moved[0])} if moved else set()
        if not moved or legs[capture_id] != expected or not 0 < moved[0] <= amount:
            report.violations.append(f"hold {hold_id}: capture {capture_id} does not move 1..{amount} cents as held")


def ledger_verify() -> Report:
    report = Report()
    _check_accounts(report)
    _check_transactions(report)
    _check_holds(report)
    return report
