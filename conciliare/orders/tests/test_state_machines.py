"""The states of orders, lines and vouchers: every (state, transition) pair of each model, then the
services refusing what the state machines forbid, with nothing changed (money, places, states)."""

import datetime
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from conciliare.catalogue.models import OfferKind, OfferSession
from conciliare.core.errors import ApplicationError, Conflict
from conciliare.ledger.models import Hold, LedgerAccount, LedgerTransaction
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..fulfilment import (
    line_cancel,
    line_confirm,
    line_decline,
    order_expire,
    payment_confirm,
    voucher_redeem,
)
from ..models import (
    Contribution,
    ContributionParty,
    LineStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Voucher,
    VoucherStatus,
)
from ..vouchers import code_for
from .factories import book, make_family, make_nursery

# -- The tables: what may happen from where (written out, not read from the models) ----------------------

OS = OrderStatus
ORDER_LEGAL: dict[str, dict[str, str]] = {
    "mark_paid": {OS.AWAITING_PAYMENT: OS.PLACED},
    "expire": {OS.AWAITING_PAYMENT: OS.EXPIRED},
    "progress": {OS.PLACED: OS.IN_PROGRESS, OS.IN_PROGRESS: OS.IN_PROGRESS},
    "close": {OS.AWAITING_PAYMENT: OS.CLOSED, OS.PLACED: OS.CLOSED, OS.IN_PROGRESS: OS.CLOSED},
    "complete": {OS.PLACED: OS.COMPLETED, OS.IN_PROGRESS: OS.COMPLETED},
}

L = LineStatus
SERVICE, PRODUCT = OfferKind.SERVICE, OfferKind.PRODUCT
# transition -> {(state, kind): target}; a kind missing means the transition is refused for it.
LINE_LEGAL: dict[str, dict[tuple[str, str], str]] = {
    "confirm": {(L.PENDING, SERVICE): L.CONFIRMED, (L.PENDING, PRODUCT): L.CONFIRMED},
    "decline": {(L.PENDING, SERVICE): L.DECLINED, (L.PENDING, PRODUCT): L.DECLINED},
    "cancel": {
        (L.PENDING, SERVICE): L.CANCELLED,
        (L.PENDING, PRODUCT): L.CANCELLED,
        (L.CONFIRMED, SERVICE): L.CANCELLED,
        (L.CONFIRMED, PRODUCT): L.CANCELLED,
    },
    "release": {(L.PENDING, SERVICE): L.RELEASED, (L.PENDING, PRODUCT): L.RELEASED},
    "redeem": {(L.CONFIRMED, SERVICE): L.REDEEMED},  # a product is delivered, never redeemed
    "deliver": {(L.CONFIRMED, PRODUCT): L.DELIVERED},  # a service is redeemed, never delivered
}

V = VoucherStatus
VOUCHER_LEGAL: dict[str, dict[str, str]] = {
    "redeem": {V.ISSUED: V.REDEEMED},
    "cancel": {V.ISSUED: V.CANCELLED},
}


def transition_names(model: type[Model]) -> set[str]:
    field = model._meta.get_field("status")
    return {transition.name for transition in field.get_all_transitions(model)}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("model", "table"), [(Order, ORDER_LEGAL), (OrderLine, LINE_LEGAL), (Voucher, VOUCHER_LEGAL)])
def test_the_tables_list_every_transition_of_the_model(model: type[Model], table: dict[str, Any]) -> None:
    assert transition_names(model) == set(table)


@pytest.mark.parametrize("state", OrderStatus.values)
@pytest.mark.parametrize("name", sorted(ORDER_LEGAL))
def test_order_transition(state: str, name: str) -> None:
    order = Order(status=state)
    target = ORDER_LEGAL[name].get(state)
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            getattr(order, name)()
        assert order.status == state
    else:
        getattr(order, name)()
        assert order.status == target


@pytest.mark.parametrize("kind", [SERVICE, PRODUCT])
@pytest.mark.parametrize("state", LineStatus.values)
@pytest.mark.parametrize("name", sorted(LINE_LEGAL))
def test_line_transition(state: str, name: str, kind: str) -> None:
    line = OrderLine(status=state, kind=kind)
    target = LINE_LEGAL[name].get((state, kind))
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            getattr(line, name)()
        assert line.status == state
    else:
        getattr(line, name)()
        assert line.status == target


