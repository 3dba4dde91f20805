"""Demo data of the plans context: an active 2026 plan for the demo HR's company."""

import datetime

from django.db import transaction

from conciliare.accounts.models import Membership, MembershipRole

from .models import WelfarePlan
from .services import AllowanceInput, plan_activate, plan_create

DEMO_HR_EMAIL = "hr@demo.conciliare.it"


@transaction.atomic
def seed_demo_plans() -> bool:
    """Creates and activates the demo plan once; returns whether it did anything."""
    membership = (
        Membership.objects.filter(user__email=DEMO_HR_EMAIL, role=MembershipRole.HR_MANAGER)
        .select_related("organization", "user")
        .first()
    )
    if membership is None or WelfarePlan.objects.filter(company=membership.organization).exists():
        return False
    plan = plan_create(
        company=membership.organization,
        name="Piano welfare 2026",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        legal_basis="regulation",
        residual_rule="solidarity_fund",
        allowances=[
            AllowanceInput(category="", bucket="art51_c2_f", amount_euro="300.00"),
            AllowanceInput(category="", bucket="art51_c2_fbis", amount_euro="900.00"),
            AllowanceInput(category="", bucket="art51_c3_fringe", amount_euro="250.00"),
        ],
    )
    plan_activate(plan=plan, actor=membership.user)
    return True
