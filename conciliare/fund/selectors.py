"""Reads of the fund, scoped to who asks. Committee readings of an application are logged here,
in the same transaction as the read, so that no reading escapes the access log."""

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from conciliare.core.models import AccessLog
from conciliare.ledger import services as ledger
from conciliare.ledger.models import Entry, LedgerAccount

from . import access
from .models import GRANT_BUCKET, ApplicationDocument, ApplicationStatus, FundApplication, Grant


def committee_queue(member: Any, *, status: str = "") -> QuerySet[FundApplication]:
    """Open applications first, the highest score first, then the oldest. No applicant data:
    the queue shows references, scores and votes."""
    if not access.is_committee_member(member):
        raise access.not_found()
    queue = (
        FundApplication.objects.filter(pseudonymised_at__isnull=True)
        .exclude(status=ApplicationStatus.WITHDRAWN)  # consent withdrawn: nobody reads it any more
        .exclude(applicant=member)
        .exclude(applicant__in=access.colleagues_of(member))
        .annotate(
            approvals=Count("votes", filter=Q(votes__vote="approve")),
            rejections=Count("votes", filter=Q(votes__vote="reject")),
            my_votes=Count("votes", filter=Q(votes__member=member)),
        )
        .select_related("regulation")
        .order_by("-score", "submitted_at", "pk")
    )
    return queue.filter(status=status) if status else queue


def application_open_for_committee(
    *, member: Any, application_id: int, request: HttpRequest | None = None
) -> FundApplication:
    """An application for a committee member to read; the reading is logged."""
    application = (
        committee_queue(member)
        .select_related("applicant", "district", "regulation")
        .prefetch_related("documents", "votes__member")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise access.not_found()
    access.log_access(actor=member, action=access.VIEW, obj=application, request=request)
    return application


def document_for_committee(
    *, member: Any, application_id: int, document_id: int, request: HttpRequest | None = None
) -> ApplicationDocument:
    document = (
        ApplicationDocument.objects.filter(
            pk=document_id, application_id=application_id, application__in=committee_queue(member)
        )
        .select_related("application")
        .first()
    )
    if document is None:
        raise access.not_found()
    access.log_access(actor=member, action=access.DOWNLOAD, obj=document, request=request)
    return document


def applications_of(applicant: Any) -> QuerySet[FundApplication]:
    return FundApplication.objects.filter(applicant=applicant).select_related("grant").order_by("-submitted_at")


def application_of(*, applicant: Any, application_id: int, request: HttpRequest | None = None) -> FundApplication:
    application = applications_of(applicant).prefetch_related("documents").filter(pk=application_id).first()
    if application is None:
        raise access.not_found()
    access.log_own_access(applicant=applicant, action=access.VIEW, obj=application, request=request)
    return application


def document_of(
    *, applicant: Any, application_id: int, document_id: int, request: HttpRequest | None = None
) -> ApplicationDocument:
    document = (
        ApplicationDocument.objects.filter(
            pk=document_id, application_id=application_id, application__applicant=applicant
        )
        .select_related("application")
        .first()
    )
    if document is None:
        raise access.not_found()
    access.log_own_access(applicant=applicant, action=access.DOWNLOAD, obj=document, request=request)
    return document


def active_grants_of(user: Any, *, today: datetime.date | None = None) -> QuerySet[Grant]:
    """The worker's own grants still valid `today` (the last day included, as at checkout: see
    orders.allocation), with what is left on each (their wallet)."""
    today = today or timezone.localdate()
    return (
        Grant.objects.filter(wallet__owner_user=user, expires_on__gte=today)
        .select_related("wallet", "application")
        .order_by("expires_on")
    )


def fund_entries() -> QuerySet[Entry]:
    """Every movement of the fund account, for the operator: amounts, kinds, dates and memos
    (which name orders and grant references, never people)."""
    return (
        Entry.objects.filter(account=ledger.solidarity_fund_account())
        .select_related("transaction")
        .order_by("-transaction__created_at", "-pk")
    )


def grant_wallets() -> QuerySet[LedgerAccount]:
    return LedgerAccount.objects.filter(fiscal_bucket=GRANT_BUCKET)


FUND_OBJECT_TYPES = ("fund.FundApplication", "fund.ApplicationDocument")


def fund_access_log() -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(object_type__in=FUND_OBJECT_TYPES).select_related("actor").order_by("-at", "-pk")
