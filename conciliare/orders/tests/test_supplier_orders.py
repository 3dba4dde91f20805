"""The supplier's orders and bookings: answering lines, delivering products, who may see what,
and a constant number of queries."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conciliare.catalogue.categories import Category
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier
from conciliare.ledger.models import LedgerTransaction
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..checkout import LineRequest, checkout
from ..ledger_accounts import supplier_payable_account
from ..models import LineStatus, Order, OrderEvent, OrderLine, OrderStatus
from .factories import book, give_credit, make_family, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_client(client):  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def placed(db):  # type: ignore[no-untyped-def]
    """A nursery week booked and paid with credit, waiting for the supplier's answer."""
    family = make_family(fbis=200_000)
    supplier, offer, session = make_nursery(price=25_000, title="Settimana al nido Girotondo")
    order = Order.objects.get(checkout=book(family, offer, session))
    return family, supplier, offer, session, order, order.lines.get()


def _snapshot(line: OrderLine) -> tuple[Any, ...]:
    line.refresh_from_db()
    return line.status, line.order.status, LedgerTransaction.objects.count(), OrderEvent.objects.count()


def test_the_supplier_sees_what_to_answer_and_confirms(english_client, placed) -> None:
    family, supplier, offer, session, order, line = placed
    english_client.force_login(supplier.applied_by)

    listed = english_client.get(reverse("orders:supplier_orders", args=[supplier.pk]))
    assert listed.status_code == 200
    page = listed.content.decode()
    assert order.reference in page
    assert "1 booking waits for your answer." in page
    assert line.beneficiary_name in page  # in the bookings by date too

    confirmed = english_client.post(reverse("orders:line_confirm", args=[supplier.pk, line.pk]))

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("orders:supplier_order", args=[supplier.pk, order.pk])
    line.refresh_from_db()
    assert line.status == LineStatus.CONFIRMED
    assert line.voucher.status == "issued"
    detail = english_client.get(confirmed["Location"]).content.decode()
    assert "You confirmed Settimana al nido Girotondo" in detail
    assert reverse("orders:voucher_pdf", args=[line.voucher.pk]) in detail
    assert "awaiting the supplier → confirmed" in detail  # the history, in words
    to_answer = english_client.get(reverse("orders:supplier_orders", args=[supplier.pk])).content.decode()
    assert order.reference not in to_answer.split("Bookings by date")[0]
    confirmed_view = english_client.get(reverse("orders:supplier_orders", args=[supplier.pk]), {"vista": "confermati"})
    assert order.reference in confirmed_view.content.decode()
    assert ledger_verify().clean


def test_declining_needs_a_reason(english_client, placed) -> None:
    family, supplier, offer, session, order, line = placed
    english_client.force_login(supplier.applied_by)
    url = reverse("orders:line_decline", args=[supplier.pk, line.pk])
    before = _snapshot(line)

    for empty in ({}, {"reason": "   "}):
        refused = english_client.post(url, empty)
        assert refused.status_code == 400
        assert "Say why you decline." in refused.content.decode()
    assert _snapshot(line) == before

    declined = english_client.post(url, {"reason": "Sezione al completo"})
    assert declined.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.decline_reason) == (LineStatus.DECLINED, "Sezione al completo")
    family.wallet.refresh_from_db()
    assert family.wallet.held == 0
    again = english_client.post(reverse("orders:line_confirm", args=[supplier.pk, line.pk]))
    assert again.status_code == 409
    assert "This order cannot be confirmed now: it is closed without service." in again.content.decode()
    assert ledger_verify().clean


