"""Ledger posting throughput on PostgreSQL, next to pgbench on the same server.

    .venv/bin/python bench/ledger.py            # full run (about 80 s on 2 cores)
    .venv/bin/python bench/ledger.py --quick    # smoke run: counts and durations cut by 10x

Creates its own throw-away databases (`conciliare_bench`, `conciliare_pgbench`) on the
server named by DATABASE_URL, or postgres@127.0.0.1:5432 when it is unset, drops them
first if they exist and again at the end, even on failure. No other database is touched.
Every posting goes through `conciliare.ledger.services.transaction_post` with the real
triggers. Amounts are integer cents. Exit status 2 when PostgreSQL does not answer.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote

if TYPE_CHECKING:
    from conciliare.ledger.models import LedgerAccount

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "conciliare_bench"
PGBENCH_DB = "conciliare_pgbench"
OWN_DATABASES = frozenset({BENCH_DB, PGBENCH_DB})

WALLETS = 200
WORKERS = 16
WALLET_FUNDING = 1_000_000  # cents per wallet (10,000 euro): far more than the runs spend
HOT_WALLET_FUNDING = 1_000_000_000  # cents (10 million euro)
WARM_UP = 50


@dataclass
class Server:
    host: str
    port: int
    user: str
    password: str

    def conninfo(self, dbname: str) -> dict[str, Any]:
        info: dict[str, Any] = {"host": self.host, "port": self.port, "user": self.user, "dbname": dbname}
        if self.password:
            info["password"] = self.password
        return info

    def url(self, dbname: str) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"postgres://{auth}@{self.host}:{self.port}/{dbname}"


@dataclass
class Row:
    label: str
    done: int | None = None
    seconds: float | None = None
    unit: str = "postings/s"
    reference: int = 0  # number of pgbench clients whose rate this row is compared with; 0: none
    reported_rate: float | None = None  # pgbench's own tps figure

    @property
    def rate(self) -> float | None:
        if self.reported_rate is not None:
            return self.reported_rate
        if self.done is None or not self.seconds:
            return None
        return self.done / self.seconds


@dataclass
class Plan:
    posts: int
    batches: tuple[int, ...]
    pgbench_seconds: int
    pgbench_scale: int
    contention_seconds: float


def fail(message: str, status: int = 2) -> NoReturn:
    print(f"bench-ledger: {message}", file=sys.stderr)
    raise SystemExit(status)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The server and our own databases -------------------------------------------------


def server_from_environment() -> Server:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return Server(host="127.0.0.1", port=5432, user=os.environ.get("PGUSER", "postgres"), password="")
    parsed = dj_database_url.parse(url)
    if "postgresql" not in str(parsed.get("ENGINE", "")):
        fail(f"DATABASE_URL must name a PostgreSQL server (the bench runs on PostgreSQL only), not {url!r}.")
    return Server(
        host=str(parsed.get("HOST") or "127.0.0.1"),
        port=int(parsed.get("PORT") or 5432),
        user=str(parsed.get("USER") or "postgres"),
        password=str(parsed.get("PASSWORD") or ""),
    )


def admin_connection(server: Server) -> Any:
    import psycopg

    try:
        return psycopg.connect(**server.conninfo("postgres"), autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        fail(
            f"PostgreSQL does not answer at {server.user}@{server.host}:{server.port} "
            f"({str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__}).\n"
            "Start it, or set DATABASE_URL=postgres://USER[:PASSWORD]@HOST:PORT/any to point at another server."
        )


def recreate_database(server: Server, name: str, *, create: bool) -> None:
    """Drops our own database `name` if it exists and, when `create`, creates it empty."""
    from psycopg import sql

    if name not in OWN_DATABASES:
        raise ValueError(f"refusing to touch database {name!r}")
    with admin_connection(server) as conn:
        try:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        except Exception:  # PostgreSQL < 13 has no WITH (FORCE)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_quietly(server: Server, name: str) -> None:
    try:
        recreate_database(server, name, create=False)
    except BaseException as error:  # never hide the original failure behind a cleanup failure
        print(f"bench-ledger: could not drop {name}: {error}", file=sys.stderr)


# --- The machine ----------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


# --- Django ---------------------------------------------------------------------------


def setup_django(server: Server) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DATABASE_URL"] = server.url(BENCH_DB)
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG would record every query
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql" or connection.settings_dict["NAME"] != BENCH_DB:
        fail(f"Django is not pointed at {BENCH_DB} on PostgreSQL; refusing to run.", status=1)


@dataclass
class World:
    world: LedgerAccount
    wallets: list[LedgerAccount]
    suppliers: list[LedgerAccount]
    hot_wallet: LedgerAccount
    own_wallets: list[LedgerAccount]


def build_world() -> World:
    from django.contrib.auth import get_user_model

    from conciliare.ledger.models import AccountKind, TransactionKind
    from conciliare.ledger.services import account_open, transaction_post

    user_model = get_user_model()

    def wallet(name: str) -> LedgerAccount:
        owner = user_model.objects.create_user(email=f"{name}@bench.invalid")
        return account_open(kind=AccountKind.EMPLOYEE_WALLET, name=name, owner_user=owner)

    world = account_open(kind=AccountKind.EXTERNAL_WORLD, name="bench world", may_go_negative=True)
    wallets = [wallet(f"bench-wallet-{i:03d}") for i in range(WALLETS)]
    suppliers = [
        account_open(kind=AccountKind.SUPPLIER_PAYABLE, name=f"bench supplier {i:02d}") for i in range(WORKERS)
    ]
    hot_wallet = wallet("bench-hot-wallet")
    own_wallets = [wallet(f"bench-own-wallet-{i:02d}") for i in range(WORKERS)]
    funded = [(w, WALLET_FUNDING) for w in wallets + own_wallets] + [(hot_wallet, HOT_WALLET_FUNDING)]
    transaction_post(
        kind=TransactionKind.FUNDING,
        legs=[(world, -sum(cents for _w, cents in funded)), *funded],
        idempotency_key="bench:funding",
        memo="bench funding",
    )
    return World(world=world, wallets=wallets, suppliers=suppliers, hot_wallet=hot_wallet, own_wallets=own_wallets)


def transfer_legs(wallets: list[LedgerAccount], i: int) -> list[tuple[LedgerAccount, int]]:
    """Posting i: 1 cent to 5 euro from one wallet to another, pairs chosen round-robin."""
    n = len(wallets)
    source = i % n
    target = (source + 1 + (i // n) % (n - 1)) % n
    cents = 1 + (i * 7919) % 500
    return [(wallets[source], -cents), (wallets[target], cents)]


def run_posts(world: World, label: str, count: int, per_db_transaction: int | None) -> Row:
    """`count` postings; `per_db_transaction=None` lets the service's own atomic commit each one."""
    from django.db import transaction

    from conciliare.ledger.models import TransactionKind
    from conciliare.ledger.services import transaction_post

    def post(i: int, prefix: str) -> None:
        transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=transfer_legs(world.wallets, i),
            idempotency_key=f"bench:{prefix}:{i}",
        )

    for i in range(WARM_UP):
        post(i, f"{label}:warm-up")
    started = time.perf_counter()
    if per_db_transaction is None:
        for i in range(count):
            post(i, label)
    else:
        for first in range(0, count, per_db_transaction):
            with transaction.atomic():
                for i in range(first, min(first + per_db_transaction, count)):
                    post(i, label)
    seconds = time.perf_counter() - started
    if per_db_transaction is None:
        shown = "single post (service commits each)"
    else:
        shown = f"batch {per_db_transaction} (postings per DB txn)"
    return Row(label=shown, done=count, seconds=seconds, reference=1)


