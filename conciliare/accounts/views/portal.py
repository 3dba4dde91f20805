from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.territory.selectors import district_list_with_totals

from ..models import MFA_ROLES, MembershipRole
from ..selectors import (
    companies_for_hr,
    employee_profile_for_user,
    family_member_list_for_user,
    memberships_for_user,
)
from ..selectors_dashboard import client_companies_overview, district_reach, hr_company_cards, operator_overview


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html", {"districts": district_list_with_totals()})


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One home for everybody: a section per role the person holds, nothing else."""
    user = request.user
    memberships = list(memberships_for_user(user))
    roles = {m.role for m in memberships}
    context: dict[str, object] = {
        "memberships": memberships,
        "roles": roles,
        "is_citizen": not memberships,
        "needs_mfa": bool(roles & MFA_ROLES),
        "has_totp": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
    }
    if MembershipRole.EMPLOYEE in roles or not memberships:
        context["employee_profile"] = employee_profile_for_user(user)
        context["family_count"] = family_member_list_for_user(user).count()
    if MembershipRole.HR_MANAGER in roles:
        context["hr_cards"] = hr_company_cards(list(companies_for_hr(user)))
    if MembershipRole.OPERATOR_ADMIN in roles:
        context["operator"] = operator_overview()
    if roles & {MembershipRole.MONITORING, MembershipRole.OPERATOR_ADMIN, MembershipRole.CONSULTANT}:
        context["reach"] = district_reach()
    if MembershipRole.CONSULTANT in roles:
        context["client_companies"] = client_companies_overview()
    context["supplier_organizations"] = [m.organization for m in memberships if m.role == MembershipRole.SUPPLIER_STAFF]
    context["committee_organizations"] = [
        m.organization for m in memberships if m.role == MembershipRole.FUND_COMMITTEE
    ]
    return render(request, "accounts/dashboard.html", context)
