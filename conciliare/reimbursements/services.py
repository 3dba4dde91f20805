"""Writes about reimbursements. Views and the API call these; nothing else writes.

Each service is one database transaction that starts by locking what it decides on (the
request row; for a new request, the employee's row, so that a double submit is seen), checks
the state machine and the checklist, writes an event, and sends its e-mails after commit.
Approval is the only money movement: exactly the request's amount, from the employee's wallet
to the company's payroll payable, under the idempotency key `reimbursement:<id>:approve`.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from conciliare.accounts.models import EmployeeProfile, FamilyMember, Organization, User
from conciliare.accounts.rules import is_hr_of_company, is_operator_admin
from conciliare.accounts.validators import validate_fiscal_code
from conciliare.core.errors import ApplicationError, Conflict, InsufficientCredit, InvalidInput, NotPermitted
from conciliare.core.money import format_euro
from conciliare.core.uploads import validate_document
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, LedgerAccount, LedgerTransaction, TransactionKind
from conciliare.plans import fiscal
from conciliare.plans.models import BUCKETS
from conciliare.plans.selectors import FRINGE

from . import notifications
from .checklist import CheckResult, Facts, checklist_evaluate, fringe_room, normalize_fiscal_code, plan_wallets
from .models import (
    ReimbursementEvent,
    ReimbursementPolicy,
    ReimbursementReceipt,
    ReimbursementRequest,
    ReimbursementStatus,
    ReviewerKind,
)
from .selectors import reviewer_of

MAX_RECEIPT_BYTES = 10 * 1024 * 1024
MAX_AMOUNT = 10_000_000  # 100,000.00 €: more is a typing mistake, not a welfare refund
OLDEST_EXPENSE_YEARS = 5
APPROVE = "approve"
REQUEST_CHANGES = "request_changes"
REJECT = "reject"
DECISIONS = {
    APPROVE: "approve",
    REQUEST_CHANGES: "request_changes",
    REJECT: "reject",
}


class NotAnEmployee(ApplicationError):
    """Only a worker of a member company has welfare credit to be refunded from."""

    code = "permission_denied"
    status = 403


@dataclass(frozen=True)
class RequestDetails:
    """What the employee says about the expense (the document comes apart)."""

    bucket: str
    category: str
    amount: int
    expense_date: datetime.date
    family_member: FamilyMember | None
    addressed_to_name: str
    addressed_to_fiscal_code: str = ""
    names_beneficiary: bool = False
    names_service: bool = False
    description: str = ""


# --- Checks shared by submission and resubmission ---------------------------------------------------------------


def _employment(actor: Any) -> EmployeeProfile:
    profile = (
        EmployeeProfile.objects.filter(user=actor).select_related("company").first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if profile is None:
        raise NotAnEmployee(_("Only employees of a member company can ask for a reimbursement."))
    return profile


def _detail_errors(actor: User, details: RequestDetails, today: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    amount = details.amount
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    elif amount > MAX_AMOUNT:
        errors["amount"] = [_("The amount is too large for a welfare refund.")]
    if details.bucket not in dict(BUCKETS):
        errors["bucket"] = [_("Choose a fiscal bucket.")]
    day = details.expense_date
    if not isinstance(day, datetime.date):
        errors["expense_date"] = [_("Give the date of the expense.")]
    elif day > today:
        errors["expense_date"] = [_("The expense cannot be in the future.")]
    elif day.year < today.year - OLDEST_EXPENSE_YEARS or day.year not in fiscal.available_years():
        errors["expense_date"] = [
            _("There are no fiscal rules for the tax year %(year)s: this expense cannot be refunded here.")
            % {"year": day.year}
        ]
    elif details.category not in fiscal.rules_for(day.year)["categories"]:
        errors["category"] = [_("Choose the service from the list.")]
    member = details.family_member
    if member is not None and member.user_id != actor.pk:
        errors["family_member"] = [_("Choose yourself or a member of your family.")]
    if not details.addressed_to_name.strip():
        errors["addressed_to_name"] = [_("Write the name the document is addressed to.")]
    elif len(details.addressed_to_name) > 200:
        errors["addressed_to_name"] = [_("At most 200 characters.")]
    code = normalize_fiscal_code(details.addressed_to_fiscal_code)
    if code:
        try:
            validate_fiscal_code(code)
        except ValidationError as error:
            errors["addressed_to_fiscal_code"] = list(error.messages)
    if len(details.description) > 1000:
        errors["description"] = [_("At most 1,000 characters.")]
    return errors


def _receipt_errors(receipt: UploadedFile | None, *, required: bool) -> tuple[str, dict[str, list[str]]]:
    if receipt is None:
        return "", ({"receipt": [_("Attach the receipt or invoice (PDF, PNG or JPEG).")]} if required else {})
    try:
        return validate_document(receipt, max_bytes=MAX_RECEIPT_BYTES), {}
    except ValidationError as error:
        return "", {"receipt": list(error.messages)}


def _facts(actor: User, details: RequestDetails, today: datetime.date) -> Facts:
    return Facts(
        employee=actor,
        bucket=details.bucket,
        category=details.category,
        expense_date=details.expense_date,
        amount=details.amount,
        family_member=details.family_member,
        addressed_to_name=details.addressed_to_name.strip(),
        addressed_to_fiscal_code=normalize_fiscal_code(details.addressed_to_fiscal_code),
        names_beneficiary=details.names_beneficiary,
        names_service=details.names_service,
        today=today,
    )


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput(_("Some information is missing or not valid; nothing was saved."), fields=errors)


def reimbursement_check(
    *, actor: User, details: RequestDetails, today: datetime.date | None = None
) -> list[CheckResult]:
    """The checklist for what the employee has typed so far; saves nothing (the form's "Check" button)."""
    _employment(actor)
    today = today or timezone.localdate()
    errors = _detail_errors(actor, details, today)
    if errors:
        raise _invalid(errors)
    return checklist_evaluate(_facts(actor, details, today))


def _refuse_blocked(results: list[CheckResult]) -> None:
    blocking = [result.text for result in results if result.blocks]
    if blocking:
        raise InvalidInput(
            _("This expense cannot be refunded from this credit: see the checklist."), fields={"checklist": blocking}
        )


def _available_credit(*, employee: User, bucket: str, day: datetime.date) -> int:
    return max(
        (wallet.balance - wallet.held for wallet, _plan in plan_wallets(employee=employee, bucket=bucket, day=day)),
        default=0,
    )


def _refuse_without_credit(actor: User, details: RequestDetails) -> None:
    available = _available_credit(employee=actor, bucket=details.bucket, day=details.expense_date)
    if available < details.amount:
        raise InvalidInput(
            _("You have %(available)s available in this bucket for an expense of that date: less than %(amount)s.")
            % {"available": format_euro(available), "amount": format_euro(details.amount)},
            fields={"amount": [_("More than the credit available.")]},
        )


def _digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _refuse_duplicate(actor: User, details: RequestDetails, sha256: str, *, exclude: int | None = None) -> None:
    """The same document, or the same expense, already open or refunded: refused (a double submit lands here too)."""
    live = ReimbursementRequest.objects.filter(
        employee=actor,
        status__in=[ReimbursementStatus.SUBMITTED, ReimbursementStatus.CHANGES_REQUESTED, ReimbursementStatus.APPROVED],
    )
    if exclude is not None:
        live = live.exclude(pk=exclude)
    same_document = live.filter(receipts__sha256=sha256).first()
    same_expense = live.filter(
        amount=details.amount,
        expense_date=details.expense_date,
        category=details.category,
        family_member=details.family_member,
    ).first()
    duplicate = same_document or same_expense
    if duplicate is not None:
        raise Conflict(
            _("You have already asked for the refund of this expense (request no. %(number)s).")
            % {"number": duplicate.pk}
        )


def _store_receipt(request: ReimbursementRequest, upload: UploadedFile, *, kind: str, sha256: str, actor: User) -> None:
    # Written last, after every check, so that a refused request leaves no file behind.
    receipt = ReimbursementReceipt(request=request, kind=kind, size=upload.size or 0, sha256=sha256, uploaded_by=actor)
    receipt.file.save(f"receipt.{kind}", upload, save=False)
    receipt.save()


def _apply(request: ReimbursementRequest, details: RequestDetails, results: list[CheckResult]) -> None:
    member = details.family_member
    request.bucket = details.bucket
    request.category = details.category
    request.amount = details.amount
    request.expense_date = details.expense_date
    request.family_member = member
    if member is None:
        request.beneficiary_name = request.employee.full_name or request.employee.email
        request.beneficiary_fiscal_code = request.employee.fiscal_code or ""
    else:
        request.beneficiary_name = f"{member.first_name} {member.last_name}"
        request.beneficiary_fiscal_code = member.fiscal_code
    request.addressed_to_name = details.addressed_to_name.strip()
    request.addressed_to_fiscal_code = normalize_fiscal_code(details.addressed_to_fiscal_code)
    request.names_beneficiary = details.names_beneficiary
    request.names_service = details.names_service
    request.description = details.description.strip()
    request.checklist = [result.as_json() for result in results]
    request.flagged = any(not result.passed for result in results)
    request.submitted_at = timezone.now()


def _event(request: ReimbursementRequest, *, actor: User, from_status: str, note: str = "") -> None:
    ReimbursementEvent.objects.create(
        request=request, actor=actor, from_status=from_status, to_status=request.status, note=note
    )


def _prepare(
    *,
    actor: User,
    details: RequestDetails,
    receipt: UploadedFile | None,
    today: datetime.date,
    exclude: int | None = None,
) -> tuple[list[CheckResult], str, str]:
    errors = _detail_errors(actor, details, today)
    kind, receipt_errors = _receipt_errors(receipt, required=True)
    errors.update(receipt_errors)
    if errors:
        raise _invalid(errors)
    assert receipt is not None
    results = checklist_evaluate(_facts(actor, details, today))
    _refuse_blocked(results)
    _refuse_without_credit(actor, details)
    sha256 = _digest(receipt)
    _refuse_duplicate(actor, details, sha256, exclude=exclude)
    return results, kind, sha256


@transaction.atomic
def reimbursement_submit(
    *, actor: User, details: RequestDetails, receipt: UploadedFile | None, today: datetime.date | None = None
) -> ReimbursementRequest:
    """A new request, submitted for review with its document; refused (nothing saved) if the checklist blocks it."""
    profile = _employment(actor)
    today = today or timezone.localdate()
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one submission at a time per person
    results, kind, sha256 = _prepare(actor=actor, details=details, receipt=receipt, today=today)
    assert receipt is not None
    request = ReimbursementRequest(employee=actor, company=profile.company, status=ReimbursementStatus.SUBMITTED)
    _apply(request, details, results)
    request.save()
    _store_receipt(request, receipt, kind=kind, sha256=sha256, actor=actor)
    _event(request, actor=actor, from_status="")
    notifications.submitted(request, resubmitted=False)
    return request


def _lock(request: ReimbursementRequest) -> ReimbursementRequest:
    return (
        ReimbursementRequest.objects.select_for_update(of=("self",))
        .select_related("employee", "company", "family_member")
        .get(pk=request.pk)
    )


def _not_now(request: ReimbursementRequest) -> Conflict:
    return Conflict(_("This request cannot change now: it is %(status)s.") % {"status": request.get_status_display()})


@transaction.atomic
def reimbursement_resubmit(
    *,
    actor: User,
    request: ReimbursementRequest,
    details: RequestDetails,
    receipt: UploadedFile | None,
    today: datetime.date | None = None,
) -> ReimbursementRequest:
    """After the reviewer asked for a better document: a new document (required), corrected details, same request."""
    today = today or timezone.localdate()
    locked = _lock(request)
    if locked.employee_id != actor.pk:
        raise NotPermitted(_("Reimbursement request not found."))
    if not can_proceed(locked.resubmit):
        raise _not_now(locked)
    results, kind, sha256 = _prepare(actor=actor, details=details, receipt=receipt, today=today, exclude=locked.pk)
    assert receipt is not None
    before = locked.status
    _apply(locked, details, results)
    locked.resubmit()
    locked.save()
    _store_receipt(locked, receipt, kind=kind, sha256=sha256, actor=actor)
    _event(locked, actor=actor, from_status=before, note=_("New document sent."))
    notifications.submitted(locked, resubmitted=True)
    return locked


@transaction.atomic
def reimbursement_withdraw(*, actor: User, request: ReimbursementRequest) -> ReimbursementRequest:
    """The employee takes back a request not yet decided (or waiting for a better document)."""
    locked = _lock(request)
    if locked.employee_id != actor.pk:
        raise NotPermitted(_("Reimbursement request not found."))
    if not can_proceed(locked.withdraw):
        raise _not_now(locked)
    before = locked.status
    locked.withdraw()
    locked.save()
    _event(locked, actor=actor, from_status=before)
    notifications.changed(locked)
    return locked


# --- Review -------------------------------------------------------------------------------------------------------


def may_review(actor: Any, request: ReimbursementRequest) -> bool:
    """The operator, or the company's HR if the company chose so; never the person who asked."""
    if not getattr(actor, "is_authenticated", False) or actor.pk == request.employee_id:
        return False
    if reviewer_of(request.company) == ReviewerKind.HR:
        return bool(is_hr_of_company(actor, request.company))
    return bool(is_operator_admin(actor))


def payroll_payable_account(company: Organization) -> LedgerAccount:
    """What the company owes its employees for approved reimbursements, paid with the next payslip."""
    found = LedgerAccount.objects.filter(kind=AccountKind.PAYROLL_PAYABLE, owner_organization=company).first()
    if found is not None:
        return found
    # No unique constraint holds one per company: the company row serializes the first creation.
    Organization.objects.select_for_update().filter(pk=company.pk).first()
    account, _created = LedgerAccount.objects.get_or_create(
        kind=AccountKind.PAYROLL_PAYABLE,
        owner_organization=company,
        defaults={"name": f"Rimborsi da pagare in busta paga · {company}", "may_go_negative": False},
    )
    return account


def _pay(request: ReimbursementRequest, *, actor: User, today: datetime.date) -> LedgerTransaction:
    candidates = plan_wallets(employee=request.employee, bucket=request.bucket, day=request.expense_date)
    to_lock = {wallet.pk for wallet, _plan in candidates}
    if request.bucket == FRINGE:
        # All the employee's fringe wallets, locked before the cap is read: two approvals at once see each other.
        to_lock |= set(
            LedgerAccount.objects.filter(
                kind=AccountKind.EMPLOYEE_WALLET, owner_user=request.employee, fiscal_bucket=FRINGE
            ).values_list("pk", flat=True)
        )
    locked = {
        wallet.pk: wallet for wallet in LedgerAccount.objects.select_for_update().filter(pk__in=to_lock).order_by("pk")
    }
    if request.bucket == FRINGE:
        room = fringe_room(employee=request.employee, today=today)
        if not room.allows(request.amount):
            raise Conflict(
                _(
                    "Approving would take this year's fringe benefits of the employee over the cap "
                    "(%(used)s used or reserved of %(cap)s): the whole year's amount would become taxable."
                )
                % {"used": format_euro(room.used + room.held), "cap": format_euro(room.cap)}
            )
    wallet = next(
        (
            locked[candidate.pk]
            for candidate, _plan in candidates
            if locked[candidate.pk].balance - locked[candidate.pk].held >= request.amount
        ),
        None,
    )
    if wallet is None:
        available = max(
            (locked[candidate.pk].balance - locked[candidate.pk].held for candidate, _plan in candidates), default=0
        )
        raise InsufficientCredit(
            _(
                "The employee has %(available)s available in this bucket for an expense of that date: "
                "less than %(amount)s."
            )
            % {"available": format_euro(available), "amount": format_euro(request.amount)}
        )
    posted = ledger.transaction_post(
        kind=TransactionKind.SPEND,
        legs=[(wallet, -request.amount), (payroll_payable_account(request.company), request.amount)],
        idempotency_key=f"reimbursement:{request.pk}:approve",
        effective_date=today,
        memo=_("Reimbursement no. %(number)s") % {"number": request.pk},
        actor=actor,
    )
    request.wallet = wallet
    request.ledger_transaction = posted
    return posted


@transaction.atomic
def reimbursement_review(
    *,
    actor: User,
    request: ReimbursementRequest,
    decision: str,
    reason: str = "",
    today: datetime.date | None = None,
) -> ReimbursementRequest:
    """The reviewer approves (credit moves), asks for a better document, or rejects; the last two need a reason.

    A second decision on the same request (a double click, two reviewers at once) finds it
    decided and is refused with a conflict: money moves once.
    """
    today = today or timezone.localdate()
    if decision not in DECISIONS:
        raise InvalidInput(_("Unknown decision."), fields={"decision": [_("Unknown decision.")]})
    reason = (reason or "").strip()
    if decision != APPROVE and not reason:
        raise InvalidInput(
            _("Say why, so that the employee knows what to do."), fields={"reason": [_("A reason is required.")]}
        )
    if len(reason) > 2000:
        raise InvalidInput(_("At most 2,000 characters."), fields={"reason": [_("At most 2,000 characters.")]})
    locked = _lock(request)
    if not may_review(actor, locked):
        raise NotPermitted(_("Reimbursement request not found."))
    transition = getattr(locked, DECISIONS[decision])
    if not can_proceed(transition):
        raise _not_now(locked)
    before = locked.status
    if decision == APPROVE:
        _pay(locked, actor=actor, today=today)
    transition()
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.reason = reason
    locked.save()
    _event(locked, actor=actor, from_status=before, note=reason)
    notifications.changed(locked)
    return locked


# --- The company's choice of reviewer ----------------------------------------------------------------------------


@transaction.atomic
def reimbursement_policy_set(*, actor: User, company: Organization, reviewer: str) -> ReimbursementPolicy:
    """HR chooses who reviews the company's requests; requests waiting for review move to the new reviewer."""
    if not is_hr_of_company(actor, company):
        raise NotPermitted(_("Company not found."))
    if reviewer not in ReviewerKind.values:
        raise InvalidInput(_("Choose who reviews."), fields={"reviewer": [_("Choose who reviews.")]})
    policy = ReimbursementPolicy.objects.select_for_update().filter(company=company).first()
    if policy is None:
        return ReimbursementPolicy.objects.create(company=company, reviewer=reviewer, changed_by=actor)
    if policy.reviewer != reviewer:
        policy.reviewer = reviewer
        policy.changed_by = actor
        policy.save(update_fields=["reviewer", "changed_by", "updated_at"])
    return policy