def run_contention(world: World, *, hot: bool, seconds: float) -> Row:
    """WORKERS threads, each with its own connection, spending small amounts until the deadline."""
    from django.db import connection

    from conciliare.ledger.models import TransactionKind
    from conciliare.ledger.services import transaction_post

    scenario = "hot" if hot else "own"
    counts = [0] * WORKERS
    errors: list[str] = []
    window = [0.0, 0.0]  # start, deadline: set by the last thread to reach the barrier

    def open_window() -> None:
        window[0] = time.perf_counter()
        window[1] = window[0] + seconds

    barrier = threading.Barrier(WORKERS, action=open_window)

    def worker(index: int) -> None:
        source = world.hot_wallet if hot else world.own_wallets[index]
        supplier = world.suppliers[index]
        try:
            connection.ensure_connection()
            barrier.wait()
            i = 0
            while time.perf_counter() < window[1]:
                cents = 1 + (index * 31 + i * 7) % 250
                transaction_post(
                    kind=TransactionKind.SPEND,
                    legs=[(source, -cents), (supplier, cents)],
                    idempotency_key=f"bench:{scenario}:{index}:{i}",
                )
                i += 1
            counts[index] = i
        except Exception as error:
            errors.append(f"worker {index}: {type(error).__name__}: {error}")
            barrier.abort()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(n,), name=f"bench-{scenario}-{n}", daemon=True) for n in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - window[0]
    if errors:
        raise RuntimeError("contention run failed:\n  " + "\n  ".join(errors))
    label = f"hot wallet, {WORKERS} workers" if hot else f"{WORKERS} wallets, {WORKERS} workers"
    return Row(label=label, done=sum(counts), seconds=elapsed, reference=WORKERS)


