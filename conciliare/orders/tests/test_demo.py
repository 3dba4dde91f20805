"""The demo's orders: made by `manage.py seed_demo` on a fresh database through the services, in
every state worth showing, with a clean ledger; seeding again changes nothing."""

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from conciliare.accounts.demo import DEMO_NURSERY, demo_login
from conciliare.accounts.models import MembershipRole, User
from conciliare.catalogue.tests.factories import ensure_charter
from conciliare.ledger.models import Hold, HoldStatus, LedgerTransaction
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import ensure_territory

from ..demo import KEY_PREFIX, seed_demo_orders
from ..models import (
    Checkout,
    Contribution,
    ContributionParty,
    LineStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    RateKind,
    Voucher,
    VoucherStatus,
    WithholdingRate,
)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole demo, by the command, once for the module; rolled back at its end."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("demo-private"))},
        },
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages), transaction.atomic():
        ensure_territory()
        ensure_charter()  # what data migrations wrote, in case a transactional test flushed it
        WithholdingRate.objects.get_or_create(
            kind=RateKind.SUPPLIER_CONTRIBUTION, valid_from=datetime.date(2025, 1, 1), defaults={"percent": Decimal(2)}
        )
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def demo_user(role: str) -> User:
    return User.objects.get(email=demo_login(role).email)


@pytest.mark.django_db
def test_the_command_seeds_orders_with_a_clean_ledger(seeded: str) -> None:
    assert "Ordini:" in seeded
    assert Order.objects.count() >= 6
    assert not Checkout.objects.exclude(idempotency_key__startswith=KEY_PREFIX).exists()
    report = ledger_verify()
    assert report.clean, report.violations
    for order in Order.objects.prefetch_related("lines", "events"):
        assert order.events.exists(), order  # made by the services, which write the diary
        assert order.total == sum(line.amount for line in order.lines.all())


@pytest.mark.django_db
def test_the_demo_employee_has_orders_in_every_state(seeded: str) -> None:
    employee = demo_user(MembershipRole.EMPLOYEE)
    orders = Order.objects.filter(buyer=employee)
    statuses = set(orders.values_list("status", flat=True))
    assert {OrderStatus.COMPLETED, OrderStatus.IN_PROGRESS, OrderStatus.AWAITING_PAYMENT} <= statuses
    lines = OrderLine.objects.filter(order__buyer=employee)
    assert lines.filter(status=LineStatus.DELIVERED, kind="product").exists()
    vouchers = Voucher.objects.filter(line__order__buyer=employee)
    assert vouchers.filter(status=VoucherStatus.REDEEMED).exists()
    issued = vouchers.get(status=VoucherStatus.ISSUED)
    assert issued.line.member is not None and issued.line.session is not None  # a week, for a child
    waiting = orders.get(status=OrderStatus.AWAITING_PAYMENT)
    assert waiting.payment_method == PaymentMethod.BANK_TRANSFER and waiting.own_total > 0
    assert waiting.payment_due_at is not None
    # Its credit is held, not spent: the transfer may never come.
    assert Hold.objects.filter(line_payment__line__order=waiting, status=HoldStatus.PENDING).exists()


@pytest.mark.django_db
def test_the_demo_nursery_has_bookings_to_confirm_and_to_redeem(seeded: str) -> None:
    staff = demo_user(MembershipRole.SUPPLIER_STAFF)
    orders = Order.objects.filter(supplier__organization__name=DEMO_NURSERY).exclude(buyer__email=staff.email)
    assert orders.filter(status=OrderStatus.PLACED, lines__status=LineStatus.PENDING).count() >= 2
    assert Voucher.objects.filter(line__order__in=orders, status=VoucherStatus.ISSUED).exists()
    used = OrderLine.objects.get(order__in=orders, status=LineStatus.REDEEMED)
    contribution = Contribution.objects.get(party=ContributionParty.SUPPLIER, line=used)
    assert contribution.amount == used.amount * 2 // 100
    # The supplier answered with the demo login.
    assert OrderEvent.objects.filter(order__in=orders, actor=staff, to_status=LineStatus.CONFIRMED).exists()


@pytest.mark.django_db
def test_seeding_again_changes_nothing(seeded: str) -> None:
    counts = (Order.objects.count(), LedgerTransaction.objects.count(), Hold.objects.count())
    assert seed_demo_orders() == 0
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Ordini:" not in out.getvalue()
    assert (Order.objects.count(), LedgerTransaction.objects.count(), Hold.objects.count()) == counts
