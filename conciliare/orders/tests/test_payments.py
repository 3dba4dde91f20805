"""The offline payment provider: what the buyer is told, and what the operator's confirmation posts."""

import pytest
from django.urls import reverse

from conciliare.ledger.models import AccountKind, LedgerAccount
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..fulfilment import payment_confirm
from ..ledger_accounts import citizen_clearing_account, supplier_payable_account
from ..models import Contribution, Order, OrderStatus
from ..payments import OfflinePayments, provider_for
from .factories import book, make_family, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    from conciliare.accounts.models import OrganizationRole

    cooperative = OrganizationFactory(roles=[OrganizationRole.OPERATOR])
    return make_member(UserFactory(), cooperative, "operator_admin")


def _unpaid(method: str, *, round_up: bool) -> Order:
    family = make_family(fbis=10_000)
    _supplier, offer, session = make_nursery(price=25_049)
    return Order.objects.get(checkout=book(family, offer, session, payment_method=method, round_up=round_up))


def test_a_bank_transfer_is_announced_with_iban_reference_and_deadline(settings):
    order = _unpaid("bank_transfer", round_up=True)
    told = provider_for(order.payment_method).instructions(order)
    assert (told.amount, told.iban, told.holder, told.reference) == (
        15_100,
        settings.CONCILIARE_TRANSFER_IBAN,
        settings.CONCILIARE_TRANSFER_HOLDER,
        order.reference,
    )
    assert told.due_at == order.payment_due_at and told.pay_at == ""


def test_confirming_a_transfer_brings_the_money_in_and_the_round_up_to_the_fund(operator):
    order = _unpaid("bank_transfer", round_up=True)
    payment_confirm(actor=operator, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED and order.payment_transaction is not None
    assert citizen_clearing_account().balance == 15_049
    assert LedgerAccount.objects.get(kind=AccountKind.SOLIDARITY_FUND).balance == 51
    assert Contribution.objects.get(order=order).party == "employee"
    assert ledger_verify().clean


def test_money_paid_at_the_counter_stays_with_the_supplier_who_owes_the_round_up(operator):
    order = _unpaid("at_supplier", round_up=True)
    told = OfflinePayments().instructions(order)
    assert told.iban == "" and order.supplier.organization.name in told.pay_at
    payment_confirm(actor=operator, order_id=order.pk)
    assert supplier_payable_account(order.supplier).balance == -51
    assert not LedgerAccount.objects.filter(kind=AccountKind.CITIZEN_CLEARING, balance__gt=0).exists()


def test_the_order_page_shows_how_to_pay(client, settings):
    order = _unpaid("bank_transfer", round_up=False)
    client.cookies["django_language"] = "en"
    client.force_login(order.buyer)
    page = client.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert settings.CONCILIARE_TRANSFER_IBAN in page and order.reference in page and "€150.49" in page


def test_an_unknown_method_has_no_provider():
    with pytest.raises(LookupError):
        provider_for("cash_in_an_envelope")


def test_a_line_cancelled_before_paying_is_neither_paid_nor_left_in_the_clearing_account(operator):
    from conciliare.catalogue.tests.factories import make_session

    from ..checkout import LineRequest, checkout
    from ..fulfilment import line_cancel

    family = make_family(fbis=0)
    _supplier, offer, first = make_nursery(price=10_000)
    second = make_session(offer, starts_in_days=30)
    made = checkout(
        buyer=family.employee,
        requests=[
            LineRequest(offer_id=offer.pk, session_id=first.pk, member_id=family.child.pk),
            LineRequest(offer_id=offer.pk, session_id=second.pk, member_id=family.child.pk),
        ],
        payment_method="bank_transfer",
        idempotency_key="two-weeks",
    )
    order = made.orders.get()
    assert order.own_due == 20_000
    line_cancel(actor=family.employee, line_id=order.lines.first().pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.own_due == 10_000
    assert provider_for(order.payment_method).instructions(order).amount == 10_000
    payment_confirm(actor=operator, order_id=order.pk)
    assert citizen_clearing_account().balance == 10_000
    assert ledger_verify().clean
