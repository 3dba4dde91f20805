"""Converting the performance bonus into welfare credit, inside the plan's window, once."""

import datetime

import pytest

from conciliare.core.errors import Conflict, InvalidInput
from conciliare.ledger.models import LedgerAccount
from conciliare.ledger.verification import ledger_verify
from conciliare.plans.models import PerformanceBonus
from conciliare.plans.services import bonus_convert, bonus_record, plan_activate, plan_create

from .conftest import PLAN_2026, allowance

pytestmark = pytest.mark.django_db
D = datetime.date
IN_WINDOW = D(2026, 6, 15)


@pytest.fixture
def plan(cast, staff):
    created = plan_create(
        company=cast.company,
        allowances=[allowance("operai", "art51_c2_f", "100.00")],
        bonus_conversion_opens_on=D(2026, 6, 1),
        bonus_conversion_closes_on=D(2026, 6, 30),
        **PLAN_2026,
    )
    return plan_activate(plan=created, actor=cast.hr_bruno)


def test_a_worker_converts_part_of_the_premium_into_welfare_once(cast, staff, plan):
    worker = staff[0]
    bonus = bonus_record(plan=plan, user=worker, gross_euro="1000.00", previous_year_income_euro="30000.00")
    converted = bonus_convert(bonus=bonus, amount_euro="600.00", bucket="art51_c2_fbis", today=IN_WINDOW)
    assert (converted.converted, converted.bucket) == (60_000, "art51_c2_fbis")
    wallet = LedgerAccount.objects.get(
        owner_user=worker, plan_reference=plan.ledger_reference, fiscal_bucket="art51_c2_fbis"
    )
    assert wallet.balance == 60_000
    with pytest.raises(Conflict):
        bonus_convert(bonus=bonus, amount_euro="100.00", bucket="art51_c2_f", today=IN_WINDOW)
    with pytest.raises(Conflict):
        bonus_record(plan=plan, user=worker, gross_euro="2000.00", previous_year_income_euro="0")
    assert ledger_verify().clean


@pytest.mark.parametrize(
    ("amount", "today", "income", "message"),
    [
        ("600.00", D(2026, 7, 1), "30000.00", "window"),
        ("600.00", D(2026, 5, 31), "30000.00", "window"),
        ("1000.01", IN_WINDOW, "30000.00", "between 0.01"),
        ("0", IN_WINDOW, "30000.00", "between 0.01"),
        ("10.005", IN_WINDOW, "30000.00", "two decimals"),
        ("600.00", IN_WINDOW, "80000.01", "above the limits"),
    ],
)
def test_conversions_outside_the_rules_are_refused_and_move_nothing(cast, staff, plan, amount, today, income, message):
    bonus = bonus_record(plan=plan, user=staff[0], gross_euro="1000.00", previous_year_income_euro=income)
    with pytest.raises(InvalidInput) as raised:
        bonus_convert(bonus=bonus, amount_euro=amount, bucket="art51_c2_f", today=today)
    assert message in raised.value.message
    bonus.refresh_from_db()
    assert bonus.converted is None
    assert LedgerAccount.objects.get(owner_user=staff[0], fiscal_bucket="art51_c2_f").balance == 10_000


def test_income_exactly_at_the_limit_may_convert(cast, staff, plan):
    bonus = bonus_record(plan=plan, user=staff[0], gross_euro="1000.00", previous_year_income_euro="80000.00")
    assert bonus_convert(bonus=bonus, amount_euro="1000.00", bucket="art51_c2_f", today=IN_WINDOW).converted == 100_000


def test_hr_can_record_premiums_only_where_the_plan_allows_it(cast, staff, plan):
    no_window = plan_create(company=cast.company, allowances=[allowance("quadri", "art51_c2_f", "1")], **PLAN_2026)
    with pytest.raises(InvalidInput):
        bonus_record(plan=no_window, user=staff[0], gross_euro="100", previous_year_income_euro="0")
    with pytest.raises(InvalidInput):
        bonus_record(plan=plan, user=cast.employee_other_ugo, gross_euro="100", previous_year_income_euro="0")
    with pytest.raises(InvalidInput):
        bonus_record(plan=plan, user=staff[0], gross_euro="-1", previous_year_income_euro="0")
    with pytest.raises(InvalidInput):
        bonus_record(plan=plan, user=staff[0], gross_euro="abc", previous_year_income_euro="0")
    assert not PerformanceBonus.objects.exists()


def test_the_worker_converts_in_the_page_and_nobody_else_can(cast, staff, plan, login):
    from unittest import mock

    worker = staff[0]
    bonus = bonus_record(plan=plan, user=worker, gross_euro="1000.00", previous_year_income_euro="30000.00")
    client = login(worker)
    assert "1.000,00" in client.get("/il-mio-welfare/").content.decode()
    url = f"/il-mio-welfare/premio/{bonus.pk}/converti/"
    assert login(cast.hr_bruno).post(url, {"amount": "100,00", "bucket": "art51_c2_f"}).status_code == 404
    client = login(worker)
    with mock.patch("conciliare.plans.views.timezone.localdate", return_value=IN_WINDOW):
        assert client.post(url, {"amount": "abc", "bucket": "art51_c2_f"}).status_code == 302
        bonus.refresh_from_db()
        assert bonus.converted is None
        assert client.post(url, {"amount": "250,00", "bucket": "art51_c2_f"}).status_code == 302
    bonus.refresh_from_db()
    assert bonus.converted == 25_000