@pytest.mark.parametrize("state", VoucherStatus.values)
@pytest.mark.parametrize("name", sorted(VOUCHER_LEGAL))
def test_voucher_transition(state: str, name: str) -> None:
    voucher = Voucher(status=state)
    target = VOUCHER_LEGAL[name].get(state)
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            getattr(voucher, name)()
        assert voucher.status == state
    else:
        getattr(voucher, name)()
        assert voucher.status == target


def test_every_final_line_state_is_a_dead_end() -> None:
    """Declined, cancelled, released, redeemed and delivered lines never change again."""
    finals = [L.DECLINED, L.CANCELLED, L.RELEASED, L.REDEEMED, L.DELIVERED]
    for state in finals:
        assert not any((state, kind) in legal for legal in LINE_LEGAL.values() for kind in (SERVICE, PRODUCT))


# -- The services refuse what the state machines forbid, and change nothing ---------------------------------------


def snapshot() -> dict[str, Any]:
    """Everything a refused operation must leave as it was."""
    return {
        "accounts": sorted(LedgerAccount.objects.values_list("pk", "balance", "held")),
        "transactions": LedgerTransaction.objects.count(),
        "holds": sorted(Hold.objects.values_list("pk", "status")),
        "seats": sorted(OfferSession.objects.values_list("pk", "seats_taken")),
        "orders": sorted(Order.objects.values_list("pk", "status", "paid_at")),
        "lines": sorted(OrderLine.objects.values_list("pk", "status", "refunded", "decline_reason")),
        "vouchers": sorted(Voucher.objects.values_list("pk", "status", "redeemed_at")),
        "contributions": Contribution.objects.count(),
        "events": OrderEvent.objects.count(),
    }


def refused(error: type[Exception], work: Any) -> ApplicationError:
    before = snapshot()
    with pytest.raises(error) as caught:
        work()
    assert snapshot() == before
    assert ledger_verify().clean
    assert isinstance(caught.value, ApplicationError)
    return caught.value


@pytest.fixture
def operator():  # type: ignore[no-untyped-def]
    return make_member(UserFactory(), OrganizationFactory(), "operator_admin")


@pytest.fixture
def booked(db):  # type: ignore[no-untyped-def]
    """A two-year-old booked into a nursery week, paid with credit, waiting for the supplier."""
    family = make_family(fbis=100_000)
    supplier, offer, session = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, session))
    return family, supplier, session, order, order.lines.get()


@pytest.mark.django_db
def test_a_declined_line_cannot_be_confirmed(booked) -> None:  # type: ignore[no-untyped-def]
    family, supplier, session, order, line = booked
    line_decline(actor=supplier.applied_by, line_id=line.pk, reason="Sezione al completo")
    refused(Conflict, lambda: line_confirm(actor=supplier.applied_by, line_id=line.pk))
    line.refresh_from_db()
    session.refresh_from_db()
    family.wallet.refresh_from_db()
    assert (line.status, session.seats_taken, family.wallet.held) == (L.DECLINED, 0, 0)
    assert not Voucher.objects.exists()


@pytest.mark.django_db
def test_a_confirmed_line_cannot_be_declined(booked) -> None:  # type: ignore[no-untyped-def]
    family, supplier, session, order, line = booked
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    refused(Conflict, lambda: line_decline(actor=supplier.applied_by, line_id=line.pk, reason="Ci ho ripensato"))
    line.refresh_from_db()
    family.wallet.refresh_from_db()
    assert (line.status, line.voucher.status) == (L.CONFIRMED, V.ISSUED)
    assert (family.wallet.balance, family.wallet.held) == (75_000, 0)


@pytest.mark.django_db
def test_a_redeemed_line_cannot_be_cancelled(booked) -> None:  # type: ignore[no-untyped-def]
    family, supplier, session, order, line = booked
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code_for(line.voucher.token))
    refused(Conflict, lambda: line_cancel(actor=family.employee, line_id=line.pk))
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.status, order.status) == (L.REDEEMED, OS.COMPLETED)


