"""The "per te" recommendations of 100,000 employees against 10,000 offers, on PostgreSQL.

    .venv/bin/python bench/recommendations.py          (make bench-recommendations; about 4 minutes)
    .venv/bin/python bench/recommendations.py --quick  # smoke run: 5,000 employees, 1,000 offers

Creates its own throw-away database `conciliare_bench_recommendations` on the server named by
DATABASE_URL (or postgres@127.0.0.1:5432), drops it first if it exists and again at the end, even on
failure; no other database is touched. Not timed: migrate; the catalogue of bench/search.py (suppliers
seated across the real municipalities by population, areas by radius, 10,000 offers, one in 25 not
published, one supplier in 20 unable to sell); companies across the alliance's municipalities; the
employees with home and workplace across the real municipalities, their families (children of every
age, parents of 70 to 92, some not self-sufficient, some with disability), shift workers, answers to
the alliance's survey; welfare plans activated through the real service (wallets in different buckets
per company).

Timed: `manage.py recommendations_refresh` in a fresh child process, twice: into an empty table, then
over the existing rows (the nightly case). The time is the job's own (`refresh_all`, from reading the
offers to the last row written), the peak memory the child's peak resident set size
(`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` read by this process after the child ends: the whole
Python process, Django included; PostgreSQL's own memory is not in it). Target (issue 8): under 60 s
and under 1 GB.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger import ROOT, Server, admin_connection, cpu_model, log, memory_gib, server_from_environment

BENCH_DB = "conciliare_bench_recommendations"
TARGET_SECONDS = 60
TARGET_BYTES = 1024**3
SEED = 20261122
# Buckets each company's plan loads (euro per employee); the last companies have no plan: own money only.
PLANS = [
    {"art51_c2_f": "300.00", "art51_c2_fbis": "500.00"},
    {"art51_c2_fbis": "400.00", "art51_c2_fter": "400.00"},
    {"art51_c3_fringe": "250.00"},
    {"art51_c2_f": "600.00"},
    {},
]


def fail(message: str, status: int = 2) -> NoReturn:
    print(f"bench-recommendations: {message}", file=sys.stderr)
    raise SystemExit(status)


def recreate_database(server: Server, *, create: bool) -> None:
    from psycopg import sql

    with admin_connection(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))


def drop_quietly(server: Server) -> None:
    try:
        recreate_database(server, create=False)
    except BaseException as error:  # never hide the original failure behind a cleanup failure
        print(f"bench-recommendations: could not drop {BENCH_DB}: {error}", file=sys.stderr)


def environment(server: Server) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": server.url(BENCH_DB),
        "DJANGO_DEBUG": "0",  # DEBUG would keep every query in memory
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or connection.settings_dict["NAME"] != BENCH_DB:
        fail(f"Django is not pointed at {BENCH_DB} on PostgreSQL; refusing to run.", status=1)
    if settings.DEBUG:
        fail("DEBUG is on; the figures would be meaningless.", status=1)


# --- The people -----------------------------------------------------------------------------------


def born(rng: random.Random, today: datetime.date, low_years: int, high_years: int) -> datetime.date:
    return today - datetime.timedelta(days=rng.randint(low_years * 365, high_years * 365 + 364))


def populate_people(n_employees: int, n_companies: int) -> dict[str, int]:
    """Bulk inserts of what the services would write; plans through plan_create and plan_activate."""
    from django.db import transaction
    from django.utils import timezone

    from conciliare.accounts.models import (
        EmployeeProfile,
        FamilyMember,
        Organization,
        OrganizationRoleAssignment,
        User,
    )
    from conciliare.needs.models import Survey, SurveyResponse
    from conciliare.plans.services import AllowanceInput, plan_activate, plan_create
    from conciliare.territory.models import Municipality

    rng = random.Random(SEED)
    today = timezone.localdate()
    places = list(Municipality.objects.order_by("pk"))
    alliance = [m for m in places if m.district_id is not None]
    weights = [m.population for m in places]
    counts = {"family_members": 0, "survey_answers": 0, "wallets": 0}
    with transaction.atomic():
        seats = rng.choices(alliance, weights=[m.population for m in alliance], k=n_companies)
        companies = Organization.objects.bulk_create(
            [Organization(name=f"Impresa Bench {i + 1}", municipality=seat) for i, seat in enumerate(seats)]
        )
        OrganizationRoleAssignment.objects.bulk_create(
            [OrganizationRoleAssignment(organization=c, role="client_company") for c in companies]
        )
        operator = User.objects.create_user(email="operatore@bench.example")
        survey = Survey.objects.create(
            title="Bisogni 2026",
            opens_on=today - datetime.timedelta(days=30),
            closes_on=today + datetime.timedelta(days=30),
            published_by=operator,
        )
        # Employees of a company live near it, or anywhere (a third): home by population.
        employer = [rng.randrange(n_companies) for _ in range(n_employees)]
        homes = [seats[c] if rng.random() < 0.35 else rng.choices(places, weights=weights)[0] for c in employer]
        users = User.objects.bulk_create(
            [
                User(
                    email=f"dip{i}@bench.example",
                    first_name="Dip",
                    last_name=str(i),
                    password="!",
                    birth_date=born(rng, today, 22, 64),
                    residence_municipality=None if i % 50 == 0 else homes[i],  # 2 %: no home given
                )
                for i in range(n_employees)
            ],
            batch_size=5_000,
        )
        EmployeeProfile.objects.bulk_create(
            [
                EmployeeProfile(
                    user=u,
                    company=companies[c],
                    workplace_municipality=seats[c],
                    contract_category="operai",
                    shift_worker=rng.random() < 0.25,
                )
                for u, c in zip(users, employer, strict=True)
            ],
            batch_size=5_000,
        )
        members: list[Any] = []
        answers: list[Any] = []
        for i, user in enumerate(users):
            family = []
            if rng.random() < 0.45:  # children of any age up to 17
                family += [("child", born(rng, today, 0, 17), False, False) for _ in range(rng.choice([1, 1, 2, 2, 3]))]
            if rng.random() < 0.18:  # an elderly parent, one in five not self-sufficient
                family.append(("parent", born(rng, today, 70, 92), rng.random() < 0.2, False))
            if rng.random() < 0.03:
                family.append(("sibling", born(rng, today, 20, 60), False, True))
            for k, (relationship, birth, nss, disability) in enumerate(family):
                members.append(
                    FamilyMember(
                        user=user,
                        relationship=relationship,
                        first_name=f"Familiare{k}",
                        last_name=str(i),
                        fiscal_code=f"BNCH{i:09d}{k:03d}",
                        birth_date=birth,
                        fiscally_dependent=relationship == "child",
                        non_self_sufficient=nss,
                        disability=disability,
                    )
                )
            if rng.random() < 0.3:
                answers.append(
                    SurveyResponse(
                        survey=survey,
                        respondent=user,
                        company=companies[employer[i]],
                        municipality=user.residence_municipality,
                        children_0_3=rng.choice([0, 0, 0, 1]),
                        children_3_6=rng.choice([0, 0, 0, 1]),
                        children_6_14=rng.choice([0, 0, 1, 2]),
                        cares_for_elderly=rng.random() < 0.2,
                        cares_for_disabled=rng.random() < 0.05,
                        working_pattern=rng.choice(["day", "day", "part_time", "shifts", "nights"]),
                        commute=rng.choice(["under_15", "15_30", "30_60"]),
                        errands=rng.sample(["groceries", "pharmacy", "paperwork", "laundry"], k=rng.randint(0, 2)),
                        preferred_services=rng.sample(["nursery", "summer_camp", "gym_wellbeing", "home_care"], k=1),
                    )
                )
        FamilyMember.objects.bulk_create(members, batch_size=5_000)
        SurveyResponse.objects.bulk_create(answers, batch_size=5_000)
        counts["family_members"], counts["survey_answers"] = len(members), len(answers)
    hr = User.objects.create_user(email="hr@bench.example")
    for i, company in enumerate(companies):
        buckets = PLANS[i % len(PLANS)]
        if not buckets:
            continue
        plan = plan_create(
            company=company,
            name="Piano bench",
            starts_on=datetime.date(today.year, 1, 1),
            ends_on=datetime.date(today.year, 12, 31),
            legal_basis="regulation",
            residual_rule="carry_over",
            allowances=[AllowanceInput(category="", bucket=b, amount_euro=a) for b, a in buckets.items()],
        )
        plan_activate(plan=plan, actor=hr)
    from conciliare.ledger.models import LedgerAccount

    counts["wallets"] = LedgerAccount.objects.filter(kind="employee_wallet").count()
    return counts


# --- The measured run, in a child process ---------------------------------------------------------


def child() -> int:
    """Runs in a fresh process: the batch as the management command runs it, and its own figures."""
    setup_django(dict(os.environ))
    from conciliare.needs import recommendations

    report = recommendations.refresh_all()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"employees": report.employees, "items": report.items, "seconds": report.seconds, "rss": own}))
    return 0


def measured_run(env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - this very script, with our own arguments
        [sys.executable, str(Path(__file__).resolve()), "--child"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        fail("the measured run failed", status=1)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = wall
    # The peak of any child so far: this process's only children are these runs.
    figures["children_rss"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return figures


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--suppliers", type=int, default=200)
    parser.add_argument("--companies", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="smoke run: 5,000 employees, 1,000 offers")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (to profile)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child()
    if args.quick:
        args.employees, args.offers, args.suppliers, args.companies = 5_000, 1_000, 40, 10
    server = server_from_environment()
    env = environment(server)
    try:
        log(f"bench-recommendations: database {BENCH_DB}, load average {load_average()}")
        recreate_database(server, create=True)
        setup_django(env)
        from django.core.management import call_command
        from django.db import connection, connections

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        from search import populate

        catalogue = populate(args.offers, args.suppliers, n_tokens=0)
        log(f"catalogue: {catalogue.published:,} published offers of {catalogue.suppliers} suppliers")
        counts = populate_people(args.employees, args.companies)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done after such a load
        prepared = time.perf_counter() - started
        log(f"people: {args.employees:,} employees, {counts} ({prepared:.0f} s, not timed)")
        connections.close_all()
        before = load_average()
        first = measured_run(env)
        log(f"first run: {first['seconds']:.1f} s")
        second = measured_run(env)
        after = load_average()
    finally:
        if not args.keep:
            drop_quietly(server)

    print()
    print(
        f"Conciliare recommendations batch — {datetime.datetime.now():%Y-%m-%d %H:%M}, {cpu_model()}, "
        f"{os.cpu_count()} cores, {memory_gib()}"
    )
    print(f"load average before {before}, after {after}")
    print(
        f"{args.employees:,} employees, {counts['family_members']:,} family members, "
        f"{counts['survey_answers']:,} survey answers, {counts['wallets']:,} wallets; "
        f"{catalogue.published:,} published offers"
    )
    print(f"{'run':<34} {'job s':>7} {'process s':>10} {'peak RSS MiB':>13} {'sets':>8} {'items':>10}")
    ok = True
    for label, run in (("into an empty table", first), ("over the existing rows (nightly)", second)):
        ok &= run["seconds"] < TARGET_SECONDS and run["rss"] < TARGET_BYTES
        print(
            f"{label:<34} {run['seconds']:>7.1f} {run['process_seconds']:>10.1f} {run['rss'] / 1024**2:>13.0f} "
            f"{run['employees']:>8,} {run['items']:>10,}"
        )
    print(f"peak RSS of any child (RUSAGE_CHILDREN): {second['children_rss'] / 1024**2:.0f} MiB")
    print(f"\n{'within' if ok else 'OVER'} the targets: under {TARGET_SECONDS} s and under 1 GiB per run")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
