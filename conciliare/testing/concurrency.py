"""Helpers for tests of concurrency on PostgreSQL: real threads, real connections, real row locks."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections
from django.utils import translation

from conciliare.ledger.verification import ledger_verify


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Starts `count` threads at the same instant; each returns work(i) or the exception it raised."""
    barrier = threading.Barrier(count)

    def one(index: int) -> Any:
        try:
            barrier.wait()
            with translation.override("en"):  # a new thread starts in the default language
                return work(index)
        except Exception as error:  # collected and asserted by the test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def assert_ledger_clean() -> None:
    report = ledger_verify()
    assert report.clean, report.violations