def test_a_product_is_delivered(english_client) -> None:
    employee = make_family(fbis=0).employee
    give_credit(employee, "art51_c3_fringe", 10_000)
    shop = make_supplier(categories=[Category.GROCERY_DELIVERY])
    basket = make_offer(shop, category=Category.GROCERY_DELIVERY, price=3_000, title="Cassetta di verdura")
    made = checkout(
        buyer=employee, requests=[LineRequest(offer_id=basket.pk)], payment_method="none", idempotency_key="k1"
    )
    line = Order.objects.get(checkout=made).lines.get()
    english_client.force_login(shop.applied_by)
    assert english_client.post(reverse("orders:line_confirm", args=[shop.pk, line.pk])).status_code == 302
    page = english_client.get(reverse("orders:supplier_order", args=[shop.pk, line.order_id])).content.decode()
    assert "Mark as delivered" in page

    delivered = english_client.post(reverse("orders:line_deliver", args=[shop.pk, line.pk]))

    assert delivered.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.order.status) == (LineStatus.DELIVERED, OrderStatus.COMPLETED)
    assert supplier_payable_account(shop).balance == 3_000 - 60
    assert english_client.post(reverse("orders:line_deliver", args=[shop.pk, line.pk])).status_code == 409
    assert ledger_verify().clean


def test_actions_are_post_only(english_client, placed) -> None:
    family, supplier, offer, session, order, line = placed
    english_client.force_login(supplier.applied_by)
    for name in ("orders:line_confirm", "orders:line_decline", "orders:line_deliver"):
        assert english_client.get(reverse(name, args=[supplier.pk, line.pk])).status_code == 405
    assert _snapshot(line)[0] == LineStatus.PENDING


def test_nobody_else_sees_or_answers_the_suppliers_orders(english_client, placed) -> None:
    family, supplier, offer, session, order, line = placed
    company = family.employee.employee_profile.company
    other_supplier = make_supplier()
    others = {
        "buyer": family.employee,
        "other employee": make_family(company=company).employee,
        "hr": make_member(UserFactory(), company, "hr_manager"),
        "operator": make_member(UserFactory(), OrganizationFactory(), "operator_admin"),
        "citizen": UserFactory(),
        "staff of another supplier": other_supplier.applied_by,
    }
    pages = [
        reverse("orders:supplier_orders", args=[supplier.pk]),
        reverse("orders:supplier_order", args=[supplier.pk, order.pk]),
    ]
    actions = [
        reverse("orders:line_confirm", args=[supplier.pk, line.pk]),
        reverse("orders:line_decline", args=[supplier.pk, line.pk]),
        reverse("orders:line_deliver", args=[supplier.pk, line.pk]),
        # Through their own supplier's address, with this supplier's line and order.
        reverse("orders:line_confirm", args=[other_supplier.pk, line.pk]),
        reverse("orders:line_decline", args=[other_supplier.pk, line.pk]),
    ]
    before = _snapshot(line)
    for role, user in others.items():
        english_client.force_login(user)
        for url in pages:
            assert english_client.get(url).status_code == 404, (role, url)
        for url in actions:
            assert english_client.post(url, {"reason": "no"}).status_code == 404, (role, url)
    english_client.force_login(other_supplier.applied_by)
    foreign = reverse("orders:supplier_order", args=[other_supplier.pk, order.pk])
    assert english_client.get(foreign).status_code == 404
    english_client.logout()
    for url in pages:
        assert english_client.get(url).status_code == 302
    for url in actions[:3]:
        assert english_client.post(url).status_code == 302
    assert _snapshot(line) == before


def _count_queries(client: Any, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_the_orders_page_makes_as_many_queries_for_one_order_as_for_many(english_client) -> None:
    supplier, offer, session = make_nursery(price=10_000, seats=30)
    other_session = make_session(offer, starts_in_days=30)
    english_client.force_login(supplier.applied_by)
    url = reverse("orders:supplier_orders", args=[supplier.pk])
    book(make_family(), offer, session)
    counts = {view: _count_queries(english_client, url, vista=view) for view in ("da-rispondere", "tutti")}

    for index in range(4):
        family = make_family()
        made = book(family, offer, other_session if index % 2 else session)
        if index == 3:
            line = Order.objects.get(checkout=made).lines.get()
            english_client.post(reverse("orders:line_confirm", args=[supplier.pk, line.pk]))

    for view, count in counts.items():
        assert _count_queries(english_client, url, vista=view) == count, view
    detail = reverse("orders:supplier_order", args=[supplier.pk, Order.objects.filter(supplier=supplier).first().pk])
    assert _count_queries(english_client, detail) <= 12
