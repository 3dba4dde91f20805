"""Applications, committee votes, grants, their expiry and the retention of application data.

Lock order, always: the application row, then the ledger accounts (the ledger locks those in
id order). Every grant and every return is a ledger transaction under an idempotency key.
"""

import calendar
import datetime
import functools
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conciliare.core.errors import Conflict, InsufficientCredit, InvalidInput
from conciliare.core.money import format_euro
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, LedgerAccount, TransactionKind

from . import access, notifications
from .models import (
    GRANT_BUCKET,
    OPEN_STATUSES,
    ApplicationDocument,
    ApplicationStatus,
    CommitteeVote,
    FundApplication,
    Grant,
    HardshipEvent,
    Vote,
    events_valid,
)
from .regulation import regulation_in_force
from .scoring import score_parts

MAX_DOCUMENTS = 10
MAX_TEXT = 4000


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class ApplicationInput:
    events: list[str]
    household_size: int
    isee: int
    isee_protocol: str = ""
    isee_valid_until: datetime.date | None = None
    other_description: str = ""
    needs: list[str] = field(default_factory=list)
    needs_description: str = ""
    requested_amount: int | None = None
    consent: bool = False


def _eligible_company(user: Any) -> Any:
    profile = getattr(user, "employee_profile", None)
    if profile is None or not profile.company.alliance_member:
        raise InvalidInput(_("Only employees of the alliance's member companies can apply to the Solidarity Fund."))
    return profile.company


def _check_input(data: ApplicationInput, *, threshold: int, max_grant: int) -> None:
    errors: dict[str, list[str]] = {}
    if not events_valid(data.events):
        errors["events"] = [_("Choose at least one hardship event from the list.")]
    elif HardshipEvent.OTHER in data.events and not data.other_description.strip():
        errors["other_description"] = [_("Describe the hardship you marked as “other”.")]
    size = data.household_size
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 20:
        errors["household_size"] = [_("Give the number of people in the household, from 1 to 20.")]
    if isinstance(data.isee, bool) or not isinstance(data.isee, int) or data.isee < 0:
        errors["isee"] = [_("Give the ISEE value in euro (0 or more).")]
    elif data.isee > threshold:
        errors["isee"] = [
            _("The fund's regulation admits an ISEE up to %(threshold)s.") % {"threshold": format_euro(threshold)}
        ]
    if data.requested_amount is not None and (
        isinstance(data.requested_amount, bool)
        or not isinstance(data.requested_amount, int)
        or data.requested_amount <= 0
    ):
        errors["requested_amount"] = [_("The amount requested must be positive.")]
    elif data.requested_amount is not None and data.requested_amount > max_grant:
        errors["requested_amount"] = [
            _("The regulation grants at most %(max)s per person per year.") % {"max": format_euro(max_grant)}
        ]
    for name in ("other_description", "needs_description"):
        if len(getattr(data, name)) > MAX_TEXT:
            errors[name] = [_("Keep it under %(count)s characters.") % {"count": MAX_TEXT}]
    if not data.consent:
        errors["consent"] = [_("The committee cannot read your application without your explicit consent.")]
    if errors:
        raise InvalidInput(_("Please correct the application."), fields=errors)


def _store_documents(application: FundApplication, documents: Iterable[tuple[UploadedFile, str]]) -> None:
    for upload, kind in documents:
        ApplicationDocument.objects.create(
            application=application,
            file=upload,
            original_name=(upload.name or "documento")[-200:],
            content_kind=kind,
            size=upload.size or 0,
        )


def _district_of(user: Any) -> Any:
    municipality = getattr(user, "residence_municipality", None)
    if municipality is None:
        profile = getattr(user, "employee_profile", None)
        municipality = profile.workplace_municipality if profile else None
    return municipality.district if municipality is not None else None


