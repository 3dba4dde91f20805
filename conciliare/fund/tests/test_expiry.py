"""A grant's expiry: what is left unspent returns to the fund once; credit held by a booking waits
until the supplier answers; an expired grant no longer pays at checkout."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from conciliare.core.errors import InvalidInput
from conciliare.ledger import services as ledger
from conciliare.ledger.models import Entry, TransactionKind
from conciliare.ledger.verification import ledger_verify
from conciliare.orders.fulfilment import line_confirm, line_decline
from conciliare.orders.models import LinePayment, Order
from conciliare.orders.tests.factories import book, make_family, make_nursery

from ..models import GRANT_BUCKET, Grant
from ..selectors import active_grants_of
from ..services import committee_vote, grants_return_expired
from .factories import fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def grant_to(user, amount: int) -> Grant:
    """A grant of `amount` made the committee's way: an application and two approvals."""
    fund_the_fund(amount)
    application = submit(user)
    for member in make_committee(2):
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=amount)
    return Grant.objects.get(application=application)


def expire(grant: Grant) -> datetime.date:
    """Moves the grant's last day to yesterday; returns today."""
    today = timezone.localdate()
    Grant.objects.filter(pk=grant.pk).update(expires_on=today - datetime.timedelta(days=1))
    return today


def fund_balance() -> int:
    return ledger.solidarity_fund_account().balance


@pytest.fixture
def family():
    return make_family(fbis=0)  # no welfare credit: the grant is the only credit


def test_unspent_credit_returns_to_the_fund_once(family):
    grant = grant_to(family.employee, 50_000)
    assert fund_balance() == 0
    today = timezone.localdate()

    # Still valid on its last day: nothing returns.
    Grant.objects.filter(pk=grant.pk).update(expires_on=today)
    assert grants_return_expired(today=today) == 0

    expire(grant)
    assert grants_return_expired(today=today) == 50_000

    grant.refresh_from_db()
    grant.wallet.refresh_from_db()
    assert (grant.returned, grant.wallet.balance, fund_balance()) == (50_000, 0, 50_000)
    back = Entry.objects.get(account=grant.wallet, amount=-50_000).transaction
    assert back.kind == TransactionKind.EXPIRY
    with translation.override("it"):  # the ledger's memos are in the platform's language
        expected = translation.gettext("Unspent solidarity grant no. %(id)s back to the fund") % {"id": grant.pk}
    assert back.memo == expected  # no person named
    entries = Entry.objects.count()

    # Run again (and again the next day): nothing more moves.
    assert grants_return_expired(today=today) == 0
    assert grants_return_expired(today=today + datetime.timedelta(days=1)) == 0
    assert Entry.objects.count() == entries
    assert fund_balance() == 50_000
    assert ledger_verify().clean


@pytest.mark.parametrize("answer", ["decline", "confirm"])
def test_credit_held_by_a_booking_waits_for_the_suppliers_answer(family, answer):
    # Given a 500 € grant, 200 € of it held by a nursery booking the supplier has not answered yet,
    grant = grant_to(family.employee, 50_000)
    supplier, offer, session = make_nursery(price=20_000)
    book(family, offer, session)
    payment = LinePayment.objects.get()
    assert (payment.bucket, payment.amount) == (GRANT_BUCKET, 20_000)
    today = expire(grant)

    # when the grant expires, only the 300 € not held return,
    assert grants_return_expired(today=today) == 30_000
    assert grants_return_expired(today=today) == 0  # the held part still waits
    grant.wallet.refresh_from_db()
    assert (grant.wallet.balance, grant.wallet.held, fund_balance()) == (20_000, 20_000, 30_000)

    # then, once the supplier answers, a decline gives the 200 € back to the fund at the next run,
    # a confirmation spends them and nothing more returns.
    line = Order.objects.get().lines.get()
    if answer == "decline":
        line_decline(actor=supplier.applied_by, line_id=line.pk, reason="Posti esauriti")
        assert grants_return_expired(today=today) == 20_000
        expected_returned, expected_fund = 50_000, 50_000
    else:
        line_confirm(actor=supplier.applied_by, line_id=line.pk)
        assert grants_return_expired(today=today) == 0
        expected_returned, expected_fund = 30_000, 30_000
    assert grants_return_expired(today=today) == 0
    grant.refresh_from_db()
    grant.wallet.refresh_from_db()
    assert (grant.returned, grant.wallet.balance, grant.wallet.held) == (expected_returned, 0, 0)
    assert fund_balance() == expected_fund
    assert ledger_verify().clean


def test_an_expired_grant_does_not_pay_at_checkout(family):
    grant = grant_to(family.employee, 50_000)
    supplier, offer, session = make_nursery(price=20_000)
    expire(grant)

    # With no other way to pay, the checkout is refused;
    with pytest.raises(InvalidInput):
        book(family, offer, session)
    # paying by bank transfer, the whole price is own money and the grant is untouched.
    book(family, offer, session, payment_method="bank_transfer")
    order = Order.objects.get()
    assert (order.credit_total, order.own_total) == (0, 20_000)
    assert not LinePayment.objects.exists()
    grant.wallet.refresh_from_db()
    assert (grant.wallet.balance, grant.wallet.held) == (50_000, 0)


def test_a_grant_still_valid_on_its_last_day_pays(family):
    grant = grant_to(family.employee, 50_000)
    supplier, offer, session = make_nursery(price=20_000)
    Grant.objects.filter(pk=grant.pk).update(expires_on=timezone.localdate())

    book(family, offer, session)

    assert LinePayment.objects.get().wallet == grant.wallet


def test_only_grants_still_valid_are_the_workers_active_grants(family):
    valid, last_day, expired = (grant_to(family.employee, 10_000) for _ in range(3))
    today = timezone.localdate()
    Grant.objects.filter(pk=last_day.pk).update(expires_on=today)
    expire(expired)

    assert list(active_grants_of(family.employee)) == [last_day, valid]
    assert list(active_grants_of(family.employee, today=today + datetime.timedelta(days=1))) == [valid]


def test_the_daily_command_returns_expired_grants(family):
    grant = grant_to(family.employee, 50_000)
    expire(grant)
    out = io.StringIO()

    call_command("fund_daily", stdout=out)

    assert out.getvalue().splitlines()[1:] == ["grant_cents_returned: 50000", "applications_pseudonymised: 0"]
    assert fund_balance() == 50_000
