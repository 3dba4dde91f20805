"""The buyer's pages: offer page → cart → checkout → order page, and who may see what."""

import pytest
from django.urls import reverse

from conciliare.testing.factories import UserFactory

from ..models import Checkout, Order, OrderStatus
from .factories import book, give_credit, make_family, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_client(client):
    client.cookies["django_language"] = "en"
    return client


def test_offer_page_to_order_page(english_client):
    family = make_family(fbis=100_000)
    _supplier, offer, session = make_nursery(price=25_000)
    client = english_client
    client.force_login(family.employee)
    page = client.get(reverse("catalogue:offer", args=[offer.pk]))
    assert b"Add to cart" in page.content
    response = client.post(
        reverse("orders:cart_add", args=[offer.pk]), {"session": session.pk, "member": family.child.pk}
    )
    assert response.status_code == 302
    cart = client.get(reverse("orders:cart"))
    assert cart.status_code == 200
    assert "nothing to pay" in cart.content.decode()
    key = cart.context["form"].initial["idempotency_key"]
    first = client.post(reverse("orders:checkout"), {"idempotency_key": key})
    again = client.post(reverse("orders:checkout"), {"idempotency_key": key})  # a double click
    assert first.status_code == 302 and again.status_code == 302
    assert Checkout.objects.filter(buyer=family.employee).count() == 1
    order = Order.objects.get(buyer=family.employee)
    detail = client.get(reverse("orders:order", args=[order.pk]))
    assert detail.status_code == 200
    assert offer.title in detail.content.decode()


def test_mixed_payment_waits_for_the_transfer(english_client):
    family = make_family(fbis=10_000)
    _supplier, offer, session = make_nursery(price=25_000)
    client = english_client
    client.force_login(family.employee)
    client.post(reverse("orders:cart_add", args=[offer.pk]), {"session": session.pk, "member": family.child.pk})
    cart = client.get(reverse("orders:cart"))
    assert "€150.00" in cart.content.decode()
    key = cart.context["form"].initial["idempotency_key"]
    response = client.post(
        reverse("orders:checkout"), {"idempotency_key": key, "payment_method": "bank_transfer", "round_up": "on"}
    )
    order = Order.objects.get(buyer=family.employee)
    assert response.status_code == 302
    assert (order.status, order.credit_total, order.own_total) == (OrderStatus.AWAITING_PAYMENT, 10_000, 15_000)
    page = client.get(reverse("orders:order", args=[order.pk]))
    assert order.reference in page.content.decode()


def test_checkout_without_a_payment_method_is_refused(english_client):
    family = make_family(fbis=0)
    _supplier, offer, session = make_nursery(price=25_000)
    client = english_client
    client.force_login(family.employee)
    client.post(reverse("orders:cart_add", args=[offer.pk]), {"session": session.pk, "member": family.child.pk})
    response = client.post(reverse("orders:checkout"), {"idempotency_key": "k1"})
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_bad_cart_input_is_refused(english_client):
    family = make_family()
    _supplier, offer, session = make_nursery()
    other = make_family()
    client = english_client
    client.force_login(family.employee)
    foreign_member = client.post(
        reverse("orders:cart_add", args=[offer.pk]), {"session": session.pk, "member": other.child.pk}
    )
    assert foreign_member.status_code == 400
    no_session = client.post(reverse("orders:cart_add", args=[offer.pk]), {"member": family.child.pk})
    assert no_session.status_code == 400
    unknown_offer = client.post(reverse("orders:cart_add", args=[999_999]), {"member": family.child.pk})
    assert unknown_offer.status_code == 404


def test_other_people_cannot_see_or_cancel_an_order(english_client):
    family = make_family()
    _supplier, offer, session = make_nursery()
    order = Order.objects.get(checkout=book(family, offer, session))
    line = order.lines.get()
    stranger = make_family().employee
    citizen = UserFactory()
    for intruder in (stranger, citizen):
        english_client.force_login(intruder)
        assert english_client.get(reverse("orders:order", args=[order.pk])).status_code == 404
        cancel = english_client.post(reverse("orders:line_cancel", args=[order.pk, line.pk]))
        assert cancel.status_code == 404
        assert english_client.post(reverse("orders:payment_confirm", args=[order.pk])).status_code == 404
    line.refresh_from_db()
    assert line.status == "pending"
    english_client.logout()
    assert english_client.get(reverse("orders:order", args=[order.pk])).status_code == 302


def test_order_list_query_count_is_constant(english_client, django_assert_max_num_queries):
    family = make_family(fbis=500_000)
    give_credit(family.employee, "art51_c2_f", 10_000)
    _supplier, offer, _session = make_nursery(price=1_000, seats=50)
    english_client.force_login(family.employee)
    sessions = [
        offer.sessions.create(starts_at=_session.starts_at, ends_at=_session.ends_at, seats=5) for _ in range(6)
    ]
    book(family, offer, sessions[0])
    english_client.get(reverse("orders:orders"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        english_client.get(reverse("orders:orders"))
    for session in sessions[1:]:
        book(family, offer, session)
    with CaptureQueriesContext(connection) as many:
        english_client.get(reverse("orders:orders"))
    assert len(many) == len(few)


def test_a_family_member_with_a_booking_cannot_be_deleted():
    from conciliare.accounts.services import family_member_delete
    from conciliare.core.errors import Conflict

    family = make_family()
    _supplier, offer, session = make_nursery()
    book(family, offer, session)
    with pytest.raises(Conflict):
        family_member_delete(actor=family.employee, member=family.child)
    assert family.employee.family_members.filter(pk=family.child.pk).exists()