@transaction.atomic
def application_submit(
    *,
    applicant: Any,
    data: ApplicationInput,
    documents: list[tuple[UploadedFile, str]],
    request: HttpRequest | None = None,
) -> FundApplication:
    """Scores the application by the regulation in force now and hands it to the committee.
    `documents` are uploads already checked (content type and size) with their kind."""
    _eligible_company(applicant)
    regulation = regulation_in_force()
    today = timezone.localdate()
    if not regulation.window_open_on(today):
        upcoming = regulation.next_window_after(today)
        if upcoming:
            raise Conflict(
                _("Applications are closed now; the next window opens on %(day)s.")
                % {"day": datetime.date.fromisoformat(upcoming["opens"]).strftime("%d/%m/%Y")}
            )
        raise Conflict(_("Applications are closed now."))
    _check_input(data, threshold=regulation.isee_threshold, max_grant=regulation.max_grant_per_year)
    if len(documents) > MAX_DOCUMENTS:
        raise InvalidInput(_("Attach at most %(count)s documents.") % {"count": MAX_DOCUMENTS})
    # get_user_model(), not type(applicant): a page passes request.user, a lazy wrapper.
    get_user_model().objects.select_for_update().filter(pk=applicant.pk).first()  # one submission at a time
    if FundApplication.objects.filter(applicant=applicant, status__in=OPEN_STATUSES).exists():
        raise Conflict(_("You already have an application with the committee."))
    parts = score_parts(regulation.scoring, events=data.events, isee=data.isee, household_size=data.household_size)
    application = FundApplication.objects.create(
        applicant=applicant,
        pseudonym=secrets.token_hex(5).upper(),
        regulation=regulation,
        district=_district_of(applicant),
        events=sorted(set(data.events)),
        other_description=data.other_description.strip() if HardshipEvent.OTHER in data.events else "",
        household_size=data.household_size,
        isee=data.isee,
        isee_protocol=data.isee_protocol.strip()[:40],
        isee_valid_until=data.isee_valid_until,
        needs=sorted(set(data.needs)),
        needs_description=data.needs_description.strip(),
        requested_amount=data.requested_amount,
        consent_at=timezone.now(),
        score=sum(part.points for part in parts),
        score_breakdown=[part.as_json() for part in parts],
    )
    _store_documents(application, documents)
    access.log_access(actor=applicant, action=access.CREATE, obj=application, request=request)
    notifications.tell_committee_new_application(application)
    return application


def _lock_own(applicant: Any, application_id: int) -> FundApplication:
    application = FundApplication.objects.select_for_update().filter(pk=application_id, applicant=applicant).first()
    if application is None:
        raise access.not_found()
    return application


@transaction.atomic
def application_reply(
    *,
    applicant: Any,
    application_id: int,
    reply: str,
    documents: list[tuple[UploadedFile, str]],
    request: HttpRequest | None = None,
) -> FundApplication:
    """The applicant answers the committee's request for more documents; the application returns to it."""
    application = _lock_own(applicant, application_id)
    if application.status != ApplicationStatus.INFO_REQUESTED:
        raise Conflict(_("The committee has not asked you for anything on this application."))
    if not documents and not reply.strip():
        raise InvalidInput(_("Attach a document or write a reply for the committee."))
    if len(reply) > MAX_TEXT:
        raise InvalidInput(_("Keep it under %(count)s characters.") % {"count": MAX_TEXT})
    if application.documents.count() + len(documents) > MAX_DOCUMENTS:
        raise InvalidInput(_("Attach at most %(count)s documents.") % {"count": MAX_DOCUMENTS})
    _store_documents(application, documents)
    application.applicant_reply = reply.strip()
    application.status = ApplicationStatus.SUBMITTED
    application.save(update_fields=["applicant_reply", "status"])
    access.log_access(actor=applicant, action=access.UPDATE, obj=application, request=request, detail=access.REPLY)
    notifications.tell_committee_reply(application)
    return application


@transaction.atomic
def application_withdraw(*, applicant: Any, application_id: int, request: HttpRequest | None = None) -> FundApplication:
    application = _lock_own(applicant, application_id)
    if application.status not in OPEN_STATUSES:
        raise Conflict(_("Only an application still with the committee can be withdrawn."))
    application.status = ApplicationStatus.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at"])
    _delete_documents(application)  # consent withdrawn: the documents go at once, the rest at retention
    access.log_access(actor=applicant, action=access.UPDATE, obj=application, request=request, detail=access.WITHDRAW)
    return application


# -- The committee ---------------------------------------------------------------------------


