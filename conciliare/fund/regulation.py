"""The regulation in force, and publishing a new version of it (never editing an old one)."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from conciliare.core.errors import Conflict, InvalidInput

from .models import FundRegulation, HardshipEvent
from .scoring import validate_scoring

# Version 1, as the alliance adopted it: points weigh how hard the event hits a household,
# ISEE bands favour the lowest incomes, larger households get a little more.
DEFAULT_REGULATION: dict[str, Any] = {
    "isee_threshold": 3_000_000,
    "scoring": {
        "events": {
            HardshipEvent.SERIOUS_ILLNESS: 30,
            HardshipEvent.JOB_LOSS: 25,
            HardshipEvent.BEREAVEMENT: 20,
            HardshipEvent.SINGLE_PARENT: 15,
            HardshipEvent.NON_SELF_SUFFICIENT: 25,
            HardshipEvent.OTHER: 10,
        },
        "isee_bands": [
            {"up_to": 800_000, "points": 30},
            {"up_to": 1_500_000, "points": 20},
            {"up_to": 2_200_000, "points": 10},
            {"up_to": 3_000_000, "points": 5},
        ],
        "household_points_per_member": 3,
        "household_points_max": 12,
    },
    "max_grant_per_year": 150_000,
    "windows": [],
    "approvals_required": 2,
    "grant_validity_months": 12,
    "retention_months": 24,
    "note": "Prima versione del regolamento del Fondo di Solidarietà.",
}


def regulation_in_force() -> FundRegulation:
    """The latest version; the alliance's first version if none was ever published."""
    latest = FundRegulation.objects.order_by("-version").first()
    if latest is not None:
        return latest
    try:
        with transaction.atomic():
            return FundRegulation.objects.create(version=1, **DEFAULT_REGULATION)
    except IntegrityError:  # another request created it first
        return FundRegulation.objects.get(version=1)


def _check(fields: dict[str, Any]) -> None:
    problems = validate_scoring(fields["scoring"])
    for window in fields.get("windows") or []:
        try:
            opens = datetime.date.fromisoformat(window["opens"])
            closes = datetime.date.fromisoformat(window["closes"])
        except (KeyError, TypeError, ValueError):
            problems.append(_("Every application window needs an opening and a closing date."))
            continue
        if closes < opens:
            problems.append(_("An application window closes after it opens."))
    if not 1 <= int(fields.get("approvals_required", 0)) <= 9:
        problems.append(_("A decision needs from 1 to 9 committee members."))
    for key in ("isee_threshold", "max_grant_per_year", "retention_months", "grant_validity_months"):
        if int(fields.get(key, 0)) <= 0:
            problems.append(_("Thresholds, amounts and periods must be positive."))
            break
    if problems:
        raise InvalidInput(" ".join(str(p) for p in problems))


@transaction.atomic
def regulation_publish(*, actor: Any, fields: dict[str, Any]) -> FundRegulation:
    """Publishes a new version. Applications already submitted keep theirs (and their score)."""
    _check(fields)
    FundRegulation.objects.select_for_update().order_by("-version").first()  # one publisher at a time
    version = (FundRegulation.objects.aggregate(top=Max("version"))["top"] or 0) + 1
    allowed = {
        "isee_threshold",
        "scoring",
        "max_grant_per_year",
        "windows",
        "approvals_required",
        "grant_validity_months",
        "retention_months",
        "note",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise Conflict(_("Unknown regulation fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    return FundRegulation.objects.create(version=version, published_by=actor, **fields)
