"""Supplier settlement: what the cooperative owes each supplier, and paying it.

A statement gathers every movement of the supplier's payable account (see
`ledger_accounts.supplier_payable_account`) up to the end of a period that no earlier
statement holds: services and products made payable (gross), the Solidarity Fund
contributions and platform fees withheld, and anything else (adjustments, such as the
round-up a supplier paid at its own counter owes the fund). Each movement becomes one
`StatementItem`, and an entry can be in one statement only (a one-to-one field), so the
statement's net is exactly the sum of its entries.

Paying a statement posts one SETTLEMENT transaction (payable → world) under the key
`statement:<id>:paid`; those payments are never themselves gathered into a statement.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.accounts.rules import is_operator_admin
from conciliare.catalogue.models import OfferKind
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.core.money import format_euro
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, Entry, LedgerAccount, TransactionKind
from conciliare.suppliers.models import Supplier

from .ledger_accounts import supplier_payable_account
from .models import OrderLine, SettlementStatement, StatementItem, StatementStatus
from .notifications import base_url, send_after_commit, supplier_emails

LINE_KEY = re.compile(r"^order-line:(\d+):")


class ItemKind:
    SERVICE = "service"
    PRODUCT = "product"
    CONTRIBUTION = "contribution"
    FEE = "fee"
    OTHER = "other"


def item_kind_label(kind: str) -> str:
    labels = {
        ItemKind.SERVICE: _("service"),
        ItemKind.PRODUCT: _("product"),
        ItemKind.CONTRIBUTION: _("Solidarity Fund contribution"),
        ItemKind.FEE: _("platform fee"),
        ItemKind.OTHER: _("other movement"),
    }
    return labels.get(kind, kind)


# -- Reading -----------------------------------------------------------------------------------


def _statement_payments() -> QuerySet[SettlementStatement]:
    return SettlementStatement.objects.filter(payment_transaction_id=OuterRef("transaction_id"))


def unsettled_entries(account: LedgerAccount, *, until: datetime.date) -> QuerySet[Entry]:
    """Movements of a payable account up to `until` that no statement holds yet (payments of
    statements excluded: they settle, they are not to be settled)."""
    return (
        Entry.objects.filter(account=account, transaction__effective_date__lte=until, statement_item__isnull=True)
        .exclude(Exists(_statement_payments()))
        .select_related("transaction")
        .order_by("transaction__effective_date", "pk")
    )


def unsettled_total(supplier: Supplier, *, until: datetime.date) -> int:
    """What the supplier has earned (net) up to `until` that no statement holds yet (reads only)."""
    payable = LedgerAccount.objects.filter(
        kind=AccountKind.SUPPLIER_PAYABLE, owner_organization_id=supplier.organization_id
    ).first()
    if payable is None:
        return 0
    return int(unsettled_entries(payable, until=until).aggregate(total=Sum("amount", default=0))["total"])


def statement_items(statement: SettlementStatement) -> QuerySet[StatementItem]:
    """The items with everything a page, the PDF or the CSV shows, in a constant number of queries."""
    return statement.items.select_related("entry__transaction", "line__order").order_by(
        "entry__transaction__effective_date", "pk"
    )


def statements_for_operator(*, user: Any, supplier_id: int | None = None, status: str = "") -> Any:
    if not is_operator_admin(user):
        raise NotPermitted(_("Page not found."))
    queryset = SettlementStatement.objects.select_related("supplier__organization")
    if supplier_id:
        queryset = queryset.filter(supplier_id=supplier_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def statement_get_for_user(*, user: Any, statement_id: int) -> SettlementStatement:
    """The operator sees every statement; a supplier's staff those of their supplier; others nothing."""
    statement = (
        SettlementStatement.objects.select_related("supplier__organization__municipality", "paid_by")
        .filter(pk=statement_id)
        .first()
    )
    if statement is None or not user.is_authenticated:
        raise NotPermitted(_("Statement not found."))
    if is_operator_admin(user):
        return statement
    from conciliare.catalogue.services import is_supplier_staff

    if not is_supplier_staff(user, statement.supplier):
        raise NotPermitted(_("Statement not found."))
    return statement


