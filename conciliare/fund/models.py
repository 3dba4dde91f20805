"""The Solidarity Fund: its regulation, the hardship applications, the committee's votes and the grants.

Application data are special-category personal data (GDPR art. 9: health, family crises,
income). Only the fund committee reads them, every reading is written to the access log,
and after the regulation's retention period the documents are deleted and the application
is pseudonymised. The money (the fund account, grant wallets, their entries) lives in the
ledger and stays: accounting records are kept ten years. Nothing here is registered in the
admin, so the operator's console cannot reach application data.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from conciliare.ledger.models import LedgerAccount, LedgerTransaction
from conciliare.territory.models import District

GRANT_BUCKET = "solidarity_grant"  # fiscal_bucket of a grant wallet: platform services only, never cash
GRANT_BUCKET_LABEL = _("Solidarity Fund grant")


class HardshipEvent(models.TextChoices):
    SERIOUS_ILLNESS = "serious_illness", _("serious illness or disability in the household")
    JOB_LOSS = "job_loss", _("job loss of a household member")
    BEREAVEMENT = "bereavement", _("bereavement")
    SINGLE_PARENT = "single_parent", _("single parent")
    NON_SELF_SUFFICIENT = "non_self_sufficient", _("non-self-sufficient relative")
    OTHER = "other", _("other hardship (described)")


class FundRegulation(models.Model):
    """One published version of the fund's regulation. Never edited: a change is a new version,
    and every application keeps the version in force when it was submitted (and its score)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    isee_threshold = models.BigIntegerField(_("ISEE threshold (cents)"))
    # {"events": {event: points}, "isee_bands": [{"up_to": cents, "points": n}, ...] ascending,
    #  "household_points_per_member": n (each member beyond the first), "household_points_max": n}
    scoring = models.JSONField(_("scoring table"))
    max_grant_per_year = models.BigIntegerField(_("maximum grant per person per year (cents)"))
    # [{"opens": "YYYY-MM-DD", "closes": "YYYY-MM-DD"}, ...]; empty: applications are always open.
    windows = models.JSONField(_("application windows"), default=list, blank=True)
    approvals_required = models.PositiveSmallIntegerField(_("committee approvals a decision needs"), default=2)
    grant_validity_months = models.PositiveSmallIntegerField(_("months a grant can be spent"), default=12)
    retention_months = models.PositiveSmallIntegerField(_("months application data are kept after the decision"))
    note = models.CharField(_("what changed"), max_length=255, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("fund regulation")
        verbose_name_plural = _("fund regulations")
        constraints = [
            models.CheckConstraint(condition=Q(isee_threshold__gt=0), name="fund_regulation_threshold_positive"),
            models.CheckConstraint(condition=Q(max_grant_per_year__gt=0), name="fund_regulation_max_positive"),
            models.CheckConstraint(
                condition=Q(approvals_required__gte=1, approvals_required__lte=9), name="fund_regulation_approvals"
            ),
            models.CheckConstraint(condition=Q(retention_months__gte=1), name="fund_regulation_retention"),
            models.CheckConstraint(condition=Q(grant_validity_months__gte=1), name="fund_regulation_validity"),
        ]

    def __str__(self) -> str:
        return _("Fund regulation, version %(version)s") % {"version": self.version}

    def window_open_on(self, day: datetime.date) -> bool:
        if not self.windows:
            return True
        return any(window["opens"] <= day.isoformat() <= window["closes"] for window in self.windows)

    def next_window_after(self, day: datetime.date) -> dict[str, str] | None:
        upcoming = sorted((w for w in self.windows if w["opens"] > day.isoformat()), key=lambda w: w["opens"])
        return upcoming[0] if upcoming else None


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("with the committee")
    INFO_REQUESTED = "info_requested", _("more documents requested")
    APPROVED = "approved", _("approved: grant made")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.INFO_REQUESTED)


