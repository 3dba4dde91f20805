"""The fiscal rules engine: what welfare credit may pay for, for whom, how, and what it saves.

The rules are data, one JSON file per tax year in `rules/`, each rule naming its sources
(ids listed in the file's `sources`, taken from the project's fiscal research notes). The
code only reads them; a new year is a new file. Amounts are cents.
"""

import datetime
import functools
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from conciliare.core.errors import ApplicationError

RULES_DIR = Path(__file__).resolve().parent / "rules"
ROME = ZoneInfo("Europe/Rome")

EMPLOYEE = "employee"
FAMILY = "family"


class UnknownTaxYear(ApplicationError):
    code = "unknown_tax_year"


@functools.cache
def rules_for(year: int) -> dict[str, Any]:
    path = RULES_DIR / f"{int(year)}.json"
    if not path.exists():
        raise UnknownTaxYear(_("There are no fiscal rules for the tax year %(year)s.") % {"year": year})
    rules: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return rules


def available_years() -> list[int]:
    return sorted(int(path.stem) for path in RULES_DIR.glob("*.json"))


def tax_year_of(moment: datetime.datetime) -> int:
    """The tax year of an instant, decided in Rome's time (31 Dec 23:30 UTC is already 1 Jan)."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is required to decide the tax year")
    return moment.astimezone(ROME).year


@dataclass(frozen=True)
class Beneficiary:
    """Who uses the service: the employee, or a family member with their age and status."""

    kind: str = EMPLOYEE
    birth_date: datetime.date | None = None
    fiscally_dependent: bool = False
    non_self_sufficient: bool = False

    def age_on(self, day: datetime.date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class BucketOption:
    bucket: str
    reference: str
    methods: tuple[str, ...]
    sources: tuple[str, ...]


def _eligible(rule: dict[str, Any], beneficiary: Beneficiary, day: datetime.date) -> bool:
    allowed = rule["beneficiaries"]
    if beneficiary.kind == EMPLOYEE:
        if EMPLOYEE not in allowed:
            return False
    elif FAMILY not in allowed and not ("dependent_family" in allowed and beneficiary.fiscally_dependent):
        return False
    condition = rule.get("condition")
    if condition and beneficiary.kind == FAMILY:
        age = beneficiary.age_on(day)
        old_enough = age is not None and age >= condition["min_age"]
        if not (old_enough or (condition.get("or_non_self_sufficient") and beneficiary.non_self_sufficient)):
            return False
    return True


def payable_buckets(*, category: str, beneficiary: Beneficiary, day: datetime.date) -> list[BucketOption]:
    """The buckets that may pay for `category` used by `beneficiary` on `day`, best first."""
    rules = rules_for(day.year)
    options = []
    for bucket in rules["categories"].get(category, []):
        rule = rules["buckets"][bucket]
        if _eligible(rule, beneficiary, day):
            options.append(
                BucketOption(
                    bucket=bucket,
                    reference=rule["reference"],
                    methods=tuple(rule["methods"]),
                    sources=tuple(rule["sources"]),
                )
            )
    return options


def may_reimburse(*, bucket: str, year: int) -> bool:
    """Whether an expense paid by the worker may be refunded from this bucket (never for letter f)."""
    return bool(rules_for(year)["buckets"][bucket]["reimbursement"])


@dataclass(frozen=True)
class FringeAssessment:
    cap: int
    used: int
    amount: int
    sources: tuple[str, ...]

    @property
    def left(self) -> int:
        return max(self.cap - self.used, 0)

    @property
    def within_cap(self) -> bool:
        """Exceeding the cap by one cent makes the whole year's fringe benefits taxable."""
        return self.used + self.amount <= self.cap


def fringe_cap(*, year: int, dependent_children_declared: bool) -> int:
    rule = rules_for(year)["fringe_benefits"]
    return int(rule["cap_with_dependent_children"] if dependent_children_declared else rule["cap"])


