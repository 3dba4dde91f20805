import datetime

import pytest

from conciliare.accounts.models import ContractCategory, EmployeeProfile
from conciliare.plans.services import AllowanceInput
from conciliare.testing.factories import make_employee

D = datetime.date


@pytest.fixture
def staff(cast):
    """Tessitura Sebina: Anna (impiegati) plus 3 operai and 2 quadri."""
    workers = [make_employee(cast.company) for _ in range(5)]
    for user in workers[:3]:
        EmployeeProfile.objects.filter(user=user).update(contract_category=ContractCategory.WORKERS)
    for user in workers[3:]:
        EmployeeProfile.objects.filter(user=user).update(contract_category=ContractCategory.MIDDLE_MANAGERS)
    return workers


def allowance(category: str, bucket: str, euro: str) -> AllowanceInput:
    return AllowanceInput(category=category, bucket=bucket, amount_euro=euro)


PLAN_2026 = {
    "name": "Piano welfare 2026",
    "starts_on": D(2026, 1, 1),
    "ends_on": D(2026, 12, 31),
    "legal_basis": "regulation",
    "residual_rule": "carry_over",
}


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here (the Italian catalogue is checked by make test)."""
    from django.utils import translation

    with translation.override("en"):
        yield
