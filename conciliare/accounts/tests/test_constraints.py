"""Every database constraint of people and organizations refuses what it should."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from conciliare.accounts.models import (
    DependentChildrenDeclaration,
    EmployeeImport,
    EmployeeProfile,
    FamilyMember,
    Membership,
    Organization,
    OrganizationRoleAssignment,
    User,
)
from conciliare.core.models import AccessLog
from conciliare.testing.factories import make_family_member, municipality

pytestmark = pytest.mark.django_db

REFUSED = (IntegrityError, DataError)


def refused(action) -> None:
    with pytest.raises(REFUSED), transaction.atomic():
        action()


def test_email_is_unique_ignoring_case(cast):
    refused(lambda: User.objects.create(email=cast.employee_anna.email.upper()))


def test_user_fiscal_code_format(cast):
    refused(lambda: User.objects.create(email="x@example.it", fiscal_code="rssmra85m01a794x"))
    refused(lambda: User.objects.create(email="y@example.it", fiscal_code="RSSMRA85"))


def test_user_fiscal_code_unique(cast):
    refused(lambda: User.objects.create(email="z@example.it", fiscal_code=cast.employee_anna.fiscal_code))


def test_organization_vat_number_format_and_uniqueness(cast):
    lovere = municipality("Lovere")
    refused(lambda: Organization.objects.create(name="X", vat_number="ABC", municipality=lovere))
    refused(lambda: Organization.objects.create(name="Y", vat_number=cast.company.vat_number, municipality=lovere))


def test_organization_role_once_and_valid(cast):
    refused(lambda: OrganizationRoleAssignment.objects.create(organization=cast.company, role="client_company"))
    refused(lambda: OrganizationRoleAssignment.objects.create(organization=cast.company, role="bank"))


def test_a_company_can_also_be_a_supplier(cast):
    OrganizationRoleAssignment.objects.create(organization=cast.company, role="supplier")
    assert sorted(cast.company.roles.values_list("role", flat=True)) == ["client_company", "supplier"]


def test_membership_role_once_and_valid(cast):
    refused(lambda: Membership.objects.create(user=cast.hr_bruno, organization=cast.company, role="hr_manager"))
    refused(lambda: Membership.objects.create(user=cast.hr_bruno, organization=cast.company, role="king"))


def test_employee_contract_category_valid(cast):
    refused(
        lambda: EmployeeProfile.objects.create(
            user=cast.citizen_franco, company=cast.company, workplace_municipality=municipality(), contract_category="x"
        )
    )


def test_one_employment_per_person(cast):
    refused(
        lambda: EmployeeProfile.objects.create(
            user=cast.employee_anna,
            company=cast.other_company,
            workplace_municipality=municipality(),
            contract_category="operai",
        )
    )


def test_family_member_constraints(cast):
    sofia = cast.employee_anna.family_members.get()
    refused(lambda: make_family_member(cast.employee_anna, first_name="Sofia", birth_date=sofia.birth_date))
    refused(
        lambda: FamilyMember.objects.create(
            user=cast.employee_anna,
            relationship="child",
            first_name="A",
            last_name="B",
            fiscal_code="short",
            birth_date=datetime.date(2020, 1, 1),
        )
    )
    refused(lambda: make_family_member(cast.employee_anna, first_name="Luca", relationship="cousin"))


def test_a_certificate_needs_a_non_self_sufficient_relative(cast):
    sofia = cast.employee_anna.family_members.get()
    sofia.non_self_sufficiency_certificate.save("c.pdf", ContentFile(b"%PDF-1.4"), save=False)
    refused(lambda: sofia.save())


def test_one_active_dependent_declaration_per_year(cast):
    DependentChildrenDeclaration.objects.create(user=cast.employee_anna, tax_year=2026, children=[], statement="s")
    refused(
        lambda: DependentChildrenDeclaration.objects.create(
            user=cast.employee_anna, tax_year=2026, children=[], statement="s"
        )
    )
    refused(
        lambda: DependentChildrenDeclaration.objects.create(
            user=cast.employee_anna, tax_year=1999, children=[], statement="s"
        )
    )
    DependentChildrenDeclaration.objects.filter(user=cast.employee_anna).update(withdrawn_at=timezone.now())
    DependentChildrenDeclaration.objects.create(user=cast.employee_anna, tax_year=2026, children=[], statement="s")


def test_employee_import_status_and_commit_time(cast):
    def make(**fields):
        return EmployeeImport.objects.create(company=cast.company, uploaded_by=cast.hr_bruno, file_name="f", **fields)

    refused(lambda: make(status="exploded"))
    refused(lambda: make(status="committed"))
    make(status="committed", committed_at=timezone.now())


def test_access_log_action_valid(cast):
    refused(lambda: AccessLog.objects.create(actor=cast.operator_olga, action="peek", object_type="x", object_id="1"))
