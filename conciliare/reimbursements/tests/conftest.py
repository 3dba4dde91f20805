import datetime
from pathlib import Path

import pytest
from django.utils import timezone, translation

from conciliare.plans.services import AllowanceInput, plan_activate, plan_create
from conciliare.testing.factories import make_family_member


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path: Path) -> Path:
    """The private default storage in a directory of this test, so that a test can see what got stored."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here (the Italian catalogue is checked by make test)."""
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def expense_day(today) -> datetime.date:
    """A recent day of this year (this year's plan covers it)."""
    return max(today - datetime.timedelta(days=3), datetime.date(today.year, 1, 1))


@pytest.fixture
def plan(cast, today):
    """This year's plan of Anna's company: every refundable bucket and letter f, for all employees, active."""
    created = plan_create(
        company=cast.company,
        name=f"Piano welfare {today.year}",
        starts_on=datetime.date(today.year, 1, 1),
        ends_on=datetime.date(today.year, 12, 31),
        legal_basis="regulation",
        residual_rule="carry_over",
        allowances=[
            AllowanceInput(category="", bucket="art51_c2_f", amount_euro="100.00"),
            AllowanceInput(category="", bucket="art51_c2_fbis", amount_euro="400.00"),
            AllowanceInput(category="", bucket="art51_c2_fter", amount_euro="300.00"),
            AllowanceInput(category="", bucket="art51_c2_dbis", amount_euro="200.00"),
            AllowanceInput(category="", bucket="art51_c3_fringe", amount_euro="250.00"),
        ],
    )
    return plan_activate(plan=created, actor=cast.hr_bruno)


@pytest.fixture
def other_plan(cast, today):
    """The same for Ugo's company (the other company)."""
    created = plan_create(
        company=cast.other_company,
        name=f"Piano Meccanica {today.year}",
        starts_on=datetime.date(today.year, 1, 1),
        ends_on=datetime.date(today.year, 12, 31),
        legal_basis="regulation",
        residual_rule="carry_over",
        allowances=[AllowanceInput(category="", bucket="art51_c2_fter", amount_euro="300.00")],
    )
    return plan_activate(plan=created, actor=cast.hr_other_ivo)


@pytest.fixture
def sofia(cast):
    return cast.employee_anna.family_members.get(first_name="Sofia")


@pytest.fixture
def grandpa(cast):
    """Anna's father, 81: f-ter applies without a certificate."""
    return make_family_member(
        cast.employee_anna, first_name="Giuseppe", relationship="parent", birth_date=datetime.date(1945, 2, 2)
    )
