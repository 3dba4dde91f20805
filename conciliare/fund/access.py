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


def is_committee_member(user: Any) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.memberships.filter(role=MembershipRole.FUND_COMMITTEE).exists())


def log_access(*, actor: Any, action: str, obj: Any, request: HttpRequest | None = None, detail: str = "") -> None:
    access_log_record(actor=actor, action=action, obj=obj, subject_user_id=None, request=request, detail=detail)


VIEW = AccessLog.Action.VIEW
DOWNLOAD = AccessLog.Action.DOWNLOAD
CREATE = AccessLog.Action.CREATE
UPDATE = AccessLog.Action.UPDATE
DELETE = AccessLog.Action.DELETE
EXPORT = AccessLog.Action.EXPORT
