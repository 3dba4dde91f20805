"""Buying under concurrent requests, on PostgreSQL: real threads, each with its own connection,
started together. No wallet overspent, no session overbooked, no voucher used twice, one
checkout per idempotency key, and the fringe-benefit cap never passed."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from conciliare.catalogue.categories import Category
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier
from conciliare.core.errors import Conflict, InvalidInput
from conciliare.ledger.models import Hold, HoldStatus, LedgerTransaction
from conciliare.plans.selectors import fringe_status_for_user
from conciliare.testing.concurrency import assert_ledger_clean, run_together
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..checkout import LineRequest, checkout
from ..fulfilment import line_cancel, line_confirm, line_decline, payment_confirm, voucher_redeem
from ..ledger_accounts import supplier_payable_account, vouchers_outstanding_account
from ..models import (
    Checkout,
    Contribution,
    ContributionParty,
    LinePayment,
    Order,
    OrderLine,
    OrderStatus,
    RateKind,
    Voucher,
    VoucherStatus,
    WithholdingRate,
)
from ..vouchers import code_for
from .factories import book, give_credit, make_family, make_nursery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LETTER_F, FRINGE = "art51_c2_f", "art51_c3_fringe"
FRINGE_CAP = 100_000


@pytest.fixture(autouse=True)
def supplier_contribution_rate() -> None:
    """The 2 per cent rate a data migration writes; a transactional test's flush removed it."""
    WithholdingRate.objects.get_or_create(
        kind=RateKind.SUPPLIER_CONTRIBUTION,
        valid_from=datetime.date(2025, 1, 1),
        defaults={"percent": Decimal("2.00"), "note": "Carta etica, versione 1"},
    )


def unexpected(outcomes: list[Any], *allowed: type[Exception]) -> list[Any]:
    return [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, allowed)]


def gym_subscription(price: int) -> Any:
    supplier = make_supplier(categories=[Category.GYM_WELLBEING])
    return supplier, make_offer(supplier, category=Category.GYM_WELLBEING, price=price)


@pytest.mark.parametrize("payment_method", ["none", "bank_transfer"])
def test_fifty_checkouts_at_once_never_spend_more_than_the_wallet(payment_method: str) -> None:
    employee = make_family(fbis=0).employee
    wallet = give_credit(employee, LETTER_F, 10_000)
    supplier, subscription = gym_subscription(price=3_000)

    def buy(index: int) -> Checkout:
        return checkout(
            buyer=employee,
            requests=[LineRequest(offer_id=subscription.pk)],
            payment_method=payment_method,
            idempotency_key=f"race-{index}",
        )

    outcomes = run_together(50, buy)

    assert not unexpected(outcomes, InvalidInput), outcomes
    made = [o for o in outcomes if isinstance(o, Checkout)]
    credit = LinePayment.objects.filter(wallet=wallet).aggregate(total=Sum("amount"))["total"]
    wallet.refresh_from_db()
    if payment_method == "none":  # three are covered by credit; the others are told to choose how to pay
        assert len(made) == 3
        assert all("choose how to pay" in str(o) for o in outcomes if isinstance(o, InvalidInput))
        assert credit == 9_000
    else:  # all go through: three with credit, one with the last 10 euro and own money, the rest own money
        assert len(made) == 50
        assert credit == 10_000
        own = sorted(Order.objects.values_list("own_total", flat=True))
        assert own == [0, 0, 0, 2_000] + [3_000] * 46
    assert (wallet.balance, wallet.held) == (10_000, credit)
    assert Order.objects.count() == len(made) == Checkout.objects.count()

    for order in Order.objects.filter(status=OrderStatus.PLACED):
        line_confirm(actor=supplier.applied_by, line_id=order.lines.get().pk)
    wallet.refresh_from_db()
    assert wallet.balance == 10_000 - (9_000 if payment_method == "none" else 10_000 - 1_000)
    assert wallet.balance - wallet.held >= 0
    assert_ledger_clean()


