"""Builders for buying tests: a company employee with welfare credit, a child, a nursery with a week."""

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from conciliare.accounts.models import FamilyMember, Organization, OrganizationRole, User
from conciliare.catalogue.categories import Category
from conciliare.catalogue.models import Offer, OfferSession
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, LedgerAccount, TransactionKind
from conciliare.plans.models import LegalBasis, PlanStatus, ResidualRule, WelfarePlan
from conciliare.suppliers.models import Supplier
from conciliare.testing.factories import OrganizationFactory, make_employee, make_family_member

from ..checkout import LineRequest, checkout

_keys = itertools.count(1)


def make_company() -> Organization:
    return OrganizationFactory(roles=[OrganizationRole.CLIENT_COMPANY])


def active_plan(company: Organization) -> WelfarePlan:
    today = timezone.localdate()
    plan, _created = WelfarePlan.objects.get_or_create(
        company=company,
        name=f"Piano welfare {today.year}",
        defaults={
            "starts_on": datetime.date(today.year, 1, 1),
            "ends_on": datetime.date(today.year, 12, 31),
            "legal_basis": LegalBasis.REGULATION,
            "residual_rule": ResidualRule.CARRY_OVER,
            "status": PlanStatus.ACTIVE,
            "activated_at": timezone.now(),
        },
    )
    return plan


def give_credit(user: User, bucket: str, cents: int, *, plan: WelfarePlan | None = None) -> LedgerAccount:
    """A wallet of `bucket` with `cents` of credit, funded from the outside world."""
    plan = plan or active_plan(user.employee_profile.company)
    wallet, _created = LedgerAccount.objects.get_or_create(
        kind=AccountKind.EMPLOYEE_WALLET,
        owner_user=user,
        plan_reference=plan.ledger_reference,
        fiscal_bucket=bucket,
        defaults={"name": f"{bucket} · {user.email}"},
    )
    ledger.transaction_post(
        kind=TransactionKind.CREDIT,
        legs=[(ledger.world_account(), -cents), (wallet, cents)],
        idempotency_key=f"test-credit:{next(_keys)}:{wallet.pk}",
    )
    wallet.refresh_from_db()
    return wallet


@dataclass
class Family:
    employee: User
    child: FamilyMember
    wallet: LedgerAccount


def make_family(*, fbis: int = 100_000, company: Organization | None = None) -> Family:
    """An employee with a two-year-old daughter and `fbis` cents of f-bis credit."""
    employee = make_employee(company or make_company())
    today = timezone.localdate()
    child = make_family_member(employee, birth_date=today.replace(year=today.year - 2) - datetime.timedelta(days=30))
    wallet = give_credit(employee, "art51_c2_fbis", fbis) if fbis else None
    return Family(employee=employee, child=child, wallet=wallet)  # type: ignore[arg-type]


def make_nursery(*, price: int = 25_000, seats: int = 10, **offer_fields: Any) -> tuple[Supplier, Offer, OfferSession]:
    supplier = make_supplier(categories=[Category.NURSERY])
    offer = make_offer(
        supplier, category=Category.NURSERY, price=price, min_age_months=3, max_age_months=36, **offer_fields
    )
    return supplier, offer, make_session(offer, seats=seats)


def book(family: Family, offer: Offer, session: OfferSession | None, *, key: str | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    request = LineRequest(offer_id=offer.pk, session_id=session.pk if session else None, member_id=family.child.pk)
    return checkout(
        buyer=family.employee,
        requests=[request],
        payment_method=kw.pop("payment_method", "none"),
        idempotency_key=key or f"key-{next(_keys)}",
        **kw,
    )
