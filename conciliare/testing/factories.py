"""Factories for tests: valid Italian identifiers, real municipalities."""

import datetime
import itertools
from typing import Any

import factory
from codicefiscale import codicefiscale
from stdnum import luhn

from conciliare.accounts.models import (
    ContractCategory,
    EmployeeProfile,
    FamilyMember,
    Membership,
    Organization,
    OrganizationRoleAssignment,
    Relationship,
    User,
)
from conciliare.territory.models import Municipality

PASSWORD = "Sicura-Password-2026"
_vat_sequence = itertools.count(1)

FIRST_NAMES = [
    "Anna",
    "Bruno",
    "Carla",
    "Dario",
    "Elena",
    "Franco",
    "Giulia",
    "Luca",
    "Marta",
    "Paolo",
    "Sara",
    "Marco",
]
LAST_NAMES = [
    "Rossi",
    "Bonetti",
    "Carrara",
    "Pezzotta",
    "Bertoli",
    "Zanardi",
    "Belotti",
    "Ghilardi",
    "Cortesi",
    "Foresti",
]


def make_vat_number(seed: int) -> str:
    body = f"{seed:07d}" + "016"  # 7-digit serial + province office of Bergamo
    return body + luhn.calc_check_digit(body)


def make_fiscal_code(first_name: str, last_name: str, birth_date: datetime.date, gender: str = "F") -> str:
    return codicefiscale.encode(
        lastname=last_name,
        firstname=first_name,
        gender=gender,
        birthdate=birth_date.strftime("%d/%m/%Y"),
        birthplace="Bergamo",
    )


def municipality(name: str = "Lovere") -> Municipality:
    return Municipality.objects.get(name=name)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organizzazione {n} S.r.l.")
    vat_number = factory.LazyFunction(lambda: make_vat_number(next(_vat_sequence)))
    municipality = factory.LazyFunction(lambda: municipality("Lovere"))

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for role in extracted or []:
            OrganizationRoleAssignment.objects.create(organization=self, role=role)


_person_sequence = itertools.count(0)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        index = factory.LazyFunction(lambda: next(_person_sequence))

    first_name = factory.LazyAttribute(lambda o: FIRST_NAMES[o.index % len(FIRST_NAMES)])
    last_name = factory.LazyAttribute(lambda o: LAST_NAMES[(o.index // len(FIRST_NAMES)) % len(LAST_NAMES)])
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}.{o.last_name.lower()}.{o.index}@example.it")
    # Wraps so that long test runs never produce a birth date in the future.
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(1960, 1, 1) + datetime.timedelta(days=(o.index * 37) % 12000)
    )
    fiscal_code = factory.LazyAttribute(lambda o: make_fiscal_code(o.first_name, o.last_name, o.birth_date))
    residence_municipality = factory.LazyFunction(lambda: municipality("Costa Volpino"))
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        from allauth.account.models import EmailAddress

        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


def make_employee(company: Organization, **user_fields: Any) -> User:
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, organization=company, role="employee")
    EmployeeProfile.objects.create(
        user=user,
        company=company,
        workplace_municipality=company.municipality,
        contract_category=ContractCategory.CLERKS,
        hire_date=datetime.date(2020, 9, 1),
    )
    return user


def make_member(user: User, organization: Organization, role: str) -> User:
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def make_family_member(
    user: User, *, first_name: str = "Sofia", birth_date: datetime.date | None = None, **fields: Any
) -> FamilyMember:
    birth_date = birth_date or datetime.date(2023, 5, 10)
    fields.setdefault("relationship", Relationship.CHILD)
    return FamilyMember.objects.create(
        user=user,
        first_name=first_name,
        last_name=user.last_name,
        birth_date=birth_date,
        fiscal_code=make_fiscal_code(first_name, user.last_name, birth_date),
        **fields,
    )


def ensure_territory() -> None:
    """Reloads the territory if a transactional test flushed it (it comes from a data migration)."""
    from conciliare.territory.loading import load_territory
    from conciliare.territory.models import District

    if not Municipality.objects.exists():
        load_territory(District, Municipality)
