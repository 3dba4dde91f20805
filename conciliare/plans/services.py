"""Welfare plans: created by HR as drafts, activated once, credit loaded through the ledger."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.accounts.models import ContractCategory, EmployeeProfile, Organization
from conciliare.core.errors import ApplicationError, Conflict, InvalidInput
from conciliare.core.money import euro_to_cents
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, Entry, LedgerAccount, TransactionKind

from . import fiscal
from .models import ALL_CATEGORIES, BUCKETS, LegalBasis, PlanAllowance, PlanStatus, ResidualRule, WelfarePlan


@dataclass(frozen=True)
class AllowanceInput:
    category: str  # "" for all employees
    bucket: str
    amount_euro: Decimal | str


def _refuse(field: str, message: str) -> NoReturn:
    raise InvalidInput(message, fields={field: [message]})


def _parse_allowances(allowances: Iterable[AllowanceInput]) -> list[tuple[str, str, int]]:
    parsed: list[tuple[str, str, int]] = []
    buckets = {code for code, _label in BUCKETS}
    for item in allowances:
        if item.category not in (ALL_CATEGORIES, *ContractCategory.values):
            _refuse("allowances", _("Unknown employee category “%(category)s”.") % {"category": item.category})
        if item.bucket not in buckets:
            _refuse("allowances", _("Unknown fiscal bucket “%(bucket)s”.") % {"bucket": item.bucket})
        try:
            cents = euro_to_cents(item.amount_euro)
        except (TypeError, ValueError):
            _refuse("allowances", _("Amounts are in euro with at most two decimals, e.g. 250.00."))
        if cents <= 0:
            _refuse("allowances", _("Amounts must be greater than zero."))
        parsed.append((item.category, item.bucket, cents))
    if not parsed:
        _refuse("allowances", _("Give at least one amount per employee."))
    if len({(category, bucket) for category, bucket, _cents in parsed}) != len(parsed):
        _refuse("allowances", _("Each category and bucket appears once."))
    categories = {category for category, _bucket, _cents in parsed}
    if ALL_CATEGORIES in categories and len(categories) > 1:
        _refuse("allowances", _("Choose either all employees or specific categories, not both."))
    return parsed


def _covered_profiles(company: Organization, categories: set[str]) -> Any:
    profiles = EmployeeProfile.objects.filter(company=company)
    if ALL_CATEGORIES not in categories:
        profiles = profiles.filter(contract_category__in=categories)
    return profiles


@transaction.atomic
def plan_create(
    *,
    company: Organization,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    legal_basis: str,
    residual_rule: str,
    allowances: Iterable[AllowanceInput],
    graded_on_performance: bool = False,
    bonus_conversion_opens_on: datetime.date | None = None,
    bonus_conversion_closes_on: datetime.date | None = None,
) -> WelfarePlan:
    """Creates a draft plan, or refuses it with a reason per field; nothing is saved on refusal."""
    if not name.strip():
        _refuse("name", _("Give the plan a name."))
    if ends_on < starts_on:
        _refuse("ends_on", _("A plan cannot end before it starts."))
    if legal_basis not in LegalBasis.values:
        _refuse("legal_basis", _("Choose the legal basis of the plan."))
    if residual_rule not in ResidualRule.values:
        _refuse("residual_rule", _("Choose what happens to the credit left at the end."))
    if (bonus_conversion_opens_on is None) != (bonus_conversion_closes_on is None) or (
        bonus_conversion_opens_on
        and bonus_conversion_closes_on
        and bonus_conversion_closes_on < bonus_conversion_opens_on
    ):
        _refuse("bonus_conversion_closes_on", _("The conversion window needs a start and an end after it."))
    for year in {starts_on.year, ends_on.year}:
        if year not in fiscal.available_years():
            _refuse("ends_on", _("There are no fiscal rules for the tax year %(year)s yet.") % {"year": year})
    parsed = _parse_allowances(allowances)
    categories = {category for category, _bucket, _cents in parsed}
    for category in categories:
        if not _covered_profiles(company, {category}).exists():
            _refuse(
                "allowances",
                _("The company has no employee in the category “%(category)s”.") % {"category": category or _("all")},
            )
    overlapping = WelfarePlan.objects.select_for_update().filter(
        company=company,
        status__in=[PlanStatus.DRAFT, PlanStatus.ACTIVE],
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if ALL_CATEGORIES not in categories:
        overlapping = overlapping.filter(
            Q(allowances__category__in=categories) | Q(allowances__category=ALL_CATEGORIES)
        )
    clash = overlapping.first()
    if clash is not None:
        _refuse(
            "starts_on",
            _("The period overlaps the plan “%(plan)s” for the same employees.") % {"plan": clash.name},
        )
    plan = WelfarePlan.objects.create(
        company=company,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        legal_basis=legal_basis,
        residual_rule=residual_rule,
        graded_on_performance=graded_on_performance,
        bonus_conversion_opens_on=bonus_conversion_opens_on,
        bonus_conversion_closes_on=bonus_conversion_closes_on,
    )
    PlanAllowance.objects.bulk_create(
        [PlanAllowance(plan=plan, category=c, bucket=b, amount=cents) for c, b, cents in parsed]
    )
    return plan


def plan_credit_lines(plan: WelfarePlan) -> list[tuple[Any, str, int]]:
    """(user, bucket, cents) for every covered employee, computed from the allowances."""
    allowances = list(plan.allowances.all())
    categories = {a.category for a in allowances}
    lines = []
    for profile in _covered_profiles(plan.company, categories).select_related("user").order_by("user_id"):
        for allowance in allowances:
            if allowance.category in (ALL_CATEGORIES, profile.contract_category):
                lines.append((profile.user, allowance.bucket, allowance.amount))
    return lines


def _wallets(plan: WelfarePlan, lines: list[tuple[Any, str, int]]) -> dict[tuple[int | None, str], LedgerAccount]:
    """The plan's wallets, opened in bulk where missing (new rows: nobody else can lock them yet)."""
    existing = {
        (w.owner_user_id, w.fiscal_bucket): w
        for w in LedgerAccount.objects.filter(kind=AccountKind.EMPLOYEE_WALLET, plan_reference=plan.ledger_reference)
    }
    missing = [
        LedgerAccount(
            kind=AccountKind.EMPLOYEE_WALLET,
            name=f"{user.full_name or user.email} · {plan.name} · {bucket}",
            owner_user=user,
            plan_reference=plan.ledger_reference,
            fiscal_bucket=bucket,
        )
        for user, bucket, _cents in lines
        if (user.pk, bucket) not in existing
    ]
    LedgerAccount.objects.bulk_create(missing, batch_size=5_000)
    if missing:
        existing = {
            (w.owner_user_id, w.fiscal_bucket): w
            for w in LedgerAccount.objects.filter(
                kind=AccountKind.EMPLOYEE_WALLET, plan_reference=plan.ledger_reference
            )
        }
    return existing


