"""The reimbursement checklist: the rules engine's items, evaluated against one request.

The items (their text, severity, buckets and sources) are data in `plans/rules/<year>.json`
under "reimbursement_checklist", read through `fiscal.reimbursement_checklist`; this module
only knows how to decide each automatic item and reads the employee's answers for the
declared ones. An item the code does not know is shown as a warning, never silently passed.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils.translation import get_language

from conciliare.accounts.models import FamilyMember, User
from conciliare.ledger.models import AccountKind, LedgerAccount
from conciliare.plans import fiscal
from conciliare.plans.models import PlanStatus, WelfarePlan
from conciliare.plans.selectors import FRINGE, fringe_status_for_user

FTER = "art51_c2_fter"
ELDERLY_AGE = 75


@dataclass(frozen=True)
class Facts:
    """What a request says, before or after it is saved."""

    employee: User
    bucket: str
    category: str
    expense_date: datetime.date
    amount: int
    family_member: FamilyMember | None
    addressed_to_name: str
    addressed_to_fiscal_code: str
    names_beneficiary: bool
    names_service: bool
    today: datetime.date


@dataclass(frozen=True)
class CheckResult:
    id: str
    severity: str
    passed: bool
    text_it: str
    text_en: str
    sources: tuple[str, ...]

    @property
    def blocks(self) -> bool:
        return not self.passed and self.severity == "block"

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "").startswith("en") else self.text_it

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "passed": self.passed,
            "text": {"it": self.text_it, "en": self.text_en},
            "sources": list(self.sources),
        }


def beneficiary_of(member: FamilyMember | None) -> fiscal.Beneficiary:
    """The rules engine's view of who used the service. A relative counts as non-self-sufficient
    only with the certificate in the family profile (TUIR art. 51 c.2 f-ter)."""
    if member is None:
        return fiscal.Beneficiary(kind=fiscal.EMPLOYEE)
    return fiscal.Beneficiary(
        kind=fiscal.FAMILY,
        birth_date=member.birth_date,
        fiscally_dependent=member.fiscally_dependent,
        non_self_sufficient=member.non_self_sufficient and bool(member.non_self_sufficiency_certificate),
    )


# --- Who the document is addressed to ---------------------------------------------------------------------------

FISCAL_CODE_RE = re.compile(r"^[A-Z0-9]{16}$")


def name_tokens(text: str) -> set[str]:
    """'Nicolò  D'Amico-Rossi' → {'NICOLO', 'D', 'AMICO', 'ROSSI'}: accents, case and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(char for char in decomposed if not unicodedata.combining(char)).upper()
    return {token for token in re.split(r"[^A-Z]+", letters) if token}


