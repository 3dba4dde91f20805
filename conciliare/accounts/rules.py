"""Object-level permissions (django `rules`). Selectors build on these predicates."""

from typing import Any

import rules

from .models import MembershipRole


def _has_role(user: Any, role: str, organization_id: int | None = None) -> bool:
    if not user or not user.is_authenticated:
        return False
    memberships = user.memberships.filter(role=role)
    if organization_id is not None:
        memberships = memberships.filter(organization_id=organization_id)
    return memberships.exists()


@rules.predicate
def is_hr_of_company(user: Any, company: Any) -> bool:
    return company is not None and _has_role(user, MembershipRole.HR_MANAGER, company.pk)


@rules.predicate
def is_operator_admin(user: Any) -> bool:
    return _has_role(user, MembershipRole.OPERATOR_ADMIN)


@rules.predicate
def is_owner_of_family_member(user: Any, member: Any) -> bool:
    return member is not None and user.is_authenticated and member.user_id == user.pk


@rules.predicate
def is_hr_of_employee(user: Any, employee: Any) -> bool:
    profile = getattr(employee, "employee_profile", None)
    return profile is not None and _has_role(user, MembershipRole.HR_MANAGER, profile.company_id)


rules.add_perm("accounts.manage_company_people", is_hr_of_company)
rules.add_perm("accounts.import_employees", is_hr_of_company)
rules.add_perm("accounts.view_family_member", is_owner_of_family_member)
rules.add_perm("accounts.change_family_member", is_owner_of_family_member)
rules.add_perm("accounts.view_employee", is_hr_of_employee)
