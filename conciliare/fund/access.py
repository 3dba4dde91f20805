"""Who may read application data (the fund committee, and applicants their own), and the log of every reading.

Fund records in the access log never name the applicant (`subject_user_id` stays empty): the
operator exports the log, and must learn from it who read which application, not who applied.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from conciliare.accounts.models import MembershipRole
from conciliare.core.errors import NotPermitted
from conciliare.core.models import AccessLog
from conciliare.core.services import access_log_record


def not_found() -> NotPermitted:
    """The same answer for an application that does not exist and one the user may not see."""
    return NotPermitted(_("This page does not exist or is not yours to see."))


# Separation of duties: who manages the platform or a company's people never reads applications,
# even if also appointed to the committee (an operator could otherwise appoint themselves in the
# console; an HR manager would learn about their own company's workers). Console staff and
# superusers are barred for the same reason, whatever their memberships.
INCOMPATIBLE_ROLES = (MembershipRole.OPERATOR_ADMIN, MembershipRole.HR_MANAGER)


def is_committee_member(user: Any) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return False
    roles = set(user.memberships.values_list("role", flat=True))
    return MembershipRole.FUND_COMMITTEE in roles and not roles & set(INCOMPATIBLE_ROLES)


def colleagues_of(member: Any) -> Any:
    """The employees of the organizations the member belongs to, as a subquery (no join, so the
    application row can still be locked): their applications are decided by other members."""
    from conciliare.accounts.models import EmployeeProfile, Membership

    organizations = Membership.objects.filter(user=member).values("organization_id")
    return EmployeeProfile.objects.filter(company_id__in=organizations).values("user_id")


def log_access(*, actor: Any, action: str, obj: Any, request: HttpRequest | None = None, detail: str = "") -> None:
    access_log_record(actor=actor, action=action, obj=obj, subject_user_id=None, request=request, detail=detail)


# The applicant acting on their own application is marked when the row is written, not guessed
# when the log is exported: by then withdrawal or retention may have deleted the documents and
# emptied the application, and the export must still not name them. Their submission is the
# "create" row; their other rows carry one of these details.
OWN = "own"  # the applicant reads or downloads their own application
REPLY = "reply"
WITHDRAW = "withdraw"
APPLICANT_DETAILS = frozenset({OWN, REPLY, WITHDRAW})


def log_own_access(*, applicant: Any, action: str, obj: Any, request: HttpRequest | None = None) -> None:
    log_access(actor=applicant, action=action, obj=obj, request=request, detail=OWN)


def is_applicants_own(row: AccessLog) -> bool:
    """Whether a fund row records the applicant acting on their own application (no lookup)."""
    return row.action == AccessLog.Action.CREATE or row.detail in APPLICANT_DETAILS


VIEW = AccessLog.Action.VIEW
DOWNLOAD = AccessLog.Action.DOWNLOAD
CREATE = AccessLog.Action.CREATE
UPDATE = AccessLog.Action.UPDATE
DELETE = AccessLog.Action.DELETE
EXPORT = AccessLog.Action.EXPORT