class FundApplication(models.Model):
    # Empty once pseudonymised: then only `pseudonym` names it, and nothing leads back to the person.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="fund_applications"
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=16, unique=True)
    regulation = models.ForeignKey(FundRegulation, on_delete=models.PROTECT, related_name="applications")
    # Kept after pseudonymisation for the anonymous transparency figures.
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    events = models.JSONField(_("hardship events"))
    other_description = models.TextField(_("other hardship, described"), blank=True)
    household_size = models.PositiveSmallIntegerField(_("people in the household"), null=True)
    isee = models.BigIntegerField(_("ISEE value (cents)"), null=True)
    isee_protocol = models.CharField(_("DSU protocol number"), max_length=40, blank=True)
    isee_valid_until = models.DateField(_("ISEE valid until"), null=True, blank=True)
    needs = models.JSONField(_("services needed"), default=list)
    needs_description = models.TextField(_("what would help"), blank=True)
    requested_amount = models.BigIntegerField(_("amount requested (cents)"), null=True, blank=True)
    consent_at = models.DateTimeField(_("art. 9 consent given at"))
    score = models.PositiveIntegerField(_("score"))
    score_breakdown = models.JSONField(_("score breakdown"))
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    info_request = models.TextField(_("documents requested by the committee"), blank=True)
    applicant_reply = models.TextField(_("applicant's reply"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    pseudonymised_at = models.DateTimeField(_("pseudonymised at"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "submitted_at"]
        verbose_name = _("fund application")
        verbose_name_plural = _("fund applications")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="fund_application_status"),
            models.CheckConstraint(
                condition=Q(pseudonymised_at__isnull=True, applicant__isnull=False)
                | Q(pseudonymised_at__isnull=False, applicant__isnull=True),
                name="fund_application_pseudonymised_iff_no_applicant",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "info_requested"], decided_at__isnull=True)
                | (~Q(status__in=["submitted", "info_requested"]) & Q(decided_at__isnull=False)),
                name="fund_application_decided_iff_closed",
            ),
            # One open application per person: the committee weighs a household once at a time.
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status__in=["submitted", "info_requested"]),
                name="fund_one_open_application_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"FS-{self.pseudonym}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def event_labels(self) -> list[str]:
        labels = dict(HardshipEvent.choices)
        return [str(labels.get(event, event)) for event in self.events]


def document_path(instance: "ApplicationDocument", filename: str) -> str:
    # No personal data in the name: the pseudonym and a random suffix from the storage.
    return f"fund/{instance.application.pseudonym}/{instance.kind_suffix()}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(FundApplication, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=document_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_kind = models.CharField(_("type"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return self.original_name

    def kind_suffix(self) -> str:
        return f"document.{'jpg' if self.content_kind == 'jpeg' else self.content_kind}"


class Vote(models.TextChoices):
    APPROVE = "approve", _("approve")
    REJECT = "reject", _("reject")


class CommitteeVote(models.Model):
    """One member's vote on one application. A member votes once; a decision needs the regulation's
    number of agreeing votes from different members."""

    application = models.ForeignKey(FundApplication, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    vote = models.CharField(_("vote"), max_length=8, choices=Vote.choices)
    amount = models.BigIntegerField(_("amount (cents)"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("committee vote")
        verbose_name_plural = _("committee votes")
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="fund_one_vote_per_member"),
            models.CheckConstraint(condition=Q(vote__in=Vote.values), name="fund_vote_valid"),
            models.CheckConstraint(
                condition=Q(vote="approve", amount__gt=0) | Q(vote="reject", amount__isnull=True),
                name="fund_vote_amount_iff_approve",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.member_id} {self.vote}"


class Grant(models.Model):
    """Credit from the fund to a restricted wallet of the worker: it pays platform services only."""

    application = models.OneToOneField(FundApplication, on_delete=models.PROTECT, related_name="grant")
    # Emptied with the application's pseudonymisation; the wallet (ledger) keeps its owner.
    beneficiary = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="fund_grants"
    )
    amount = models.BigIntegerField(_("amount (cents)"))
    wallet = models.OneToOneField(LedgerAccount, on_delete=models.PROTECT, related_name="fund_grant")
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    expires_on = models.DateField(_("can be spent until"))
    returned = models.BigIntegerField(_("returned to the fund (cents)"), default=0)
    # Copied for the transparency figures, which must not read the application.
    events = models.JSONField(_("hardship events"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_grant_positive"),
            models.CheckConstraint(
                condition=Q(returned__gte=0, returned__lte=F("amount")), name="fund_grant_returned_within"
            ),
        ]

    def __str__(self) -> str:
        return _("Solidarity grant no. %(id)s") % {"id": self.pk}


def events_valid(events: Any) -> bool:
    return isinstance(events, list) and bool(events) and all(e in HardshipEvent.values for e in events)
