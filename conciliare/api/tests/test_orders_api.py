"""Buying through the API: quote and checkout (idempotent), the buyer's orders and cancellations, the
supplier's orders, bookings, answers and voucher redemption, the operator's payments. Every object
endpoint is tried by every other role: 404 (401 anonymous) and nothing changes."""

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conciliare.accounts.models import User
from conciliare.catalogue.models import Offer, OfferSession
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier
from conciliare.ledger.models import LedgerAccount
from conciliare.ledger.verification import ledger_verify
from conciliare.orders.checkout import LineRequest, checkout
from conciliare.orders.fulfilment import line_confirm, payment_confirm
from conciliare.orders.models import (
    Checkout,
    LineStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Voucher,
    VoucherStatus,
)
from conciliare.orders.tests.factories import Family, book, make_family, make_nursery
from conciliare.orders.vouchers import code_for
from conciliare.suppliers.models import Supplier

from .support import assert_error

pytestmark = pytest.mark.django_db

FBIS = "art51_c2_fbis"


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def post(user: User | None, url: str, body: Any = None, *, key: str | None = None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client_for(user).post(url, body, format="json", **headers)


@pytest.fixture
def family() -> Family:
    """An employee with a two-year-old daughter and 1,000.00 € of f-bis credit."""
    return make_family(fbis=100_000)


@pytest.fixture
def nursery() -> tuple[Supplier, Offer, OfferSession]:
    """A nursery at 250.00 € a week, with one week in two weeks' time (10 places)."""
    return make_nursery(price=25_000, seats=10)


@pytest.fixture
def grocer() -> tuple[Supplier, Offer]:
    supplier = make_supplier(categories=["local_food"])
    return supplier, make_offer(supplier, category="local_food", price=1_250)


def line_body(offer: Offer, session: OfferSession | None, member: Any = None, quantity: int = 1) -> dict[str, Any]:
    return {
        "offer": offer.pk,
        "session": session.pk if session else None,
        "family_member": member.pk if member else None,
        "quantity": quantity,
    }


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        Checkout.objects.count(),
        Order.objects.count(),
        list(OrderLine.objects.order_by("pk").values_list("status", "refunded")),
        list(Order.objects.order_by("pk").values_list("status", flat=True)),
        list(Voucher.objects.order_by("pk").values_list("status", flat=True)),
        list(LedgerAccount.objects.order_by("pk").values_list("balance", "held")),
        list(OfferSession.objects.order_by("pk").values_list("seats_taken", flat=True)),
        OrderEvent.objects.count(),
    )


def place(family: Family, offer: Offer, session: OfferSession | None, **kw: Any) -> Order:
    return Order.objects.get(checkout=book(family, offer, session, **kw))


# --------------------------------------------------------------------------------------------------
# Quote and checkout
# --------------------------------------------------------------------------------------------------


def test_quote_splits_credit_and_own_money_without_moving_anything(family, nursery):
    # Given 1,000.00 € of f-bis credit and a nursery week at 250.00 €,
    supplier, offer, session = nursery
    before = state()

    # when the buyer asks for a quote for two lines (the daughter's week and four more weeks without a date),
    undated = make_offer(supplier, category="nursery", price=25_000, min_age_months=3, max_age_months=36)
    response = post(
        family.employee,
        "/api/v1/checkout/quote/",
        {"lines": [line_body(offer, session, family.child), line_body(undated, None, family.child, 4)]},
    )

    # then the split is 1,000.00 € of credit and 250.00 € of own money, and nothing is held or booked.
    assert response.status_code == 200, response.content
    body = response.json()
    assert [
        (line["amount_cents"], line["credit_cents"], line["own_cents"], line["credit_by_bucket"])
        for line in body["lines"]
    ] == [
        (
            25_000,
            25_000,
            0,
            [
                {
                    "bucket": FBIS,
                    "bucket_label": body["lines"][0]["credit_by_bucket"][0]["bucket_label"],
                    "amount_cents": 25_000,
                }
            ],
        ),
        (
            100_000,
            75_000,
            25_000,
            [
                {
                    "bucket": FBIS,
                    "bucket_label": body["lines"][0]["credit_by_bucket"][0]["bucket_label"],
                    "amount_cents": 75_000,
                }
            ],
        ),
    ]
    assert body["lines"][0]["beneficiary_name"] == f"{family.child.first_name} {family.child.last_name}"
    assert body["lines"][0]["supplier"] == {"id": supplier.pk, "name": supplier.organization.name}
    assert {k: v for k, v in body.items() if k != "lines"} == {
        "total_cents": 125_000,
        "credit_cents": 100_000,
        "own_cents": 25_000,
        "round_up_cents": 0,
        "own_due_cents": 25_000,
        "payment_needed": True,
        "fringe_cap_cents": body["fringe_cap_cents"],
        "fringe_left_before_cents": body["fringe_left_before_cents"],
        "fringe_left_after_cents": body["fringe_left_before_cents"],
    }
    assert state() == before


