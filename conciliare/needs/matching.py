"""The recommendation engine: from what we know of one employee and the sellable offers, the
ranked "per te" list.

Pure (no database): the batch (`recommendations.py`) and the tests hand it the same facts, so
what one employee gets is the same whether computed alone or with 100,000 others.

- Needs come from the family profile (precise: a named person of a known age), the latest
  survey answer (approximate: "children aged 3 to 6") and the services wished for in the survey.
- An offer fits a need when its category serves it and the person's age lies within the offer's
  age range (each bound the offer leaves empty is the category's usual one).
- Distances are between municipalities (home or workplace, and the supplier's seat), in tenths
  of a km; an offer is a candidate from an origin only if it serves that municipality.
- Which bucket pays comes from the fiscal rules for the person who uses the service, kept to
  the buckets the employee holds credit in; with none, the item says plainly "own money".
"""

import bisect
import datetime
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from conciliare.catalogue.categories import CATEGORY_INFO, Category, Group
from conciliare.fund.models import GRANT_BUCKET
from conciliare.plans import fiscal

# A named person of known age in the profile is certain; a survey count approximate; a wish a hint.
FIT_PROFILE = 3
FIT_SURVEY = 2
FIT_WISH = 1

LIMIT = 20  # items per employee
PER_ORIGIN = 3  # nearest fitting offers taken per category from each origin

HOME = "home"
WORK = "work"
ORIGINS = (HOME, WORK)

BAND_0_3 = "0_3"
BAND_3_6 = "3_6"
BAND_6_14 = "6_14"
# Whole years of age, inclusive: a child of exactly 3 is in 3-6, one of exactly 14 still in 6-14.
BAND_YEARS = {BAND_0_3: (0, 2), BAND_3_6: (3, 5), BAND_6_14: (6, 14)}
BAND_CATEGORIES: dict[str, tuple[str, ...]] = {
    BAND_0_3: (Category.NURSERY, Category.MICRO_NURSERY, Category.FAMILY_NURSERY, Category.EARLY_CHILDHOOD_CENTRE),
    BAND_3_6: (Category.PRE_SCHOOL, Category.BABY_SUMMER_CAMP),
    BAND_6_14: (Category.SUMMER_CAMP, Category.AFTER_SCHOOL, Category.SCHOOL_CANTEEN),
}
ELDERLY_AGE = 75
CARE_CATEGORIES = (Category.HOME_CARE, Category.DAY_CENTRE_ELDERLY, Category.CARER, Category.TRANSPORT_FRAIL)
DISABILITY_CATEGORIES = (Category.DAY_CENTRE_DISABLED,)
EVERYDAY_CATEGORIES = (Category.CONCIERGE, Category.GROCERY_DELIVERY)
SHIFT_PATTERNS = frozenset({"shifts", "nights"})  # survey working patterns that need errands done for them
ERRAND_CATEGORY = {"groceries": Category.GROCERY_DELIVERY}  # any other errand: the concierge


def months_old(born: datetime.date, day: datetime.date) -> int:
    """Completed months of age on `day` (whole years are this // 12, as FamilyMember.age_on)."""
    return (day.year - born.year) * 12 + day.month - born.month - (day.day < born.day)


def band_of(years: int) -> str | None:
    for band, (low, high) in BAND_YEARS.items():
        if low <= years <= high:
            return band
    return None


def band_window(band: str) -> tuple[int, int]:
    """The ages in months a band covers, inclusive (3-6: 36 to 71)."""
    low, high = BAND_YEARS[band]
    return low * 12, high * 12 + 11


# --- Facts ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Relative:
    """A family member as the profile has them."""

    name: str
    birth_date: datetime.date
    non_self_sufficient: bool = False
    disability: bool = False
    fiscally_dependent: bool = False


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    children_0_3: int = 0
    children_3_6: int = 0
    children_6_14: int = 0
    cares_for_elderly: bool = False
    cares_for_disabled: bool = False
    working_pattern: str = ""
    errands: tuple[str, ...] = ()
    preferred_services: tuple[str, ...] = ()

    def children(self, band: str) -> int:
        return {BAND_0_3: self.children_0_3, BAND_3_6: self.children_3_6, BAND_6_14: self.children_6_14}[band]


