"""Settlement statements at service level: what they hold, that each movement is settled once,
paying them once, and the monthly run."""

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from conciliare.catalogue.categories import Category
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.ledger import services as ledger
from conciliare.ledger.models import Entry, LedgerTransaction, TransactionKind
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..fulfilment import line_confirm, payment_confirm, voucher_redeem
from ..ledger_accounts import supplier_payable_account
from ..models import Order, SettlementStatement, StatementItem, StatementStatus
from ..settlement import previous_month, statement_generate, statement_mark_paid, statements_monthly
from ..vouchers import code_for
from .factories import book, make_family, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_stays_clean():  # type: ignore[no-untyped-def]
    yield
    report = ledger_verify()
    assert report.clean, report.violations


@pytest.fixture
def operator():  # type: ignore[no-untyped-def]
    return make_member(UserFactory(), OrganizationFactory(), "operator_admin")


def redeemed_booking(supplier: Any = None, *, price: int = 25_000, **book_kw: Any) -> tuple[Any, Any, Any]:
    """A nursery week booked, confirmed and its voucher used today."""
    if supplier is None:
        supplier, offer, session = make_nursery(price=price, title="Settimana al nido Girotondo")
    else:
        offer = make_offer(supplier, category=Category.NURSERY, price=price, min_age_months=3, max_age_months=36)
        session = make_session(offer)
    family = make_family(fbis=100_000 if book_kw.get("payment_method", "none") == "none" else 0)
    order = Order.objects.get(checkout=book(family, offer, session, **book_kw))
    line = order.lines.get()
    return supplier, order, line


def confirm_and_redeem(supplier: Any, line: Any) -> None:
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    line.refresh_from_db()
    voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code_for(line.voucher.token))


def test_a_statement_shows_a_redeemed_voucher_net_of_the_contribution(
    operator, django_capture_on_commit_callbacks
) -> None:
    supplier, order, line = redeemed_booking()
    confirm_and_redeem(supplier, line)
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        statement = statement_generate(actor=operator, supplier=supplier, period_end=today)

    assert (statement.gross, statement.contributions, statement.fees, statement.adjustments, statement.net) == (
        25_000,
        500,
        0,
        0,
        24_500,
    )
    assert (statement.period_start, statement.period_end, statement.status) == (today, today, StatementStatus.ISSUED)
    items = list(statement.items.order_by("pk"))
    assert sorted((item.kind, item.amount, item.line_id) for item in items) == [
        ("contribution", -500, line.pk),
        ("service", 25_000, line.pk),
    ]
    assert sum(item.amount for item in items) == statement.net == supplier_payable_account(supplier).balance
    assert statement.created_by == operator
    issued = [message for message in mail.outbox if statement.reference in message.subject]
    assert {address for message in issued for address in message.to} == {
        supplier.contact_email,
        supplier.applied_by.email,
    }
    assert "245,00" in issued[0].body  # the net, in Italian: e-mails go out in the site's language


def test_an_empty_statement_is_refused(operator) -> None:
    supplier = make_supplier()
    with pytest.raises(Conflict, match="Nothing to settle"):
        statement_generate(actor=operator, supplier=supplier, period_end=timezone.localdate())
    with pytest.raises(InvalidInput):
        statement_generate(
            actor=operator, supplier=supplier, period_end=timezone.localdate() + datetime.timedelta(days=1)
        )
    assert not SettlementStatement.objects.exists()


def test_only_the_operator_generates_and_pays(operator) -> None:
    supplier, order, line = redeemed_booking()
    confirm_and_redeem(supplier, line)
    for someone in (supplier.applied_by, UserFactory()):
        with pytest.raises(NotPermitted):
            statement_generate(actor=someone, supplier=supplier, period_end=timezone.localdate())
    statement = statement_generate(actor=operator, supplier=supplier, period_end=timezone.localdate())
    with pytest.raises(NotPermitted):
        statement_mark_paid(actor=supplier.applied_by, statement=statement)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED


