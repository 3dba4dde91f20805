"""Creating plans (with every refusal) and activating them exactly once."""

import datetime

import pytest

from conciliare.core.errors import ApplicationError, InvalidInput
from conciliare.ledger.models import LedgerAccount, LedgerTransaction
from conciliare.ledger.verification import ledger_verify
from conciliare.plans.models import PlanAllowance, WelfarePlan
from conciliare.plans.services import plan_activate, plan_create, plan_totals

from .conftest import PLAN_2026, allowance

pytestmark = pytest.mark.django_db
D = datetime.date


def create(cast, allowances, **changes):
    return plan_create(company=cast.company, allowances=allowances, **{**PLAN_2026, **changes})


def test_a_plan_is_created_as_a_draft_with_its_allowances(cast, staff):
    plan = create(cast, [allowance("operai", "art51_c2_f", "300.00"), allowance("operai", "art51_c3_fringe", "250.50")])
    assert plan.status == "draft" and plan.fully_deductible
    assert sorted(plan.allowances.values_list("category", "bucket", "amount")) == [
        ("operai", "art51_c2_f", 30_000),
        ("operai", "art51_c3_fringe", 25_050),
    ]


def test_a_revocable_unilateral_plan_is_deductible_only_up_to_five_per_mille(cast, staff):
    assert not create(cast, [allowance("", "art51_c2_f", "100")], legal_basis="unilateral").fully_deductible


@pytest.mark.parametrize(
    ("allowances", "changes", "field", "message"),
    [
        ([allowance("operai", "art51_c2_f", "-10.00")], {}, "allowances", "greater than zero"),
        ([allowance("operai", "art51_c2_f", "10.005")], {}, "allowances", "two decimals"),
        ([allowance("operai", "art51_c2_f", "dieci")], {}, "allowances", "two decimals"),
        ([allowance("dirigenti", "art51_c2_f", "10")], {}, "allowances", "no employee in the category"),
        ([allowance("operai", "art51_c2_f", "10")], {"ends_on": D(2025, 12, 31)}, "ends_on", "end before it starts"),
        ([allowance("operai", "bitcoin", "10")], {}, "allowances", "Unknown fiscal bucket"),
        ([allowance("stagisti", "art51_c2_f", "10")], {}, "allowances", "Unknown employee category"),
        ([], {}, "allowances", "at least one amount"),
        ([allowance("", "art51_c2_f", "10"), allowance("operai", "art51_c2_f", "10")], {}, "allowances", "not both"),
        (
            [allowance("operai", "art51_c2_f", "10"), allowance("operai", "art51_c2_f", "20")],
            {},
            "allowances",
            "appears once",
        ),
        ([allowance("operai", "art51_c2_f", "10")], {"name": "  "}, "name", "name"),
        ([allowance("operai", "art51_c2_f", "10")], {"ends_on": D(2031, 1, 1)}, "ends_on", "no fiscal rules"),
        ([allowance("operai", "art51_c2_f", "10")], {"legal_basis": "whim"}, "legal_basis", "legal basis"),
        ([allowance("operai", "art51_c2_f", "10")], {"residual_rule": "cash"}, "residual_rule", "credit left"),
        (
            [allowance("operai", "art51_c2_f", "10")],
            {"bonus_conversion_opens_on": D(2026, 6, 1)},
            "bonus_conversion_closes_on",
            "window",
        ),
    ],
)
def test_bad_plans_are_refused_with_a_reason_and_nothing_is_saved(cast, staff, allowances, changes, field, message):
    with pytest.raises(InvalidInput) as raised:
        create(cast, allowances, **changes)
    assert field in raised.value.fields and message in raised.value.message
    assert WelfarePlan.objects.count() == 0 and PlanAllowance.objects.count() == 0


def test_overlapping_plans_for_the_same_employees_are_refused(cast, staff):
    create(cast, [allowance("operai", "art51_c2_f", "100")])
    with pytest.raises(InvalidInput) as raised:
        create(cast, [allowance("operai", "art51_c2_fbis", "100")], starts_on=D(2026, 6, 1), ends_on=D(2027, 5, 31))
    assert "overlaps" in raised.value.message
    with pytest.raises(InvalidInput):
        create(cast, [allowance("", "art51_c2_f", "100")], name="Per tutti")
    # other employees, or another period, are fine
    create(cast, [allowance("quadri", "art51_c2_f", "100")], name="Quadri 2026")
    create(
        cast, [allowance("operai", "art51_c2_f", "100")], name="2027", starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31)
    )
    assert WelfarePlan.objects.count() == 3


