"""Balances and movements, in a fixed number of queries; euro formatting."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from conciliare.core.money import cents_to_euro, euro_to_cents, format_euro
from conciliare.ledger import services
from conciliare.ledger.selectors import account_balance, account_movements

from .conftest import key


@pytest.mark.django_db
def test_movements_are_paged_newest_first_in_constant_queries(economy):
    def spend_times(count):
        for _ in range(count):
            services.transaction_post(
                kind="spend", legs=[(economy.wallet, -1), (economy.supplier, 1)], idempotency_key=key()
            )

    def queries_for_a_page():
        with CaptureQueriesContext(connection) as queries:
            page = account_movements(account_id=economy.wallet.pk, page=1, per_page=10)
            [(entry.amount, entry.transaction.kind, entry.transaction.actor) for entry in page]
        return len(queries), page

    economy.load(economy.wallet, 1_000)
    spend_times(3)
    few, page = queries_for_a_page()
    assert [e.amount for e in page] == [-1, -1, -1, 1_000]
    spend_times(30)
    many, page = queries_for_a_page()
    assert many == few == 2
    assert page.paginator.count == 34 and len(page.object_list) == 10
    assert account_movements(account_id=economy.wallet.pk, page="oltre", per_page=10).number == 1


@pytest.mark.django_db
def test_balance_reads_one_row(economy):
    economy.load(economy.wallet, 2_000)
    with CaptureQueriesContext(connection) as queries:
        balance = account_balance(account_id=economy.wallet.pk)
    assert len(queries) == 1
    assert (balance.total, balance.held, balance.available) == (2_000, 0, 2_000)


def test_euro_formatting_and_exact_conversion():
    assert format_euro(1_234_567) == "12.345,67\xa0€"
    assert format_euro(-5) == "-0,05\xa0€"
    assert cents_to_euro(1_005) == Decimal("10.05")
    assert euro_to_cents("10.05") == 1_005 and euro_to_cents(Decimal("0.1")) == 10 and euro_to_cents(3) == 300
    for bad in ("1.005", "abc", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            euro_to_cents(bad)
    for not_money in (10.05, True):
        with pytest.raises(TypeError):
            euro_to_cents(not_money)


def test_euro_template_filter_follows_the_language():
    template = Template("{% load money %}{{ cents|euro }}|{{ nothing|euro }}")
    with translation.override("it"):
        assert template.render(Context({"cents": 123_456, "nothing": None})) == "1.234,56\xa0€|"
    with translation.override("en"):
        assert template.render(Context({"cents": 123_456, "nothing": None})) == "€1,234.56|"


@pytest.mark.django_db
def test_ledger_objects_describe_themselves(economy):
    economy.load(economy.wallet, 1_000)
    hold = services.hold_place(
        account=economy.wallet,
        destination=economy.supplier,
        amount=100,
        idempotency_key=key(),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    credit = economy.wallet.entries.get()
    assert str(economy.wallet) == "Conto welfare Anna"
    assert str(credit) == f"{economy.wallet.pk}: 1000"
    with translation.override("en"):
        assert str(credit.transaction) == f"credit #{credit.transaction_id}"
    assert str(hold) == f"hold #{hold.pk} 100 (pending)"
