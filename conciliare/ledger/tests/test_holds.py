"""Two-phase transfers: a booking reserves credit before the supplier confirms."""

import datetime

import pytest
from django.utils import timezone

from conciliare.core.errors import ApplicationError, Conflict, IdempotencyConflict, InsufficientCredit
from conciliare.ledger import services
from conciliare.ledger.models import Hold, LedgerTransaction
from conciliare.ledger.selectors import account_balance

from .conftest import balances, in_an_hour, key

pytestmark = pytest.mark.django_db


def place(economy, cents, idempotency_key=None, **extra):
    return services.hold_place(
        account=economy.wallet,
        destination=economy.supplier,
        amount=cents,
        idempotency_key=key("hold") if idempotency_key is None else idempotency_key,
        expires_at=extra.pop("expires_at", None) or in_an_hour(),
        **extra,
    )


def test_a_hold_lowers_the_available_credit_not_the_total(economy):
    economy.load(economy.wallet, 10_000)
    place(economy, 4_000)
    balance = account_balance(account_id=economy.wallet.pk)
    assert (balance.total, balance.held, balance.available) == (10_000, 4_000, 6_000)


def test_a_hold_beyond_the_available_credit_is_refused(economy):
    economy.load(economy.wallet, 10_000)
    place(economy, 7_000)
    with pytest.raises(InsufficientCredit):
        place(economy, 3_001)
    assert balances(economy.wallet) == [(10_000, 7_000)]


def test_spending_cannot_use_held_credit(economy):
    economy.load(economy.wallet, 10_000)
    place(economy, 7_000)
    with pytest.raises(InsufficientCredit):
        services.transaction_post(
            kind="spend", legs=[(economy.wallet, -3_001), (economy.supplier, 3_001)], idempotency_key=key()
        )


@pytest.mark.parametrize(
    "change",
    [
        {"cents": 0},
        {"cents": -5},
        {"cents": True},
        {"cents": 10.0},
        {"expires_at": timezone.now() - datetime.timedelta(seconds=1)},
        {"idempotency_key": ""},
    ],
)
def test_malformed_holds_are_refused(economy, change):
    economy.load(economy.wallet, 10_000)
    args = {"cents": 100, **change}
    with pytest.raises(ApplicationError):
        place(economy, args.pop("cents"), **args)
    assert Hold.objects.count() == 0


def test_a_hold_needs_two_different_accounts(economy):
    economy.load(economy.wallet, 1_000)
    with pytest.raises(ApplicationError):
        services.hold_place(
            account=economy.wallet, destination=economy.wallet, amount=1, idempotency_key=key(), expires_at=in_an_hour()
        )


def test_placing_a_hold_is_idempotent(economy):
    economy.load(economy.wallet, 10_000)
    first = place(economy, 2_000, "booking-1")
    assert place(economy, 2_000, "booking-1").pk == first.pk
    with pytest.raises(IdempotencyConflict):
        place(economy, 2_500, "booking-1")
    assert balances(economy.wallet) == [(10_000, 2_000)]


def test_full_capture_moves_the_held_money(economy, cast):
    economy.load(economy.wallet, 10_000)
    hold = place(economy, 4_000, memo="Nido, settimana 12")
    posted = services.hold_capture(hold=hold, idempotency_key="confirm-1", actor=cast.supplier_carla)
    hold.refresh_from_db()
    assert (hold.status, hold.capture_id) == ("captured", posted.pk)
    assert posted.memo == "Nido, settimana 12"
    assert balances(economy.wallet, economy.supplier) == [(6_000, 0), (4_000, 0)]


def test_partial_capture_releases_the_rest(economy):
    economy.load(economy.wallet, 10_000)
    hold = place(economy, 4_000)
    services.hold_capture(hold=hold, amount=2_500, idempotency_key="confirm-2")
    assert balances(economy.wallet, economy.supplier) == [(7_500, 0), (2_500, 0)]


def test_capture_is_idempotent_and_happens_once(economy):
    economy.load(economy.wallet, 10_000)
    hold = place(economy, 4_000)
    first = services.hold_capture(hold=hold, idempotency_key="confirm-3")
    assert services.hold_capture(hold=hold, idempotency_key="confirm-3").pk == first.pk
    with pytest.raises(Conflict):
        services.hold_capture(hold=hold, idempotency_key="confirm-4")
    assert LedgerTransaction.objects.filter(kind="capture").count() == 1
    assert balances(economy.wallet) == [(6_000, 0)]


@pytest.mark.parametrize("amount", [0, 4_001, -1, True])
def test_a_capture_is_between_one_cent_and_the_amount_held(economy, amount):
    economy.load(economy.wallet, 10_000)
    hold = place(economy, 4_000)
    with pytest.raises(ApplicationError):
        services.hold_capture(hold=hold, amount=amount, idempotency_key=key())
    assert balances(economy.wallet) == [(10_000, 4_000)]


def test_void_releases_and_is_idempotent_but_not_after_capture(economy):
    economy.load(economy.wallet, 10_000)
    hold = place(economy, 4_000)
    assert services.hold_void(hold=hold).status == "voided"
    assert services.hold_void(hold=hold).status == "voided"
    assert balances(economy.wallet) == [(10_000, 0)]
    with pytest.raises(Conflict):
        services.hold_capture(hold=hold, idempotency_key=key())
    captured = place(economy, 1_000)
    services.hold_capture(hold=captured, idempotency_key=key())
    with pytest.raises(Conflict):
        services.hold_void(hold=captured)


def test_expired_holds_are_released_and_cannot_be_captured(economy):
    economy.load(economy.wallet, 10_000)
    soon = place(economy, 3_000, expires_at=timezone.now() + datetime.timedelta(seconds=30))
    later = place(economy, 2_000)
    the_future = timezone.now() + datetime.timedelta(minutes=5)
    Hold.objects.filter(pk=soon.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(Conflict):
        services.hold_capture(hold=soon, idempotency_key=key())  # past expiry, not yet swept
    assert services.hold_expire_due(now=the_future) == 1
    assert services.hold_expire_due(now=the_future) == 0
    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.status, later.status) == ("expired", "pending")
    assert balances(economy.wallet) == [(10_000, 2_000)]
    with pytest.raises(Conflict):
        services.hold_void(hold=soon)


def test_expiry_skips_a_hold_resolved_meanwhile(economy):
    economy.load(economy.wallet, 10_000)
    hold = place(economy, 3_000)
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    original_filter = Hold.objects.filter

    def stale_listing(*args, **kwargs):
        # the sweep lists the hold as pending, but it is voided before the sweep locks it
        listing = original_filter(*args, **kwargs)
        if kwargs.get("status") == "pending":
            ids = list(listing.values_list("pk", flat=True))
            services.hold_void(hold=hold)
            return original_filter(pk__in=ids)
        return listing

    from unittest import mock

    with mock.patch.object(Hold.objects, "filter", side_effect=stale_listing):
        assert services.hold_expire_due() == 0
    hold.refresh_from_db()
    assert hold.status == "voided"
    assert balances(economy.wallet) == [(10_000, 0)]