def test_checkout_places_an_order_holds_credit_and_takes_a_place(family, nursery):
    supplier, offer, session = nursery

    response = post(
        family.employee,
        "/api/v1/checkout/",
        {"lines": [line_body(offer, session, family.child)], "payment_method": "none"},
        key="k-1",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get()
    assert body["idempotency_key"] == "k-1"
    assert [o["id"] for o in body["orders"]] == [order.pk]
    placed = body["orders"][0]
    assert (
        placed["status"],
        placed["reference"],
        placed["total_cents"],
        placed["credit_cents"],
        placed["own_cents"],
    ) == (
        "placed",
        order.reference,
        25_000,
        25_000,
        0,
    )
    assert placed["payment_instructions"] is None
    line = placed["lines"][0]
    assert (line["status"], line["family_member"], line["session"]["id"], line["voucher"]) == (
        "pending",
        family.child.pk,
        session.pk,
        None,
    )
    assert line["credit_by_bucket"][0]["amount_cents"] == 25_000
    assert (line["cancellable"], line["refund_percent_if_cancelled"]) == (True, 100)
    family.wallet.refresh_from_db()
    session.refresh_from_db()
    assert (family.wallet.balance, family.wallet.held, session.seats_taken) == (100_000, 25_000, 1)


def test_same_key_twice_places_one_order_and_answers_the_same(family, nursery):
    _supplier, offer, session = nursery
    body = {"lines": [line_body(offer, session, family.child)]}
    first = post(family.employee, "/api/v1/checkout/", body, key="double-click")

    again = post(family.employee, "/api/v1/checkout/", body, key="double-click")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Order.objects.count() == 1
    family.wallet.refresh_from_db()
    assert family.wallet.held == 25_000


def test_same_key_with_a_different_body_is_a_conflict_and_changes_nothing(family, nursery):
    _supplier, offer, session = nursery
    post(family.employee, "/api/v1/checkout/", {"lines": [line_body(offer, session, family.child)]}, key="k")
    before = state()

    response = post(
        family.employee,
        "/api/v1/checkout/",
        {"lines": [line_body(offer, session, family.child)], "round_up": True},
        key="k",
    )

    assert_error(response, status=409, code="idempotency_conflict")
    assert state() == before


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "Send an Idempotency-Key header"),
        ("   ", "Send an Idempotency-Key header"),
        ("x" * 129, "at most 128 characters"),
        ("chiave-è", "printable ASCII"),
    ],
)
def test_checkout_without_a_valid_idempotency_key_is_refused(family, nursery, key, message):
    _supplier, offer, session = nursery
    before = state()

    response = post(family.employee, "/api/v1/checkout/", {"lines": [line_body(offer, session, family.child)]}, key=key)

    error = assert_error(response, status=400, code="validation_error")
    assert message in error["message"]
    assert message in error["fields"]["idempotency_key"][0]
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "lines.0.quantity"),
        ({"quantity": -1}, "lines.0.quantity"),
        ({"quantity": 100}, "lines.0.quantity"),
        ({"quantity": 10**30}, "lines.0.quantity"),
        ({"quantity": "1"}, "lines.0.quantity"),
        ({"quantity": 1.5}, "lines.0.quantity"),
        ({"quantity": True}, "lines.0.quantity"),
        ({"offer": "abc"}, "lines.0.offer"),
        ({"offer": str(10**6)}, "lines.0.offer"),
        ({"offer": 2**40}, "lines.0.offer"),
        ({"session": "x"}, "lines.0.session"),
        ({"family_member": -3}, "lines.0.family_member"),
    ],
)
def test_bad_lines_are_refused_field_by_field(family, nursery, change, field):
    _supplier, offer, session = nursery
    before = state()

    response = post(
        family.employee,
        "/api/v1/checkout/",
        {"lines": [{**line_body(offer, session, family.child), **change}]},
        key="k",
    )

    error = assert_error(response, status=400, code="validation_error")
    assert list(error["fields"]) == [field]
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [{}, {"lines": []}, {"lines": "all"}, {"lines": [1]}, [], {"lines": [{}]}, {"payment_method": "cash", "lines": []}],
)
def test_malformed_bodies_are_refused(family, body):
    before = state()

    response = post(family.employee, "/api/v1/checkout/", body, key="k")

    assert_error(response, status=400, code="validation_error")
    assert state() == before


