"""Reads, always scoped to what the asking user may see.

A view never calls `Model.objects.get(pk=...)` on a user-supplied id: it calls a
selector here, which answers `NotPermitted` (shown as 404) both when the object
does not exist and when it belongs to someone else, so ids reveal nothing.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from conciliare.core.errors import NotPermitted

from .models import (
    EmployeeImport,
    EmployeeProfile,
    FamilyMember,
    Membership,
    MembershipRole,
    Organization,
    OrganizationRole,
)


def membership_roles(user: Any) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(user.memberships.values_list("role", flat=True))


def memberships_for_user(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization", "organization__municipality")


def companies_for_hr(user: Any) -> QuerySet[Organization]:
    return Organization.objects.filter(
        memberships__user=user,
        memberships__role=MembershipRole.HR_MANAGER,
        roles__role=OrganizationRole.CLIENT_COMPANY,
    ).distinct()


def company_get_for_hr(*, user: Any, company_id: int) -> Organization:
    company = companies_for_hr(user).filter(pk=company_id).first() if user.is_authenticated else None
    if company is None:
        raise NotPermitted(_("Company not found."))
    return company


def employee_list_for_hr(*, user: Any, company_id: int, search: str = "") -> QuerySet[EmployeeProfile]:
    company = company_get_for_hr(user=user, company_id=company_id)
    queryset = EmployeeProfile.objects.filter(company=company).select_related(
        "user", "user__residence_municipality", "workplace_municipality"
    )
    for term in search.replace("\x00", "").split()[:5]:
        queryset = queryset.filter(
            Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
            | Q(user__email__icontains=term)
            | Q(user__fiscal_code__icontains=term)
        )
    return queryset.order_by("user__last_name", "user__first_name", "pk")


def employee_profile_for_user(user: Any) -> EmployeeProfile | None:
    if not user.is_authenticated:
        return None
    return EmployeeProfile.objects.filter(user=user).select_related("company", "workplace_municipality").first()


def family_member_list_for_user(user: Any) -> QuerySet[FamilyMember]:
    return FamilyMember.objects.filter(user=user).order_by("birth_date", "pk")


def family_member_get_for_user(*, user: Any, member_id: int) -> FamilyMember:
    member = FamilyMember.objects.filter(user=user, pk=member_id).first() if user.is_authenticated else None
    if member is None:
        raise NotPermitted(_("Family member not found."))
    return member


def employee_import_get_for_hr(*, user: Any, company_id: int, import_id: int) -> EmployeeImport:
    company = company_get_for_hr(user=user, company_id=company_id)
    found = EmployeeImport.objects.filter(company=company, pk=import_id).first()
    if found is None:
        raise NotPermitted(_("Import not found."))
    return found
