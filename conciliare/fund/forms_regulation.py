"""The operator's form for a new version of the fund's regulation, prefilled from the one in force.

The form reads what people type (euro in Italian or plain notation, dates as dd/mm/yyyy) and
checks its shape; `regulation.regulation_publish` checks the rules again and writes the version.
"""

import datetime
import re
from typing import Any

from babel.numbers import format_decimal
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from conciliare.core.money import cents_to_euro

from .forms import EuroField
from .models import FundRegulation, HardshipEvent

MAX_BANDS = 4
MAX_POINTS = 1000
MAX_MONTHS = 120
# 1 000 000 euro: far above any ISEE or grant, and far below what the database column holds.
MAX_AMOUNT = 100_000_000
_WINDOW = re.compile(r"^(\d{1,2}/\d{1,2}/\d{4})\s*[-–—]\s*(\d{1,2}/\d{1,2}/\d{4})$")


def euro_text(cents: int) -> str:
    """30000000 → '300.000,00' in Italian pages: what the field reads back."""
    return str(format_decimal(cents_to_euro(cents), format="#,##0.00", locale=to_locale(get_language() or "it")))


def _amount(label: Any, **kwargs: Any) -> EuroField:
    return EuroField(label=label, **kwargs)


def _whole(label: Any, *, minimum: int = 0, maximum: int = MAX_POINTS, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=maximum, **kwargs)


def _day(text: str) -> datetime.date:
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


class RegulationForm(forms.Form):
    isee_threshold = _amount(
        _("ISEE threshold (euro)"), help_text=_("Households with a higher ISEE cannot apply. For example 30.000,00.")
    )
    # Points per hardship event (event_<code>) and the ISEE bands (band_<n>_up_to, band_<n>_points)
    # are added in __init__, one per event and per band.
    household_points_per_member = _whole(_("Points for each household member beyond the first"))
    household_points_max = _whole(_("Household points, at most"))
    max_grant_per_year = _amount(_("Maximum grant per person per year (euro)"))
    grant_validity_months = _whole(
        _("Months a grant can be spent"), minimum=1, maximum=MAX_MONTHS, help_text=_("Then what is left goes back.")
    )
    windows = forms.CharField(
        label=_("Application windows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One window per line, for example 01/01/2027 - 31/03/2027. Leave empty: applications always open."),
    )
    approvals_required = _whole(
        _("Committee approvals a decision needs"),
        minimum=1,
        maximum=9,
        initial=2,
        help_text=_("From different members."),
    )
    retention_months = _whole(
        _("Months application data are kept after the decision"),
        minimum=1,
        maximum=MAX_MONTHS,
        help_text=_("Then the documents are deleted and the application pseudonymised; the accounts stay."),
    )
    note = forms.CharField(label=_("What changed"), max_length=255, help_text=_("Shown in the version history."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in HardshipEvent.choices:
            self.fields[f"event_{code}"] = _whole(capfirst(label))
        for number in range(1, MAX_BANDS + 1):
            required = number == 1
            self.fields[f"band_{number}_up_to"] = _amount(
                _("Band %(number)s: ISEE up to (euro)") % {"number": number}, required=required
            )
            self.fields[f"band_{number}_points"] = _whole(
                _("Band %(number)s: points") % {"number": number}, required=required
            )

    @classmethod
    def initial_for(cls, regulation: FundRegulation) -> dict[str, Any]:
        scoring = regulation.scoring
        initial: dict[str, Any] = {
            "isee_threshold": euro_text(regulation.isee_threshold),
            "household_points_per_member": scoring["household_points_per_member"],
            "household_points_max": scoring["household_points_max"],
            "max_grant_per_year": euro_text(regulation.max_grant_per_year),
            "grant_validity_months": regulation.grant_validity_months,
            "windows": "\n".join(
                f"{_iso(window['opens']):%d/%m/%Y} - {_iso(window['closes']):%d/%m/%Y}" for window in regulation.windows
            ),
            "approvals_required": regulation.approvals_required,
            "retention_months": regulation.retention_months,
        }
        for code in HardshipEvent.values:
            initial[f"event_{code}"] = scoring["events"].get(code, 0)
        for number, band in enumerate(scoring["isee_bands"][:MAX_BANDS], start=1):
            initial[f"band_{number}_up_to"] = euro_text(band["up_to"])
            initial[f"band_{number}_points"] = band["points"]
        return initial

    # -- groups of fields, for the fieldsets of the template

    def event_fields(self) -> list[forms.BoundField]:
        return [self[f"event_{code}"] for code in HardshipEvent.values]

    def band_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(n, self[f"band_{n}_up_to"], self[f"band_{n}_points"]) for n in range(1, MAX_BANDS + 1)]

    # -- checks

    def clean_windows(self) -> list[dict[str, str]]:
        windows = []
        for number, line in enumerate(self.cleaned_data["windows"].splitlines(), start=1):
            if not line.strip():
                continue
            found = _WINDOW.match(line.strip())
            try:
                opens, closes = (_day(found.group(1)), _day(found.group(2))) if found else (None, None)
            except ValueError:
                opens = closes = None
            if opens is None or closes is None:
                raise ValidationError(
                    _("Line %(number)s: write the window as 01/01/2027 - 31/03/2027."), params={"number": number}
                )
            if closes < opens:
                raise ValidationError(
                    _("Line %(number)s: the window closes before it opens."), params={"number": number}
                )
            windows.append({"opens": opens.isoformat(), "closes": closes.isoformat()})
        return windows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("isee_threshold", "max_grant_per_year", *(f"band_{n}_up_to" for n in range(1, MAX_BANDS + 1))):
            value = cleaned.get(name)
            if value is not None and not 0 < value <= MAX_AMOUNT:
                self.add_error(name, _("Give an amount above zero and up to 1.000.000,00 euro."))
        bands = self._bands(cleaned)
        limits = [band["up_to"] for band in bands]
        if limits != sorted(set(limits)):
            self.add_error(None, _("ISEE bands must go from the lowest limit to the highest, without repeats."))
        return cleaned

    def _bands(self, cleaned: dict[str, Any]) -> list[dict[str, int]]:
        bands = []
        for number in range(1, MAX_BANDS + 1):
            up_to, points = cleaned.get(f"band_{number}_up_to"), cleaned.get(f"band_{number}_points")
            if up_to is None and points is None:
                continue
            if up_to is None or points is None:
                if not self.has_error(f"band_{number}_up_to") and not self.has_error(f"band_{number}_points"):
                    self.add_error(f"band_{number}_up_to", _("Give both the limit and the points of this band."))
                continue
            bands.append({"up_to": up_to, "points": points})
        return bands

    def regulation_fields(self) -> dict[str, Any]:
        """What `regulation_publish` takes, in cents and points."""
        data = self.cleaned_data
        return {
            "isee_threshold": data["isee_threshold"],
            "scoring": {
                "events": {code: data[f"event_{code}"] for code in HardshipEvent.values},
                "isee_bands": self._bands(data),
                "household_points_per_member": data["household_points_per_member"],
                "household_points_max": data["household_points_max"],
            },
            "max_grant_per_year": data["max_grant_per_year"],
            "windows": data["windows"],
            "approvals_required": data["approvals_required"],
            "grant_validity_months": data["grant_validity_months"],
            "retention_months": data["retention_months"],
            "note": data["note"].strip(),
        }


def _iso(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