@transaction.atomic
def plan_activate(*, plan: WelfarePlan, actor: Any, funding_source: LedgerAccount | None = None) -> WelfarePlan:
    """Funds the plan and credits every covered employee, exactly once.

    The company's payment (or a public co-funding account) funds the company's funding
    account; one ledger transaction then credits every wallet. Submitting twice, or twice
    at once, activates once: the plan row is locked and the postings carry idempotency keys.
    """
    locked = WelfarePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status == PlanStatus.ACTIVE:
        return locked
    if locked.status != PlanStatus.DRAFT:
        raise Conflict(_("A closed plan cannot be activated again."))
    if funding_source is not None and funding_source.kind != AccountKind.PUBLIC_COFUNDING:
        _refuse("funding", _("A plan is funded by the company or by a public co-funding programme."))
    lines = plan_credit_lines(locked)
    if not lines:
        raise ApplicationError(_("No employee is covered by this plan."))
    total = sum(cents for _user, _bucket, cents in lines)
    funding = ledger.company_funding_account(locked.company)
    ledger.transaction_post(
        kind=TransactionKind.FUNDING,
        legs=[(funding_source or ledger.world_account(), -total), (funding, total)],
        idempotency_key=f"{locked.ledger_reference}:funding",
        memo=_("Funding of the welfare plan “%(plan)s”") % {"plan": locked.name},
        actor=actor,
    )
    wallets = _wallets(locked, lines)
    ledger.transaction_post(
        kind=TransactionKind.CREDIT,
        legs=[(funding, -total), *((wallets[(user.pk, bucket)], cents) for user, bucket, cents in lines)],
        idempotency_key=f"{locked.ledger_reference}:credit",
        memo=_("Welfare credit of the plan “%(plan)s”") % {"plan": locked.name},
        actor=actor,
    )
    locked.status = PlanStatus.ACTIVE
    locked.activated_at = timezone.now()
    locked.activated_by = actor
    locked.save(update_fields=["status", "activated_at", "activated_by", "updated_at"])
    return locked


