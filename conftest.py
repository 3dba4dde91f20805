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
    territory that a data migration loaded; give it back to whichever test comes next."""
    if not {"db", "transactional_db"} & set(request.fixturenames) and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from conciliare.testing.factories import ensure_territory

    ensure_territory()


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