def test_too_many_places_and_the_same_person_twice_are_refused(family, nursery):
    _supplier, offer, session = nursery
    before = state()

    twice = post(
        family.employee,
        "/api/v1/checkout/",
        {"lines": [line_body(offer, session, family.child), line_body(offer, session, family.child)]},
        key="k",
    )
    several = post(
        family.employee, "/api/v1/checkout/", {"lines": [line_body(offer, session, family.child, 2)]}, key="k2"
    )

    assert_error(twice, status=409, code="conflict")
    assert assert_error(several, status=400, code="validation_error")["fields"] == {
        "quantity": ["A booking is for one person: add a line for each person."]
    }
    assert state() == before


def test_foreign_or_unknown_ids_in_a_checkout_are_not_found(cast, family, nursery):
    _supplier, offer, session = nursery
    other_offer = make_nursery()[1]
    other_date = make_session(other_offer)
    anna_child = cast.employee_anna.family_members.first()
    before = state()

    cases = [
        line_body(offer, session, anna_child),  # somebody else's child
        {**line_body(offer, session, family.child), "session": other_date.pk},  # another offer's date
        {**line_body(offer, session, family.child), "offer": 987_654},
    ]
    for case in cases:
        response = post(family.employee, "/api/v1/checkout/", {"lines": [case]}, key=str(uuid.uuid4()))
        assert_error(response, status=404, code="not_found")
    assert state() == before


def test_own_money_by_bank_transfer_gets_payment_instructions(family, settings):
    # Given 100.00 € of credit and a nursery week at 250.50 €, rounded up for the Solidarity Fund,
    settings.CONCILIARE_TRANSFER_IBAN = "IT02A0306909606100000012345"
    settings.CONCILIARE_TRANSFER_HOLDER = "Cooperativa Sebina"
    poor = make_family(fbis=10_000)
    _supplier, offer, session = make_nursery(price=25_050)

    response = post(
        poor.employee,
        "/api/v1/checkout/",
        {"lines": [line_body(offer, session, poor.child)], "payment_method": "bank_transfer", "round_up": True},
        key="k",
    )

    assert response.status_code == 201, response.content
    order = Order.objects.get()
    placed = response.json()["orders"][0]
    assert (placed["status"], placed["credit_cents"], placed["own_cents"], placed["round_up_cents"]) == (
        "awaiting_payment",
        10_000,
        15_050,
        50,
    )
    instructions = placed["payment_instructions"]
    assert instructions == {
        "payment_method": "bank_transfer",
        "amount_cents": 15_100,
        "reference": order.reference,
        "iban": "IT02A0306909606100000012345",
        "holder": "Cooperativa Sebina",
        "due_at": instructions["due_at"],
    }
    assert datetime.datetime.fromisoformat(instructions["due_at"]) == order.payment_due_at


def test_own_money_without_a_payment_method_is_refused(nursery):
    poor = make_family(fbis=10_000)
    _supplier, offer, session = nursery
    before = state()

    response = post(poor.employee, "/api/v1/checkout/", {"lines": [line_body(offer, session, poor.child)]}, key="k")

    assert assert_error(response, status=400, code="validation_error")["fields"] == {
        "payment_method": ["Welfare credit does not cover everything: choose how to pay the rest."]
    }
    assert state() == before


# --------------------------------------------------------------------------------------------------
# The buyer's orders
# --------------------------------------------------------------------------------------------------