def test_activation_credits_every_covered_employee_exactly_once(cast, staff):
    plan = create(cast, [allowance("operai", "art51_c2_f", "300.00"), allowance("quadri", "art51_c3_fringe", "500.00")])
    activated = plan_activate(plan=plan, actor=cast.hr_bruno)
    assert activated.status == "active" and activated.activated_by == cast.hr_bruno
    wallets = LedgerAccount.objects.filter(plan_reference=plan.ledger_reference)
    assert sorted((w.owner_user_id, w.fiscal_bucket, w.balance) for w in wallets) == sorted(
        [(u.pk, "art51_c2_f", 30_000) for u in staff[:3]] + [(u.pk, "art51_c3_fringe", 50_000) for u in staff[3:]]
    )
    assert not wallets.filter(owner_user=cast.employee_anna).exists()  # impiegati are not covered
    # submitted again: nothing more moves
    plan_activate(plan=plan, actor=cast.hr_bruno)
    assert LedgerTransaction.objects.count() == 2
    assert plan_totals(plan) == {"loaded": 190_000, "left": 190_000, "spent": 0, "wallets": 5}
    assert ledger_verify().clean


def test_a_plan_for_everybody_covers_every_category(cast, staff):
    plan = create(cast, [allowance("", "art51_c2_f", "100")])
    plan_activate(plan=plan, actor=cast.hr_bruno)
    assert LedgerAccount.objects.filter(plan_reference=plan.ledger_reference).count() == 6  # Anna + 5


def test_a_closed_plan_or_a_plan_without_employees_cannot_be_activated(cast, staff):
    plan = create(cast, [allowance("operai", "art51_c2_f", "100")])
    from conciliare.accounts.models import EmployeeProfile

    EmployeeProfile.objects.filter(contract_category="operai").update(contract_category="impiegati")
    with pytest.raises(ApplicationError):
        plan_activate(plan=plan, actor=cast.hr_bruno)
    WelfarePlan.objects.filter(pk=plan.pk).update(
        status="closed", activated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    with pytest.raises(ApplicationError):
        plan_activate(plan=plan, actor=cast.hr_bruno)
    assert LedgerTransaction.objects.count() == 0


def test_employees_hired_after_activation_get_their_share_once(cast, staff):
    from conciliare.accounts.models import EmployeeProfile
    from conciliare.plans.services import plan_enrol_new_employees
    from conciliare.testing.factories import make_employee

    plan = create(cast, [allowance("operai", "art51_c2_f", "300.00"), allowance("operai", "art51_c3_fringe", "100.00")])
    with pytest.raises(ApplicationError):
        plan_enrol_new_employees(plan=plan, actor=cast.hr_bruno)  # still a draft
    plan_activate(plan=plan, actor=cast.hr_bruno)
    assert plan_enrol_new_employees(plan=plan, actor=cast.hr_bruno) == 0
    newcomer = make_employee(cast.company)
    EmployeeProfile.objects.filter(user=newcomer).update(contract_category="operai")
    assert plan_enrol_new_employees(plan=plan, actor=cast.hr_bruno) == 1
    assert plan_enrol_new_employees(plan=plan, actor=cast.hr_bruno) == 0
    assert sorted(newcomer.ledger_accounts.values_list("fiscal_bucket", "balance")) == [
        ("art51_c2_f", 30_000),
        ("art51_c3_fringe", 10_000),
    ]
    assert plan_totals(plan)["loaded"] == 4 * 40_000
    assert ledger_verify().clean


def test_a_public_programme_can_fund_the_plan(cast, staff):
    from conciliare.core.errors import InsufficientCredit
    from conciliare.ledger import services as ledger

    regional = ledger.account_open(kind="public_cofunding", name="Fondo regionale conciliazione")
    plan = create(cast, [allowance("operai", "art51_c2_f", "100.00")])
    with pytest.raises(InsufficientCredit):
        plan_activate(plan=plan, actor=cast.hr_bruno, funding_source=regional)  # the programme has no money yet
    ledger.transaction_post(
        kind="funding", legs=[(ledger.world_account(), -50_000), (regional, 50_000)], idempotency_key="regione-2026"
    )
    with pytest.raises(InvalidInput):
        plan_activate(plan=plan, actor=cast.hr_bruno, funding_source=ledger.world_account())
    plan_activate(plan=plan, actor=cast.hr_bruno, funding_source=regional)
    assert LedgerAccount.objects.get(pk=regional.pk).balance == 50_000 - 30_000
    assert ledger_verify().clean