@dataclass(frozen=True, slots=True)
class Employee:
    user_id: int
    home: int | None  # municipality ids
    work: int | None
    birth_date: datetime.date | None = None
    shift_worker: bool = False
    family: tuple[Relative, ...] = ()
    survey: SurveyAnswer | None = None
    buckets: frozenset[str] = frozenset()  # buckets with credit left, GRANT_BUCKET for a fund grant


@dataclass(frozen=True, slots=True)
class OfferFacts:
    id: int
    category: str
    price: int
    seat: int  # municipality of the supplier's seat
    serves: frozenset[int]  # municipalities the offer serves
    min_age_months: int | None = None
    max_age_months: int | None = None
    home_service: bool = False

    def age_range(self) -> tuple[int, int]:
        """The offer's own bounds, each empty one replaced by the category's usual bound."""
        info = CATEGORY_INFO.get(self.category)
        low = self.min_age_months if self.min_age_months is not None else (info.min_age_months if info else None)
        high = self.max_age_months if self.max_age_months is not None else (info.max_age_months if info else None)
        return (low or 0, high if high is not None else 10**4)


class Need(NamedTuple):
    """A named tuple, not a dataclass: the batch makes a few hundred thousand of them."""

    categories: tuple[str, ...]
    window: tuple[int, int] | None  # ages in months the offer must reach; None: anyone
    who: tuple[str, bool, bool, int | None]  # (kind, fiscally dependent, not self-sufficient, age): what the rules read
    born: datetime.date | None  # the person's birth date, when known
    reason: dict[str, Any]
    fit: int = FIT_PROFILE


# --- Needs ----------------------------------------------------------------------------------------------------------

UNKNOWN_RELATIVE = (fiscal.FAMILY, False, False, None)  # someone the survey tells of but the profile does not hold


def needs_of(employee: Employee, day: datetime.date) -> list[Need]:
    """What the employee's family and answers call for, strongest evidence first."""
    needs: list[Need] = []
    profile_bands: dict[str, int] = {}
    profile_care = profile_disability = False
    for relative in employee.family:
        months = months_old(relative.birth_date, day)
        if months < 0:
            continue  # a birth date in the future: nothing to suggest yet
        years = months // 12
        who = (fiscal.FAMILY, relative.fiscally_dependent, relative.non_self_sufficient, years)
        exact = (months, months)
        band = band_of(years)
        if band is not None:
            profile_bands[band] = profile_bands.get(band, 0) + 1
            reason = {"kind": "child", "name": relative.name, "age": years, "months": months}
            needs.append(Need(BAND_CATEGORIES[band], exact, who, relative.birth_date, reason))
        if years >= ELDERLY_AGE or relative.non_self_sufficient:
            profile_care = True
            reason = {"kind": "relative", "name": relative.name, "age": years, "nss": relative.non_self_sufficient}
            needs.append(Need(CARE_CATEGORIES, exact, who, relative.birth_date, reason))
        if relative.disability:
            profile_disability = True
            reason = {"kind": "disability", "name": relative.name, "age": years}
            needs.append(Need(DISABILITY_CATEGORIES, exact, who, relative.birth_date, reason))
    if employee.shift_worker:
        needs.append(Need(EVERYDAY_CATEGORIES, None, _myself(employee, day), employee.birth_date, {"kind": "shifts"}))
    if employee.survey is not None:
        needs += _survey_needs(employee, employee.survey, day, profile_bands, profile_care, profile_disability)
    return needs


