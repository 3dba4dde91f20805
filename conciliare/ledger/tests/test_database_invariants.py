"""The database itself refuses to break the ledger, whatever code (or SQL) tries.

Which guarantee comes from where:

| invariant                              | PostgreSQL                       | SQLite                        |
|----------------------------------------|----------------------------------|-------------------------------|
| entries sum to zero, at least two      | deferred constraint trigger      | service only (`_check_legs`)  |
| entries and transactions append-only   | trigger: UPDATE/DELETE raise     | trigger: UPDATE/DELETE raise  |
| balance = sum of entries               | trigger on entry insert          | trigger on entry insert       |
| balance changes only through entries   | trigger (pg_trigger_depth)       | detected by `ledger_verify`   |
| no overdraft of a non-negative account | CHECK balance >= held            | CHECK balance >= held         |
| a transaction is reversed at most once | UNIQUE reverses_id               | UNIQUE reverses_id            |
| entry not zero, one per account        | CHECK, UNIQUE                    | CHECK, UNIQUE                 |
"""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from conciliare.ledger import services
from conciliare.ledger.models import Entry, LedgerAccount, LedgerTransaction
from conciliare.ledger.verification import ledger_verify

from .conftest import balances, key

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.postgres


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def refused(action, error=IntegrityError) -> None:
    with pytest.raises(error), transaction.atomic():
        action()
        # run the deferred checks now, not at a commit that never comes in a test
        if connection.vendor == "postgresql":
            raw("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            connection.check_constraints()


@pytest.fixture
def posted(economy):
    economy.load(economy.wallet, 5_000)
    return services.transaction_post(
        kind="spend", legs=[(economy.wallet, -1_000), (economy.supplier, 1_000)], idempotency_key="spend-1"
    )


# --- append-only -----------------------------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted_by_sql(economy, posted):
    entry = posted.entries.first()
    refused(lambda: raw("UPDATE ledger_entry SET amount = amount * 2 WHERE id = %s", [entry.pk]))
    refused(lambda: raw("DELETE FROM ledger_entry WHERE id = %s", [entry.pk]))
    assert balances(economy.wallet, economy.supplier) == [(4_000, 0), (1_000, 0)]


def test_transactions_cannot_be_changed_or_deleted_by_sql(economy, posted):
    refused(lambda: raw("UPDATE ledger_ledgertransaction SET memo = 'x' WHERE id = %s", [posted.pk]))
    refused(lambda: raw("DELETE FROM ledger_ledgertransaction WHERE id = %s", [posted.pk]))
    assert LedgerTransaction.objects.get(pk=posted.pk).memo == ""


def test_entries_and_transactions_cannot_be_changed_through_the_orm(economy, posted):
    entry = posted.entries.first()
    entry.amount = 1
    refused(entry.save)
    refused(lambda: Entry.objects.filter(pk=entry.pk).update(amount=5))
    refused(lambda: Entry.objects.filter(pk=entry.pk).delete())
    refused(lambda: LedgerTransaction.objects.filter(pk=posted.pk).update(memo="changed"))
    with pytest.raises(ProtectedError):
        posted.delete()  # Django refuses first (PROTECT); the trigger is behind it
    assert balances(economy.wallet) == [(4_000, 0)]


def test_accounts_with_entries_cannot_be_deleted(economy, posted):
    with pytest.raises(ProtectedError):
        economy.wallet.delete()
    refused(lambda: raw("DELETE FROM ledger_ledgeraccount WHERE id = %s", [economy.wallet.pk]))


# --- balances ----------------------------------------------------------------------------------------------------------


def test_an_entry_inserted_by_sql_that_overdraws_is_refused(economy, posted):
    def overdraw():
        raw(
            "INSERT INTO ledger_ledgertransaction (kind, effective_date, memo, idempotency_key, fingerprint, created_at)"
            " VALUES ('spend', %s, '', 'raw-1', 'x', %s)",
            [datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)],
        )
        txn = LedgerTransaction.objects.get(idempotency_key="raw-1").pk
        raw(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount) VALUES (%s, %s, %s)",
            [txn, economy.supplier.pk, 9_000],
        )
        raw(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount) VALUES (%s, %s, %s)",
            [txn, economy.wallet.pk, -9_000],
        )

    refused(overdraw)
    assert balances(economy.wallet, economy.supplier) == [(4_000, 0), (1_000, 0)]


def test_a_hold_cannot_push_an_account_below_zero_in_the_database(economy, posted):
    refused(lambda: LedgerAccount.objects.filter(pk=economy.wallet.pk).update(held=4_001))
    refused(lambda: LedgerAccount.objects.filter(pk=economy.wallet.pk).update(held=-1))


@on_postgres
def test_on_postgres_a_balance_changes_only_through_entries(economy, posted):
    refused(lambda: raw("UPDATE ledger_ledgeraccount SET balance = 1000000 WHERE id = %s", [economy.wallet.pk]))
    refused(lambda: LedgerAccount.objects.filter(pk=economy.wallet.pk).update(balance=1))
    assert balances(economy.wallet) == [(4_000, 0)]


def test_on_sqlite_a_forged_balance_is_caught_by_verification(economy, posted):
    if connection.vendor != "sqlite":
        pytest.skip("on PostgreSQL the trigger refuses the forgery (test above)")
    with transaction.atomic():
        raw("UPDATE ledger_ledgeraccount SET balance = 1000000 WHERE id = %s", [economy.wallet.pk])
        assert any("cached balance" in v for v in ledger_verify().violations)
        transaction.set_rollback(True)


