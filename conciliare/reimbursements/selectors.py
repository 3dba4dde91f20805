"""Reads about reimbursements, always scoped to who asks.

The employee sees their own requests; the reviewer of a company (the operator, unless the
company chose its HR) sees that company's submitted requests, never their own. Anybody else
gets `NotPermitted` (shown as 404), whether the request exists or not.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conciliare.accounts.models import MembershipRole, Organization
from conciliare.accounts.rules import is_operator_admin
from conciliare.accounts.selectors import companies_for_hr
from conciliare.catalogue.categories import Category
from conciliare.core.errors import NotPermitted

from .models import (
    ReimbursementEvent,
    ReimbursementPolicy,
    ReimbursementReceipt,
    ReimbursementRequest,
    ReviewerKind,
)

# Categories of the rules engine that are not sold in the catalogue but can be refunded.
EXTRA_CATEGORY_LABELS: dict[str, Promise] = {
    "public_transport_pass": gettext_lazy("Public transport pass"),
    "utilities": gettext_lazy("Household utilities (water, electricity, gas)"),
    "long_term_care_cover": gettext_lazy("Long-term-care cover"),
}


def category_label(code: str) -> str:
    if code in Category.values:
        return str(Category(code).label)
    return str(EXTRA_CATEGORY_LABELS.get(code, code))


def reviewer_of(company: Organization) -> str:
    policy = ReimbursementPolicy.objects.filter(company=company).first()
    return policy.reviewer if policy is not None else ReviewerKind.OPERATOR


def _hr_reviewed() -> Any:
    return Exists(ReimbursementPolicy.objects.filter(company=OuterRef("company"), reviewer=ReviewerKind.HR))


def _with_display(queryset: QuerySet[ReimbursementRequest]) -> QuerySet[ReimbursementRequest]:
    return queryset.select_related("employee", "company", "family_member")


# --- The employee -------------------------------------------------------------------------------------------------


def reimbursements_for_employee(user: Any) -> QuerySet[ReimbursementRequest]:
    if not user.is_authenticated:
        return ReimbursementRequest.objects.none()
    return _with_display(ReimbursementRequest.objects.filter(employee=user)).order_by("-submitted_at", "-pk")


def reimbursement_get_for_employee(*, user: Any, request_id: int) -> ReimbursementRequest:
    found = reimbursements_for_employee(user).filter(pk=request_id).first()
    if found is None:
        raise NotPermitted(_("Reimbursement request not found."))
    return found


# --- The reviewer -------------------------------------------------------------------------------------------------


def reviewable_company_ids(user: Any) -> tuple[bool, set[int]]:
    """(reviews as operator, ids of companies whose HR reviewer the user is)."""
    if not user.is_authenticated:
        return False, set()
    operator = is_operator_admin(user)
    hr_companies = set(
        ReimbursementPolicy.objects.filter(reviewer=ReviewerKind.HR, company__in=companies_for_hr(user)).values_list(
            "company_id", flat=True
        )
    )
    return operator, hr_companies


def is_reviewer(user: Any) -> bool:
    operator, companies = reviewable_company_ids(user)
    return operator or bool(companies)


def reimbursements_for_reviewer(
    user: Any, *, status: str = "", company_id: int | None = None, flagged: bool | None = None
) -> QuerySet[ReimbursementRequest]:
    """Requests the user may decide on (and those already decided), newest first; never their own."""
    operator, hr_companies = reviewable_company_ids(user)
    if not operator and not hr_companies:
        return ReimbursementRequest.objects.none()
    scope = Q(company_id__in=hr_companies)
    if operator:
        scope |= Q(hr_reviewed=False)
    queryset = ReimbursementRequest.objects.annotate(hr_reviewed=_hr_reviewed()).filter(scope).exclude(employee=user)
    if status:
        queryset = queryset.filter(status=status)
    if company_id is not None:
        queryset = queryset.filter(company_id=company_id)
    if flagged is not None:
        queryset = queryset.filter(flagged=flagged)
    return _with_display(queryset).order_by("submitted_at", "pk")


def reimbursement_get_for_reviewer(*, user: Any, request_id: int) -> ReimbursementRequest:
    found = reimbursements_for_reviewer(user).filter(pk=request_id).first()
    if found is None:
        raise NotPermitted(_("Reimbursement request not found."))
    return found


def reimbursement_get_for_viewer(*, user: Any, request_id: int) -> ReimbursementRequest:
    """The employee who asked, or a reviewer of the company."""
    found = reimbursements_for_employee(user).filter(pk=request_id).first()
    if found is None:
        found = reimbursements_for_reviewer(user).filter(pk=request_id).first()
    if found is None:
        raise NotPermitted(_("Reimbursement request not found."))
    return found


def receipt_get_for_viewer(*, user: Any, request_id: int, receipt_id: int) -> ReimbursementReceipt:
    request = reimbursement_get_for_viewer(user=user, request_id=request_id)
    receipt = ReimbursementReceipt.objects.filter(request=request, pk=receipt_id).select_related("request").first()
    if receipt is None:
        raise NotPermitted(_("Document not found."))
    return receipt


def reviewer_companies(user: Any) -> QuerySet[Organization]:
    """The companies whose requests the user reviews (for the queue's filter)."""
    operator, hr_companies = reviewable_company_ids(user)
    scope = Q(pk__in=hr_companies)
    if operator:
        scope |= Q(
            pk__in=ReimbursementRequest.objects.exclude(company__reimbursement_policy__reviewer=ReviewerKind.HR).values(
                "company_id"
            )
        )
    return Organization.objects.filter(scope).order_by("name")


def events_of(request: ReimbursementRequest) -> QuerySet[ReimbursementEvent]:
    return request.events.select_related("actor").order_by("at", "pk")


def receipts_of(request: ReimbursementRequest) -> QuerySet[ReimbursementReceipt]:
    return request.receipts.order_by("-uploaded_at", "-pk")


def with_current_receipt(queryset: QuerySet[ReimbursementRequest]) -> QuerySet[ReimbursementRequest]:
    return queryset.prefetch_related(
        Prefetch("receipts", queryset=ReimbursementReceipt.objects.order_by("-uploaded_at", "-pk"))
    )


# --- HR: the company's choice -------------------------------------------------------------------------------------


def reviewer_emails(company: Organization) -> list[str]:
    from conciliare.accounts.models import User

    if reviewer_of(company) == ReviewerKind.HR:
        people = User.objects.filter(
            memberships__organization=company, memberships__role=MembershipRole.HR_MANAGER, is_active=True
        )
    else:
        people = User.objects.filter(memberships__role=MembershipRole.OPERATOR_ADMIN, is_active=True)
    return sorted(set(people.values_list("email", flat=True)))