def plan_totals(plan: WelfarePlan) -> dict[str, int]:
    """Loaded, left and spent (cents) over the plan's wallets; no item-level detail."""
    wallets = LedgerAccount.objects.filter(kind=AccountKind.EMPLOYEE_WALLET, plan_reference=plan.ledger_reference)
    loaded = Entry.objects.filter(account__in=wallets, transaction__kind=TransactionKind.CREDIT).aggregate(
        total=Sum("amount", default=0)
    )["total"]
    left = sum(wallets.values_list("balance", flat=True))
    return {"loaded": loaded, "left": left, "spent": loaded - left, "wallets": wallets.count()}


@transaction.atomic
def plan_enrol_new_employees(*, plan: WelfarePlan, actor: Any) -> int:
    """Credits employees who joined a covered category after activation; returns how many.

    Each newcomer's share is paid in by the company and credited in one ledger
    transaction keyed on the plan and the person, so running this twice credits once.
    """
    locked = WelfarePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.ACTIVE:
        raise Conflict(_("Only an active plan can credit new employees."))
    credited = set(
        LedgerAccount.objects.filter(
            kind=AccountKind.EMPLOYEE_WALLET, plan_reference=locked.ledger_reference
        ).values_list("owner_user_id", flat=True)
    )
    newcomers: dict[Any, list[tuple[Any, str, int]]] = {}
    for user, bucket, cents in plan_credit_lines(locked):
        if user.pk not in credited:
            newcomers.setdefault(user, []).append((user, bucket, cents))
    funding = ledger.company_funding_account(locked.company)
    for user, lines in newcomers.items():
        total = sum(cents for _user, _bucket, cents in lines)
        wallets = _wallets(locked, lines)
        ledger.transaction_post(
            kind=TransactionKind.FUNDING,
            legs=[(ledger.world_account(), -total), (funding, total)],
            idempotency_key=f"{locked.ledger_reference}:funding:{user.pk}",
            memo=_("Funding of the welfare plan “%(plan)s”") % {"plan": locked.name},
            actor=actor,
        )
        ledger.transaction_post(
            kind=TransactionKind.CREDIT,
            legs=[(funding, -total), *((wallets[(user.pk, bucket)], cents) for _u, bucket, cents in lines)],
            idempotency_key=f"{locked.ledger_reference}:credit:{user.pk}",
            memo=_("Welfare credit of the plan “%(plan)s”") % {"plan": locked.name},
            actor=actor,
        )
    return len(newcomers)


