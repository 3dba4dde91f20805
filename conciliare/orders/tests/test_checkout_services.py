"""Checkout at service level: which credit pays for what, what is refused, what the daily job
releases and what a cancellation gives back, with the ledger checked after each story."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from conciliare.catalogue.categories import Category
from conciliare.catalogue.models import CancellationPolicy, Offer, OfferSession
from conciliare.catalogue.services import offer_withdraw
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier
from conciliare.core.errors import Conflict, IdempotencyConflict, InvalidInput, NotPermitted
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, Hold, HoldStatus, LedgerAccount
from conciliare.ledger.verification import ledger_verify
from conciliare.plans.selectors import fringe_status_for_user
from conciliare.suppliers.models import Supplier
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_family_member, make_member

from ..checkout import LineRequest, checkout, quote, round_up_of
from ..fulfilment import (
    line_cancel,
    line_confirm,
    line_deliver,
    orders_daily,
    payment_confirm,
    refund_percent,
    voucher_redeem,
)
from ..ledger_accounts import citizen_clearing_account, supplier_payable_account, vouchers_outstanding_account
from ..models import (
    Contribution,
    ContributionParty,
    LineStatus,
    Order,
    OrderStatus,
    PaymentMethod,
    VoucherStatus,
)
from ..vouchers import code_for
from .factories import book, give_credit, make_company, make_family, make_nursery

pytestmark = pytest.mark.django_db

FBIS, LETTER_F, FRINGE = "art51_c2_fbis", "art51_c2_f", "art51_c3_fringe"
FRINGE_CAP = 100_000  # 2026 and 2027, without the declaration of dependent children


@pytest.fixture(autouse=True)
def ledger_stays_clean():  # type: ignore[no-untyped-def]
    yield
    report = ledger_verify()
    assert report.clean, report.violations


@pytest.fixture
def operator():  # type: ignore[no-untyped-def]
    return make_member(UserFactory(), OrganizationFactory(), "operator_admin")


def held_and_balance(wallet: LedgerAccount) -> tuple[int, int]:
    wallet.refresh_from_db()
    return wallet.balance, wallet.held


def gym(price: int = 4_900) -> tuple[Supplier, Offer]:
    supplier = make_supplier(categories=[Category.GYM_WELLBEING])
    return supplier, make_offer(supplier, category=Category.GYM_WELLBEING, price=price)


def grocery(price: int = 3_000) -> tuple[Supplier, Offer]:
    supplier = make_supplier(categories=[Category.GROCERY_DELIVERY])
    return supplier, make_offer(supplier, category=Category.GROCERY_DELIVERY, price=price)


def buy(buyer: Any, offer: Offer, *, payment_method: str = "none", key: str, **line: Any) -> Order:
    made = checkout(
        buyer=buyer,
        requests=[LineRequest(offer_id=offer.pk, **line)],
        payment_method=payment_method,
        idempotency_key=key,
    )
    return Order.objects.get(checkout=made)


def buckets(order: Order) -> list[tuple[str, int]]:
    return [(p.bucket, p.amount) for line in order.lines.all() for p in line.payments.all()]


# -- Which credit pays for what ------------------------------------------------------------------------------------


def test_each_line_is_paid_from_the_bucket_the_rules_allow() -> None:
    family = make_family(fbis=100_000)
    letter_f = give_credit(family.employee, LETTER_F, 100_000)
    fringe = give_credit(family.employee, FRINGE, 50_000)
    _nursery_supplier, nursery, week = make_nursery(price=25_000)
    _gym_supplier, subscription = gym(price=4_900)
    _shop, vegetables = grocery(price=3_000)

    planned = quote(
        buyer=family.employee,
        requests=[
            LineRequest(offer_id=nursery.pk, session_id=week.pk, member_id=family.child.pk),
            LineRequest(offer_id=subscription.pk),  # for the employee herself
            LineRequest(offer_id=vegetables.pk, quantity=2),
        ],
    )
    assert [[(s.bucket, s.amount) for s in line.plan.shares] for line in planned.lines] == [
        [(FBIS, 25_000)],  # education of a child: f-bis first, letter f untouched
        [(LETTER_F, 4_900)],  # the employee's gym: only letter f
        [(FRINGE, 6_000)],  # goods: fringe benefits, within the cap
    ]
    assert (planned.total, planned.credit, planned.own) == (35_900, 35_900, 0)
    assert (planned.fringe_cap, planned.fringe_left_before, planned.fringe_left_after) == (
        FRINGE_CAP,
        FRINGE_CAP,
        FRINGE_CAP - 6_000,
    )

    made = checkout(
        buyer=family.employee,
        requests=[line.request for line in planned.lines],
        payment_method="bank_transfer",  # nothing to pay: the checkout says so itself
        idempotency_key="three-suppliers",
    )
    orders = list(made.orders.order_by("pk"))
    assert len(orders) == 3  # one order per supplier
    assert all((o.status, o.payment_method, o.payment_due_at) == (OrderStatus.PLACED, "none", None) for o in orders)
    assert [buckets(o) for o in orders] == [[(FBIS, 25_000)], [(LETTER_F, 4_900)], [(FRINGE, 6_000)]]
    assert held_and_balance(family.wallet) == (100_000, 25_000)
    assert held_and_balance(letter_f) == (100_000, 4_900)
    assert held_and_balance(fringe) == (50_000, 6_000)


def test_letter_f_pays_the_nursery_when_f_bis_is_spent() -> None:
    family = make_family(fbis=10_000)
    letter_f = give_credit(family.employee, LETTER_F, 100_000)
    _supplier, offer, week = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, week))
    assert buckets(order) == [(FBIS, 10_000), (LETTER_F, 15_000)]
    assert held_and_balance(letter_f) == (100_000, 15_000)


def test_a_citizen_without_wallets_pays_everything_and_has_a_deadline() -> None:
    citizen = UserFactory()
    _supplier, subscription = gym(price=4_900)
    with pytest.raises(InvalidInput) as refused:
        buy(citizen, subscription, key="no-method")
    assert "payment_method" in refused.value.fields
    before = timezone.now()
    order = buy(citizen, subscription, payment_method="bank_transfer", key="citizen")
    assert (order.status, order.payment_method) == (OrderStatus.AWAITING_PAYMENT, PaymentMethod.BANK_TRANSFER)
    assert (order.total, order.credit_total, order.own_total, order.round_up) == (4_900, 0, 4_900, 0)
    days = datetime.timedelta(days=settings.CONCILIARE_PAYMENT_DAYS)
    assert before + days <= order.payment_due_at <= timezone.now() + days
    assert not buckets(order)
    assert order.reference == f"CNC-{order.pk:06d}"


def test_credit_and_own_money_together_through_payment_and_redemption(operator) -> None:  # type: ignore[no-untyped-def]
    family = make_family(fbis=10_000)
    supplier, offer, week = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, week, payment_method="bank_transfer"))
    line = order.lines.get()
    assert (order.status, order.credit_total, order.own_total) == (OrderStatus.AWAITING_PAYMENT, 10_000, 15_000)
    assert (line.credit_amount, line.own_amount) == (10_000, 15_000)
    assert held_and_balance(family.wallet) == (10_000, 10_000)

    payment_confirm(actor=operator, order_id=order.pk)
    order.refresh_from_db()
    assert (order.status, order.payment_confirmed_by) == (OrderStatus.PLACED, operator)
    assert citizen_clearing_account().balance == 15_000

    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    assert held_and_balance(family.wallet) == (0, 0)
    assert vouchers_outstanding_account().balance == 10_000

    line.refresh_from_db()
    voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code_for(line.voucher.token))
    contribution = Contribution.objects.get(party=ContributionParty.SUPPLIER, line=line)
    assert (contribution.party, contribution.base, contribution.amount) == (ContributionParty.SUPPLIER, 25_000, 500)
    assert supplier_payable_account(supplier).balance == 25_000 - 500
    assert (vouchers_outstanding_account().balance, citizen_clearing_account().balance) == (0, 0)


def test_the_round_up_goes_to_the_solidarity_fund(operator) -> None:  # type: ignore[no-untyped-def]
    family = make_family(fbis=9_960)
    _supplier, offer, week = make_nursery(price=25_000)
    assert (round_up_of(15_040), round_up_of(15_000), round_up_of(1)) == (60, 0, 99)
    made = book(family, offer, week, payment_method="bank_transfer", round_up=True)
    order = Order.objects.get(checkout=made)
    assert (order.own_total, order.round_up, order.own_due) == (15_040, 60, 15_100)
    payment_confirm(actor=operator, order_id=order.pk)
    contribution = Contribution.objects.get(order=order)
    assert (contribution.party, contribution.line, contribution.base, contribution.amount) == (
        ContributionParty.EMPLOYEE,
        None,
        15_040,
        60,
    )
    assert ledger.solidarity_fund_account().balance == 60
    assert citizen_clearing_account().balance == 15_040


# -- The fringe-benefit cap ----------------------------------------------------------------------------------------


def test_fringe_benefits_never_pass_the_cap_by_a_cent(operator) -> None:  # type: ignore[no-untyped-def]
    employee = make_family(fbis=0).employee
    fringe = give_credit(employee, FRINGE, 150_000)  # more credit than the year's cap
    supplier, basket = grocery(price=60_001)

    first = buy(employee, basket, key="first")
    assert buckets(first) == [(FRINGE, 60_001)]

    planned = quote(buyer=employee, requests=[LineRequest(offer_id=basket.pk)])
    assert (planned.fringe_cap, planned.fringe_left_before, planned.fringe_left_after) == (FRINGE_CAP, 39_999, 0)
    assert (planned.credit, planned.own) == (39_999, 20_002)  # what is held counts as spent

    second = buy(employee, basket, payment_method="bank_transfer", key="second")
    assert buckets(second) == [(FRINGE, 39_999)]
    assert (second.status, second.own_total) == (OrderStatus.AWAITING_PAYMENT, 20_002)

    third = buy(employee, basket, payment_method="bank_transfer", key="third")
    assert buckets(third) == []  # the cap is reached: all own money, though the wallet still has credit
    assert third.own_total == 60_001
    assert held_and_balance(fringe) == (150_000, FRINGE_CAP)

    payment_confirm(actor=operator, order_id=second.pk)
    for order in (first, second):
        line_confirm(actor=supplier.applied_by, line_id=order.lines.get().pk)
    status = fringe_status_for_user(employee, today=timezone.localdate())
    assert (status.cap, status.used) == (FRINGE_CAP, FRINGE_CAP)
    assert held_and_balance(fringe) == (150_000 - FRINGE_CAP, 0)
    assert quote(buyer=employee, requests=[LineRequest(offer_id=basket.pk)]).credit == 0


def test_a_line_of_the_same_cart_sees_what_earlier_lines_took_from_the_cap() -> None:
    employee = make_family(fbis=0).employee
    give_credit(employee, FRINGE, 150_000)
    _shop, basket = grocery(price=30_000)
    planned = quote(
        buyer=employee,
        requests=[LineRequest(offer_id=basket.pk, quantity=3), LineRequest(offer_id=basket.pk, quantity=1)],
    )
    assert [line.plan.credit for line in planned.lines] == [90_000, 10_000]
    assert [line.plan.own for line in planned.lines] == [0, 20_000]
    assert planned.fringe_left_after == 0


# -- What is refused -----------------------------------------------------------------------------------------------


def refuses(error: type[Exception], buyer: Any, *requests: LineRequest, field: str | None = None) -> Exception:
    """Both the quote and the checkout refuse, and nothing is held or booked."""
    with pytest.raises(error) as in_quote:
        quote(buyer=buyer, requests=list(requests))
    with pytest.raises(error) as in_checkout:
        checkout(buyer=buyer, requests=list(requests), payment_method="bank_transfer", idempotency_key="refused")
    assert not Order.objects.exists()
    assert not Hold.objects.exists()
    assert not OfferSession.objects.filter(seats_taken__gt=0).exists()
    if field is not None:
        assert field in in_checkout.value.fields, in_checkout.value.fields  # type: ignore[attr-defined]
    assert in_quote.value.message == in_checkout.value.message  # type: ignore[attr-defined]
    return in_checkout.value


def test_an_offer_outside_the_age_range_is_refused() -> None:
    family = make_family()
    _supplier, offer, week = make_nursery()
    adult = refuses(InvalidInput, family.employee, LineRequest(offer_id=offer.pk, session_id=week.pk), field="member")
    assert "age" in str(adult)
    five = make_family_member(family.employee, first_name="Luca", birth_date=datetime.date(2020, 6, 1))
    error = refuses(
        InvalidInput, family.employee, LineRequest(offer_id=offer.pk, session_id=week.pk, member_id=five.pk)
    )
    assert "Luca" in str(error)


def test_a_session_of_another_offer_is_refused() -> None:
    family = make_family()
    _supplier, offer, _week = make_nursery()
    _other_supplier, _other, foreign_week = make_nursery()
    refuses(
        NotPermitted,
        family.employee,
        LineRequest(offer_id=offer.pk, session_id=foreign_week.pk, member_id=family.child.pk),
    )


def test_a_session_that_has_started_is_refused() -> None:
    family = make_family()
    _supplier, offer, week = make_nursery()
    later = make_session(offer, starts_in_days=30)
    OfferSession.objects.filter(pk=week.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=1))
    refuses(Conflict, family.employee, LineRequest(offer_id=offer.pk, session_id=week.pk, member_id=family.child.pk))
    # A service with future dates needs one of them.
    refuses(InvalidInput, family.employee, LineRequest(offer_id=offer.pk, member_id=family.child.pk), field="session")
    assert later.seats_taken == 0


def test_someone_elses_family_member_is_not_found() -> None:
    family, stranger = make_family(), make_family()
    _supplier, offer, week = make_nursery()
    refuses(
        NotPermitted, family.employee, LineRequest(offer_id=offer.pk, session_id=week.pk, member_id=stranger.child.pk)
    )


@pytest.mark.parametrize("quantity", [-1, 0, 100, 1.5, "2", True, None])
def test_a_quantity_must_be_a_whole_number_from_1_to_99(quantity: Any) -> None:
    employee = make_family().employee
    _shop, basket = grocery()
    refuses(InvalidInput, employee, LineRequest(offer_id=basket.pk, quantity=quantity), field="quantity")


def test_a_booking_is_for_one_person() -> None:
    family = make_family()
    _supplier, offer, week = make_nursery()
    refuses(
        InvalidInput,
        family.employee,
        LineRequest(offer_id=offer.pk, session_id=week.pk, member_id=family.child.pk, quantity=2),
        field="quantity",
    )


def test_the_same_person_twice_on_the_same_date_is_refused() -> None:
    family = make_family()
    _supplier, offer, week = make_nursery()
    request = LineRequest(offer_id=offer.pk, session_id=week.pk, member_id=family.child.pk)
    refuses(Conflict, family.employee, request, request)
    book(family, offer, week)
    with pytest.raises(Conflict):
        book(family, offer, week)
    week.refresh_from_db()
    assert week.seats_taken == 1


def test_a_full_session_is_refused() -> None:
    family, other = make_family(), make_family()
    _supplier, offer, week = make_nursery(seats=1)
    book(other, offer, week)
    with pytest.raises(Conflict, match="no places left"):
        book(family, offer, week)
    assert Order.objects.count() == 1


def test_a_withdrawn_offer_is_not_on_sale() -> None:
    employee = make_family().employee
    shop, basket = grocery()
    offer_withdraw(actor=shop.applied_by, offer=basket)
    refuses(NotPermitted, employee, LineRequest(offer_id=basket.pk))


def test_a_supplier_whose_durc_expired_cannot_sell() -> None:
    employee = make_family().employee
    shop, basket = grocery()
    Supplier.objects.filter(pk=shop.pk).update(durc_expires_on=timezone.localdate() - datetime.timedelta(days=1))
    refuses(NotPermitted, employee, LineRequest(offer_id=basket.pk))


def test_an_empty_cart_a_missing_key_and_a_reused_key_are_refused() -> None:
    employee = make_family().employee
    _shop, basket = grocery()
    with pytest.raises(InvalidInput):
        checkout(buyer=employee, requests=[], payment_method="bank_transfer", idempotency_key="empty")
    with pytest.raises(InvalidInput) as no_key:
        checkout(
            buyer=employee,
            requests=[LineRequest(offer_id=basket.pk)],
            payment_method="bank_transfer",
            idempotency_key=" ",
        )
    assert "idempotency_key" in no_key.value.fields
    with pytest.raises(InvalidInput):
        checkout(buyer=employee, requests=[LineRequest(offer_id=basket.pk)], payment_method="cash", idempotency_key="k")
    first = buy(employee, basket, payment_method="bank_transfer", key="once")
    assert buy(employee, basket, payment_method="bank_transfer", key="once") == first
    with pytest.raises(IdempotencyConflict):
        buy(employee, basket, payment_method="bank_transfer", key="once", quantity=2)
    assert Order.objects.count() == 1


# -- The daily job -------------------------------------------------------------------------------------------------


def test_an_order_not_paid_in_time_is_released_by_the_daily_job() -> None:
    family = make_family(fbis=10_000)
    _supplier, offer, week = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, week, payment_method="bank_transfer"))
    assert held_and_balance(family.wallet) == (10_000, 10_000)

    assert orders_daily() == {"orders_expired": 0, "lines_released": 0, "holds_expired": 0}
    later = order.payment_due_at + datetime.timedelta(seconds=1)
    assert orders_daily(now=later) == {"orders_expired": 1, "lines_released": 0, "holds_expired": 0}

    order.refresh_from_db()
    week.refresh_from_db()
    line = order.lines.get()
    assert (order.status, line.status, line.refunded, week.seats_taken) == (
        OrderStatus.EXPIRED,
        LineStatus.RELEASED,
        25_000,
        0,
    )
    assert held_and_balance(family.wallet) == (10_000, 0)
    assert Hold.objects.get().status == HoldStatus.VOIDED
    assert orders_daily(now=later) == {"orders_expired": 0, "lines_released": 0, "holds_expired": 0}


def test_a_booking_the_supplier_does_not_answer_is_released(operator) -> None:  # type: ignore[no-untyped-def]
    family = make_family(fbis=100_000)
    _supplier, offer, week = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, week))
    paid_late = Order.objects.get(checkout=book(make_family(fbis=0), offer, week, payment_method="bank_transfer"))
    payment_confirm(actor=operator, order_id=paid_late.pk)  # the supplier's time runs from the payment:
    Order.objects.filter(pk=paid_late.pk).update(paid_at=timezone.now() + datetime.timedelta(days=1))  # say, tomorrow
    answer = datetime.timedelta(days=settings.CONCILIARE_SUPPLIER_ANSWER_DAYS)

    assert orders_daily(now=timezone.now() + answer - datetime.timedelta(hours=1))["lines_released"] == 0
    assert orders_daily(now=timezone.now() + answer + datetime.timedelta(hours=1))["lines_released"] == 1

    order.refresh_from_db()
    week.refresh_from_db()
    assert (order.status, order.lines.get().status, week.seats_taken) == (OrderStatus.CLOSED, LineStatus.RELEASED, 1)
    assert held_and_balance(family.wallet) == (100_000, 0)
    # A session that starts before the supplier answers releases the booking too, and refunds the transfer.
    assert orders_daily(now=week.starts_at)["lines_released"] == 1
    paid_late.refresh_from_db()
    week.refresh_from_db()
    assert (paid_late.status, week.seats_taken) == (OrderStatus.CLOSED, 0)
    assert citizen_clearing_account().balance == 0
    assert ledger.world_account().balance == -100_000  # only the test credit left the world


def test_the_command_runs_the_daily_job(capsys) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    family = make_family(fbis=0)
    _supplier, offer, week = make_nursery(price=25_000)
    order = Order.objects.get(checkout=book(family, offer, week, payment_method="bank_transfer"))
    Order.objects.filter(pk=order.pk).update(payment_due_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("orders_daily")
    out = capsys.readouterr().out
    assert "orders_daily" in out and "orders_expired: 1" in out
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED


# -- Cancellation --------------------------------------------------------------------------------------------------


def confirmed_booking(
    policy: str, starts_in_days: float, *, fbis: int = 100_000, price: int = 25_000, pay: Any = None
) -> tuple[Any, Supplier, Order]:
    family = make_family(fbis=fbis)
    supplier, offer, _week = make_nursery(price=price, cancellation_policy=policy)
    week = make_session(offer)
    starts_at = timezone.now() + datetime.timedelta(days=starts_in_days)
    OfferSession.objects.filter(pk=week.pk).update(starts_at=starts_at, ends_at=starts_at + datetime.timedelta(days=4))
    order = Order.objects.get(
        checkout=book(family, offer, week, payment_method="bank_transfer" if fbis < price else "none")
    )
    if pay is not None:
        payment_confirm(actor=pay, order_id=order.pk)
    line_confirm(actor=supplier.applied_by, line_id=order.lines.get().pk)
    return family, supplier, order


@pytest.mark.parametrize(
    ("policy", "days", "percent"),
    [
        (CancellationPolicy.FLEXIBLE, 2.1, 100),  # free until 48 hours before
        (CancellationPolicy.FLEXIBLE, 1.9, 0),
        (CancellationPolicy.MODERATE, 7.1, 100),  # free until 7 days before, then half
        (CancellationPolicy.MODERATE, 6.9, 50),
        (CancellationPolicy.STRICT, 14.1, 100),  # free until 14 days before, then nothing
        (CancellationPolicy.STRICT, 13.9, 0),
    ],
)
def test_cancelling_a_confirmed_booking_follows_the_policy(policy: str, days: float, percent: int) -> None:
    family, supplier, order = confirmed_booking(policy, days)
    line = order.lines.get()
    assert refund_percent(line, now=timezone.now()) == percent
    line_cancel(actor=family.employee, line_id=line.pk)

    line.refresh_from_db()
    order.refresh_from_db()
    back = 25_000 * percent // 100
    kept = 25_000 - back
    assert (line.status, line.refunded, line.voucher.status) == (LineStatus.CANCELLED, back, VoucherStatus.CANCELLED)
    assert held_and_balance(family.wallet) == (75_000 + back, 0)
    assert OfferSession.objects.get(pk=line.session_id).seats_taken == 0
    payable = supplier_payable_account(supplier)
    contributions = list(
        Contribution.objects.filter(party=ContributionParty.SUPPLIER, line=line).values_list("base", "amount")
    )
    if kept:
        assert order.status == OrderStatus.COMPLETED or order.status == OrderStatus.CLOSED
        assert contributions == [(kept, kept * 2 // 100)]
        assert payable.balance == kept - kept * 2 // 100
    else:
        assert order.status == OrderStatus.CLOSED
        assert contributions == []
        assert payable.balance == 0
    assert vouchers_outstanding_account().balance == 0


def test_a_late_cancellation_refunds_half_of_the_credit_and_half_of_the_transfer(operator) -> None:  # type: ignore[no-untyped-def]
    family, supplier, order = confirmed_booking(CancellationPolicy.MODERATE, 3, fbis=10_001, price=25_001, pay=operator)
    line = order.lines.get()
    assert (line.credit_amount, line.own_amount) == (10_001, 15_000)
    line_cancel(actor=family.employee, line_id=line.pk)
    line.refresh_from_db()
    # Half of each part, rounded half to even: 5_000.5 -> 5_000 and 7_500.
    assert line.refunded == 5_000 + 7_500
    assert held_and_balance(family.wallet) == (5_000, 0)
    assert citizen_clearing_account().balance == 0  # half back to the buyer, half to the supplier
    kept = 25_001 - 12_500
    contribution = Contribution.objects.get(party=ContributionParty.SUPPLIER, line=line)
    assert (contribution.base, contribution.amount, contribution.percent) == (kept, 250, Decimal("2.00"))
    assert supplier_payable_account(supplier).balance == kept - 250


def test_cancelling_before_the_supplier_answers_gives_everything_back_whatever_the_policy() -> None:
    family = make_family(fbis=100_000)
    _supplier, offer, week = make_nursery(price=25_000, cancellation_policy=CancellationPolicy.STRICT)
    order = Order.objects.get(checkout=book(family, offer, week))
    line = order.lines.get()
    line_cancel(actor=family.employee, line_id=line.pk)
    line.refresh_from_db()
    order.refresh_from_db()
    week.refresh_from_db()
    assert (line.status, line.refunded, order.status, week.seats_taken) == (
        LineStatus.CANCELLED,
        25_000,
        OrderStatus.CLOSED,
        0,
    )
    assert held_and_balance(family.wallet) == (100_000, 0)
    assert not Contribution.objects.exists()


def test_only_the_buyer_cancels_and_a_confirmed_product_is_not_cancelled_online() -> None:
    family = make_family(fbis=100_000)
    _supplier, offer, week = make_nursery()
    line = Order.objects.get(checkout=book(family, offer, week)).lines.get()
    with pytest.raises(NotPermitted):
        line_cancel(actor=make_family().employee, line_id=line.pk)

    employee = make_family(fbis=0).employee
    give_credit(employee, FRINGE, 10_000)
    shop, basket = grocery()
    product_line = buy(employee, basket, key="basket").lines.get()
    line_confirm(actor=shop.applied_by, line_id=product_line.pk)
    with pytest.raises(Conflict):
        line_cancel(actor=employee, line_id=product_line.pk)
    line_deliver(actor=shop.applied_by, line_id=product_line.pk)
    product_line.refresh_from_db()
    assert product_line.status == LineStatus.DELIVERED
    assert supplier_payable_account(shop).balance == 3_000 - 60


def test_wallets_of_another_company_and_of_other_people_are_never_used() -> None:
    family = make_family(fbis=0)
    neighbour = make_family(fbis=100_000, company=make_company())
    _supplier, offer, week = make_nursery(price=25_000)
    planned = quote(
        buyer=family.employee, requests=[LineRequest(offer_id=offer.pk, session_id=week.pk, member_id=family.child.pk)]
    )
    assert (planned.credit, planned.own) == (0, 25_000)
    assert LedgerAccount.objects.filter(kind=AccountKind.EMPLOYEE_WALLET, owner_user=neighbour.employee).get().held == 0
