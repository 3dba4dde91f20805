"""Double-entry ledger. Amounts are integer cents; a transaction's entries sum to zero.

Sign convention: an account's balance is the sum of its entries. A wallet with
credit has a positive balance; the external world account goes negative as money
enters the platform. The database keeps `balance` (trigger on entry insert) and
refuses any account that may not go negative from doing so (`balance - held >= 0`).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    EMPLOYEE_WALLET = "employee_wallet", _("employee wallet")
    COMPANY_FUNDING = "company_funding", _("company funding")
    SUPPLIER_PAYABLE = "supplier_payable", _("supplier payable")
    SOLIDARITY_FUND = "solidarity_fund", _("Solidarity Fund")
    PUBLIC_COFUNDING = "public_cofunding", _("public co-funding")
    CITIZEN_CLEARING = "citizen_clearing", _("citizen payments clearing")
    PLATFORM_REVENUE = "platform_revenue", _("platform revenue")
    # Credit captured for confirmed vouchers, owed to the supplier once the voucher is redeemed.
    VOUCHERS_OUTSTANDING = "vouchers_outstanding", _("vouchers issued, not yet redeemed")
    # Approved reimbursements a company adds to the employee's next payslip.
    PAYROLL_PAYABLE = "payroll_payable", _("reimbursements payable through payroll")
    EXTERNAL_WORLD = "external_world", _("external world")


class LedgerAccount(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=200)
    owner_organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    # Wallets only. The ledger knows plans by reference, not by model, so that it
    # depends on nothing but core (plans depend on the ledger, not the reverse).
    plan_reference = models.CharField(_("plan"), max_length=64, blank=True)
    fiscal_bucket = models.CharField(_("fiscal bucket"), max_length=32, blank=True)
    may_go_negative = models.BooleanField(_("may go negative"), default=False)
    # Kept by the database: +amount of every entry (trigger), and by the hold services.
    balance = models.BigIntegerField(_("balance (cents)"), default=0, editable=False)
    held = models.BigIntegerField(_("held (cents)"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="ledger_account_kind_valid"),
            models.CheckConstraint(
                condition=Q(may_go_negative=True) | Q(balance__gte=F("held")), name="ledger_account_not_overdrawn"
            ),
            models.CheckConstraint(condition=Q(held__gte=0), name="ledger_account_held_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="employee_wallet") | Q(owner_user__isnull=False),
                name="ledger_wallet_has_owner",
            ),
            # One external world; one funding account per company; one wallet per person, plan and bucket.
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="external_world"), name="ledger_one_world"),
            models.UniqueConstraint(
                fields=["owner_organization"],
                condition=Q(kind="company_funding"),
                name="ledger_one_funding_per_company",
            ),
            models.UniqueConstraint(
                fields=["owner_organization", "kind"],
                condition=Q(kind__in=["supplier_payable", "payroll_payable"]),
                name="ledger_one_payable_per_organization_and_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=["vouchers_outstanding", "citizen_clearing", "platform_revenue"]),
                name="ledger_one_platform_account_per_kind",
            ),
            models.UniqueConstraint(
                fields=["owner_user", "plan_reference", "fiscal_bucket"],
                condition=Q(kind="employee_wallet"),
                name="ledger_one_wallet_per_plan_bucket",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TransactionKind(models.TextChoices):
    FUNDING = "funding", _("funding")
    CREDIT = "credit", _("credit")
    SPEND = "spend", _("spend")
    CAPTURE = "capture", _("capture of a hold")
    TRANSFER = "transfer", _("transfer")
    CONTRIBUTION = "contribution", _("Solidarity Fund contribution")
    FEE = "fee", _("platform fee")
    EXPIRY = "expiry", _("expiry of credit")
    SETTLEMENT = "settlement", _("supplier settlement")
    REVERSAL = "reversal", _("reversal")


class LedgerTransaction(models.Model):
    """Immutable. Corrections are new transactions that reverse this one."""

    kind = models.CharField(_("kind"), max_length=32, choices=TransactionKind.choices)
    effective_date = models.DateField(_("effective date"))
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TransactionKind.values), name="ledger_transaction_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="ledger_reversal_names_its_original",
            ),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="ledger_idempotency_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("amount (cents)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero"),
            models.UniqueConstraint(fields=["transaction", "account"], name="ledger_entry_one_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


class HoldStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    CAPTURED = "captured", _("captured")
    VOIDED = "voided", _("voided")
    EXPIRED = "expired", _("expired")


class Hold(models.Model):
    """A two-phase transfer: credit reserved on `account` until captured to `destination`,
    voided, or expired. While pending, it lowers the available balance, not the total."""

    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="holds")
    destination = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("amount (cents)"))
    status = models.CharField(_("status"), max_length=16, choices=HoldStatus.choices, default=HoldStatus.PENDING)
    expires_at = models.DateTimeField(_("expires at"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    capture = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="hold"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_hold_positive"),
            models.CheckConstraint(condition=Q(status__in=HoldStatus.values), name="ledger_hold_status_valid"),
            models.CheckConstraint(condition=~Q(account=F("destination")), name="ledger_hold_two_accounts"),
            models.CheckConstraint(
                condition=Q(status="captured", capture__isnull=False)
                | (~Q(status="captured") & Q(capture__isnull=True)),
                name="ledger_hold_capture_iff_captured",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", resolved_at__isnull=True)
                | (~Q(status="pending") & Q(resolved_at__isnull=False)),
                name="ledger_hold_resolved_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"hold #{self.pk} {self.amount} ({self.status})"