@transaction.atomic
def bonus_record(
    *, plan: WelfarePlan, user: Any, gross_euro: Decimal | str, previous_year_income_euro: Decimal | str
) -> Any:
    """HR records a worker's premium for a plan that offers conversion (updates it until converted)."""
    from .models import PerformanceBonus

    if plan.bonus_conversion_opens_on is None:
        _refuse("plan", _("This plan does not offer the conversion of the performance bonus."))
    if not EmployeeProfile.objects.filter(user=user, company=plan.company).exists():
        _refuse("user", _("This person is not an employee of the plan's company."))
    try:
        gross, income = euro_to_cents(gross_euro), euro_to_cents(previous_year_income_euro)
    except (TypeError, ValueError):
        _refuse("gross", _("Amounts are in euro with at most two decimals, e.g. 250.00."))
    if gross <= 0 or income < 0:
        _refuse("gross", _("Amounts must be greater than zero."))
    bonus, _created = PerformanceBonus.objects.select_for_update().get_or_create(
        plan=plan, user=user, defaults={"gross": gross, "previous_year_income": income}
    )
    if bonus.converted is not None:
        raise Conflict(_("The worker has already converted this premium."))
    bonus.gross, bonus.previous_year_income = gross, income
    bonus.save(update_fields=["gross", "previous_year_income", "updated_at"])
    return bonus


@transaction.atomic
def bonus_convert(*, bonus: Any, amount_euro: Decimal | str, bucket: str, today: datetime.date) -> Any:
    """The worker takes `amount` of the premium as welfare credit in `bucket`, once, inside the window."""
    from .models import PerformanceBonus

    locked = PerformanceBonus.objects.select_for_update().select_related("plan", "user").get(pk=bonus.pk)
    plan = locked.plan
    if locked.converted is not None:
        raise Conflict(_("You have already converted this premium."))
    if plan.status != PlanStatus.ACTIVE:
        _refuse("amount", _("The plan is not active."))
    if not (plan.bonus_conversion_opens_on and plan.bonus_conversion_closes_on) or not (
        plan.bonus_conversion_opens_on <= today <= plan.bonus_conversion_closes_on
    ):
        _refuse("amount", _("The conversion window of this plan is closed."))
    if bucket not in {code for code, _label in BUCKETS}:
        _refuse("bucket", _("Unknown fiscal bucket “%(bucket)s”.") % {"bucket": bucket})
    comparison = fiscal.bonus_compare(
        year=today.year, gross=locked.gross, previous_year_income=locked.previous_year_income
    )
    if not comparison.eligible:
        _refuse("amount", _("Your previous-year income or the premium is above the limits of the year."))
    try:
        amount = euro_to_cents(amount_euro)
    except (TypeError, ValueError):
        _refuse("amount", _("Amounts are in euro with at most two decimals, e.g. 250.00."))
    if not 0 < amount <= locked.gross:
        _refuse("amount", _("Choose an amount between 0.01 and the gross premium."))
    wallets = _wallets(plan, [(locked.user, bucket, amount)])
    funding = ledger.company_funding_account(plan.company)
    ledger.transaction_post(
        kind=TransactionKind.FUNDING,
        legs=[(ledger.world_account(), -amount), (funding, amount)],
        idempotency_key=f"{plan.ledger_reference}:bonus-funding:{locked.pk}",
        memo=_("Performance bonus converted into welfare"),
    )
    ledger.transaction_post(
        kind=TransactionKind.CREDIT,
        legs=[(funding, -amount), (wallets[(locked.user.pk, bucket)], amount)],
        idempotency_key=f"{plan.ledger_reference}:bonus:{locked.pk}",
        memo=_("Performance bonus converted into welfare"),
        actor=locked.user,
    )
    locked.converted, locked.bucket, locked.converted_at = amount, bucket, timezone.now()
    locked.save(update_fields=["converted", "bucket", "converted_at", "updated_at"])
    return locked


def public_cofunding_accounts() -> Any:
    """Public programmes (e.g. regional conciliation funds) that may fund plans."""
    return LedgerAccount.objects.filter(kind=AccountKind.PUBLIC_COFUNDING).order_by("name")


def plan_expiring_soon(plan: WelfarePlan, *, today: datetime.date, days: int = 30) -> bool:
    return plan.status == PlanStatus.ACTIVE and today <= plan.ends_on <= today + datetime.timedelta(days=days)
