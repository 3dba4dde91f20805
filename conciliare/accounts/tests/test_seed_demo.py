"""The demo seed: realistic, valid Italian identifiers, deterministic, and written only once."""

import datetime
import hashlib
import io
import random
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from codicefiscale import codicefiscale
from django.core.management import call_command
from stdnum.it import iva

from conciliare.accounts.demo import (
    CITIZEN_ROLE,
    COMPANIES,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    FIRST_COMPANY,
    REFERENCE_DATE,
    DemoPlan,
    FamilyMemberPlan,
    PersonPlan,
    Place,
    age_on,
    build_demo_plan,
    demo_login,
    seed_demo,
    territory_places,
)
from conciliare.accounts.models import (
    EmployeeProfile,
    FamilyMember,
    Membership,
    MembershipRole,
    Organization,
    OrganizationRole,
    OrganizationRoleAssignment,
    Relationship,
    User,
)
from conciliare.accounts.validators import fiscal_code_mismatches
from conciliare.testing.factories import ensure_territory


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker) -> list[Place]:
    # Reads the territory loaded by the migrations (reloaded if a transactional test flushed it).
    with django_db_blocker.unblock():
        ensure_territory()
        return territory_places()


@pytest.fixture(scope="module")
def plan(places: list[Place]) -> DemoPlan:
    return build_demo_plan(places)


def _fingerprint(plan: DemoPlan) -> str:
    rows = [f"{p.email}|{p.fiscal_code}|{[m.fiscal_code for m in p.family]}" for p in plan.people]
    rows += [f"{o.name}|{o.vat_number}" for o in plan.organizations]
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _role_count(plan: DemoPlan, role: str) -> int:
    return sum(role in organization.roles for organization in plan.organizations)


# --- The plan, without writing ------------------------------------------------------------------------------------


def test_plan_is_the_same_whatever_the_global_random_state(plan: DemoPlan, places: list[Place]) -> None:
    random.seed(12345)  # the plan must not depend on the module-level generator
    again = build_demo_plan(places)
    assert again == plan
    assert _fingerprint(again) == _fingerprint(plan)


def test_plan_has_the_expected_sizes(plan: DemoPlan) -> None:
    assert _role_count(plan, OrganizationRole.CLIENT_COMPANY) == 10
    assert 35 <= _role_count(plan, OrganizationRole.SUPPLIER) <= 50
    assert _role_count(plan, OrganizationRole.OPERATOR) == 1
    assert _role_count(plan, OrganizationRole.PUBLIC_BODY) == 4  # three districts and ATS Bergamo
    assert _role_count(plan, OrganizationRole.UNION) == 3
    assert len(plan.employees) == 300
    first_company_staff = [p for p in plan.employees if p.employment and p.employment.company == FIRST_COMPANY]
    assert len(first_company_staff) == 30
    assert len(plan.people) == 300 + len(DEMO_LOGINS) - 1  # the demo employee is one of the 300


def test_one_organization_plays_several_roles(plan: DemoPlan) -> None:
    both = [
        o for o in plan.organizations if {OrganizationRole.CLIENT_COMPANY, OrganizationRole.SUPPLIER} <= set(o.roles)
    ]
    assert len(both) == 1


def test_organizations_are_spread_over_every_district_municipality(plan: DemoPlan, places: list[Place]) -> None:
    district_names = {place.name for place in places if place.district_code is not None}
    assert len(district_names) == 42
    assert district_names <= {o.municipality for o in plan.organizations}
    suppliers = [o for o in plan.organizations if OrganizationRole.SUPPLIER in o.roles]
    assert len({o.municipality for o in suppliers}) >= 35


def test_every_vat_number_is_valid_and_unique(plan: DemoPlan) -> None:
    numbers = [organization.vat_number for organization in plan.organizations]
    for number in numbers:
        assert iva.validate(number) == number
    assert len(set(numbers)) == len(numbers)


def test_every_fiscal_code_is_valid_and_matches_its_person(plan: DemoPlan) -> None:
    people: list[PersonPlan | FamilyMemberPlan] = [*plan.people, *plan.family_members]
    for person in people:
        assert codicefiscale.is_valid(person.fiscal_code), person
        mismatches = fiscal_code_mismatches(
            person.fiscal_code, first_name=person.first_name, last_name=person.last_name, birth_date=person.birth_date
        )
        assert mismatches == [], person
    codes = [person.fiscal_code for person in people]
    assert len(set(codes)) == len(codes)


def test_people_are_plausible(plan: DemoPlan) -> None:
    emails = [person.email for person in plan.people]
    assert len(set(emails)) == len(emails)
    assert all(email == email.lower() and email.isascii() for email in emails)
    for person in plan.employees:
        assert datetime.date(1960, 1, 1) <= person.birth_date <= datetime.date(2003, 12, 31)
        assert person.employment is not None
        assert person.employment.hire_date < REFERENCE_DATE
        assert age_on(person.birth_date, person.employment.hire_date) >= 18
    assert any(person.employment and person.employment.shift_worker for person in plan.people)
    assert len({person.residence for person in plan.employees}) >= 25