def test_orders_list_only_the_buyers_own_with_a_voucher_code_once_confirmed(cast, family, nursery):
    supplier, offer, session = nursery
    order = place(family, offer, session)
    line = order.lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    voucher = Voucher.objects.get(line=line)
    other = make_family()
    place(other, offer, session)

    response = client_for(family.employee).get("/api/v1/orders/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    listed = body["results"][0]
    assert (listed["id"], listed["status"], listed["supplier"]["id"]) == (order.pk, "in_progress", supplier.pk)
    assert listed["lines"][0]["voucher"] == {
        "id": voucher.pk,
        "status": "issued",
        "status_display": "valid",
        "code": code_for(voucher.token),
        "pdf_url": f"/buoni/{voucher.pk}/pdf/",
        "beneficiary_name": voucher.beneficiary_name,
        "valid_from": voucher.valid_from.isoformat(),
        "valid_until": voucher.valid_until.isoformat(),
        "redeemed_at": None,
    }
    assert client_for(cast.citizen_franco).get("/api/v1/orders/").json()["count"] == 0


def _queries(user: User, url: str) -> int:
    client = client_for(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def _orders_for(family: Family, supplier: Supplier, count: int) -> None:
    offer = make_offer(supplier, category="nursery", price=5_000, min_age_months=3, max_age_months=36)
    for index in range(count):
        session = make_session(offer, starts_in_days=10 + index)
        order = place(family, offer, session)
        if index % 2:
            line_confirm(actor=supplier.applied_by, line_id=order.lines.get().pk)


def _unpaid(supplier: Supplier, count: int) -> None:
    offer = make_offer(supplier, category="nursery", price=5_000, min_age_months=3, max_age_months=36)
    for index in range(count):
        poor = make_family(fbis=0)
        place(poor, offer, make_session(offer, starts_in_days=30 + index), payment_method="bank_transfer")


def test_list_endpoints_cost_the_same_queries_for_2_or_10_orders(cast, nursery):
    supplier, _offer, _session = nursery
    few, many = make_family(), make_family()
    _orders_for(few, supplier, 2)
    _unpaid(supplier, 1)
    counts_few = {
        "orders": _queries(few.employee, "/api/v1/orders/"),
        "supplier": _queries(supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/orders/"),
        "bookings": _queries(supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/bookings/"),
        "payments": _queries(cast.operator_olga, "/api/v1/payments/"),
    }

    _orders_for(many, supplier, 10)
    _unpaid(supplier, 9)

    counts_many = {
        "orders": _queries(many.employee, "/api/v1/orders/"),
        "supplier": _queries(supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/orders/"),
        "bookings": _queries(supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/bookings/"),
        "payments": _queries(cast.operator_olga, "/api/v1/payments/"),
    }
    assert counts_many == counts_few
    assert client_for(supplier.applied_by).get(f"/api/v1/suppliers/{supplier.pk}/orders/").json()["count"] == 22
    assert client_for(cast.operator_olga).get("/api/v1/payments/").json()["count"] == 10


def test_order_detail_has_the_history(family, nursery):
    supplier, offer, session = nursery
    order = place(family, offer, session)
    line_confirm(actor=supplier.applied_by, line_id=order.lines.get().pk)

    response = client_for(family.employee).get(f"/api/v1/orders/{order.pk}/")

    assert response.status_code == 200
    events = response.json()["events"]
    line = order.lines.get()
    assert [(e["line"], e["from_status"], e["to_status"]) for e in events] == [
        (None, "", "placed"),
        (line.pk, "pending", "confirmed"),
        (None, "placed", "in_progress"),
    ]


def test_buyer_cancels_a_pending_line_and_gets_everything_back(family, nursery):
    _supplier, offer, session = nursery
    order = place(family, offer, session)
    line = order.lines.get()

    response = post(family.employee, f"/api/v1/orders/{order.pk}/lines/{line.pk}/cancel/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["refunded_cents"] == 25_000
    assert body["message"] == "Cancelled: €250.00 given back."
    assert (body["order"]["status"], body["order"]["lines"][0]["status"]) == ("closed", "cancelled")
    family.wallet.refresh_from_db()
    session.refresh_from_db()
    assert (family.wallet.balance, family.wallet.held, session.seats_taken) == (100_000, 0, 0)
    before = state()
    again = post(family.employee, f"/api/v1/orders/{order.pk}/lines/{line.pk}/cancel/")
    assert_error(again, status=409, code="conflict")
    assert state() == before
    assert ledger_verify().clean


def test_buyer_cancels_a_confirmed_line_in_time_and_the_voucher_is_cancelled(family, nursery):
    supplier, offer, session = nursery
    order = place(family, offer, session)
    line = order.lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)

    response = post(family.employee, f"/api/v1/orders/{order.pk}/lines/{line.pk}/cancel/")

    assert response.status_code == 200, response.content
    assert response.json()["refunded_cents"] == 25_000
    assert response.json()["order"]["lines"][0]["voucher"]["status"] == "cancelled"
    assert response.json()["order"]["lines"][0]["voucher"]["code"] is None
    family.wallet.refresh_from_db()
    assert (family.wallet.balance, family.wallet.held) == (100_000, 0)


def test_a_line_of_another_order_of_the_same_buyer_is_not_found(family, nursery):
    _supplier, offer, session = nursery
    first = place(family, offer, session)
    second = place(family, offer, make_session(offer, starts_in_days=20))
    before = state()

    response = post(family.employee, f"/api/v1/orders/{first.pk}/lines/{second.lines.get().pk}/cancel/")

    assert_error(response, status=404, code="not_found")
    assert state() == before


# --------------------------------------------------------------------------------------------------
# The supplier
# --------------------------------------------------------------------------------------------------


def test_supplier_lists_orders_by_status_without_voucher_codes(family, nursery):
    supplier, offer, session = nursery
    confirmed = place(family, offer, session)
    line_confirm(actor=supplier.applied_by, line_id=confirmed.lines.get().pk)
    pending = place(family, offer, make_session(offer, starts_in_days=21))
    staff = client_for(supplier.applied_by)

    everything = staff.get(f"/api/v1/suppliers/{supplier.pk}/orders/").json()
    placed = staff.get(f"/api/v1/suppliers/{supplier.pk}/orders/", {"status": "placed"}).json()
    wrong = staff.get(f"/api/v1/suppliers/{supplier.pk}/orders/", {"status": "lost"})

    assert [o["id"] for o in everything["results"]] == [pending.pk, confirmed.pk]
    assert [o["id"] for o in placed["results"]] == [pending.pk]
    voucher = everything["results"][1]["lines"][0]["voucher"]
    assert voucher["status"] == "issued" and "code" not in voucher
    assert everything["results"][0]["buyer_name"] == family.employee.full_name
    assert "credit_by_bucket" not in everything["results"][0]["lines"][0]
    assert "status" in assert_error(wrong, status=400, code="validation_error")["fields"]


def test_supplier_bookings_by_date_range(family, nursery):
    supplier, offer, session = nursery
    later = make_session(offer, starts_in_days=40)
    first = place(family, offer, session).lines.get()
    second = place(family, offer, later).lines.get()
    staff = client_for(supplier.applied_by)
    url = f"/api/v1/suppliers/{supplier.pk}/bookings/"
    day = timezone.localtime(later.starts_at).date()

    everything = staff.get(url).json()
    from_later = staff.get(url, {"date_from": day.isoformat()}).json()
    until_first = staff.get(url, {"date_to": (day - datetime.timedelta(days=1)).isoformat()}).json()
    reversed_range = staff.get(url, {"date_from": day.isoformat(), "date_to": "2001-01-01"})
    silly = staff.get(url, {"date_from": "1850-01-01"})

    assert [row["id"] for row in everything["results"]] == [first.pk, second.pk]
    assert everything["results"][0]["session"]["id"] == session.pk
    assert everything["results"][0]["order_reference"] == first.order.reference
    assert [row["id"] for row in from_later["results"]] == [second.pk]
    assert [row["id"] for row in until_first["results"]] == [first.pk]
    assert "date_to" in assert_error(reversed_range, status=400, code="validation_error")["fields"]
    assert "date_from" in assert_error(silly, status=400, code="validation_error")["fields"]


def test_supplier_confirms_a_line_and_the_voucher_is_issued(family, nursery):
    supplier, offer, session = nursery
    line = place(family, offer, session).lines.get()

    response = post(supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/lines/{line.pk}/confirm/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"
    assert response.json()["voucher"]["status"] == "issued"
    family.wallet.refresh_from_db()
    assert (family.wallet.balance, family.wallet.held) == (75_000, 0)
    before = state()
    assert_error(
        post(supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/lines/{line.pk}/confirm/"),
        status=409,
        code="conflict",
    )
    assert state() == before


def test_supplier_declines_with_a_reason_only(family, nursery):
    supplier, offer, session = nursery
    line = place(family, offer, session).lines.get()
    url = f"/api/v1/suppliers/{supplier.pk}/lines/{line.pk}/decline/"
    before = state()

    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 301}):
        assert (
            "reason"
            in assert_error(post(supplier.applied_by, url, body), status=400, code="validation_error")["fields"]
        )
    assert state() == before

    response = post(supplier.applied_by, url, {"reason": "Sezione piena"})

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["decline_reason"]) == ("declined", "Sezione piena")
    family.wallet.refresh_from_db()
    session.refresh_from_db()
    assert (family.wallet.held, session.seats_taken) == (0, 0)


def test_product_paid_by_transfer_confirmed_by_the_operator_then_delivered(cast, grocer):
    # Given a citizen-like buyer without credit for groceries, paying by bank transfer,
    supplier, offer = grocer
    buyer = make_family(fbis=0)
    made = post(
        buyer.employee,
        "/api/v1/checkout/",
        {"lines": [line_body(offer, None, None, 2)], "payment_method": "bank_transfer"},
        key="k",
    )
    assert made.status_code == 201, made.content
    order = Order.objects.get()
    line = order.lines.get()
    assert (order.status, order.own_total) == (OrderStatus.AWAITING_PAYMENT, 2_500)

    # the operator sees it among the payments to confirm and confirms it,
    listed = client_for(cast.operator_olga).get("/api/v1/payments/").json()
    assert [(o["id"], o["own_due_cents"], o["buyer"]["id"]) for o in listed["results"]] == [
        (order.pk, 2_500, buyer.employee.pk)
    ]
    confirmed = post(cast.operator_olga, f"/api/v1/payments/{order.pk}/confirm/")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "placed"
    assert client_for(cast.operator_olga).get("/api/v1/payments/").json()["count"] == 0
    assert_error(post(cast.operator_olga, f"/api/v1/payments/{order.pk}/confirm/"), status=409, code="conflict")

    # the supplier cannot deliver before confirming, then confirms and delivers.
    staff = supplier.applied_by
    assert_error(post(staff, f"/api/v1/suppliers/{supplier.pk}/lines/{line.pk}/deliver/"), status=409, code="conflict")
    assert post(staff, f"/api/v1/suppliers/{supplier.pk}/lines/{line.pk}/confirm/").json()["voucher"] is None
    delivered = post(staff, f"/api/v1/suppliers/{supplier.pk}/lines/{line.pk}/deliver/")

    assert delivered.status_code == 200, delivered.content
    assert delivered.json()["status"] == "delivered"
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert ledger_verify().clean


def test_a_citizen_buys_with_own_money_paying_at_the_supplier(cast, grocer):
    # Given Franco, a citizen without welfare credit,
    supplier, offer = grocer

    # when he buys three jars paying at the supplier's counter,
    quoted = post(cast.citizen_franco, "/api/v1/checkout/quote/", {"lines": [line_body(offer, None, None, 3)]})
    made = post(
        cast.citizen_franco,
        "/api/v1/checkout/",
        {"lines": [line_body(offer, None, None, 3)], "payment_method": "at_supplier"},
        key="franco-1",
    )

    # then everything is own money, and the instructions name no bank account.
    assert quoted.status_code == 200, quoted.content
    assert (
        quoted.json()["credit_cents"],
        quoted.json()["own_cents"],
        quoted.json()["lines"][0]["credit_by_bucket"],
    ) == (
        0,
        3_750,
        [],
    )
    assert made.status_code == 201, made.content
    instructions = made.json()["orders"][0]["payment_instructions"]
    assert (
        instructions["payment_method"],
        instructions["amount_cents"],
        instructions["iban"],
        instructions["holder"],
    ) == (
        "at_supplier",
        3_750,
        None,
        None,
    )


def test_a_service_is_not_delivered(family, nursery):
    supplier, offer, session = nursery
    line = place(family, offer, session).lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    before = state()

    response = post(supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/lines/{line.pk}/deliver/")

    assert_error(response, status=409, code="conflict")
    assert state() == before


# --------------------------------------------------------------------------------------------------
# Vouchers
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def issued(family, nursery) -> tuple[Supplier, Voucher]:
    supplier, offer, session = nursery
    line = place(family, offer, session).lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    return supplier, Voucher.objects.get(line=line)


def test_supplier_redeems_a_voucher_once(issued):
    supplier, voucher = issued
    url = f"/api/v1/suppliers/{supplier.pk}/vouchers/redeem/"

    response = post(supplier.applied_by, url, {"code": code_for(voucher.token).lower().replace("-", " ")})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["voucher"]["id"], body["voucher"]["status"], body["line"]["status"]) == (
        voucher.pk,
        "redeemed",
        "redeemed",
    )
    before = state()
    twice = post(supplier.applied_by, url, {"code": code_for(voucher.token)})
    assert "already used" in assert_error(twice, status=409, code="conflict")["message"]
    assert state() == before
    assert ledger_verify().clean


def test_a_scanned_address_is_accepted(issued):
    supplier, voucher = issued

    response = post(
        supplier.applied_by,
        f"/api/v1/suppliers/{supplier.pk}/vouchers/redeem/",
        {"code": f"https://welfare.example.it/buoni/riscatta/?codice={code_for(voucher.token)}"},
    )

    assert response.status_code == 200, response.content
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED


@pytest.mark.parametrize("mangle", ["tamper", "short", "empty", "nul", "number"])
def test_tampered_or_malformed_codes_are_refused(issued, mangle):
    supplier, voucher = issued
    code = code_for(voucher.token)
    codes = {
        "tamper": ("B" if code[0] != "B" else "C") + code[1:],
        "short": code[:-2],
        "empty": "",
        "nul": code + "\x00",
        "number": 12,
    }
    before = state()

    response = post(supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/vouchers/redeem/", {"code": codes[mangle]})

    assert "code" in assert_error(response, status=400, code="validation_error")["fields"]
    assert state() == before


def test_a_voucher_of_another_supplier_is_not_found(issued):
    _supplier, voucher = issued
    other = make_nursery()[0]
    before = state()

    response = post(
        other.applied_by, f"/api/v1/suppliers/{other.pk}/vouchers/redeem/", {"code": code_for(voucher.token)}
    )

    assert_error(response, status=404, code="not_found")
    assert state() == before


# --------------------------------------------------------------------------------------------------
# Who may do what: every other role gets a 404 (anonymous a 401), and nothing changes
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def bought(cast, family, nursery) -> dict[str, Any]:
    """One pending line and one confirmed (voucher issued) line of the family's, at the nursery."""
    supplier, offer, session = nursery
    pending = place(family, offer, session)
    confirmed = place(family, offer, make_session(offer, starts_in_days=20))
    line_confirm(actor=supplier.applied_by, line_id=confirmed.lines.get().pk)
    # an order awaiting payment, for the operator's endpoints
    poor = make_family(fbis=0)
    unpaid = place(poor, offer, make_session(offer, starts_in_days=25), payment_method="bank_transfer")
    return {
        "supplier": supplier,
        "pending": pending,
        "line": pending.lines.get(),
        "voucher": Voucher.objects.get(line__order=confirmed),
        "unpaid": unpaid,
    }


OTHERS = ["employee_anna", "supplier_carla", "hr_bruno", "operator_olga", "citizen_franco", "other_supplier", "nobody"]


def _who(cast, name: str) -> User | None:
    if name == "nobody":
        return None
    if name == "other_supplier":
        return make_nursery()[0].applied_by
    return getattr(cast, name)


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_else_sees_or_cancels_the_buyers_order(cast, bought, who):
    user = _who(cast, who)
    order, line = bought["pending"], bought["line"]
    before = state()

    seen = client_for(user).get(f"/api/v1/orders/{order.pk}/")
    cancelled = post(user, f"/api/v1/orders/{order.pk}/lines/{line.pk}/cancel/")

    expected = (401, "not_authenticated") if user is None else (404, "not_found")
    assert_error(seen, status=expected[0], code=expected[1])
    assert_error(cancelled, status=expected[0], code=expected[1])
    assert state() == before


@pytest.mark.parametrize("who", [*OTHERS, "buyer"])
def test_only_the_suppliers_staff_act_on_its_orders(cast, bought, family, who):
    user = family.employee if who == "buyer" else _who(cast, who)
    supplier, line, voucher = bought["supplier"], bought["line"], bought["voucher"]
    base = f"/api/v1/suppliers/{supplier.pk}/"
    before = state()

    responses = [
        client_for(user).get(f"{base}orders/"),
        client_for(user).get(f"{base}bookings/"),
        post(user, f"{base}lines/{line.pk}/confirm/"),
        post(user, f"{base}lines/{line.pk}/decline/", {"reason": "no"}),
        post(user, f"{base}lines/{line.pk}/deliver/"),
        post(user, f"{base}vouchers/redeem/", {"code": code_for(voucher.token)}),
        post(user, f"{base}vouchers/redeem/", {"code": "tampered"}),
    ]

    expected = (401, "not_authenticated") if user is None else (404, "not_found")
    for response in responses:
        assert_error(response, status=expected[0], code=expected[1])
    assert state() == before


def test_staff_of_another_supplier_cannot_reach_these_lines_through_their_own_supplier(bought):
    other = make_nursery()[0]
    line = bought["line"]
    before = state()

    for action in ("confirm", "deliver"):
        response = post(other.applied_by, f"/api/v1/suppliers/{other.pk}/lines/{line.pk}/{action}/")
        assert_error(response, status=404, code="not_found")
    response = post(other.applied_by, f"/api/v1/suppliers/{other.pk}/lines/{line.pk}/decline/", {"reason": "no"})
    assert_error(response, status=404, code="not_found")
    assert state() == before


@pytest.mark.parametrize("who", [*[o for o in OTHERS if o != "operator_olga"], "buyer", "staff"])
def test_only_operators_see_and_confirm_payments(cast, bought, family, who):
    user = {"buyer": family.employee, "staff": bought["supplier"].applied_by}.get(who) or _who(cast, who)
    unpaid = bought["unpaid"]
    before = state()

    listed = client_for(user).get("/api/v1/payments/")
    confirmed = post(user, f"/api/v1/payments/{unpaid.pk}/confirm/")

    expected = (401, "not_authenticated") if user is None else (404, "not_found")
    assert_error(listed, status=expected[0], code=expected[1])
    assert_error(confirmed, status=expected[0], code=expected[1])
    assert state() == before


def test_anonymous_cannot_quote_or_check_out(nursery):
    _supplier, offer, session = nursery
    before = state()

    for url in ("/api/v1/checkout/", "/api/v1/checkout/quote/"):
        response = post(None, url, {"lines": [line_body(offer, session)]}, key="k")
        assert_error(response, status=401, code="not_authenticated")
    assert_error(client_for(None).get("/api/v1/orders/"), status=401, code="not_authenticated")
    assert state() == before


def test_unknown_or_huge_ids_are_not_found(cast, bought, family):
    supplier = bought["supplier"]
    before = state()

    for url in (
        "/api/v1/orders/987654/",
        f"/api/v1/orders/{10**20}/",
    ):
        assert_error(client_for(family.employee).get(url), status=404, code="not_found")
    for user, url in (
        (family.employee, f"/api/v1/orders/{bought['pending'].pk}/lines/{10**20}/cancel/"),
        (supplier.applied_by, f"/api/v1/suppliers/{supplier.pk}/lines/{10**20}/confirm/"),
        (supplier.applied_by, f"/api/v1/suppliers/{10**20}/lines/1/confirm/"),
        (cast.operator_olga, f"/api/v1/payments/{10**20}/confirm/"),
        (cast.operator_olga, "/api/v1/payments/987654/confirm/"),
    ):
        assert_error(post(user, url), status=404, code="not_found")
    assert state() == before


def test_checkout_by_the_service_and_the_api_use_the_same_fingerprint(family, nursery):
    # A key first used by the web page (the service) and retried through the API gives the same orders.
    _supplier, offer, session = nursery
    made = checkout(
        buyer=family.employee,
        requests=[LineRequest(offer_id=offer.pk, session_id=session.pk, member_id=family.child.pk)],
        payment_method="none",
        idempotency_key="web-1",
    )

    response = post(
        family.employee, "/api/v1/checkout/", {"lines": [line_body(offer, session, family.child)]}, key="web-1"
    )

    assert response.status_code == 200, response.content
    assert [o["id"] for o in response.json()["orders"]] == list(made.orders.values_list("pk", flat=True))
    assert OrderLine.objects.filter(status=LineStatus.PENDING).count() == 1


def test_payment_confirm_is_the_one_of_the_service(cast, bought):
    # The operator's confirmation moves the order on exactly as the web page does.
    unpaid = bought["unpaid"]
    payment_confirm(actor=cast.operator_olga, order_id=unpaid.pk)
    before = state()

    response = post(cast.operator_olga, f"/api/v1/payments/{unpaid.pk}/confirm/")

    assert_error(response, status=409, code="conflict")
    assert state() == before