def fringe_assess(*, year: int, used: int, amount: int, dependent_children_declared: bool) -> FringeAssessment:
    """Would `amount` more of fringe benefits this year stay tax-free, and how much is left?"""
    if used < 0 or amount < 0:
        raise ApplicationError(_("Amounts cannot be negative."))
    return FringeAssessment(
        cap=fringe_cap(year=year, dependent_children_declared=dependent_children_declared),
        used=used,
        amount=amount,
        sources=tuple(rules_for(year)["fringe_benefits"]["sources"]),
    )


@dataclass(frozen=True)
class BonusComparison:
    """A performance bonus taken in cash versus converted into welfare (cents)."""

    eligible: bool
    gross: int
    contributions: int
    substitute_tax: int
    sources: tuple[str, ...]

    @property
    def cash_net(self) -> int:
        return self.gross - self.contributions - self.substitute_tax

    @property
    def welfare_value(self) -> int:
        return self.gross

    @property
    def welfare_advantage(self) -> int:
        return self.welfare_value - self.cash_net


def _cents_of(amount: int, rate: str) -> int:
    # Half-to-even reproduces the published worked examples (862.70 € at 5 % per 1,000 €).
    return int((Decimal(amount) * Decimal(rate)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def bonus_compare(*, year: int, gross: int, previous_year_income: int) -> BonusComparison:
    """Cash net (worker contributions, then the substitute tax) against the full value as welfare.

    Eligible when last year's employment income is within the limit (equal counts) and the
    premium within the year's maximum.
    """
    if gross <= 0 or previous_year_income < 0:
        raise ApplicationError(_("Amounts must be positive."))
    rule = rules_for(year)["performance_bonus"]
    eligible = previous_year_income <= rule["previous_year_income_limit"] and gross <= rule["max_premium"]
    contributions = _cents_of(gross, rule["worker_contribution_rate"])
    tax = _cents_of(gross - contributions, rule["substitute_tax_rate"]) if eligible else 0
    return BonusComparison(
        eligible=eligible, gross=gross, contributions=contributions, substitute_tax=tax, sources=tuple(rule["sources"])
    )


def meal_voucher_daily_exempt(*, year: int, electronic: bool = True) -> int:
    rule = rules_for(year)["meal_vouchers"]
    return int(rule["daily_exempt_electronic"] if electronic else rule["daily_exempt_paper"])


@dataclass(frozen=True)
class ChecklistItem:
    """One point a reimbursement request is checked against (`rules/<year>.json`, "reimbursement_checklist").

    `check` is "automatic" (the platform decides from the request) or "declared" (the employee
    ticks it after reading the document); `severity` is "block" (stops the submission) or "warning".
    """

    id: str
    check: str
    severity: str
    text_it: str
    text_en: str
    sources: tuple[str, ...]

    def text(self, language: str | None) -> str:
        return self.text_en if (language or "").startswith("en") else self.text_it


def reimbursement_checklist(*, bucket: str, year: int) -> list[ChecklistItem]:
    """The checklist items that apply to a reimbursement from `bucket` of an expense of `year`, in order."""
    section = rules_for(year).get("reimbursement_checklist", {})
    return [
        ChecklistItem(
            id=item["id"],
            check=item["check"],
            severity=item["severity"],
            text_it=item["text"]["it"],
            text_en=item["text"]["en"],
            sources=tuple(item["sources"]),
        )
        for item in section.get("items", [])
        if bucket in item["buckets"]
    ]


def reimbursable_categories(*, bucket: str, beneficiary: Beneficiary, day: datetime.date) -> list[str]:
    """The service categories an expense on `day` may be refunded for from `bucket`, for `beneficiary`.

    Empty when the bucket refunds nothing (letter f). Some buckets refund only some of the categories
    they pay for directly (the fringe-benefit bucket: household utilities only).
    """
    rules = rules_for(day.year)
    if bucket not in rules["buckets"] or not may_reimburse(bucket=bucket, year=day.year):
        return []
    restricted = rules.get("reimbursement_checklist", {}).get("restricted_categories", {}).get(bucket)
    categories = []
    for category in rules["categories"]:
        if restricted is not None and category not in restricted:
            continue
        if any(
            option.bucket == bucket for option in payable_buckets(category=category, beneficiary=beneficiary, day=day)
        ):
            categories.append(category)
    return categories
