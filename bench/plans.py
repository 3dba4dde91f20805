"""Bulk credit loading: activate one welfare plan for 100,000 employees on PostgreSQL.

    .venv/bin/python bench/plans.py [--employees N]      (make bench-plans)

Creates its own throw-away database (the one `bench/ledger.py` uses), migrates it, creates a
company with N employees (bulk inserts, not timed), then times `plan_activate`: one funding
posting and one credit posting with N+1 entries through the real ledger service and triggers,
then `ledger_verify`. Target (issue 3/4): 100,000 wallets in under 60 seconds on this machine.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The sibling bench module: our own databases, the machine, Django set-up.
from ledger import (
    BENCH_DB,
    cpu_model,
    drop_quietly,
    memory_gib,
    recreate_database,
    server_from_environment,
    setup_django,
)

TARGET_SECONDS = 60


def populate(employees: int) -> tuple[Any, Any]:
    from conciliare.accounts.models import EmployeeProfile, Membership, Organization, OrganizationRoleAssignment, User
    from conciliare.territory.models import Municipality

    lovere = Municipality.objects.get(name="Lovere")
    company = Organization.objects.create(name="Grande Impresa Bench S.p.A.", municipality=lovere)
    OrganizationRoleAssignment.objects.create(organization=company, role="client_company")
    hr = User.objects.create_user(email="hr@bench.example", first_name="HR")
    users = User.objects.bulk_create(
        [User(email=f"e{i}@bench.example", first_name="Dip", last_name=f"{i}", password="!") for i in range(employees)],
        batch_size=5_000,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organization=company, role="employee") for u in users], batch_size=5_000
    )
    EmployeeProfile.objects.bulk_create(
        [
            EmployeeProfile(user=u, company=company, workplace_municipality=lovere, contract_category="operai")
            for u in users
        ],
        batch_size=5_000,
    )
    return company, hr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=100_000)
    args = parser.parse_args(argv)
    server = server_from_environment()
    try:
        recreate_database(server, BENCH_DB, create=True)
        setup_django(server)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        company, hr = populate(args.employees)
        populated = time.perf_counter() - started

        from conciliare.ledger.models import LedgerAccount
        from conciliare.ledger.verification import ledger_verify
        from conciliare.plans.services import AllowanceInput, plan_activate, plan_create

        plan = plan_create(
            company=company,
            name="Piano bench",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            legal_basis="regulation",
            residual_rule="carry_over",
            allowances=[AllowanceInput(category="", bucket="art51_c2_f", amount_euro="500.00")],
        )
        started = time.perf_counter()
        plan_activate(plan=plan, actor=hr)
        activation = time.perf_counter() - started
        wallets = LedgerAccount.objects.filter(plan_reference=plan.ledger_reference).count()
        started = time.perf_counter()
        plan_activate(plan=plan, actor=hr)  # a second submission: must be a cheap no-op
        replay = time.perf_counter() - started
        started = time.perf_counter()
        report = ledger_verify()
        verify = time.perf_counter() - started
        connections.close_all()
    finally:
        drop_quietly(server, BENCH_DB)

    print()
    print(f"Conciliare bulk credit loading — {datetime.datetime.now():%Y-%m-%d %H:%M}, {cpu_model()}, {memory_gib()}")
    print(f"{'step':<42} {'seconds':>8}")
    print(f"{'-' * 42} {'-' * 8}")
    print(f"{f'create {args.employees:,} employees (bulk, not timed)':<42} {populated:>8.1f}")
    print(f"{f'plan_activate: {wallets:,} wallets credited':<42} {activation:>8.1f}")
    print(f"{'plan_activate submitted again (no-op)':<42} {replay:>8.2f}")
    print(f"{'ledger_verify of the whole ledger':<42} {verify:>8.1f}")
    verdict = "within" if activation < TARGET_SECONDS else "OVER"
    print(f"\nactivation {verdict} the {TARGET_SECONDS} s target; ledger {'clean' if report.clean else 'VIOLATIONS'}")
    return 0 if report.clean and wallets == args.employees else 1


if __name__ == "__main__":
    raise SystemExit(main())
