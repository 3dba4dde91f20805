"""At the plan's end the residual moves by the plan's rule, exactly, and never under a pending hold."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from conciliare.ledger import services as ledger
from conciliare.ledger.models import LedgerAccount
from conciliare.ledger.verification import ledger_verify
from conciliare.plans.expiry import expiry_reminders_send, plan_expire
from conciliare.plans.models import ExpiryReminder
from conciliare.plans.services import plan_activate, plan_create

from .conftest import PLAN_2026, allowance

pytestmark = pytest.mark.django_db
AFTER_THE_END = datetime.date(2027, 1, 1)


@pytest.fixture
def active_plan(cast, staff):
    def make(rule: str, **changes):
        plan = plan_create(
            company=cast.company,
            allowances=[allowance("operai", "art51_c2_f", "300.00")],
            **{**PLAN_2026, "residual_rule": rule, **changes},
        )
        return plan_activate(plan=plan, actor=cast.hr_bruno)

    return make


def spend(cast, wallet, cents, key):
    supplier = ledger.account_open(kind="supplier_payable", name=f"Fornitore {key}", owner_organization=cast.supplier)
    ledger.transaction_post(kind="spend", legs=[(wallet, -cents), (supplier, cents)], idempotency_key=key)


def wallets_of(plan):
    return list(LedgerAccount.objects.filter(plan_reference=plan.ledger_reference).order_by("pk"))


@pytest.mark.parametrize("rule", ["return_to_company", "solidarity_fund", "carry_over"])
def test_the_residual_moves_exactly_by_the_rule(cast, staff, active_plan, rule):
    plan = active_plan(rule)
    first, *others = wallets_of(plan)
    spend(cast, first, 12_345, f"spend-{rule}")
    funding = ledger.company_funding_account(cast.company)
    before_funding = LedgerAccount.objects.get(pk=funding.pk).balance
    assert plan_expire(plan=plan, today=plan.ends_on).moved == 0  # not ended yet on its last day
    outcome = plan_expire(plan=plan, today=AFTER_THE_END)
    assert (outcome.moved, outcome.waiting, outcome.closed) == (3, 0, True)
    assert all(w.balance == 0 for w in wallets_of(plan))
    residual = 3 * 30_000 - 12_345
    if rule == "solidarity_fund":
        assert ledger.solidarity_fund_account().balance == residual
    else:  # carry-over without a following plan returns the credit to the company
        assert LedgerAccount.objects.get(pk=funding.pk).balance == before_funding + residual
    plan.refresh_from_db()
    assert plan.status == "closed"
    assert plan_expire(plan=plan, today=AFTER_THE_END).moved == 0
    assert ledger_verify().clean


def test_carry_over_moves_the_credit_into_the_next_plan(cast, staff, active_plan):
    plan = active_plan("carry_over")
    following = active_plan(
        "carry_over", name="Piano 2027", starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 12, 31)
    )
    plan_expire(plan=plan, today=AFTER_THE_END)
    assert sorted(w.balance for w in wallets_of(following)) == [60_000] * 3


def test_a_pending_hold_keeps_the_wallet_until_the_hold_is_resolved(cast, staff, active_plan):
    plan = active_plan("return_to_company")
    first = wallets_of(plan)[0]
    supplier = ledger.account_open(kind="supplier_payable", name="Nido", owner_organization=cast.supplier)
    hold = ledger.hold_place(
        account=first,
        destination=supplier,
        amount=5_000,
        idempotency_key="booking",
        expires_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
    )
    outcome = plan_expire(plan=plan, today=AFTER_THE_END)
    assert (outcome.moved, outcome.waiting, outcome.closed) == (2, 1, False)
    assert LedgerAccount.objects.get(pk=first.pk).balance == 30_000  # untouched while held
    ledger.hold_capture(hold=hold, idempotency_key="confirmed")
    outcome = plan_expire(plan=plan, today=AFTER_THE_END)
    assert (outcome.moved, outcome.waiting, outcome.closed) == (1, 0, True)
    assert LedgerAccount.objects.get(pk=supplier.pk).balance == 5_000
    assert ledger_verify().clean


def test_reminders_go_30_and_7_days_before_once_each(cast, staff, active_plan):
    plan = active_plan("return_to_company")
    end = plan.ends_on
    assert expiry_reminders_send(today=end - datetime.timedelta(days=31), base_url="https://x") == 0
    assert expiry_reminders_send(today=end - datetime.timedelta(days=30), base_url="https://x") == 3
    assert expiry_reminders_send(today=end - datetime.timedelta(days=29), base_url="https://x") == 0
    assert expiry_reminders_send(today=end - datetime.timedelta(days=7), base_url="https://x") == 3
    assert ExpiryReminder.objects.count() == 6
    assert len(mail.outbox) == 6 and "31 dicembre 2026" in mail.outbox[0].subject
    assert "300,00" in mail.outbox[0].body and "https://x/il-mio-welfare/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_runs_through_the_database_task_backend(cast, staff, active_plan, settings):
    # Given a plan that ended last year, when the daily command queues the job in the database
    # and a worker runs the queue (as `manage.py db_worker` does in production)
    plan = active_plan("solidarity_fund", starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("plans_daily")
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    # then the residual went to the Solidarity Fund and the plan closed
    plan.refresh_from_db()
    assert plan.status == "closed"
    assert ledger.solidarity_fund_account().balance == 90_000
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_daily_job_credits_employees_hired_during_the_plan(cast, staff, active_plan):
    from unittest import mock

    from conciliare.accounts.models import EmployeeProfile
    from conciliare.plans.tasks import plans_daily
    from conciliare.testing.factories import make_employee

    active_plan("return_to_company")
    newcomer = make_employee(cast.company)
    EmployeeProfile.objects.filter(user=newcomer).update(contract_category="operai")
    with mock.patch("conciliare.plans.tasks.timezone.localdate", return_value=datetime.date(2026, 3, 1)):
        result = plans_daily.call()
    assert result["enrolled"] == 1
    assert newcomer.ledger_accounts.get().balance == 30_000
