"""E-mails about reimbursement requests, sent after the transaction commits.

The employee hears of every state change; the reviewers (the operator's administrators, or
the company's HR when the company chose so) hear of every submission. The e-mails carry no
detail of the service or of the family member: the link leads to the page, behind sign-in.
"""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import ReimbursementRequest


def _base_url() -> str:
    return str(getattr(settings, "CONCILIARE_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def _send_after_commit(template: str, context: dict[str, object], recipients: list[str]) -> None:
    recipients = sorted(set(filter(None, recipients)))
    if not recipients:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"reimbursements/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"reimbursements/email/{template}_body.txt", context)
        send_mass_mail([(subject, body, None, [address]) for address in recipients])

    transaction.on_commit(send)


def _context(request: ReimbursementRequest, link: str) -> dict[str, object]:
    return {
        "number": request.pk,
        "amount": request.amount,
        "status": request.status,
        "reason": request.reason,
        "company": request.company.name,
        "employee": request.employee.full_name or request.employee.email,
        "link": _base_url() + link,
    }


def submitted(request: ReimbursementRequest, *, resubmitted: bool) -> None:
    from .selectors import reviewer_emails

    own_link = reverse("reimbursements:detail", args=[request.pk])
    _send_after_commit("changed", {**_context(request, own_link), "resubmitted": resubmitted}, [request.employee.email])
    review_link = reverse("reimbursements:review", args=[request.pk])
    reviewers = [email for email in reviewer_emails(request.company) if email != request.employee.email]
    _send_after_commit("to_review", {**_context(request, review_link), "resubmitted": resubmitted}, reviewers)


def changed(request: ReimbursementRequest) -> None:
    link = reverse("reimbursements:detail", args=[request.pk])
    _send_after_commit("changed", _context(request, link), [request.employee.email])