def test_families_have_a_realistic_mix(plan: DemoPlan) -> None:
    members = plan.family_members
    relationships = Counter(member.relationship for member in members)
    assert relationships[Relationship.CHILD] > 100
    assert relationships[Relationship.SPOUSE] + relationships[Relationship.PARTNER] > 100
    children = [member for member in members if member.relationship == Relationship.CHILD]
    ages = [age_on(child.birth_date) for child in children]
    for low, high in ((0, 3), (3, 6), (6, 14), (14, 18)):
        assert any(low <= age < high for age in ages), (low, high)
    assert sum(child.fiscally_dependent for child in children) > len(children) / 2
    elderly = [m for m in members if m.relationship in (Relationship.PARENT, Relationship.PARENT_IN_LAW)]
    assert elderly and all(age_on(m.birth_date) >= 75 for m in elderly)
    assert 0 < sum(m.non_self_sufficient for m in elderly) < len(elderly)
    assert any(m.disability for m in members)
    for person in plan.people:
        codes = [member.fiscal_code for member in person.family]
        assert len(set(codes)) == len(codes)
        assert all(m.last_name == person.last_name for m in person.family if m.relationship == Relationship.CHILD)


def test_demo_employee_has_the_family_the_walkthrough_needs(plan: DemoPlan) -> None:
    employee = next(p for p in plan.people if p.email == demo_login(MembershipRole.EMPLOYEE).email)
    assert employee.employment is not None and employee.employment.company == FIRST_COMPANY
    children = sorted(age_on(m.birth_date) for m in employee.family if m.relationship == Relationship.CHILD)
    # On the reference date (1 January 2026); Tommaso turns two in September 2026 and fits a nursery
    # (3 to 36 months) until September 2027, when the buying walkthrough books him a summer week.
    assert children == [1, 8]
    parents = [m for m in employee.family if m.relationship == Relationship.PARENT]
    assert len(parents) == 1 and parents[0].non_self_sufficient and 78 <= age_on(parents[0].birth_date) <= 82


# --- Writing ------------------------------------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "roles": OrganizationRoleAssignment.objects.count(),
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "memberships": Membership.objects.count(),
        "profiles": EmployeeProfile.objects.count(),
        "family": FamilyMember.objects.count(),
    }


@pytest.mark.django_db
def test_seed_writes_the_plan(plan: DemoPlan) -> None:
    before = _counts()
    result = seed_demo(plan)
    after = _counts()

    assert result.created
    assert after["organizations"] - before["organizations"] == len(plan.organizations)
    assert after["users"] - before["users"] == len(plan.people)
    assert after["emails"] - before["emails"] == len(plan.people)
    assert after["profiles"] - before["profiles"] == 300
    assert after["family"] - before["family"] == len(plan.family_members)
    assert Membership.objects.filter(role=MembershipRole.EMPLOYEE).count() == 300
    seeded = Organization.objects.filter(name__in=[o.name for o in plan.organizations])
    assert not seeded.filter(alliance_member=False).exists()
    assert seeded.filter(roles__role=OrganizationRole.CLIENT_COMPANY).count() == len(COMPANIES)
    assert all(number and iva.is_valid(number) for number in seeded.values_list("vat_number", flat=True))

    stored = set(User.objects.filter(email__in=[p.email for p in plan.people]).values_list("email", "fiscal_code"))
    assert stored == {(person.email, person.fiscal_code) for person in plan.people}
    for member in FamilyMember.objects.order_by("pk")[::25]:  # a sample, read back from the database
        assert codicefiscale.is_valid(member.fiscal_code)
        assert not fiscal_code_mismatches(
            member.fiscal_code, first_name=member.first_name, last_name=member.last_name, birth_date=member.birth_date
        )


@pytest.mark.django_db
def test_each_demo_login_works_with_its_role(plan: DemoPlan) -> None:
    seed_demo(plan)
    for login in DEMO_LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(DEMO_PASSWORD), login.email
        assert user.fiscal_code and codicefiscale.is_valid(user.fiscal_code)
        assert user.residence_municipality is not None
        assert EmailAddress.objects.filter(user=user, email=login.email, verified=True, primary=True).exists()
        roles = set(user.memberships.values_list("role", "organization__name"))
        if login.role == CITIZEN_ROLE:
            assert roles == set()
        else:
            assert (login.role, login.organization) in roles
    operator = User.objects.get(email=demo_login(MembershipRole.OPERATOR_ADMIN).email)
    assert operator.is_staff and operator.is_superuser
    hr_company = Membership.objects.get(user__email=demo_login(MembershipRole.HR_MANAGER).email).organization
    assert EmployeeProfile.objects.filter(company=hr_company).count() == 30
    employee = User.objects.get(email=demo_login(MembershipRole.EMPLOYEE).email)
    assert employee.employee_profile.company == hr_company
    assert employee.family_members.filter(non_self_sufficient=True, non_self_sufficiency_certificate="").count() == 1
    others = User.objects.exclude(email__in=[login.email for login in DEMO_LOGINS])
    assert not any(user.has_usable_password() for user in others.filter(employee_profile__isnull=False))


@pytest.mark.django_db
def test_second_run_changes_nothing_and_prints_the_logins() -> None:
    first = io.StringIO()
    call_command("seed_demo", stdout=first)
    counts = _counts()
    assert counts["profiles"] == 300

    second = io.StringIO()
    call_command("seed_demo", stdout=second)

    assert _counts() == counts
    assert "già presenti" in second.getvalue()
    for login in DEMO_LOGINS:
        assert login.email in second.getvalue()
    assert DEMO_PASSWORD in second.getvalue()