# --- balanced transactions ------------------------------------------------------------------------------------------


@on_postgres
def test_on_postgres_an_unbalanced_transaction_is_refused_at_commit_time(economy):
    def unbalanced():
        txn = LedgerTransaction.objects.create(
            kind="funding", effective_date=datetime.date(2026, 1, 1), idempotency_key=key(), fingerprint="x"
        )
        Entry.objects.create(transaction=txn, account=economy.world, amount=-100)
        Entry.objects.create(transaction=txn, account=economy.fund, amount=99)

    refused(unbalanced)
    assert balances(economy.world, economy.fund) == [(0, 0), (0, 0)]


@on_postgres
def test_on_postgres_a_transaction_needs_two_entries(economy):
    def lonely():
        txn = LedgerTransaction.objects.create(
            kind="funding", effective_date=datetime.date(2026, 1, 1), idempotency_key=key(), fingerprint="x"
        )
        Entry.objects.create(transaction=txn, account=economy.world, amount=-100)

    refused(lonely)
    refused(
        lambda: LedgerTransaction.objects.create(
            kind="funding", effective_date=datetime.date(2026, 1, 1), idempotency_key=key(), fingerprint="x"
        )
    )
    assert LedgerTransaction.objects.count() == 0


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgres_the_check_really_runs_at_commit(cast, economy):
    # A real commit (not a test savepoint): the deferred trigger refuses it and nothing stays.
    with pytest.raises(IntegrityError), transaction.atomic():
        txn = LedgerTransaction.objects.create(
            kind="funding", effective_date=datetime.date(2026, 1, 1), idempotency_key="commit-1", fingerprint="x"
        )
        Entry.objects.create(transaction=txn, account=economy.world, amount=-100)
    assert not LedgerTransaction.objects.filter(idempotency_key="commit-1").exists()
    assert balances(economy.world) == [(0, 0)]


# --- other constraints ------------------------------------------------------------------------------------------------


def test_entry_constraints(economy, posted):
    refused(lambda: Entry.objects.create(transaction=posted, account=economy.fund, amount=0))
    refused(lambda: Entry.objects.create(transaction=posted, account=economy.wallet, amount=1))


def test_a_transaction_is_reversed_at_most_once_in_the_database(economy, posted):
    services.transaction_reverse(original=posted, idempotency_key="undo-1")
    refused(
        lambda: LedgerTransaction.objects.create(
            kind="reversal",
            effective_date=datetime.date(2026, 1, 1),
            idempotency_key=key(),
            fingerprint="x",
            reverses=posted,
        )
    )


def test_transaction_and_account_constraints(economy, cast):
    today = datetime.date(2026, 1, 1)
    refused(
        lambda: LedgerTransaction.objects.create(
            kind="gift", effective_date=today, idempotency_key=key(), fingerprint="x"
        )
    )
    refused(
        lambda: LedgerTransaction.objects.create(
            kind="reversal", effective_date=today, idempotency_key=key(), fingerprint="x"
        )
    )
    refused(
        lambda: LedgerTransaction.objects.create(
            kind="funding", effective_date=today, idempotency_key="", fingerprint="x"
        )
    )
    refused(lambda: LedgerAccount.objects.create(kind="piggy_bank", name="x"))
    refused(lambda: LedgerAccount.objects.create(kind="employee_wallet", name="nobody's"))


def test_hold_constraints(economy):
    economy.load(economy.wallet, 1_000)
    hold = services.hold_place(
        account=economy.wallet,
        destination=economy.supplier,
        amount=100,
        idempotency_key="h-1",
        expires_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
    )
    from conciliare.ledger.models import Hold

    refused(lambda: Hold.objects.filter(pk=hold.pk).update(status="captured"))  # captured needs its capture
    refused(lambda: Hold.objects.filter(pk=hold.pk).update(status="voided"))  # resolved needs its time
    refused(lambda: Hold.objects.filter(pk=hold.pk).update(amount=0))
    refused(lambda: Hold.objects.filter(pk=hold.pk).update(destination=economy.wallet))


def test_a_failed_statement_is_a_database_error_not_silence(economy):
    # Sanity for the helpers above: a refused statement raises, it does not pass quietly.
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("SELECT * FROM ledger_no_such_table")


@on_postgres
def test_on_postgres_an_entry_added_after_a_passed_check_is_checked_again(economy):
    # The commit-time check runs once per transaction; an entry slipped in after it is not exempt.
    def sneaky():
        txn = LedgerTransaction.objects.create(
            kind="funding", effective_date=datetime.date(2026, 1, 1), idempotency_key=key(), fingerprint="x"
        )
        Entry.objects.create(transaction=txn, account=economy.world, amount=-100)
        Entry.objects.create(transaction=txn, account=economy.fund, amount=100)
        raw("SET CONSTRAINTS ALL IMMEDIATE")  # balanced: the check passes and remembers it
        raw("SET CONSTRAINTS ALL DEFERRED")
        Entry.objects.create(transaction=txn, account=economy.supplier, amount=5)

    refused(sneaky)
    assert balances(economy.world, economy.fund, economy.supplier) == [(0, 0)] * 3