# --- pgbench --------------------------------------------------------------------------


def find_pgbench() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True)
    return str(candidates[0]) if candidates else None


def pgbench_env(server: Server) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if server.password:
        env["PGPASSWORD"] = server.password
    return env


def pgbench_args(server: Server) -> list[str]:
    return ["-h", server.host, "-p", str(server.port), "-U", server.user]


TPS_PATTERN = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.MULTILINE)


def run_pgbench(server: Server, pgbench: str, *, clients: int, threads: int, seconds: int) -> Row:
    command = [pgbench, *pgbench_args(server), "-c", str(clients), "-j", str(threads), "-T", str(seconds), PGBENCH_DB]
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        command, capture_output=True, text=True, env=pgbench_env(server), check=False
    )
    match = TPS_PATTERN.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise RuntimeError(f"pgbench failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    transactions = re.search(r"number of transactions actually processed: (\d+)", result.stdout)
    return Row(
        label=pgbench_label(clients),
        done=int(transactions.group(1)) if transactions else None,
        seconds=float(seconds),
        unit="tps",
        reported_rate=float(match.group(1)),
    )


def pgbench_label(clients: int) -> str:
    return f"pgbench TPC-B, {clients} client{'s' if clients > 1 else ''}"


def init_pgbench(server: Server, pgbench: str, scale: int) -> None:
    recreate_database(server, PGBENCH_DB, create=True)
    command = [pgbench, *pgbench_args(server), "-i", "-q", "-s", str(scale), PGBENCH_DB]
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        command, capture_output=True, text=True, env=pgbench_env(server), check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"pgbench -i failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


# --- Report ---------------------------------------------------------------------------


def format_table(rows: list[Row]) -> str:
    by_label = {row.label: row for row in rows}
    references = {
        clients: by_label[pgbench_label(clients)].rate if pgbench_label(clients) in by_label else None
        for clients in (1, WORKERS)
    }
    header = [
        "scenario",
        "done",
        "seconds",
        "per second",
        "unit",
        "vs pgbench 1 client",
        f"vs pgbench {WORKERS} clients",
    ]
    lines: list[list[str]] = [header]
    for row in rows:
        rate = row.rate
        ratio_1 = ratio_16 = ""
        reference = references.get(row.reference)
        if rate is not None and reference:
            text = f"{rate / reference:.2f}x"
            if row.reference == 1:
                ratio_1 = text
            else:
                ratio_16 = text
        lines.append(
            [
                row.label,
                "" if row.done is None else f"{row.done:,}",
                "" if row.seconds is None else f"{row.seconds:.2f}",
                "n/a" if rate is None else f"{rate:,.0f}",
                row.unit,
                ratio_1,
                ratio_16,
            ]
        )
    widths = [max(len(line[c]) for line in lines) for c in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0]), *(line[c].rjust(widths[c]) for c in range(1, len(header)))]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def environment_lines(server: Server, pg_version: str, load_before: str) -> list[str]:
    import django

    return [
        f"date:        {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"cpu:         {cpu_model()}",
        f"cores:       {os.cpu_count()}",
        f"memory:      {memory_gib()}",
        f"postgresql:  {pg_version}",
        f"server:      {server.user}@{server.host}:{server.port}",
        f"python:      {platform.python_version()}",
        f"django:      {django.get_version()}",
        f"load avg:    {load_before} before the run (1, 5, 15 min; other work on the machine skews the figures)",
    ]


