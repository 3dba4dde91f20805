"""The employee's "per te" page, and the reading of a stored set that the page and the API share.

A stored set is re-read against today's catalogue and wallet: an offer no longer sellable is left
out, and a bucket whose credit has run out since the computation is no longer promised (the
item then says "own money"). The order follows the origin the employee chose, home or work.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conciliare.catalogue.categories import CATEGORY_INFO, Group, category_label
from conciliare.catalogue.models import Offer
from conciliare.catalogue.search import published_offers
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.fund.models import GRANT_BUCKET, GRANT_BUCKET_LABEL
from conciliare.plans.models import BUCKETS

from . import matching, recommendations

ORIGIN_PARAMETER = {"casa": matching.HOME, "lavoro": matching.WORK}  # the page's Italian query values


@dataclass(frozen=True)
class Suggestion:
    offer: Offer
    category_label: str
    group: str
    fit: int
    km: Decimal | None  # from the chosen origin
    km_home: Decimal | None
    km_work: Decimal | None
    reasons: list[str]
    distance: str  # "3.4 km from home", localised; empty without a distance
    buckets: list[tuple[str, str]]  # (code, label) of the credit that pays, best first
    payable: bool


@dataclass(frozen=True)
class ForMe:
    origin: str
    has_home: bool
    computed_at: datetime.datetime | None
    suggestions: list[Suggestion]

    @property
    def groups(self) -> list[tuple[str, list[Suggestion]]]:
        """By need (the catalogue's groups, in their order), each nearest-first as `suggestions`."""
        return [
            (str(group.label), found)
            for group in Group
            if (found := [s for s in self.suggestions if s.group == group.value])
        ]


def reason_text(reason: dict[str, Any]) -> str:
    kind, name = reason.get("kind"), reason.get("name", "")
    age, months = int(reason.get("age", 0)), int(reason.get("months", 0))
    if kind == "child" and age < 1:
        return ngettext("%(name)s is %(n)s month old", "%(name)s is %(n)s months old", months) % {
            "name": name,
            "n": months,
        }
    if kind == "child" or (kind == "relative" and not reason.get("nss")):
        return ngettext("%(name)s is %(n)s year old", "%(name)s is %(n)s years old", age) % {"name": name, "n": age}
    texts = {
        "relative": _("%(name)s is not self-sufficient"),
        "disability": _("%(name)s has a disability"),
        "shifts": _("you work shifts"),
        "survey_elderly": _("in the survey you said you care for an elderly relative"),
        "survey_disabled": _("in the survey you said you care for a relative with disability"),
        "survey_shifts": _("in the survey you said you work shifts, nights or weekends"),
        "survey_errands": _("in the survey you said errands take your time"),
        "survey_preferred": _("you asked for this service in the survey"),
    }
    if kind == "survey_children":
        bands = {
            matching.BAND_0_3: _("0 to 3"),
            matching.BAND_3_6: _("3 to 6"),
            matching.BAND_6_14: _("6 to 14"),
        }
        return _("in the survey you said you have children aged %(band)s") % {"band": bands.get(reason["band"], "")}
    return texts.get(str(kind), "") % {"name": name}


def _km(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _distance(km: Decimal | None, origin: str) -> str:
    if km is None:
        return ""
    shown = number_format(km, decimal_pos=1)
    return (_("%(km)s km from home") if origin == matching.HOME else _("%(km)s km from work")) % {"km": shown}


def _sellable(items: list[dict[str, Any]], today: datetime.date) -> dict[int, Offer]:
    """The items' offers that are still sellable today, with their supplier (one query, plus published_offers')."""
    ids = [item["offer"] for item in items]
    found = published_offers(today).filter(pk__in=ids).select_related("supplier__organization")
    return {offer.pk: offer for offer in found}


def suggestions_for(user: Any, origin: str, today: datetime.date | None = None) -> ForMe | None:
    """The user's suggestions from `origin` (home or work); None for someone who is not an employee."""
    today = today or timezone.localdate()
    stored = recommendations.set_for(user, today)
    if stored is None:
        return None
    has_home = user.residence_municipality_id is not None
    if not has_home:
        origin = matching.WORK
    offers = _sellable(stored.items, today)
    if len(offers) < len(stored.items):
        # An offer left the catalogue without a save the signals see (withdrawn by a queryset update,
        # a DURC expired): recompute now, so the list is refilled rather than just shorter.
        recommendations.refresh_users([user.pk], today)
        stored = recommendations.set_for(user, today) or stored
        offers = _sellable(stored.items, today)
    items = stored.items
    held = recommendations.held_buckets(user.pk, today) if items else frozenset()
    labels = {**{code: str(label) for code, label in BUCKETS}, GRANT_BUCKET: str(GRANT_BUCKET_LABEL)}
    suggestions = []
    for item in items:
        offer = offers.get(item["offer"])
        if offer is None:
            continue  # withdrawn, or its supplier may no longer sell
        km_home, km_work = _km(item["km_home"]), _km(item["km_work"])
        km = km_home if origin == matching.HOME else km_work
        buckets = [(code, labels.get(code, code)) for code in item["buckets"] if code in held]
        suggestions.append(
            Suggestion(
                offer=offer,
                category_label=str(category_label(offer.category)),
                group=CATEGORY_INFO[offer.category].group,
                fit=item["fit"],
                km=km,
                km_home=km_home,
                km_work=km_work,
                reasons=[reason_text(reason) for reason in item["reasons"]],
                distance=_distance(km, origin),
                buckets=buckets,
                payable=bool(buckets),
            )
        )
    far = Decimal(10**6)
    suggestions.sort(key=lambda s: (-s.fit, -len(s.reasons), far if s.km is None else s.km, s.offer.price, s.offer.pk))
    return ForMe(origin=origin, has_home=has_home, computed_at=stored.computed_at, suggestions=suggestions)


@login_required
def for_me(request: AuthenticatedHttpRequest) -> HttpResponse:
    origin = ORIGIN_PARAMETER.get(request.GET.get("da", ""), matching.HOME)
    found = suggestions_for(request.user, origin)
    return render(request, "needs/for_me.html", {"found": found, "home": matching.HOME, "work": matching.WORK})
