"""Ledger test set-up: a small economy, and `ledger_verify` after every money test."""

import datetime
import itertools
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone

from conciliare.ledger import services
from conciliare.ledger.models import AccountKind, LedgerAccount, TransactionKind
from conciliare.ledger.verification import ledger_verify

_keys = itertools.count(1)


def key(prefix: str = "k") -> str:
    return f"{prefix}-{next(_keys)}"


def in_an_hour() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=1)


@dataclass
class Economy:
    world: LedgerAccount
    funding: LedgerAccount
    wallet: LedgerAccount
    other_wallet: LedgerAccount
    supplier: LedgerAccount
    fund: LedgerAccount

    def load(self, wallet: LedgerAccount, cents: int) -> None:
        """Money enters from outside, through the company, into a wallet."""
        services.transaction_post(
            kind=TransactionKind.FUNDING,
            legs=[(self.world, -cents), (self.funding, cents)],
            idempotency_key=key("fund"),
        )
        services.transaction_post(
            kind=TransactionKind.CREDIT, legs=[(self.funding, -cents), (wallet, cents)], idempotency_key=key("credit")
        )


def balances(*accounts: LedgerAccount) -> list[tuple[int, int]]:
    return [tuple(LedgerAccount.objects.filter(pk=a.pk).values_list("balance", "held").get()) for a in accounts]


@pytest.fixture
def economy(cast) -> Economy:
    open_ = services.account_open
    return Economy(
        world=open_(kind=AccountKind.EXTERNAL_WORLD, name="Mondo esterno", may_go_negative=True),
        funding=open_(kind=AccountKind.COMPANY_FUNDING, name="Fondi Tessitura", owner_organization=cast.company),
        wallet=open_(
            kind=AccountKind.EMPLOYEE_WALLET,
            name="Conto welfare Anna",
            owner_user=cast.employee_anna,
            plan_reference="piano-2026",
            fiscal_bucket="art51_c2_f",
        ),
        other_wallet=open_(
            kind=AccountKind.EMPLOYEE_WALLET, name="Conto welfare Ugo", owner_user=cast.employee_other_ugo
        ),
        supplier=open_(kind=AccountKind.SUPPLIER_PAYABLE, name="Debito Girasole", owner_organization=cast.supplier),
        fund=open_(kind=AccountKind.SOLIDARITY_FUND, name="Fondo di Solidarietà", owner_organization=cast.operator),
    )


@pytest.fixture(autouse=True)
def ledger_stays_verified(request):
    """After every money test the whole ledger re-derives cleanly."""
    yield
    if {"db", "transactional_db"} & set(request.fixturenames) or request.node.get_closest_marker("django_db"):
        if connection.in_atomic_block and connection.needs_rollback:
            return  # the test deliberately broke the transaction; it is rolled back
        report = ledger_verify()
        assert report.clean, report.violations
