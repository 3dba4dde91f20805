from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.models import ContractCategory, Organization
from conciliare.core.models import TimeStampedModel

BUCKETS = [
    ("art51_c2_f", _("social-purpose services (art. 51 c.2 f)")),
    ("art51_c2_fbis", _("education of family members (art. 51 c.2 f-bis)")),
    ("art51_c2_fter", _("care of elderly or non-self-sufficient relatives (art. 51 c.2 f-ter)")),
    ("art51_c2_fquater", _("long-term-care cover (art. 51 c.2 f-quater)")),
    ("art51_c2_dbis", _("public transport passes (art. 51 c.2 d-bis)")),
    ("art51_c3_fringe", _("fringe benefits (art. 51 c.3)")),
]
ALL_CATEGORIES = ""  # an allowance for every employee of the company


class LegalBasis(models.TextChoices):
    UNILATERAL = "unilateral", _("unilateral and revocable (company decision)")
    REGULATION = "regulation", _("binding company regulation (not revocable for its period)")
    AGREEMENT = "agreement", _("company or territorial agreement")


class ResidualRule(models.TextChoices):
    RETURN_TO_COMPANY = "return_to_company", _("returns to the company")
    CARRY_OVER = "carry_over", _("carries over within the plan's validity")
    SOLIDARITY_FUND = "solidarity_fund", _("goes to the Solidarity Fund")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")


class WelfarePlan(TimeStampedModel):
    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="welfare_plans")
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    legal_basis = models.CharField(_("legal basis"), max_length=16, choices=LegalBasis.choices)
    residual_rule = models.CharField(_("residual credit at the end"), max_length=24, choices=ResidualRule.choices)
    graded_on_performance = models.BooleanField(
        _("amounts graded on individual performance"),
        default=False,
        help_text=_("If so, letter f services lose their tax exemption (Agenzia delle Entrate, risposta 55/2020)."),
    )
    bonus_conversion_opens_on = models.DateField(_("performance-bonus conversion opens"), null=True, blank=True)
    bonus_conversion_closes_on = models.DateField(_("performance-bonus conversion closes"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("welfare plan")
        verbose_name_plural = _("welfare plans")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="plan_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(legal_basis__in=LegalBasis.values), name="plan_legal_basis_valid"),
            models.CheckConstraint(condition=Q(residual_rule__in=ResidualRule.values), name="plan_residual_rule_valid"),
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
            models.CheckConstraint(
                condition=Q(bonus_conversion_opens_on__isnull=True, bonus_conversion_closes_on__isnull=True)
                | Q(bonus_conversion_closes_on__gte=F("bonus_conversion_opens_on")),
                name="plan_bonus_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", activated_at__isnull=True)
                | (~Q(status="draft") & Q(activated_at__isnull=False)),
                name="plan_activated_iff_not_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"

    @property
    def ledger_reference(self) -> str:
        return f"plan:{self.pk}"

    @property
    def fully_deductible(self) -> bool:
        """Art. 100 TUIR: a revocable unilateral plan is deductible only up to 5 per mille of payroll."""
        return self.legal_basis != LegalBasis.UNILATERAL


class PlanAllowance(models.Model):
    """How much each employee of a category receives in one fiscal bucket."""

    plan = models.ForeignKey(WelfarePlan, on_delete=models.CASCADE, related_name="allowances")
    category = models.CharField(
        _("employee category"),
        max_length=16,
        blank=True,
        choices=[(ALL_CATEGORIES, _("all employees")), *ContractCategory.choices],
    )
    bucket = models.CharField(_("fiscal bucket"), max_length=32, choices=BUCKETS)
    amount = models.BigIntegerField(_("amount per employee (cents)"))

    class Meta:
        ordering = ["category", "bucket"]
        verbose_name = _("plan allowance")
        verbose_name_plural = _("plan allowances")
        constraints = [
            models.UniqueConstraint(fields=["plan", "category", "bucket"], name="allowance_once_per_category_bucket"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allowance_positive"),
            models.CheckConstraint(condition=Q(bucket__in=[b for b, _label in BUCKETS]), name="allowance_bucket_valid"),
            models.CheckConstraint(
                condition=Q(category__in=[ALL_CATEGORIES, *ContractCategory.values]), name="allowance_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or 'all'} {self.bucket} {self.amount}"


class ExpiryReminder(models.Model):
    """An e-mail sent to a person before their credit of a plan expires (once per plan and notice)."""

    plan = models.ForeignKey(WelfarePlan, on_delete=models.CASCADE, related_name="expiry_reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(fields=["plan", "user", "days_before"], name="expiry_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.user_id} -{self.days_before}d"


class PerformanceBonus(TimeStampedModel):
    """A worker's premio di risultato under a plan with a conversion window (L. 208/2015 c.184).

    HR records the gross premium and last year's employment income (from payroll); the
    worker chooses, within the window, how much to take as welfare credit instead of cash.
    """

    plan = models.ForeignKey(WelfarePlan, on_delete=models.PROTECT, related_name="bonuses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="performance_bonuses")
    gross = models.BigIntegerField(_("gross premium (cents)"))
    previous_year_income = models.BigIntegerField(_("employment income of the previous year (cents)"))
    converted = models.BigIntegerField(_("converted into welfare (cents)"), null=True, blank=True)
    bucket = models.CharField(_("fiscal bucket"), max_length=32, choices=BUCKETS, blank=True)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("performance bonus")
        verbose_name_plural = _("performance bonuses")
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="bonus_once_per_plan_and_person"),
            models.CheckConstraint(condition=Q(gross__gt=0, previous_year_income__gte=0), name="bonus_amounts_valid"),
            models.CheckConstraint(
                condition=Q(converted__isnull=True, converted_at__isnull=True, bucket="")
                | Q(converted__gt=0, converted__lte=F("gross"), converted_at__isnull=False) & ~Q(bucket=""),
                name="bonus_conversion_complete_and_within_gross",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.gross}"