# --- Main -----------------------------------------------------------------------------


@contextmanager
def timed(what: str) -> Iterator[None]:
    started = time.perf_counter()
    log(f"{what} ...")
    yield
    log(f"{what}: {time.perf_counter() - started:.1f} s")


def make_plan(quick: bool) -> Plan:
    if quick:
        return Plan(posts=200, batches=(1, 100, 1000), pgbench_seconds=2, pgbench_scale=1, contention_seconds=1.0)
    return Plan(posts=2_000, batches=(1, 100, 1000), pgbench_seconds=15, pgbench_scale=10, contention_seconds=8.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: counts and durations cut by 10x")
    parser.add_argument("--skip-pgbench", action="store_true", help="do not run pgbench (rows show n/a)")
    args = parser.parse_args(argv)
    plan = make_plan(args.quick)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup on `kill`

    server = server_from_environment()
    with admin_connection(server) as conn:
        pg_version = str(conn.execute("SELECT version()").fetchone()[0])
    pgbench = None if args.skip_pgbench else find_pgbench()
    if pgbench is None and not args.skip_pgbench:
        log("pgbench not found on PATH nor in /usr/lib/postgresql/*/bin: its rows will show n/a")

    load_before = load_average()
    total = time.perf_counter()
    rows: list[Row] = []
    django_ready = False
    try:
        recreate_database(server, BENCH_DB, create=True)
        setup_django(server)
        django_ready = True
        from django.core.management import call_command
        from django.db import connections

        with timed(f"migrate {BENCH_DB}"):
            call_command("migrate", verbosity=0, interactive=False)
        with timed("accounts and funding"):
            world = build_world()
        with timed(f"single posts x {plan.posts}"):
            rows.append(run_posts(world, "single", plan.posts, None))
        for size in plan.batches:
            with timed(f"batches of {size} x {plan.posts}"):
                rows.append(run_posts(world, f"batch{size}", plan.posts, size))
        for hot in (True, False):
            with timed(f"{'hot wallet' if hot else 'own wallets'}, {WORKERS} threads, {plan.contention_seconds:g} s"):
                rows.append(run_contention(world, hot=hot, seconds=plan.contention_seconds))
        with timed("ledger_verify"):
            from conciliare.ledger.verification import ledger_verify

            report = ledger_verify()
            if not report.clean:
                raise RuntimeError("the ledger does not verify after the bench:\n  " + "\n  ".join(report.violations))
        connections.close_all()

        pgbench_rows = [Row(label=pgbench_label(clients), unit="tps") for clients in (1, WORKERS)]
        if pgbench is not None:
            try:
                with timed(f"pgbench -i -s {plan.pgbench_scale}"):
                    init_pgbench(server, pgbench, plan.pgbench_scale)
                for n, (clients, threads) in enumerate(((1, 1), (WORKERS, 2))):
                    with timed(f"pgbench -c {clients} -j {threads} -T {plan.pgbench_seconds}"):
                        pgbench_rows[n] = run_pgbench(
                            server, pgbench, clients=clients, threads=threads, seconds=plan.pgbench_seconds
                        )
            except RuntimeError as error:  # keep the ledger figures; the pgbench rows show n/a
                log(str(error))
        rows = rows[:4] + pgbench_rows + rows[4:]
    finally:
        if django_ready:
            from django.db import connections as all_connections

            all_connections.close_all()  # our connections would keep the database from being dropped
        drop_quietly(server, BENCH_DB)
        if pgbench is not None:
            drop_quietly(server, PGBENCH_DB)

    elapsed = time.perf_counter() - total
    print()
    print("Conciliare ledger bench" + (" (--quick: counts /10, not for publishing)" if args.quick else ""))
    print("\n".join(environment_lines(server, pg_version, load_before)))
    print(
        f"workload:    {plan.posts:,} postings per row (+{WARM_UP} warm-up), {WALLETS} wallets round-robin, "
        f"{WORKERS} threads x {plan.contention_seconds:g} s for the contention rows, "
        f"pgbench -s {plan.pgbench_scale} -T {plan.pgbench_seconds}"
    )
    print()
    print(format_table(rows))
    print()
    print(f"total run time: {elapsed:.0f} s (databases {BENCH_DB} and {PGBENCH_DB} dropped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
