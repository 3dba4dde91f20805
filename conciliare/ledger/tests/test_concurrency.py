"""Concurrent requests and crashes on PostgreSQL: no double spend, no partial transaction."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import DatabaseError, connection

from conciliare.core.errors import InsufficientCredit
from conciliare.ledger import services
from conciliare.ledger.models import Entry, LedgerTransaction
from conciliare.testing.concurrency import run_together

from .conftest import balances

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_spends_of_ten_euro_from_one_hundred_euro_succeed_exactly_ten_times(economy):
    economy.load(economy.wallet, 10_000)

    def spend(index: int):
        return services.transaction_post(
            kind="spend", legs=[(economy.wallet, -1_000), (economy.supplier, 1_000)], idempotency_key=f"race-{index}"
        )

    outcomes = run_together(50, spend)

    posted = [o for o in outcomes if isinstance(o, LedgerTransaction)]
    refused = [o for o in outcomes if isinstance(o, InsufficientCredit)]
    assert (len(posted), len(refused)) == (10, 40), [type(o) for o in outcomes]
    assert all("Insufficient credit" in str(o) or "Credito insufficiente" in str(o) for o in refused)
    assert balances(economy.wallet, economy.supplier) == [(0, 0), (10_000, 0)]


def test_the_same_key_replayed_by_ten_threads_creates_one_transaction(economy):
    economy.load(economy.wallet, 10_000)

    def replay(_index: int):
        return services.transaction_post(
            kind="spend", legs=[(economy.wallet, -2_500), (economy.supplier, 2_500)], idempotency_key="double-click"
        )

    outcomes = run_together(10, replay)

    assert all(isinstance(o, LedgerTransaction) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert LedgerTransaction.objects.filter(idempotency_key="double-click").count() == 1
    assert balances(economy.wallet) == [(7_500, 0)]


def test_holds_placed_concurrently_never_reserve_more_than_the_credit(economy):
    import datetime

    from django.utils import timezone

    economy.load(economy.wallet, 5_000)

    def hold(index: int):
        return services.hold_place(
            account=economy.wallet,
            destination=economy.supplier,
            amount=1_000,
            idempotency_key=f"seat-{index}",
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )

    outcomes = run_together(20, hold)

    assert sum(not isinstance(o, Exception) for o in outcomes) == 5
    assert balances(economy.wallet) == [(5_000, 5_000)]


def test_a_connection_killed_in_the_middle_of_a_posting_leaves_nothing(economy):
    economy.load(economy.wallet, 10_000)
    inserted, killed = threading.Event(), threading.Event()
    backend: dict[str, int] = {}
    real_bulk_create = Entry.objects.bulk_create

    def slow_bulk_create(*args, **kwargs):
        created = real_bulk_create(*args, **kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend["pid"] = cursor.fetchone()[0]
        inserted.set()  # the transaction row and its entries exist, uncommitted
        killed.wait(timeout=10)
        return created

    def posting():
        try:
            return services.transaction_post(
                kind="spend", legs=[(economy.wallet, -4_000), (economy.supplier, 4_000)], idempotency_key="doomed"
            )
        except DatabaseError as error:
            return error
        finally:
            with contextlib.suppress(DatabaseError):  # the connection was killed under us
                connection.close()

    with mock.patch.object(Entry.objects, "bulk_create", side_effect=slow_bulk_create):
        worker = ThreadPoolExecutor(max_workers=1)
        future = worker.submit(posting)
        assert inserted.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend["pid"]])
        killed.set()
        outcome = future.result(timeout=20)
        worker.shutdown()

    assert isinstance(outcome, DatabaseError)
    assert not LedgerTransaction.objects.filter(idempotency_key="doomed").exists()
    assert balances(economy.wallet, economy.supplier) == [(10_000, 0), (0, 0)]
