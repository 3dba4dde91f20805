"""The score of an application, by the scoring table of the regulation in force when it was submitted.

score = the points of each hardship event declared
      + the points of the ISEE band the household falls in (the first band whose upper limit
        is at or above the ISEE; none above the last band)
      + household points: `household_points_per_member` for each person beyond the first,
        at most `household_points_max`.
The breakdown is stored with the application so that the committee sees why, and a later
regulation never changes it.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import HardshipEvent

ISEE_PART = "isee"
HOUSEHOLD_PART = "household"


@dataclass(frozen=True)
class ScorePart:
    part: str  # an event code, "isee" or "household"
    points: int

    def as_json(self) -> dict[str, Any]:
        return {"part": self.part, "points": self.points}


def isee_points(scoring: dict[str, Any], isee: int) -> int:
    for band in scoring["isee_bands"]:
        if isee <= band["up_to"]:
            return int(band["points"])
    return 0


def household_points(scoring: dict[str, Any], household_size: int) -> int:
    extra_members = max(household_size - 1, 0)
    return min(extra_members * int(scoring["household_points_per_member"]), int(scoring["household_points_max"]))


def score_parts(scoring: dict[str, Any], *, events: list[str], isee: int, household_size: int) -> list[ScorePart]:
    parts = [ScorePart(event, int(scoring["events"].get(event, 0))) for event in sorted(set(events))]
    parts.append(ScorePart(ISEE_PART, isee_points(scoring, isee)))
    parts.append(ScorePart(HOUSEHOLD_PART, household_points(scoring, household_size)))
    return parts


def part_label(part: str) -> str:
    labels = {ISEE_PART: _("ISEE band"), HOUSEHOLD_PART: _("household size"), **dict(HardshipEvent.choices)}
    return str(labels.get(part, part))


def validate_scoring(scoring: dict[str, Any]) -> list[str]:
    """What is wrong with a scoring table (empty if nothing): the form and the services refuse it."""
    problems = []
    events = scoring.get("events")
    if not isinstance(events, dict) or set(events) != set(HardshipEvent.values):
        problems.append(str(_("Every hardship event needs its points.")))
    elif any(not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= 1000 for p in events.values()):
        problems.append(str(_("Points are whole numbers from 0 to 1000.")))
    bands = scoring.get("isee_bands")
    if not isinstance(bands, list) or not bands:
        problems.append(str(_("At least one ISEE band is needed.")))
    else:
        limits = [band.get("up_to") for band in bands if isinstance(band, dict)]
        if len(limits) != len(bands) or any(not isinstance(x, int) or x <= 0 for x in limits):
            problems.append(str(_("Every ISEE band needs a positive upper limit.")))
        elif limits != sorted({int(limit) for limit in limits if limit is not None}):
            problems.append(str(_("ISEE bands must go from the lowest limit to the highest, without repeats.")))
        if any(not isinstance(b.get("points"), int) or not 0 <= b["points"] <= 1000 for b in bands):
            problems.append(str(_("Points are whole numbers from 0 to 1000.")))
    for key in ("household_points_per_member", "household_points_max"):
        value = scoring.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
            problems.append(str(_("Household points are whole numbers from 0 to 1000.")))
            break
    return problems