# -- Classification ----------------------------------------------------------------------------


@dataclass
class _Classified:
    entry: Entry
    kind: str
    line: OrderLine | None


def _classify(entries: list[Entry]) -> list[_Classified]:
    line_ids = {
        int(found.group(1)) for entry in entries if (found := LINE_KEY.match(entry.transaction.idempotency_key))
    }
    lines = {line.pk: line for line in OrderLine.objects.filter(pk__in=line_ids)}
    classified = []
    for entry in entries:
        txn = entry.transaction
        found = LINE_KEY.match(txn.idempotency_key)
        line = lines.get(int(found.group(1))) if found else None
        if txn.kind == TransactionKind.CONTRIBUTION:
            kind = ItemKind.CONTRIBUTION
        elif txn.kind == TransactionKind.FEE:
            kind = ItemKind.FEE
        elif line is not None and txn.idempotency_key.endswith(":payable"):
            kind = ItemKind.SERVICE if line.kind == OfferKind.SERVICE else ItemKind.PRODUCT
        else:
            kind = ItemKind.OTHER
        classified.append(_Classified(entry=entry, kind=kind, line=line))
    return classified


# -- Generating --------------------------------------------------------------------------------


def _assert_operator(actor: Any) -> None:
    if not is_operator_admin(actor):
        raise NotPermitted(_("Page not found."))


def statement_generate(
    *, actor: Any, supplier: Supplier, period_end: datetime.date, period_start: datetime.date | None = None
) -> SettlementStatement:
    """A statement of every unsettled movement of `supplier`'s payable up to `period_end` (on demand).

    `period_start` defaults to the day after the supplier's previous statement ended (or to
    its first movement); it moves earlier when an older movement was never settled, so that
    the period printed always covers what the statement holds."""
    _assert_operator(actor)
    return _generate(actor=actor, supplier=supplier, period_end=period_end, period_start=period_start)


@transaction.atomic
def _generate(
    *, actor: Any, supplier: Supplier, period_end: datetime.date, period_start: datetime.date | None
) -> SettlementStatement:
    if period_end > timezone.localdate():
        raise InvalidInput(
            _("A statement cannot end in the future."),
            fields={"period_end": [_("A statement cannot end in the future.")]},
        )
    if period_start is not None and period_start > period_end:
        raise InvalidInput(
            _("The period must start before it ends."),
            fields={"period_start": [_("The period must start before it ends.")]},
        )
    payable = supplier_payable_account(supplier)
    # Two generations for the same supplier wait for each other here, and the second finds
    # nothing left to settle; postings to the payable (which lock it too) wait as well.
    LedgerAccount.objects.select_for_update().filter(pk=payable.pk).get()
    entries = list(unsettled_entries(payable, until=period_end))
    if not entries:
        raise Conflict(
            _("Nothing to settle for %(supplier)s up to %(day)s: every movement is already in a statement.")
            % {"supplier": supplier.organization.name, "day": period_end.strftime("%d/%m/%Y")}
        )
    first_day = entries[0].transaction.effective_date
    if period_start is None:
        previous = (
            SettlementStatement.objects.filter(supplier=supplier)
            .order_by("-period_end")
            .values_list("period_end", flat=True)
            .first()
        )
        period_start = previous + datetime.timedelta(days=1) if previous is not None else first_day
    period_start = min(period_start, first_day, period_end)
    classified = _classify(entries)
    totals = dict.fromkeys((ItemKind.SERVICE, ItemKind.PRODUCT, ItemKind.CONTRIBUTION, ItemKind.FEE, ItemKind.OTHER), 0)
    for item in classified:
        totals[item.kind] += item.entry.amount
    gross = totals[ItemKind.SERVICE] + totals[ItemKind.PRODUCT]
    statement = SettlementStatement.objects.create(
        supplier=supplier,
        period_start=period_start,
        period_end=period_end,
        gross=gross,
        contributions=-totals[ItemKind.CONTRIBUTION],
        fees=-totals[ItemKind.FEE],
        adjustments=totals[ItemKind.OTHER],
        net=sum(totals.values()),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    StatementItem.objects.bulk_create(
        StatementItem(statement=statement, entry=item.entry, line=item.line, kind=item.kind, amount=item.entry.amount)
        for item in classified
    )
    _tell_supplier(statement, "statement_issued")
    return statement


def previous_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1), last


