"""Named people per role, as in the seed of a real alliance (see STYLE.md habit 8)."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client

from conciliare.accounts.models import MembershipRole, Organization, OrganizationRole, User
from conciliare.testing.factories import (
    PASSWORD,
    OrganizationFactory,
    UserFactory,
    make_employee,
    make_family_member,
    make_member,
    municipality,
)


@dataclass
class Cast:
    """Everybody the authorization tests need, in two companies."""

    company: Organization
    other_company: Organization
    supplier: Organization
    operator: Organization
    district: Organization
    employee_anna: User
    employee_other_ugo: User
    hr_bruno: User
    hr_other_ivo: User
    supplier_carla: User
    operator_olga: User
    committee_cesare: User
    consultant_dario: User
    monitoring_elena: User
    citizen_franco: User

    def role_users(self) -> dict[str, User]:
        return {
            "employee": self.employee_anna,
            "hr_manager": self.hr_bruno,
            "supplier_staff": self.supplier_carla,
            "operator_admin": self.operator_olga,
            "fund_committee": self.committee_cesare,
            "consultant": self.consultant_dario,
            "monitoring": self.monitoring_elena,
            "citizen": self.citizen_franco,
        }


@pytest.fixture
def cast(db: None) -> Cast:
    company = OrganizationFactory(name="Tessitura Sebina S.p.A.", roles=[OrganizationRole.CLIENT_COMPANY])
    other = OrganizationFactory(
        name="Meccanica Cavallina S.r.l.",
        municipality=municipality("Trescore Balneario"),
        roles=[OrganizationRole.CLIENT_COMPANY],
    )
    supplier = OrganizationFactory(name="Asilo Nido Il Girasole", roles=[OrganizationRole.SUPPLIER])
    operator = OrganizationFactory(
        name="Cooperativa Gestore", roles=[OrganizationRole.OPERATOR, OrganizationRole.COOPERATIVE]
    )
    district = OrganizationFactory(name="Ambito Val Cavallina", roles=[OrganizationRole.PUBLIC_BODY])
    anna = make_employee(company, first_name="Anna", last_name="Rossi")
    make_family_member(anna, first_name="Sofia", fiscally_dependent=True)
    ugo = make_employee(other, first_name="Ugo", last_name="Belotti")
    make_family_member(
        ugo,
        first_name="Pietro",
        non_self_sufficient=True,
        relationship="parent",
        birth_date=datetime.date(1942, 3, 3),
    )
    return Cast(
        company=company,
        other_company=other,
        supplier=supplier,
        operator=operator,
        district=district,
        employee_anna=anna,
        employee_other_ugo=ugo,
        hr_bruno=make_member(UserFactory(first_name="Bruno"), company, MembershipRole.HR_MANAGER),
        hr_other_ivo=make_member(UserFactory(first_name="Ivo"), other, MembershipRole.HR_MANAGER),
        supplier_carla=make_member(UserFactory(first_name="Carla"), supplier, MembershipRole.SUPPLIER_STAFF),
        operator_olga=make_member(
            UserFactory(first_name="Olga", is_staff=True, is_superuser=True), operator, MembershipRole.OPERATOR_ADMIN
        ),
        committee_cesare=make_member(UserFactory(first_name="Cesare"), operator, MembershipRole.FUND_COMMITTEE),
        consultant_dario=make_member(UserFactory(first_name="Dario"), operator, MembershipRole.CONSULTANT),
        monitoring_elena=make_member(UserFactory(first_name="Elena"), district, MembershipRole.MONITORING),
        citizen_franco=UserFactory(first_name="Franco"),
    )


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    def _login(user: User) -> Client:
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client

    return _login


__all__ = ["PASSWORD"]