def normalize_fiscal_code(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def _same_name(written: set[str], first_name: str, last_name: str) -> bool:
    person = name_tokens(f"{first_name} {last_name}")
    if not person or not written:
        return False
    # "Anna Maria Rossi" on the document for Anna Rossi, or "Anna Rossi" for Anna Maria Rossi.
    return person <= written or (len(written) >= 2 and written <= person)


def addressed_to_employee_or_beneficiary(facts: Facts) -> bool:
    """The name (and the codice fiscale, when given) on the document is the employee's or the beneficiary's."""
    people = [(facts.employee.first_name, facts.employee.last_name, facts.employee.fiscal_code or "")]
    if facts.family_member is not None:
        member = facts.family_member
        people.append((member.first_name, member.last_name, member.fiscal_code))
    written = name_tokens(facts.addressed_to_name)
    named = [person for person in people if _same_name(written, person[0], person[1])]
    if not named:
        return False
    code = normalize_fiscal_code(facts.addressed_to_fiscal_code)
    return not code or code in {person[2].upper() for person in people if person[2]}


# --- Plans and credit ------------------------------------------------------------------------------------------


def plan_wallets(*, employee: Any, bucket: str, day: datetime.date) -> list[tuple[LedgerAccount, WelfarePlan]]:
    """The employee's wallets of `bucket` whose plan is active and covers `day`, earliest-ending plan first."""
    wallets = list(
        LedgerAccount.objects.filter(
            kind=AccountKind.EMPLOYEE_WALLET,
            owner_user=employee,
            fiscal_bucket=bucket,
            plan_reference__startswith="plan:",
        ).order_by("pk")
    )
    plan_ids = {int(wallet.plan_reference.split(":", 1)[1]) for wallet in wallets}
    plans = {
        plan.pk: plan
        for plan in WelfarePlan.objects.filter(
            pk__in=plan_ids, status=PlanStatus.ACTIVE, starts_on__lte=day, ends_on__gte=day
        )
    }
    found = [
        (wallet, plans[int(wallet.plan_reference.split(":", 1)[1])])
        for wallet in wallets
        if int(wallet.plan_reference.split(":", 1)[1]) in plans
    ]
    return sorted(found, key=lambda pair: (pair[1].ends_on, pair[0].pk))


@dataclass(frozen=True)
class FringeRoom:
    cap: int
    used: int
    held: int

    def allows(self, amount: int) -> bool:
        return self.used + self.held + amount <= self.cap


def fringe_room(*, employee: Any, today: datetime.date) -> FringeRoom:
    """This year's fringe-benefit cap against what is spent and reserved (holds of pending purchases)."""
    status = fringe_status_for_user(employee, today=today)
    held = LedgerAccount.objects.filter(
        kind=AccountKind.EMPLOYEE_WALLET, owner_user=employee, fiscal_bucket=FRINGE
    ).aggregate(total=Sum("held", default=0))["total"]
    return FringeRoom(cap=status.cap, used=status.used, held=held)


# --- Evaluation ---------------------------------------------------------------------------------------------------


def _bucket_reimbursable(facts: Facts) -> bool:
    return fiscal.may_reimburse(bucket=facts.bucket, year=facts.expense_date.year)


def _service_for_beneficiary(facts: Facts) -> bool:
    return facts.category in fiscal.reimbursable_categories(
        bucket=facts.bucket, beneficiary=beneficiary_of(facts.family_member), day=facts.expense_date
    )


def _elderly_or_certified(facts: Facts) -> bool:
    member = facts.family_member
    if member is None:
        return False
    return member.age_on(facts.expense_date) >= ELDERLY_AGE or (
        member.non_self_sufficient and bool(member.non_self_sufficiency_certificate)
    )


def _within_plan_period(facts: Facts) -> bool:
    return bool(plan_wallets(employee=facts.employee, bucket=facts.bucket, day=facts.expense_date))


def _same_tax_year(facts: Facts) -> bool:
    return facts.expense_date.year == facts.today.year


def _fringe_within_cap(facts: Facts) -> bool:
    return fringe_room(employee=facts.employee, today=facts.today).allows(facts.amount)


CHECKS: dict[str, Callable[[Facts], bool]] = {
    "bucket_reimbursable": _bucket_reimbursable,
    "service_for_beneficiary": _service_for_beneficiary,
    "elderly_or_certified": _elderly_or_certified,
    "within_plan_period": _within_plan_period,
    "addressed_to_employee_or_beneficiary": addressed_to_employee_or_beneficiary,
    "names_beneficiary": lambda facts: facts.names_beneficiary,
    "names_service": lambda facts: facts.names_service,
    "same_tax_year": _same_tax_year,
    "fringe_within_cap": _fringe_within_cap,
}


def checklist_evaluate(facts: Facts) -> list[CheckResult]:
    """Every item of the expense year's checklist for the bucket, decided. Raises `fiscal.UnknownTaxYear`."""
    items = fiscal.reimbursement_checklist(bucket=facts.bucket, year=facts.expense_date.year)
    results = []
    for item in items:
        check = CHECKS.get(item.id)
        passed = bool(check(facts)) if check is not None else False
        results.append(
            CheckResult(
                id=item.id,
                # An item this code cannot decide is shown to people rather than passed or blocking.
                severity=item.severity if check is not None else "warning",
                passed=passed,
                text_it=item.text_it,
                text_en=item.text_en,
                sources=item.sources,
            )
        )
    return results


def checklist_from_json(stored: list[dict[str, Any]]) -> list[CheckResult]:
    """A stored checklist, for display in the language of the page."""
    return [
        CheckResult(
            id=str(item.get("id", "")),
            severity=str(item.get("severity", "warning")),
            passed=bool(item.get("passed")),
            text_it=str(item.get("text", {}).get("it", "")),
            text_en=str(item.get("text", {}).get("en", "")),
            sources=tuple(item.get("sources", [])),
        )
        for item in stored
    ]