def statements_monthly(*, today: datetime.date | None = None, actor: Any = None) -> list[SettlementStatement]:
    """For every supplier with unsettled movements up to the end of last month, one statement
    for that month. Running it twice creates nothing new: the second run finds nothing left.
    `actor` is the operator who pressed the button (None for the scheduled command)."""
    if actor is not None:
        _assert_operator(actor)
    today = today or timezone.localdate()
    start, end = previous_month(today)
    pending = Entry.objects.filter(
        account_id=OuterRef("pk"), transaction__effective_date__lte=end, statement_item__isnull=True
    ).exclude(Exists(_statement_payments()))
    payables = (
        LedgerAccount.objects.filter(kind=AccountKind.SUPPLIER_PAYABLE, owner_organization__supplier__isnull=False)
        .filter(Exists(pending))
        .select_related("owner_organization__supplier__organization")
        .order_by("pk")
    )
    suppliers = [account.owner_organization.supplier for account in payables if account.owner_organization]
    made = []
    for supplier in suppliers:
        try:
            made.append(_generate(actor=actor, supplier=supplier, period_end=end, period_start=start))
        except Conflict:  # settled meanwhile by an operator's "generate now"
            continue
    return made


# -- Paying ------------------------------------------------------------------------------------


@transaction.atomic
def statement_mark_paid(*, actor: Any, statement: SettlementStatement) -> SettlementStatement:
    """The operator paid the net amount to the supplier's IBAN: posts it once, whatever the clicks."""
    _assert_operator(actor)
    locked = (
        SettlementStatement.objects.select_for_update(of=("self",))
        .select_related("supplier__organization")
        .get(pk=statement.pk)
    )
    if locked.status == StatementStatus.PAID:
        when = timezone.localtime(locked.paid_at).strftime("%d/%m/%Y %H:%M") if locked.paid_at else ""
        raise Conflict(_("This statement was already marked as paid on %(when)s.") % {"when": when})
    if locked.net < 0:
        raise Conflict(
            _(
                "The net of this statement is negative (%(amount)s): the supplier owes the cooperative this amount "
                "(contributions on money it collected itself), so there is nothing to pay. Ask the supplier for a "
                "transfer instead."
            )
            % {"amount": format_euro(locked.net)}
        )
    if locked.net == 0:
        raise Conflict(_("The net of this statement is zero: there is nothing to pay."))
    posted = ledger.transaction_post(
        kind=TransactionKind.SETTLEMENT,
        legs=[(supplier_payable_account(locked.supplier), -locked.net), (ledger.world_account(), locked.net)],
        idempotency_key=f"statement:{locked.pk}:paid",
        memo=_("Payment of statement %(reference)s to %(supplier)s")
        % {"reference": locked.reference, "supplier": locked.supplier.organization.name},
        actor=actor,
    )
    locked.mark_paid()
    locked.paid_at = timezone.now()
    locked.paid_by = actor
    locked.payment_transaction = posted
    locked.save(update_fields=["status", "paid_at", "paid_by", "payment_transaction"])
    _tell_supplier(locked, "statement_paid")
    return locked


# -- E-mails -------------------------------------------------------------------------------------


def _tell_supplier(statement: SettlementStatement, template: str) -> None:
    link = base_url() + reverse("orders:statement", args=[statement.pk])
    send_after_commit(
        template,
        {"statement": statement, "supplier": statement.supplier, "link": link},
        supplier_emails(statement.supplier),
    )
