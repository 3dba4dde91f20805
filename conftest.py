"""Shared pytest set-up: database markers, browser settings, and the skip report."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (running on SQLite)"))
        if "browser" in item.keywords and not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason="needs a browser: Debian chromium at /usr/bin/chromium"))


@pytest.fixture(autouse=True)
def territory_present(request: pytest.FixtureRequest) -> None:
    """A transactional test (live server, concurrency) flushes every table, including the
    territory, the first charter and the first contribution rate that data migrations loaded;
    give them back to whichever test comes next."""
    if not {"db", "transactional_db"} & set(request.fixturenames) and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from conciliare.catalogue.tests.factories import ensure_charter
    from conciliare.testing.factories import ensure_territory

    ensure_territory()
    ensure_charter()  # version 1 of the ethical charter, also written by a data migration
    ensure_contribution_rate()  # the charter's 2 per cent, also written by a data migration


def ensure_contribution_rate() -> None:
    import importlib

    from django.apps import apps

    from conciliare.orders.models import WithholdingRate

    if not WithholdingRate.objects.exists():
        importlib.import_module("conciliare.orders.migrations.0002_supplier_contribution_rate").forward(apps, None)


@pytest.fixture(autouse=True)
def sqlite_ledger_flushable(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """On SQLite the ledger's append-only triggers refuse the DELETEs that end a transactional
    test. Empty the ledger with those triggers briefly lifted, so the flush finds nothing to delete.
    (PostgreSQL flushes with TRUNCATE, which row triggers do not see.)"""
    transactional = _is_transactional(request)
    if transactional:
        request.getfixturevalue("transactional_db")  # set up first, so flushed after this teardown
    yield
    if not transactional:
        return
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    import importlib

    invariants = importlib.import_module("conciliare.ledger.migrations.0002_database_invariants")
    with connection.cursor() as cursor:
        for statement in invariants.SQLITE_REVERSE:
            cursor.execute(statement)
        cursor.execute("DELETE FROM ledger_entry")
        cursor.execute("DELETE FROM ledger_hold")
        cursor.execute("DELETE FROM ledger_ledgertransaction")
        for statement in invariants.SQLITE_FORWARD:
            cursor.execute(statement)


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "it-IT"}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from django.db import connection

    skipped = terminalreporter.stats.get("skipped", [])
    terminalreporter.section("environment")
    terminalreporter.write_line(f"database: {connection.vendor}")
    needs = [
        report
        for report in skipped
        if "needs PostgreSQL" in str(report.longrepr) or "needs a browser" in str(report.longrepr)
    ]
    if not needs:
        terminalreporter.write_line("no test was skipped for lack of PostgreSQL or a browser")
        return
    terminalreporter.write_line(f"{len(needs)} test(s) skipped because they need PostgreSQL or a browser:")
    for report in needs:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        terminalreporter.write_line(f"  {report.nodeid}: {reason}")