def test_twenty_families_for_the_last_three_places_make_three_bookings() -> None:
    supplier, offer, week = make_nursery(price=25_000, seats=10)
    for _seat in range(7):
        book(make_family(fbis=100_000), offer, week)
    families = [make_family(fbis=100_000) for _family in range(20)]

    outcomes = run_together(20, lambda index: book(families[index], offer, week))

    assert not unexpected(outcomes, Conflict), outcomes
    assert sum(isinstance(o, Checkout) for o in outcomes) == 3
    assert all("no places left" in str(o) for o in outcomes if isinstance(o, Conflict))
    week.refresh_from_db()
    assert week.seats_taken == week.seats == 10
    assert OrderLine.objects.filter(session=week, status="pending").count() == 10
    assert Hold.objects.filter(status=HoldStatus.PENDING).count() == 10
    for family in families:
        family.wallet.refresh_from_db()
    assert sorted(f.wallet.held for f in families) == [0] * 17 + [25_000] * 3
    assert_ledger_clean()


def test_ten_redemptions_of_one_voucher_use_it_once() -> None:
    family = make_family(fbis=100_000)
    supplier, offer, week = make_nursery(price=25_000)
    line = Order.objects.get(checkout=book(family, offer, week)).lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    code = code_for(Voucher.objects.get(line=line).token)

    outcomes = run_together(
        10, lambda _index: voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code)
    )

    assert not unexpected(outcomes, Conflict), outcomes
    assert sum(isinstance(o, Voucher) for o in outcomes) == 1
    assert all("already used" in str(o) for o in outcomes if isinstance(o, Conflict))
    voucher = Voucher.objects.get(line=line)
    assert voucher.status == VoucherStatus.REDEEMED
    assert LedgerTransaction.objects.filter(idempotency_key=f"order-line:{line.pk}:payable").count() == 1
    assert Contribution.objects.filter(party=ContributionParty.SUPPLIER, line=line).count() == 1
    assert supplier_payable_account(supplier).balance == 25_000 - 500
    assert vouchers_outstanding_account().balance == 0
    assert_ledger_clean()