def _lock_for_committee(member: Any, application_id: int) -> FundApplication:
    """The application, locked, if `member` sits on the committee and did not write it."""
    if not access.is_committee_member(member):
        raise access.not_found()
    application = (
        FundApplication.objects.select_for_update()
        .filter(pk=application_id, pseudonymised_at__isnull=True)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .exclude(applicant=member)
        .exclude(applicant__in=access.colleagues_of(member))
        .first()
    )
    if application is None:
        raise access.not_found()
    return application


def granted_this_year(applicant: Any, year: int) -> int:
    # By the wallet's owner, which the ledger keeps: `beneficiary` is emptied by retention.
    total = Grant.objects.filter(wallet__owner_user=applicant, granted_at__year=year).aggregate(total=Sum("amount"))
    return int(total["total"] or 0)


def grant_room(application: FundApplication) -> int:
    """How much more the applicant may receive this year under the application's regulation."""
    year = timezone.localdate().year
    return max(application.regulation.max_grant_per_year - granted_this_year(application.applicant, year), 0)


@transaction.atomic
def committee_request_info(
    *, member: Any, application_id: int, message: str, request: HttpRequest | None = None
) -> FundApplication:
    application = _lock_for_committee(member, application_id)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("Only an application with the committee can be asked for more documents."))
    if not message.strip() or len(message) > MAX_TEXT:
        raise InvalidInput(_("Say which documents the applicant should add (up to 4000 characters)."))
    application.status = ApplicationStatus.INFO_REQUESTED
    application.info_request = message.strip()
    application.applicant_reply = ""  # the reply shown is always the answer to this request
    application.save(update_fields=["status", "info_request", "applicant_reply"])
    access.log_access(actor=member, action=access.UPDATE, obj=application, request=request, detail="request_info")
    notifications.tell_applicant(application)
    return application


@transaction.atomic
def committee_vote(
    *,
    member: Any,
    application_id: int,
    vote: str,
    amount: int | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> FundApplication:
    """Records one member's vote. When the regulation's number of different members agree, the
    application is decided: approved with the smallest amount they approved, or rejected."""
    application = _lock_for_committee(member, application_id)
    if application.status == ApplicationStatus.INFO_REQUESTED:
        raise Conflict(_("The committee is waiting for the applicant's documents."))
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("This application has already been decided."))
    if vote not in Vote.values:
        raise InvalidInput(_("Approve or reject."))
    if len(reason) > MAX_TEXT:
        raise InvalidInput(_("Keep it under %(count)s characters.") % {"count": MAX_TEXT})
    if vote == Vote.APPROVE:
        room = grant_room(application)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidInput(
                _("Approve with a positive amount."), fields={"amount": [_("Approve with a positive amount.")]}
            )
        if amount > room:
            message = _("The regulation allows this person at most %(room)s more this year.") % {
                "room": format_euro(room)
            }
            raise InvalidInput(message, fields={"amount": [message]})
    else:
        amount = None
        if not reason.strip():
            raise InvalidInput(
                _("Give the reason for rejecting."), fields={"reason": [_("Give the reason for rejecting.")]}
            )
    if CommitteeVote.objects.filter(application=application, member=member).exists():
        raise Conflict(_("You have already voted on this application."))
    try:
        with transaction.atomic():
            CommitteeVote.objects.create(
                application=application, member=member, vote=vote, amount=amount, reason=reason.strip()
            )
    except IntegrityError:  # pragma: no cover - the row lock above serialises votes on one application
        raise Conflict(_("You have already voted on this application.")) from None
    access.log_access(actor=member, action=access.UPDATE, obj=application, request=request, detail=f"vote:{vote}")
    votes = list(application.votes.filter(vote=vote))
    if len(votes) >= application.regulation.approvals_required:
        if vote == Vote.APPROVE:
            _make_grant(application, amount=min(v.amount or 0 for v in votes), actor=member)
        else:
            _close(application, ApplicationStatus.REJECTED, reason="\n".join(v.reason for v in votes))
            notifications.tell_applicant(application)
    return application


def _close(application: FundApplication, status: str, *, reason: str = "") -> None:
    application.status = status
    application.decided_at = timezone.now()
    application.decision_reason = reason
    application.save(update_fields=["status", "decided_at", "decision_reason"])