@pytest.mark.django_db
def test_a_cancelled_voucher_cannot_be_redeemed(booked) -> None:  # type: ignore[no-untyped-def]
    family, supplier, session, order, line = booked
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    line_cancel(actor=family.employee, line_id=line.pk)  # two weeks ahead: the flexible policy refunds everything
    voucher = Voucher.objects.get(line=line)
    assert voucher.status == V.CANCELLED
    error = refused(
        Conflict,
        lambda: voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code_for(voucher.token)),
    )
    assert "cancelled" in error.message
    family.wallet.refresh_from_db()
    assert (family.wallet.balance, family.wallet.held) == (100_000, 0)


@pytest.mark.django_db
def test_a_redeemed_voucher_cannot_be_redeemed_again(booked) -> None:  # type: ignore[no-untyped-def]
    family, supplier, session, order, line = booked
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    code = code_for(line.voucher.token)
    voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code)
    error = refused(Conflict, lambda: voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code))
    assert "already used" in error.message
    assert Contribution.objects.filter(party=ContributionParty.SUPPLIER).count() == 1


@pytest.mark.django_db
def test_an_unpaid_order_cannot_be_confirmed_and_paying_twice_is_refused(operator) -> None:  # type: ignore[no-untyped-def]
    family = make_family(fbis=10_000)
    supplier, offer, session = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, session, payment_method="bank_transfer"))
    line = order.lines.get()
    assert (order.status, line.credit_amount, line.own_amount) == (OS.AWAITING_PAYMENT, 10_000, 15_000)

    refused(Conflict, lambda: line_confirm(actor=supplier.applied_by, line_id=line.pk))
    refused(Conflict, lambda: line_decline(actor=supplier.applied_by, line_id=line.pk, reason="Non ancora pagato"))

    payment_confirm(actor=operator, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OS.PLACED
    refused(Conflict, lambda: payment_confirm(actor=operator, order_id=order.pk))
    order.refresh_from_db()
    assert order.status == OS.PLACED


@pytest.mark.django_db
def test_a_paid_order_does_not_expire(operator) -> None:  # type: ignore[no-untyped-def]
    family = make_family(fbis=0)
    supplier, offer, session = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, session, payment_method="bank_transfer"))
    payment_confirm(actor=operator, order_id=order.pk)
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now() - datetime.timedelta(days=1))
    before = snapshot()
    assert order_expire(order_id=order.pk) is False
    assert snapshot() == before
    order.refresh_from_db()
    session.refresh_from_db()
    assert (order.status, session.seats_taken) == (OS.PLACED, 1)


@pytest.mark.django_db
def test_an_expired_order_cannot_be_paid_confirmed_or_cancelled(operator) -> None:  # type: ignore[no-untyped-def]
    family = make_family(fbis=10_000)
    supplier, offer, session = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, session, payment_method="bank_transfer"))
    line = order.lines.get()
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert order_expire(order_id=order.pk) is True
    refused(Conflict, lambda: payment_confirm(actor=operator, order_id=order.pk))
    refused(Conflict, lambda: line_confirm(actor=supplier.applied_by, line_id=line.pk))
    refused(Conflict, lambda: line_cancel(actor=family.employee, line_id=line.pk))
    assert order_expire(order_id=order.pk) is False
    line.refresh_from_db()
    order.refresh_from_db()
    session.refresh_from_db()
    family.wallet.refresh_from_db()
    assert (order.status, line.status, session.seats_taken) == (OS.EXPIRED, L.RELEASED, 0)
    assert (family.wallet.balance, family.wallet.held) == (10_000, 0)


@pytest.mark.django_db
def test_a_cancelled_line_cannot_be_cancelled_again_nor_confirmed(booked) -> None:  # type: ignore[no-untyped-def]
    family, supplier, session, order, line = booked
    line_cancel(actor=family.employee, line_id=line.pk)
    refused(Conflict, lambda: line_cancel(actor=family.employee, line_id=line.pk))
    refused(Conflict, lambda: line_confirm(actor=supplier.applied_by, line_id=line.pk))
    order.refresh_from_db()
    session.refresh_from_db()
    assert (order.status, session.seats_taken) == (OS.CLOSED, 0)