def test_a_movement_is_never_in_two_statements(operator) -> None:
    supplier, order, line = redeemed_booking()
    confirm_and_redeem(supplier, line)
    today = timezone.localdate()
    first = statement_generate(actor=operator, supplier=supplier, period_end=today)
    with pytest.raises(Conflict, match="Nothing to settle"):
        statement_generate(actor=operator, supplier=supplier, period_end=today)
    first = statement_mark_paid(actor=operator, statement=first)

    _same, _order2, second_line = redeemed_booking(supplier, price=10_000)
    confirm_and_redeem(supplier, second_line)
    second = statement_generate(actor=operator, supplier=supplier, period_end=today)

    assert (second.gross, second.contributions, second.net) == (10_000, 200, 9_800)
    assert {item.line_id for item in second.items.all()} == {second_line.pk}
    payable_entries = Entry.objects.filter(account=supplier_payable_account(supplier))
    settled = StatementItem.objects.values_list("entry_id", flat=True)
    assert len(settled) == len(set(settled))
    # Every movement of the payable is in exactly one statement, except the payment of the first.
    assert set(payable_entries.values_list("pk", flat=True)) - set(settled) == set(
        Entry.objects.filter(
            transaction=first.payment_transaction, account=supplier_payable_account(supplier)
        ).values_list("pk", flat=True)
    )


def test_marking_paid_posts_once_and_paying_twice_is_refused(operator, django_capture_on_commit_callbacks) -> None:
    supplier, order, line = redeemed_booking()
    confirm_and_redeem(supplier, line)
    statement = statement_generate(actor=operator, supplier=supplier, period_end=timezone.localdate())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        paid = statement_mark_paid(actor=operator, statement=statement)

    assert (paid.status, paid.paid_by) == (StatementStatus.PAID, operator)
    posted = LedgerTransaction.objects.get(idempotency_key=f"statement:{statement.pk}:paid")
    assert posted.kind == TransactionKind.SETTLEMENT
    assert sorted(posted.entries.values_list("account__kind", "amount")) == [
        ("external_world", 24_500),
        ("supplier_payable", -24_500),
    ]
    assert supplier_payable_account(supplier).balance == 0
    told = {address for message in mail.outbox if statement.reference in message.subject for address in message.to}
    assert told == {supplier.applied_by.email, supplier.contact_email}
    transactions = LedgerTransaction.objects.count()

    with pytest.raises(Conflict, match="already marked as paid"):
        statement_mark_paid(actor=operator, statement=statement)  # a stale object, as a double click holds
    assert LedgerTransaction.objects.count() == transactions
    statement.refresh_from_db()
    assert statement.payment_transaction == posted


def test_a_negative_net_is_not_paid(operator) -> None:
    """Paid in full at the supplier's counter: the supplier owes the fund its 2 per cent."""
    supplier, order, line = redeemed_booking(payment_method="at_supplier")
    payment_confirm(actor=operator, order_id=order.pk)
    confirm_and_redeem(supplier, line)
    statement = statement_generate(actor=operator, supplier=supplier, period_end=timezone.localdate())
    assert (statement.gross, statement.contributions, statement.net) == (0, 500, -500)
    transactions = LedgerTransaction.objects.count()

    with pytest.raises(Conflict, match="the supplier owes the cooperative"):
        statement_mark_paid(actor=operator, statement=statement)

    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED
    assert LedgerTransaction.objects.count() == transactions


def _adjust(supplier: Any, cents: int, day: datetime.date, key: str) -> None:
    ledger.transaction_post(
        kind=TransactionKind.TRANSFER,
        legs=[(ledger.world_account(), -cents), (supplier_payable_account(supplier), cents)],
        idempotency_key=key,
        effective_date=day,
        memo="Rettifica",
    )


def test_the_monthly_run_settles_last_month_once(operator) -> None:
    today = timezone.localdate()
    start, end = previous_month(today)
    supplier, order, line = redeemed_booking()
    confirm_and_redeem(supplier, line)  # today: not last month
    _adjust(supplier, 1_000, end, "test:adjust:last-month")
    _adjust(supplier, 700, start - datetime.timedelta(days=3), "test:adjust:older")
    quiet = make_supplier()
    _adjust(quiet, 300, start, "test:adjust:quiet")

    made = statements_monthly(today=today)

    assert sorted((s.supplier_id, s.net, s.adjustments, s.gross) for s in made) == sorted(
        [(supplier.pk, 1_700, 1_700, 0), (quiet.pk, 300, 300, 0)]
    )
    mine = next(s for s in made if s.supplier_id == supplier.pk)
    assert (mine.period_start, mine.period_end) == (start - datetime.timedelta(days=3), end)
    assert statements_monthly(today=today) == []
    out = StringIO()
    call_command("settlement_monthly", stdout=out)
    assert "0 statement(s) issued" in out.getvalue()
    assert SettlementStatement.objects.count() == 2

    # Today's redemption waits for next month, or for the operator's "generate now".
    now = statement_generate(actor=operator, supplier=supplier, period_end=today)
    assert (now.gross, now.net, now.period_start) == (25_000, 24_500, end + datetime.timedelta(days=1))
