"""E-mails about applications and the charter, sent after the transaction commits."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from conciliare.accounts.models import MembershipRole, User

from .models import CharterVersion, Supplier


def _base_url() -> str:
    return str(getattr(settings, "CONCILIARE_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def _send_after_commit(template: str, context: dict[str, object], recipients: list[str]) -> None:
    recipients = sorted(set(filter(None, recipients)))
    if not recipients:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"suppliers/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"suppliers/email/{template}_body.txt", context)
        send_mass_mail([(subject, body, None, [address]) for address in recipients])

    transaction.on_commit(send)


def _staff_emails(supplier: Supplier) -> list[str]:
    staff = User.objects.filter(
        memberships__organization_id=supplier.organization_id,
        memberships__role=MembershipRole.SUPPLIER_STAFF,
        is_active=True,
    )
    return [supplier.contact_email, *staff.values_list("email", flat=True)]


def application_submitted(supplier: Supplier) -> None:
    operators = User.objects.filter(memberships__role=MembershipRole.OPERATOR_ADMIN, is_active=True)
    link = _base_url() + reverse("suppliers:review", args=[supplier.pk])
    _send_after_commit(
        "submitted", {"supplier": supplier, "link": link}, list(operators.values_list("email", flat=True))
    )


def application_decided(supplier: Supplier, *, decision: str, reason: str) -> None:
    link = _base_url() + reverse("suppliers:area", args=[supplier.pk])
    _send_after_commit(
        "decided", {"supplier": supplier, "decision": decision, "reason": reason, "link": link}, _staff_emails(supplier)
    )


def charter_changed(version: CharterVersion) -> None:
    staff = User.objects.filter(memberships__role=MembershipRole.SUPPLIER_STAFF, is_active=True)
    link = _base_url() + reverse("suppliers:charter")
    _send_after_commit(
        "charter_changed", {"version": version, "link": link}, list(staff.values_list("email", flat=True))
    )


def durc_reminder(supplier: Supplier, *, days_left: int) -> None:
    link = _base_url() + reverse("suppliers:edit", args=[supplier.pk])
    _send_after_commit(
        "durc_reminder", {"supplier": supplier, "days_left": days_left, "link": link}, _staff_emails(supplier)
    )