def _make_grant(application: FundApplication, *, amount: int, actor: Any) -> Grant:
    """Fund → a new restricted wallet of the worker, never past the fund's available balance."""
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):  # ledger names in the platform's language, not the voter's
        name = _("Solidarity grant %(reference)s") % {"reference": application.reference}
    wallet = ledger.account_open(
        kind=AccountKind.EMPLOYEE_WALLET,
        name=name,
        owner_user=application.applicant,
        plan_reference=f"grant:{application.pk}",
        fiscal_bucket=GRANT_BUCKET,
    )
    try:
        posted = ledger.transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=[(ledger.solidarity_fund_account(), -amount), (wallet, amount)],
            idempotency_key=f"fund-grant:{application.pk}",
            memo=name,
            actor=actor,
        )
    except InsufficientCredit:
        fund = ledger.solidarity_fund_account()
        raise Conflict(
            _("The fund has %(available)s available: it cannot grant %(amount)s now.")
            % {"available": format_euro(fund.balance - fund.held), "amount": format_euro(amount)}
        ) from None
    grant = Grant.objects.create(
        application=application,
        beneficiary=application.applicant,
        amount=amount,
        wallet=wallet,
        transaction=posted,
        expires_on=add_months(today, application.regulation.grant_validity_months),
        events=application.events,
        district=application.district,
    )
    _close(application, ApplicationStatus.APPROVED)
    notifications.tell_applicant(application)
    return grant


# -- Expiry and retention ---------------------------------------------------------------------


def grants_return_expired(*, today: datetime.date | None = None) -> int:
    """Returns to the fund what expired grants left unspent (credit held by pending orders stays
    until the supplier answers; a later run returns it if it is released). Safe to rerun."""
    today = today or timezone.localdate()
    returned = 0
    for grant_id in Grant.objects.filter(expires_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            grant = Grant.objects.select_for_update().get(pk=grant_id)
            wallet = LedgerAccount.objects.select_for_update().get(pk=grant.wallet_id)
            available = wallet.balance - wallet.held
            if available <= 0:
                continue
            ledger.transaction_post(
                kind=TransactionKind.EXPIRY,
                legs=[(wallet, -available), (ledger.solidarity_fund_account(), available)],
                idempotency_key=f"fund-grant:{grant.application_id}:return:{grant.returned}",
                memo=_return_memo(grant),
            )
            grant.returned += available
            grant.save(update_fields=["returned"])
            returned += available
    return returned


def _return_memo(grant: Grant) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Unspent solidarity grant no. %(id)s back to the fund") % {"id": grant.pk}


def retention_due(now: datetime.datetime) -> list[int]:
    due = []
    candidates = FundApplication.objects.filter(pseudonymised_at__isnull=True, decided_at__isnull=False)
    for pk, decided_at, months in candidates.values_list("pk", "decided_at", "regulation__retention_months"):
        if add_months(timezone.localtime(decided_at).date(), months) <= timezone.localtime(now).date():
            due.append(pk)
    return due


def retention_apply(*, now: datetime.datetime | None = None) -> int:
    """Deletes the documents and pseudonymises every application past its retention period. The
    score, the events and the district stay for the anonymous figures; the ledger is untouched."""
    now = now or timezone.now()
    done = 0
    for application_id in retention_due(now):
        with transaction.atomic():
            application = FundApplication.objects.select_for_update().get(pk=application_id)
            if application.pseudonymised_at is not None:
                continue
            _delete_documents(application)
            CommitteeVote.objects.filter(application=application).update(reason="")
            Grant.objects.filter(application=application).update(beneficiary=None)
            application.applicant = None
            application.pseudonymised_at = now
            for name in ("other_description", "needs_description", "isee_protocol", "info_request"):
                setattr(application, name, "")
            application.applicant_reply = ""
            application.decision_reason = ""
            application.isee = None
            application.isee_valid_until = None
            application.household_size = None
            application.requested_amount = None
            application.save()
            done += 1
    return done


def _delete_documents(application: FundApplication) -> None:
    for document in application.documents.all():
        name = document.file.name or ""
        document.delete()
        transaction.on_commit(functools.partial(_delete_file, name))


def _delete_file(name: str) -> None:
    from django.core.files.storage import default_storage

    if name:
        default_storage.delete(name)
