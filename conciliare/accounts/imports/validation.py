"""Checks every row of an employee file against the rules and the database.

Runs a fixed number of queries whatever the number of rows: municipalities,
people and employments are fetched once, in bulk, and looked up in memory.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.accounts.models import ContractCategory, EmployeeProfile, Organization, User
from conciliare.accounts.validators import (
    birth_date_from_fiscal_code,
    fiscal_code_mismatches,
    normalize_fiscal_code,
    validate_fiscal_code,
)
from conciliare.territory.models import Municipality

from .reading import COLUMN_LABELS, REQUIRED_COLUMNS

# A cell starting with one of these is run as a formula by spreadsheet programs
# when the data is exported again (CSV injection): refuse it outright.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "|")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass
class RowResult:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cleaned: dict[str, Any] = field(default_factory=dict)


def _category_lookup() -> dict[str, str]:
    lookup = {value: value for value in ContractCategory.values}
    lookup.update({str(label).lower(): value for value, label in ContractCategory.choices})
    lookup.update(
        {
            "operaio": "operai",
            "impiegato": "impiegati",
            "quadro": "quadri",
            "dirigente": "dirigenti",
            "apprendista": "apprendisti",
        }
    )
    return lookup


def _parse_date(value: str) -> datetime.date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _name_key(value: str) -> str:
    return " ".join(value.split()).lower()


class RowValidator:
    def __init__(self, *, company: Organization, rows: list[tuple[int, dict[str, str]]]) -> None:
        self.company = company
        self.rows = rows
        codes = {normalize_fiscal_code(values.get("fiscal_code", "")) for _, values in rows}
        emails = {values.get("email", "").strip().lower() for _, values in rows}
        municipalities = list(Municipality.objects.all())
        self.municipalities = {_name_key(m.name): m for m in municipalities}
        self.municipalities.update({m.istat_code: m for m in municipalities})
        self.users_by_code = {u.fiscal_code: u for u in User.objects.filter(fiscal_code__in=codes)}
        self.users_by_email = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
        self.profiles = {
            p.user_id: p
            for p in EmployeeProfile.objects.filter(
                user__in=[*self.users_by_code.values(), *self.users_by_email.values()]
            )
        }
        self.categories = _category_lookup()
        self.seen_codes: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}

    def validate(self) -> list[RowResult]:
        return [self._validate_row(line, values) for line, values in self.rows]

    def _municipality(self, result: RowResult, column: str, *, required: bool) -> Municipality | None:
        value = result.values.get(column, "")
        if not value:
            if required:
                result.errors.append(_("%(column)s is missing.") % {"column": COLUMN_LABELS[column]})
            return None
        key = value.zfill(6) if value.isdigit() else _name_key(value)
        municipality = self.municipalities.get(key)
        if municipality is None:
            result.errors.append(
                _(
                    "Unknown municipality “%(name)s” in %(column)s: "
                    "use the name or ISTAT code of a municipality of the territory."
                )
                % {"name": value, "column": COLUMN_LABELS[column]}
            )
        return municipality

    def _validate_row(self, line: int, values: dict[str, str]) -> RowResult:
        result = RowResult(line=line, values=values)
        for column, value in values.items():
            if value.startswith(FORMULA_PREFIXES):
                result.errors.append(
                    _("%(column)s starts with “%(char)s”: formulas and commands are not accepted.")
                    % {"column": COLUMN_LABELS.get(column, column), "char": value[0].strip() or "⇥"}
                )
        if result.errors:
            return result  # do not echo an injected formula through further checks
        for column in REQUIRED_COLUMNS:
            if not values.get(column) and column not in ("workplace",):
                result.errors.append(_("%(column)s is missing.") % {"column": COLUMN_LABELS[column]})
        self._check_fiscal_code(result)
        self._check_email(result)
        category = self.categories.get(values.get("category", "").strip().lower())
        if values.get("category") and category is None:
            result.errors.append(
                _("Unknown category “%(value)s”: use one of %(allowed)s.")
                % {"value": values["category"], "allowed": ", ".join(ContractCategory.values)}
            )
        workplace = self._municipality(result, "workplace", required=True)
        residence = self._municipality(result, "residence", required=False)
        hire_date = self._check_hire_date(result)
        if not result.errors:
            result.cleaned = {
                "fiscal_code": normalize_fiscal_code(values["fiscal_code"]),
                "first_name": " ".join(values["first_name"].split()),
                "last_name": " ".join(values["last_name"].split()),
                "email": values["email"].strip().lower(),
                "category": category,
                "workplace_id": workplace.pk if workplace else None,
                "residence_id": residence.pk if residence else None,
                "hire_date": hire_date.isoformat() if hire_date else None,
                "birth_date": (birth_date_from_fiscal_code(values["fiscal_code"]) or datetime.date.min).isoformat(),
            }
        return result

    def _check_fiscal_code(self, result: RowResult) -> None:
        raw = result.values.get("fiscal_code", "")
        if not raw:
            return
        code = normalize_fiscal_code(raw)
        try:
            validate_fiscal_code(code)
        except ValidationError as error:
            result.errors.extend(error.messages)
            return
        result.errors.extend(
            fiscal_code_mismatches(
                code,
                first_name=result.values.get("first_name", ""),
                last_name=result.values.get("last_name", ""),
                birth_date=None,
            )
        )
        if code in self.seen_codes:
            result.errors.append(
                _("Duplicate row: this codice fiscale is already on row %(line)s.") % {"line": self.seen_codes[code]}
            )
        else:
            self.seen_codes[code] = result.line
        existing = self.users_by_code.get(code)
        profile = self.profiles.get(existing.pk) if existing else None
        if profile is not None and profile.company_id != self.company.pk:
            result.errors.append(
                _("This person is registered as an employee of another company; ask the operator to transfer them.")
            )
        elif existing is not None:
            result.warnings.append(_("Already registered: the data will be updated."))
            if existing.email.lower() != result.values.get("email", "").strip().lower():
                result.warnings.append(
                    _("The e-mail differs from the one the person signs in with, which stays %(email)s.")
                    % {"email": existing.email}
                )

    def _check_email(self, result: RowResult) -> None:
        email = result.values.get("email", "").strip().lower()
        if not email:
            return
        try:
            validate_email(email)
        except ValidationError:
            result.errors.append(_("“%(email)s” is not a valid e-mail address.") % {"email": email})
            return
        if email in self.seen_emails:
            result.errors.append(
                _("The e-mail %(email)s is already used on row %(line)s.")
                % {"email": email, "line": self.seen_emails[email]}
            )
        else:
            self.seen_emails[email] = result.line
        owner = self.users_by_email.get(email)
        code = normalize_fiscal_code(result.values.get("fiscal_code", ""))
        if owner is not None and owner.fiscal_code != code:
            result.errors.append(_("The e-mail %(email)s belongs to another person.") % {"email": email})

    def _check_hire_date(self, result: RowResult) -> datetime.date | None:
        raw = result.values.get("hire_date", "")
        if not raw:
            return None
        parsed = _parse_date(raw)
        if parsed is None:
            result.errors.append(
                _("Wrong date “%(value)s” in data_assunzione: write it as YYYY-MM-DD or DD/MM/YYYY.") % {"value": raw}
            )
            return None
        today = timezone.localdate()
        if parsed > today + datetime.timedelta(days=366):
            result.errors.append(_("The hire date %(value)s is more than a year in the future.") % {"value": raw})
        if parsed.year < 1950:
            result.errors.append(_("The hire date %(value)s is too far in the past.") % {"value": raw})
        return parsed


def validate_employee_rows(*, company: Organization, rows: list[tuple[int, dict[str, str]]]) -> list[RowResult]:
    return RowValidator(company=company, rows=rows).validate()
