"""Reimbursement requests: an employee asks back, from welfare credit, an expense paid elsewhere.

A request is checked against the rules engine's checklist (`plans/rules/<year>.json`,
"reimbursement_checklist"), reviewed by the operator or by the company's HR (the company's
`ReimbursementPolicy`), and, once approved, moves its amount through the ledger from the
employee's wallet to the company's payroll payable. Nothing here is ever deleted: receipts
replaced after a request for a better document stay, every state change is an event.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from conciliare.accounts.models import FamilyMember, Organization
from conciliare.core.models import TimeStampedModel
from conciliare.ledger.models import LedgerAccount, LedgerTransaction
from conciliare.plans.models import BUCKETS


class ReviewerKind(models.TextChoices):
    OPERATOR = "operator", _("the platform operator")
    HR = "hr", _("the company's HR")


class ReimbursementPolicy(TimeStampedModel):
    """Who reviews a company's reimbursement requests. Without a row, the operator does."""

    company = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="reimbursement_policy")
    reviewer = models.CharField(
        _("who reviews reimbursement requests"),
        max_length=16,
        choices=ReviewerKind.choices,
        default=ReviewerKind.OPERATOR,
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("reimbursement policy")
        verbose_name_plural = _("reimbursement policies")
        constraints = [
            models.CheckConstraint(condition=Q(reviewer__in=ReviewerKind.values), name="reimbursement_reviewer_valid")
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.get_reviewer_display()}"


class ReimbursementStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting review")
    CHANGES_REQUESTED = "changes_requested", _("better document requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STATUSES = (ReimbursementStatus.SUBMITTED, ReimbursementStatus.CHANGES_REQUESTED)
FINAL_STATUSES = (ReimbursementStatus.APPROVED, ReimbursementStatus.REJECTED, ReimbursementStatus.WITHDRAWN)


class ReimbursementRequest(TimeStampedModel):
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reimbursement_requests"
    )
    # The employer when the request was made: it pays through payroll and (maybe) reviews.
    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="reimbursement_requests")
    bucket = models.CharField(_("fiscal bucket"), max_length=32, choices=BUCKETS)
    category = models.CharField(_("service"), max_length=40)
    amount = models.BigIntegerField(_("amount (cents)"))
    expense_date = models.DateField(_("date of the expense"))
    # Empty: the employee used the service. Name and codice fiscale are copied so that the
    # request keeps what was checked even if the family profile changes later.
    family_member = models.ForeignKey(
        FamilyMember,
        verbose_name=_("family member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reimbursement_requests",
    )
    beneficiary_name = models.CharField(_("who used the service"), max_length=201)
    beneficiary_fiscal_code = models.CharField(_("their codice fiscale"), max_length=16, blank=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    addressed_to_name = models.CharField(_("name on the document"), max_length=200)
    addressed_to_fiscal_code = models.CharField(_("codice fiscale on the document"), max_length=16, blank=True)
    names_beneficiary = models.BooleanField(_("the document names who used the service"), default=False)
    names_service = models.BooleanField(_("the document describes the service"), default=False)
    # The checklist as evaluated at the last submission: [{"id", "severity", "passed", "text": {"it", "en"}, ...}].
    checklist = models.JSONField(_("checklist"), default=list)
    flagged = models.BooleanField(_("the checklist found something to look at"), default=False)
    status = FSMField(
        _("status"), max_length=20, choices=ReimbursementStatus.choices, default=ReimbursementStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason of the last decision"), blank=True)
    wallet = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="reimbursements"
    )
    ledger_transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="reimbursement"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("reimbursement request")
        verbose_name_plural = _("reimbursement requests")
        indexes = [models.Index(fields=["status", "company"], name="reimb_status_company")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reimbursement_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ReimbursementStatus.values), name="reimbursement_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(bucket__in=[code for code, _label in BUCKETS]), name="reimbursement_bucket_valid"
            ),
            # Approved exactly when money moved; a decision has a time and an author.
            models.CheckConstraint(
                condition=Q(status="approved", ledger_transaction__isnull=False, wallet__isnull=False)
                | (~Q(status="approved") & Q(ledger_transaction__isnull=True)),
                name="reimbursement_approved_iff_posted",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "withdrawn"])
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="reimbursement_decision_has_author",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["changes_requested", "rejected"]) | ~Q(reason=""),
                name="reimbursement_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.employee} {self.amount}"

    # Transitions: the only way the status changes (services call them and save).
    @transition(field=status, source=ReimbursementStatus.SUBMITTED, target=ReimbursementStatus.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=ReimbursementStatus.SUBMITTED, target=ReimbursementStatus.CHANGES_REQUESTED)
    def request_changes(self) -> None:
        pass

    @transition(field=status, source=ReimbursementStatus.SUBMITTED, target=ReimbursementStatus.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=ReimbursementStatus.CHANGES_REQUESTED, target=ReimbursementStatus.SUBMITTED)
    def resubmit(self) -> None:
        pass

    @transition(field=status, source=list(OPEN_STATUSES), target=ReimbursementStatus.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    @property
    def blocking_items(self) -> list[dict[str, Any]]:
        return [item for item in self.checklist if not item.get("passed") and item.get("severity") == "block"]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [item for item in self.checklist if not item.get("passed") and item.get("severity") != "block"]


def receipt_upload_to(instance: "ReimbursementReceipt", filename: str) -> str:
    # Outside any public URL (the default storage is private); no personal data in the name.
    extension = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}.get(instance.kind, "bin")
    return f"reimbursements/{instance.request.employee_id}/{timezone.now():%Y%m%d%H%M%S%f}.{extension}"


class ReimbursementReceipt(models.Model):
    """A document uploaded for a request. A better document is a new row: the old one stays."""

    request = models.ForeignKey(ReimbursementRequest, on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(_("document"), upload_to=receipt_upload_to, max_length=200)
    kind = models.CharField(_("type"), max_length=8, choices=[("pdf", "PDF"), ("png", "PNG"), ("jpeg", "JPEG")])
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["pdf", "png", "jpeg"]), name="reimbursement_receipt_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind} ({self.uploaded_at:%Y-%m-%d})"


class ReimbursementEvent(models.Model):
    """Append-only history: who moved a request from which state to which, when, and why."""

    request = models.ForeignKey(ReimbursementRequest, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(_("from"), max_length=20, choices=ReimbursementStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ReimbursementStatus.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("reimbursement event")
        verbose_name_plural = _("reimbursement events")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status or '—'} → {self.to_status}"