def _myself(employee: Employee, day: datetime.date) -> tuple[str, bool, bool, int | None]:
    born = employee.birth_date
    return (fiscal.EMPLOYEE, False, False, None if born is None else months_old(born, day) // 12)


def _survey_needs(
    employee: Employee,
    answer: SurveyAnswer,
    day: datetime.date,
    profile_bands: dict[str, int],
    care: bool,
    disability: bool,
) -> list[Need]:
    """Needs the survey adds to the profile's (a child counted in both is one need, the profile's)."""
    unknown = UNKNOWN_RELATIVE
    myself, born = _myself(employee, day), employee.birth_date
    needs = []
    for band in BAND_CATEGORIES:
        if answer.children(band) > profile_bands.get(band, 0):
            reason = {"kind": "survey_children", "band": band}
            needs.append(Need(BAND_CATEGORIES[band], band_window(band), unknown, None, reason, FIT_SURVEY))
    if answer.cares_for_elderly and not care:
        needs.append(Need(CARE_CATEGORIES, None, unknown, None, {"kind": "survey_elderly"}, FIT_SURVEY))
    if answer.cares_for_disabled and not disability:
        needs.append(Need(DISABILITY_CATEGORIES, None, unknown, None, {"kind": "survey_disabled"}, FIT_SURVEY))
    if answer.working_pattern in SHIFT_PATTERNS and not employee.shift_worker:
        needs.append(Need(EVERYDAY_CATEGORIES, None, myself, born, {"kind": "survey_shifts"}, FIT_SURVEY))
    errands = tuple(dict.fromkeys(ERRAND_CATEGORY.get(errand, Category.CONCIERGE) for errand in answer.errands))
    if errands:
        needs.append(Need(errands, None, myself, born, {"kind": "survey_errands"}, FIT_SURVEY))
    covered = {category for need in needs for category in need.categories}
    covered |= {c for band, n in profile_bands.items() if n for c in BAND_CATEGORIES[band]}
    for category in answer.preferred_services:
        if category in covered or category not in CATEGORY_INFO:
            continue
        # Who would use it is unknown: a family member for children's and care services, else the employee.
        if CATEGORY_INFO[category].group in (Group.CHILDREN, Group.CARE):
            needs.append(Need((category,), None, unknown, None, {"kind": "survey_preferred"}, FIT_WISH))
        else:
            needs.append(Need((category,), None, myself, born, {"kind": "survey_preferred"}, FIT_WISH))
    return needs


# --- Offers by origin -----------------------------------------------------------------------------------------------

FAR = 10**9  # the sort key of an unknown distance: last
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _km_text(tenths: int | None) -> str | None:
    return None if tenths is None else f"{tenths // 10}.{tenths % 10}"


class Candidate(NamedTuple):
    """An offer for whoever lives and works in the same two places: what ranking and the stored item
    need, worked out once for all of them."""

    offer: OfferFacts
    km_first: int  # tenths of a km from home (from work without a home); FAR when unknown
    head: str  # the item's first JSON members: offer, category, km_home, km_work


class OfferIndex:
    """The sellable offers, listed per (origin municipality, origin kind, category) nearest first.

    Lists, picks and candidates are built on first use and kept: 100,000 employees live and work
    in some 75 municipalities, so nearly every lookup after the first few thousand employees is a
    hit. An age window is remembered by the segment of ages it falls in, between the bounds of
    the category's offers: a child of 14 and one of 20 months reach exactly the same nurseries.
    From the workplace, services delivered at home are left out: they come to the house.
    """

    def __init__(self, offers: Iterable[OfferFacts], km_tenths: Callable[[int, int], int | None]) -> None:
        self._by_category: dict[str, list[OfferFacts]] = {}
        self._bounds: dict[str, list[int]] = {}
        for offer in offers:
            self._by_category.setdefault(offer.category, []).append(offer)
        for category, listed in self._by_category.items():
            self._bounds[category] = sorted({b for o in listed for b in (o.age_range()[0], o.age_range()[1] + 1)})
        self._km_tenths = km_tenths
        self._km: dict[tuple[int, int], int | None] = {}
        self._km_json: dict[tuple[int | None, int], str] = {}
        self._lists: dict[tuple[int, str, str], list[tuple[OfferFacts, int, int]]] = {}
        self._picks: dict[tuple[Any, ...], tuple[OfferFacts, ...]] = {}
        self._candidates: dict[tuple[Any, ...], tuple[Candidate, ...]] = {}

    def km(self, origin: int | None, seat: int) -> int | None:
        """Tenths of a km from the origin municipality to the seat (None without an origin)."""
        if origin is None:
            return None
        key = (origin, seat)
        if key not in self._km:
            self._km[key] = self._km_tenths(origin, seat)
        return self._km[key]

    def km_json(self, origin: int | None, seat: int) -> str:
        """The km as the stored item writes it: "3.4", or null."""
        key = (origin, seat)
        found = self._km_json.get(key)
        if found is None:
            found = self._km_json[key] = _JSON(_km_text(self.km(origin, seat)))
        return found

    def _segments(self, category: str, window: tuple[int, int] | None) -> tuple[int, int] | None:
        if window is None:
            return None
        bounds = self._bounds.get(category, [])
        return bisect.bisect_right(bounds, window[0]), bisect.bisect_right(bounds, window[1])

    def nearest(self, origin: int, kind: str, category: str) -> list[tuple[OfferFacts, int, int]]:
        """(offer, low, high age in months) serving `origin`, nearest first, then cheapest, then oldest id."""
        key = (origin, kind, category)
        found = self._lists.get(key)
        if found is None:
            serving = [
                offer
                for offer in self._by_category.get(category, ())
                if origin in offer.serves and not (kind == WORK and offer.home_service)
            ]
            # An offer in the origin's own municipality is 0 km away: the nearest, not an unknown distance.
            serving.sort(key=lambda o: (FAR if (km := self.km(origin, o.seat)) is None else km, o.price, o.id))
            found = self._lists[key] = [(offer, *offer.age_range()) for offer in serving]
        return found

    def picks(self, origin: int, kind: str, category: str, window: tuple[int, int] | None) -> tuple[OfferFacts, ...]:
        """The PER_ORIGIN nearest offers whose age range reaches the window."""
        key = (origin, kind, category, self._segments(category, window))
        found = self._picks.get(key)
        if found is None:
            chosen = []
            for offer, low, high in self.nearest(origin, kind, category):
                if window is None or (low <= window[1] and high >= window[0]):
                    chosen.append(offer)
                    if len(chosen) == PER_ORIGIN:
                        break
            found = self._picks[key] = tuple(chosen)
        return found

    def candidates(
        self, home: int | None, work: int | None, category: str, window: tuple[int, int] | None
    ) -> tuple[Candidate, ...]:
        """The picks from home, then those from work not already in, for someone living and working there."""
        key = (home, work, category, self._segments(category, window))
        found = self._candidates.get(key)
        if found is None:
            offers: dict[int, OfferFacts] = {}
            for place, kind in ((home, HOME), (work, WORK)):
                if place is not None:
                    for offer in self.picks(place, kind, category, window):
                        offers.setdefault(offer.id, offer)
            first = home if home is not None else work
            found = self._candidates[key] = tuple(
                Candidate(
                    offer,
                    FAR if (km := self.km(first, offer.seat)) is None else km,
                    f'"offer":{offer.id},"category":"{offer.category}",'
                    f'"km_home":{self.km_json(home, offer.seat)},"km_work":{self.km_json(work, offer.seat)}',
                )
                for offer in offers.values()
            )
        return found


# --- Who pays -------------------------------------------------------------------------------------------------------

_payable_cache: dict[tuple[Any, ...], tuple[str, ...]] = {}


def payable(category: str, need: Need, day: datetime.date) -> tuple[str, ...]:
    """The buckets the rules let pay for the category and the need's person, best first.

    Remembered per (category, year, kind of person, dependent, not self-sufficient, age): the rules
    look at nothing else, and the batch asks the same question for thousands of children of one age.
    """
    key = (category, day.year, *need.who)
    found = _payable_cache.get(key)
    if found is None:
        kind, dependent, nss, _age = need.who
        beneficiary = fiscal.Beneficiary(
            kind=kind, birth_date=need.born, fiscally_dependent=dependent, non_self_sufficient=nss
        )
        try:
            options = fiscal.payable_buckets(category=category, beneficiary=beneficiary, day=day)
        except fiscal.UnknownTaxYear:  # no rules for the year: nothing may be promised as payable
            options = []
        found = _payable_cache[key] = tuple(option.bucket for option in options)
    return found


# --- Ranking --------------------------------------------------------------------------------------------------------


class Chosen:
    """One offer of the list: how well it fits, why, and which buckets the rules allow."""

    __slots__ = ("allowed", "candidate", "fit", "reasons")

    def __init__(self, candidate: Candidate, fit: int, reason: dict[str, Any], allowed: tuple[str, ...]) -> None:
        self.candidate = candidate
        self.fit = fit
        self.reasons = [reason]
        self.allowed = list(allowed)

    def add(self, fit: int, reason: dict[str, Any], allowed: tuple[str, ...]) -> None:
        """Another need the same offer answers (a second child of the same age band...)."""
        self.reasons.append(reason)
        self.fit = max(self.fit, fit)
        self.allowed += [bucket for bucket in allowed if bucket not in self.allowed]

    def rank_key(self) -> tuple[int, int, int, int, int]:
        offer = self.candidate.offer
        return (-self.fit, -len(self.reasons), self.candidate.km_first, offer.price, offer.id)

    def buckets(self, held: frozenset[str]) -> list[str]:
        buckets = [bucket for bucket in self.allowed if bucket in held]
        if GRANT_BUCKET in held:  # a fund grant pays any platform service, after the tax buckets (orders.allocation)
            buckets.append(GRANT_BUCKET)
        return buckets


def rank(employee: Employee, index: OfferIndex, day: datetime.date, *, limit: int = LIMIT) -> list[Chosen]:
    """The employee's offers, best first: fit, then km from home (from work without a home)."""
    found: dict[int, Chosen] = {}
    home, work = employee.home, employee.work
    for need in needs_of(employee, day):
        for category in need.categories:
            allowed = payable(category, need, day)
            for candidate in index.candidates(home, work, category, need.window):
                chosen = found.get(candidate.offer.id)
                if chosen is None:
                    found[candidate.offer.id] = Chosen(candidate, need.fit, need.reason, allowed)
                else:  # one need reaches an offer once (its category is one): this is another need
                    chosen.add(need.fit, need.reason, allowed)
    ranked = sorted(found.values(), key=Chosen.rank_key)
    if len(ranked) <= limit:
        return ranked
    # Diversity: the best offer of every category first, then the second best of each, and so on,
    # so that a family with a toddler and a frail grandmother sees both needs, not 20 nurseries.
    by_category: dict[str, list[Chosen]] = {}
    for chosen in ranked:
        by_category.setdefault(chosen.candidate.offer.category, []).append(chosen)
    picked: list[Chosen] = []
    queues = list(by_category.values())
    depth = 0
    while len(picked) < limit:
        picked += [queue[depth] for queue in queues if depth < len(queue)][: limit - len(picked)]
        depth += 1
    return sorted(picked, key=Chosen.rank_key)


def recommend(employee: Employee, index: OfferIndex, day: datetime.date, *, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The employee's items (see RecommendationSet.items), best first: what the batch stores, read back."""
    return cast(list[dict[str, Any]], json.loads(recommend_json(employee, index, day, limit=limit)[0]))


_buckets_json: dict[tuple[str, ...], str] = {}


def recommend_json(employee: Employee, index: OfferIndex, day: datetime.date, *, limit: int = LIMIT) -> tuple[str, int]:
    """The employee's items as JSON text, and how many there are.

    The batch writes text; encoding each employee's list as a whole was its slowest step, so the
    parts shared by many employees (distances, bucket lists) are encoded once and each need's
    reason once per employee.
    """
    parts = []
    reasons: dict[int, str] = {}
    for chosen in rank(employee, index, day, limit=limit):
        for reason in chosen.reasons:
            if id(reason) not in reasons:
                reasons[id(reason)] = _JSON(reason)
        buckets = tuple(chosen.buckets(employee.buckets))
        if buckets not in _buckets_json:
            _buckets_json[buckets] = _JSON(list(buckets))
        why = (
            reasons[id(chosen.reasons[0])]
            if len(chosen.reasons) == 1
            else ",".join(reasons[id(r)] for r in chosen.reasons)
        )
        parts.append(
            f'{{{chosen.candidate.head},"fit":{chosen.fit},"reasons":[{why}],'
            f'"buckets":{_buckets_json[buckets]},"payable":{"true" if buckets else "false"}}}'
        )
    return "[" + ",".join(parts) + "]", len(parts)


def km_table(points: Mapping[int, tuple[float, float]]) -> Callable[[int, int], int | None]:
    """Tenths of a km between municipalities by id, from (latitude, longitude), as distance_km rounds them."""
    from conciliare.territory.distance import distance_km

    def tenths(a: int, b: int) -> int | None:
        if a not in points or b not in points:
            return None
        return int(distance_km(points[a], points[b]) * 10)

    return tenths
