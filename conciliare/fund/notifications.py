"""E-mails of the fund, after commit. The committee's e-mails carry only the application's reference
(never the applicant's name or data); the applicant's carry their own outcome."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from conciliare.accounts.models import MembershipRole, User
from conciliare.orders.notifications import base_url

from . import access
from .models import FundApplication


def _send_after_commit(template: str, context: dict[str, Any], recipients: list[str]) -> None:
    recipients = sorted(set(filter(None, recipients)))
    if not recipients:
        return

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string(f"fund/email/{template}_subject.txt", context).split())
            body = render_to_string(f"fund/email/{template}_body.txt", context)
        send_mass_mail([(subject, body, None, [address]) for address in recipients])

    transaction.on_commit(send)


def committee_emails(*, excluding: Any = None) -> list[str]:
    """The members who may decide: not the applicant, not people of the applicant's company, and not
    anyone whose other roles bar them from the committee's work (see access.is_committee_member)."""
    members = User.objects.filter(
        memberships__role=MembershipRole.FUND_COMMITTEE, is_active=True, is_staff=False, is_superuser=False
    ).exclude(memberships__role__in=access.INCOMPATIBLE_ROLES)
    if excluding is not None:
        members = members.exclude(pk=excluding.pk).exclude(
            memberships__organization__in=excluding.memberships.values("organization")
        )
    return list(members.distinct().values_list("email", flat=True))


def tell_committee_new_application(application: FundApplication) -> None:
    url = base_url() + reverse("fund:committee_detail", args=[application.pk])
    _send_after_commit(
        "committee_new",
        {"reference": application.reference, "url": url},
        committee_emails(excluding=application.applicant),
    )


def tell_committee_reply(application: FundApplication) -> None:
    url = base_url() + reverse("fund:committee_detail", args=[application.pk])
    _send_after_commit(
        "committee_reply",
        {"reference": application.reference, "url": url},
        committee_emails(excluding=application.applicant),
    )


def tell_applicant(application: FundApplication) -> None:
    """A neutral message: the address is often a work mailbox others may read, so neither the subject,
    nor the text, nor the link says that it is about the fund. The outcome is on the site."""
    applicant = application.applicant
    if applicant is None:
        return
    url = base_url() + reverse("accounts:dashboard")
    _send_after_commit("applicant_news", {"url": url, "first_name": applicant.first_name}, [applicant.email])