def test_ten_checkouts_with_the_same_key_make_one_order() -> None:
    family = make_family(fbis=100_000)
    supplier, offer, week = make_nursery(price=25_000)

    outcomes = run_together(10, lambda _index: book(family, offer, week, key="double-click"))

    assert all(isinstance(o, Checkout) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert (Checkout.objects.count(), Order.objects.count(), OrderLine.objects.count()) == (1, 1, 1)
    week.refresh_from_db()
    family.wallet.refresh_from_db()
    assert week.seats_taken == 1
    assert (family.wallet.balance, family.wallet.held) == (100_000, 25_000)
    assert_ledger_clean()


def test_checkouts_and_confirmations_at_once_never_pass_the_fringe_cap() -> None:
    employee = make_family(fbis=0).employee
    wallet = give_credit(employee, FRINGE, 300_000)  # far more credit than the year's cap
    supplier = make_supplier(categories=[Category.GROCERY_DELIVERY])
    basket = make_offer(supplier, category=Category.GROCERY_DELIVERY, price=30_001)
    operator = make_member(UserFactory(), OrganizationFactory(), "operator_admin")
    earlier = [
        Order.objects.get(
            checkout=checkout(
                buyer=employee,
                requests=[LineRequest(offer_id=basket.pk)],
                payment_method="none",
                idempotency_key=f"earlier-{n}",
            )
        )
        for n in range(2)
    ]
    line_confirm(actor=supplier.applied_by, line_id=earlier[0].lines.get().pk)  # spent
    waiting = earlier[1].lines.get()  # held: the supplier confirms it during the race

    def work(index: int) -> Any:
        if index == 20:
            return line_confirm(actor=supplier.applied_by, line_id=waiting.pk)
        return checkout(
            buyer=employee,
            requests=[LineRequest(offer_id=basket.pk, quantity=1 + index % 2)],
            payment_method="bank_transfer",
            idempotency_key=f"race-{index}",
        )

    outcomes = run_together(21, work)

    assert not unexpected(outcomes), outcomes
    fringe = LinePayment.objects.filter(wallet=wallet).aggregate(total=Sum("amount"))["total"]
    assert fringe == FRINGE_CAP  # 60_002 before the race, exactly 39_998 more during it
    status = fringe_status_for_user(employee, today=timezone.localdate())
    wallet.refresh_from_db()
    assert status.used + wallet.held == FRINGE_CAP
    assert status.used == 60_002
    # Paying and confirming whatever holds fringe credit ends exactly at the cap.
    for order in Order.objects.filter(lines__payments__wallet=wallet, lines__status="pending").distinct():
        if order.status == OrderStatus.AWAITING_PAYMENT:
            payment_confirm(actor=operator, order_id=order.pk)
        line_confirm(actor=supplier.applied_by, line_id=order.lines.get().pk)
    status = fringe_status_for_user(employee, today=timezone.localdate())
    wallet.refresh_from_db()
    assert (status.used, wallet.held, wallet.balance) == (FRINGE_CAP, 0, 300_000 - FRINGE_CAP)
    assert_ledger_clean()


def test_confirmations_cancellations_and_checkouts_of_one_family_at_once_do_not_deadlock() -> None:
    """Every writer locks accounts in the same order, whatever order they were created in."""
    vouchers_outstanding_account()  # created before the wallet: a lower id than the wallet's
    family = make_family(fbis=1_000_000)
    supplier, offer, _week = make_nursery(price=10_000)
    weeks = [make_nursery_week(offer, n) for n in range(30)]
    booked = [Order.objects.get(checkout=book(family, offer, weeks[n])).lines.get() for n in range(10)]
    for line in booked[5:]:
        line_confirm(actor=supplier.applied_by, line_id=line.pk)

    def work(index: int) -> Any:
        if index < 5:
            return line_confirm(actor=supplier.applied_by, line_id=booked[index].pk)
        if index < 10:
            return line_cancel(actor=family.employee, line_id=booked[index].pk)
        return book(family, offer, weeks[index])

    outcomes = run_together(30, work)

    assert not unexpected(outcomes), outcomes
    assert_ledger_clean()


def make_nursery_week(offer: Any, number: int) -> Any:
    return make_session(offer, starts_in_days=20 + 7 * number, seats=5)


def test_cancellations_declines_and_bookings_of_one_week_at_once_do_not_deadlock() -> None:
    """Places and money: every writer takes the session's row before any account."""
    vouchers_outstanding_account()
    supplier, offer, week = make_nursery(price=10_000, seats=40)
    confirmed = [Order.objects.get(checkout=book(make_family(), offer, week)).lines.get() for _n in range(8)]
    for line in confirmed:
        line_confirm(actor=supplier.applied_by, line_id=line.pk)
    pending = [Order.objects.get(checkout=book(make_family(), offer, week)).lines.get() for _n in range(8)]
    newcomers = [make_family() for _n in range(8)]

    def work(index: int) -> Any:
        group, number = divmod(index, 8)
        if group == 0:
            return line_cancel(actor=confirmed[number].order.buyer, line_id=confirmed[number].pk)
        if group == 1:
            if number % 2:
                return line_decline(actor=supplier.applied_by, line_id=pending[number].pk, reason="Sezione piena")
            return line_confirm(actor=supplier.applied_by, line_id=pending[number].pk)
        return book(newcomers[number], offer, week)

    outcomes = run_together(24, work)

    assert not unexpected(outcomes), outcomes
    week.refresh_from_db()
    live = OrderLine.objects.filter(session=week, status__in=["pending", "confirmed"]).count()
    assert week.seats_taken == live == 4 + 8
    assert_ledger_clean()
