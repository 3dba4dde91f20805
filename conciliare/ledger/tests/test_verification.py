"""ledger_verify re-derives everything and reports each kind of violation."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from conciliare.ledger import services
from conciliare.ledger.verification import ledger_verify

from .conftest import key

pytestmark = pytest.mark.django_db


def tamper(*statements: tuple[str, list]) -> list[str]:
    """Runs SQL with the ledger's triggers off (as only a database owner could), returns the violations."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")  # triggers and FKs off
            else:
                for trigger in ("ledger_entry_apply", "ledger_entry_no_update", "ledger_ledgertransaction_no_update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")  # restored by the rollback below
            for sql, params in statements:
                cursor.execute(sql, params)
        violations = ledger_verify().violations
        transaction.set_rollback(True)
    return violations


@pytest.fixture
def busy(economy):
    economy.load(economy.wallet, 10_000)
    spent = services.transaction_post(
        kind="spend", legs=[(economy.wallet, -1_000), (economy.supplier, 1_000)], idempotency_key=key()
    )
    services.transaction_reverse(original=spent, idempotency_key=key())
    hold = services.hold_place(
        account=economy.wallet,
        destination=economy.supplier,
        amount=2_000,
        idempotency_key=key(),
        expires_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
    )
    services.hold_capture(hold=hold, amount=1_500, idempotency_key=key())
    services.hold_place(
        account=economy.wallet,
        destination=economy.supplier,
        amount=500,
        idempotency_key=key(),
        expires_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
    )
    return economy


def test_a_healthy_ledger_reports_totals_and_no_violation(busy, capsys):
    report = ledger_verify()
    assert report.clean
    assert (report.accounts, report.transactions, report.holds_pending) == (6, 5, 1)
    assert report.totals_by_kind == {
        "company_funding": 0,
        "employee_wallet": 8_500,
        "external_world": -10_000,
        "solidarity_fund": 0,
        "supplier_payable": 1_500,
    }
    call_command("ledger_verify")
    out = capsys.readouterr().out
    assert "transactions: 5" in out and "no violation" in out and "85,00" in out


def test_a_forged_cached_balance_is_reported(busy):
    violations = tamper(("UPDATE ledger_ledgeraccount SET balance = balance + 1 WHERE id = %s", [busy.supplier.pk]))
    assert any(f"account {busy.supplier.pk}: cached balance" in v for v in violations)


def test_a_held_amount_without_holds_is_reported(busy):
    violations = tamper(("UPDATE ledger_ledgeraccount SET held = held + 7 WHERE id = %s", [busy.wallet.pk]))
    assert any("held" in v and "pending holds" in v for v in violations)


def test_an_overdrawn_account_and_an_unbalanced_transaction_are_reported(busy):
    capture = busy.wallet.entries.filter(transaction__kind="capture").get()
    violations = tamper(
        # the entry alone changes: the derived balance goes negative (the cached one cannot: CHECK)
        ("UPDATE ledger_entry SET amount = amount - 100000 WHERE id = %s", [capture.pk]),
    )
    assert any("overdrawn" in v for v in violations)
    assert any(f"transaction {capture.transaction_id}:" in v and "summing to" in v for v in violations)
    assert any("all entries sum to" in v for v in violations)


def test_a_reversal_that_does_not_mirror_is_reported(busy):
    reversal_entry = busy.supplier.entries.filter(transaction__kind="reversal").get()
    violations = tamper(("UPDATE ledger_entry SET amount = amount + 1 WHERE id = %s", [reversal_entry.pk]))
    assert any("does not mirror" in v for v in violations)


def test_a_capture_beyond_its_hold_is_reported(busy):
    capture = busy.supplier.entries.filter(transaction__kind="capture").get()
    violations = tamper(("UPDATE ledger_entry SET amount = 2500 WHERE id = %s", [capture.pk]))
    assert any("hold" in v and "does not move" in v for v in violations)


def test_the_command_exits_non_zero_on_a_violation(busy):
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("UPDATE ledger_ledgeraccount SET held = held + 1 WHERE id = %s", [busy.wallet.pk])
        with pytest.raises(SystemExit) as exited:
            call_command("ledger_verify")
        transaction.set_rollback(True)
    assert exited.value.code == 1
