"""Where services are missing: demand, supply and the gap for each municipality and category.

Demand: the people who need a category, from the employees' profiles and their survey answers
---------------------------------------------------------------------------------------------------
Everybody is placed in the employee's municipality of residence (relatives included: the profile
has no address of their own). Categories are grouped by the need they answer (NEEDS): every category
of a group has the same demand, so two categories can never be subtracted to isolate a person.

- children by age band: 3-36 months the nurseries, 3-6 years pre-school and baby CRE, 6-14 years CRE,
  after-school and canteen (the issue's bands within CATEGORY_INFO's usual ages);
- relatives aged 75 or more, or not self-sufficient: home care, day centre, carers, transport;
  relatives with a disability: the day centre for people with disability;
- the employee on shifts: concierge and grocery delivery.

Survey answers add what the profile does not show, without counting anybody twice: for each person
and need, the LARGER of the profile's count and the answer's. A parent with two toddlers in the profile
who answers "two children aged 0 to 3" counts two, not four; "three" counts three (one not yet in the
profile). Yes to elderly care, to shifts or nights, to an errand, or a service wanted, count the
respondent's household once for that need if the profile shows nobody. Only each person's latest
answer counts.

Supply: published offers of suppliers that may sell, serving the municipality
-------------------------------------------------------------------------------
An offer serves the supplier's whole area (`Supplier.served_municipalities`) or its own list. Places:
`capacity` (how many it takes at the same time); without it, the seats of its largest future session
(a CRE week of 12 takes 12 children at once, not 12 per week summed); without either the offer still
exists but adds no places, and the cell says that a capacity is not stated. The same places are
counted in each municipality the offer serves: the per-municipality gap shows what is reachable,
it does not share places out.

A service is *within reach* when an offer serving the municipality comes from a seat within the
km-zero radius (CONCILIARE_KM_ZERO_RADIUS_KM) or is delivered at home. Where none is, the suppliers
of the category that do not serve it yet are suggested, nearest seat first (municipality to
municipality, great circle).

Signals: the open ones (new, being handled) of the category, as the number of distinct people who
sent them, by kind.

Privacy: what the alliance sees (GapRow)
----------------------------------------
Pages, exports and the API show only `GapAnalysis.rows()` (GapRow), never the raw GapCell. Any
count of people under conciliare.core.disclosure.MIN_GROUP (demand, gap, signals) is shown as
"fewer than 5", ZERO INCLUDED: "0" next to "fewer than 5" would say that somebody in a small village
has a toddler or a frail parent. For the same reason the colour of such a cell says only what is
public, whether a service is within reach ("no service within reach" or "service within reach",
demand not shown), never whether somebody needs it. Only cells of 5 people or more get the demand
classes (not covered, partly covered, covered). Signals follow the same rule: the map's marker
appears from 5 people. There is no total row: with cells hidden, a total minus the shown cells would
give the hidden ones away; nor can two categories be subtracted (see NEEDS).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Max
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.models import EmployeeProfile, FamilyMember, MembershipRole
from conciliare.accounts.selectors import membership_roles
from conciliare.catalogue.categories import CATEGORY_INFO, CHILDCARE, Category
from conciliare.catalogue.models import Offer, OfferSession, OfferStatus, Signal, SignalKind, SignalStatus
from conciliare.catalogue.search import km_zero_radius
from conciliare.core.disclosure import MIN_GROUP
from conciliare.core.errors import InvalidInput, NotPermitted
from conciliare.suppliers.eligibility import sellable_q
from conciliare.suppliers.models import Supplier
from conciliare.territory.distance import Point, distance_km
from conciliare.territory.models import Municipality

from .models import Errand, SurveyResponse, WorkingPattern

_YEAR = 12
StrOrPromise = str | Promise


@dataclass(frozen=True)
class Need:
    categories: frozenset[str]
    min_months: int | None = None  # an age band: children in it need these categories
    max_months: int | None = None


def _band(categories: Iterable[str], youngest: int, oldest: int) -> Need:
    """The issue's band narrowed to the categories' usual ages (CATEGORY_INFO)."""
    categories = frozenset(categories)
    lows = [CATEGORY_INFO[c].min_age_months for c in categories]
    highs = [CATEGORY_INFO[c].max_age_months for c in categories]
    return Need(
        categories,
        max([youngest, *(low for low in lows if low is not None)]),
        min([oldest, *(h for h in highs if h is not None)]),
    )


INFANTS, PRESCHOOL, SCHOOL = "infants", "preschool", "school"
CARE, DISABILITY, EVERYDAY = "care", "disability", "everyday"
NEEDS: dict[str, Need] = {
    INFANTS: _band(CHILDCARE, 0, 3 * _YEAR),
    PRESCHOOL: _band((Category.PRE_SCHOOL, Category.BABY_SUMMER_CAMP), 3 * _YEAR, 6 * _YEAR),
    SCHOOL: _band((Category.SUMMER_CAMP, Category.AFTER_SCHOOL, Category.SCHOOL_CANTEEN), 6 * _YEAR, 14 * _YEAR),
    CARE: Need(frozenset((Category.HOME_CARE, Category.DAY_CENTRE_ELDERLY, Category.CARER, Category.TRANSPORT_FRAIL))),
    DISABILITY: Need(frozenset((Category.DAY_CENTRE_DISABLED,))),
    EVERYDAY: Need(frozenset((Category.CONCIERGE, Category.GROCERY_DELIVERY))),
}
# Categories no profile fact points to (gym, courses...) are needs of their own, known from surveys only.
NEED_OF: dict[str, str] = {c: c for c in Category.values} | {c: n for n, need in NEEDS.items() for c in need.categories}
CARE_AGE_YEARS = 75
SHIFT_PATTERNS = frozenset({WorkingPattern.SHIFTS, WorkingPattern.NIGHTS})
ERRANDS = frozenset(Errand.values)


class GapClass:
    """The colour of a cell. The first three only for cells of MIN_GROUP people or more."""

    NOT_COVERED = "not-covered"
    PARTLY_COVERED = "partly-covered"
    COVERED = "covered"
    NO_SERVICE = "no-service-few"  # no service within reach; fewer than 5 people (or none) need it
    SERVED = "served-few"  # a service within reach; fewer than 5 people (or none) need it
    OUTSIDE = "outside"  # not in the alliance's districts: drawn grey, not analysed

    # Both say "nothing within reach": the map highlights them alike.
    MISSING = frozenset({NOT_COVERED, NO_SERVICE})
    ORDER = (NOT_COVERED, NO_SERVICE, PARTLY_COVERED, COVERED, SERVED, OUTSIDE)


CLASS_LABELS: dict[str, StrOrPromise] = {
    GapClass.NOT_COVERED: _("Not covered: 5 or more people need it, no service within reach"),
    GapClass.NO_SERVICE: _("No service within reach (fewer than 5 people need it, or none)"),
    GapClass.PARTLY_COVERED: _("Partly covered: fewer places than people who need it"),
    GapClass.COVERED: _("Covered: enough places for the people who need it"),
    GapClass.SERVED: _("Service within reach (fewer than 5 people need it, or none)"),
    GapClass.OUTSIDE: _("Outside the alliance's districts"),
}

# The table's column says it briefly; the legend above it in full.
CLASS_SHORT: dict[str, StrOrPromise] = {
    GapClass.NOT_COVERED: _("Not covered"),
    GapClass.NO_SERVICE: _("No service within reach"),
    GapClass.PARTLY_COVERED: _("Partly covered"),
    GapClass.COVERED: _("Covered"),
    GapClass.SERVED: _("Service within reach"),
    GapClass.OUTSIDE: _("Outside the districts"),
}


def reach_note(radius: Decimal) -> str:
    return gettext(
        "Within reach: an offer serving the municipality from a seat within %(km)s km, or delivered at home."
    ) % {"km": f"{radius.normalize():f}"}


@dataclass(frozen=True)
class Place:
    pk: int
    istat_code: str
    name: str
    district: str  # "" outside the districts
    point: Point

    @property
    def in_alliance(self) -> bool:
        return bool(self.district)


@dataclass(frozen=True)
class Suggestion:
    supplier: str
    km: Decimal


@dataclass(frozen=True)
class GapCell:
    """Raw figures of one municipality and category: never shown as they are (see GapRow)."""

    place: Place
    category: str
    demand: int
    capacity: int
    capacity_unstated: bool  # an offer serving it states no places
    offers: int
    in_reach: bool
    nearest_km: Decimal | None  # the nearest seat of an offer serving it
    suggestions: tuple[Suggestion, ...]
    signals_supplier: int  # distinct people who asked for a supplier of this category here
    signals_need: int

    @property
    def gap(self) -> int:
        return max(self.demand - self.capacity, 0)


@dataclass(frozen=True)
class GapRow:
    """What may be shown of a cell: None stands for "fewer than 5" (zero included)."""

    place: Place
    category: str
    demand: int | None
    capacity: int
    capacity_unstated: bool
    gap: int | None
    gap_class: str
    in_reach: bool
    nearest_km: Decimal | None
    suggestions: tuple[Suggestion, ...]
    signals_supplier: int | None
    signals_need: int | None
    signals: int | None  # people who sent a signal of either kind: the map's marker

    @property
    def missing(self) -> bool:
        return self.gap_class in GapClass.MISSING


def shown(people: int) -> int | None:
    """A count of people as it may be shown: None below MIN_GROUP (zero included)."""
    return people if people >= MIN_GROUP else None


def gap_class(cell: GapCell) -> str:
    if cell.demand < MIN_GROUP:
        return GapClass.SERVED if cell.in_reach else GapClass.NO_SERVICE
    if not cell.in_reach:
        return GapClass.NOT_COVERED
    return GapClass.COVERED if cell.capacity >= cell.demand else GapClass.PARTLY_COVERED


def disclosed_row(cell: GapCell, signal_people: int) -> GapRow:
    demand = shown(cell.demand)
    return GapRow(
        place=cell.place,
        category=cell.category,
        demand=demand,
        capacity=cell.capacity,
        capacity_unstated=cell.capacity_unstated,
        # Worked out from demand and places when the demand is shown; hidden under 5 all the same,
        # so that no count of people on the page reads 1 to 4.
        gap=None if demand is None else (cell.gap if cell.gap == 0 else shown(cell.gap)),
        gap_class=gap_class(cell),
        in_reach=cell.in_reach,
        nearest_km=cell.nearest_km,
        suggestions=cell.suggestions,
        signals_supplier=shown(cell.signals_supplier),
        signals_need=shown(cell.signals_need),
        signals=shown(signal_people),
    )


# --- Reading the database: a fixed number of queries whatever the number of rows -------------------------------


def places() -> list[Place]:
    """Every municipality, the alliance's first (by district, then name)."""
    rows = list(
        Municipality.objects.values_list(
            "pk", "istat_code", "name", "latitude", "longitude", "district__code", "district__name"
        )
    )
    found = [
        Place(pk, istat, name, district or "", (float(lat), float(lon)))
        for pk, istat, name, lat, lon, _code, district in rows
    ]
    codes = {pk: code for pk, *_rest, code, _name in rows}
    return sorted(found, key=lambda p: (codes[p.pk] is None, codes[p.pk] or 0, p.name))


def months_old(born: datetime.date, day: datetime.date) -> int:
    return (day.year - born.year) * 12 + day.month - born.month - (day.day < born.day)


def _profile_needs(day: datetime.date) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """Each employee's home and, per need, how many people of the household need it."""
    homes: dict[int, int] = {}
    needs: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    employees = EmployeeProfile.objects.filter(user__is_active=True, user__residence_municipality__isnull=False)
    for user_id, home, shifts in employees.values_list("user_id", "user__residence_municipality_id", "shift_worker"):
        homes[user_id] = home
        if shifts:
            needs[user_id][EVERYDAY] += 1
    relatives = FamilyMember.objects.filter(user__employee_profile__isnull=False, user__is_active=True)
    for user_id, born, frail, disability in relatives.values_list(
        "user_id", "birth_date", "non_self_sufficient", "disability"
    ):
        months = months_old(born, day)
        for code, need in NEEDS.items():
            if (
                need.min_months is not None
                and need.max_months is not None
                and need.min_months <= months <= need.max_months
            ):
                needs[user_id][code] += 1
        if frail or months >= CARE_AGE_YEARS * _YEAR:
            needs[user_id][CARE] += 1
        if disability:
            needs[user_id][DISABILITY] += 1
    return homes, needs


def _answer_needs(answer: Mapping[str, Any]) -> dict[str, int]:
    counts = {INFANTS: answer["children_0_3"], PRESCHOOL: answer["children_3_6"], SCHOOL: answer["children_6_14"]}
    # JSON lists written by a form; anything else in them (an old errand, a typo) is ignored.
    errands = {e for e in answer["errands"] or [] if isinstance(e, str) and e in ERRANDS}
    for code, yes in (
        (CARE, answer["cares_for_elderly"]),
        (DISABILITY, answer["cares_for_disabled"]),
        (EVERYDAY, answer["working_pattern"] in SHIFT_PATTERNS or bool(errands)),
    ):
        if yes:
            counts[code] = 1
    for category in answer["preferred_services"] or []:
        if isinstance(category, str) and category in NEED_OF:
            counts[NEED_OF[category]] = max(counts.get(NEED_OF[category], 0), 1)
    return counts


def demand_by_place(day: datetime.date) -> dict[tuple[int, str], int]:
    """People needing each need, by (municipality id, need code): profiles, then answers (the larger)."""
    homes, needs = _profile_needs(day)
    answers = (
        SurveyResponse.objects.filter(respondent__is_active=True)
        .order_by("respondent_id", "-survey__closes_on", "-updated_at", "-pk")
        .values(
            "respondent_id",
            "municipality_id",
            "children_0_3",
            "children_3_6",
            "children_6_14",
            "cares_for_elderly",
            "cares_for_disabled",
            "working_pattern",
            "errands",
            "preferred_services",
        )
    )
    seen: set[int] = set()
    for answer in answers:
        person = int(answer["respondent_id"])
        if person in seen:  # an older answer of the same person
            continue
        seen.add(person)
        if person not in homes:
            if answer["municipality_id"] is None:
                continue
            homes[person] = int(answer["municipality_id"])
        for code, count in _answer_needs(answer).items():
            needs[person][code] = max(needs[person][code], count)
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for person, counts in needs.items():
        if person in homes:
            for code, count in counts.items():
                totals[homes[person], code] += count
    return totals


@dataclass(frozen=True)
class _Offer:
    pk: int
    supplier: int
    category: str
    capacity: int | None
    home_service: bool


def _supply(
    categories: Sequence[str], today: datetime.date
) -> tuple[list[_Offer], dict[int, tuple[str, int]], dict[int, set[int]]]:
    """The published offers of the categories, their suppliers (name, seat) and the municipalities each serves."""
    sellable = Supplier.objects.filter(sellable_q(today=today))
    suppliers = {
        pk: (name, seat)
        for pk, name, seat in sellable.values_list("pk", "organization__name", "organization__municipality_id")
    }
    published = Offer.objects.filter(
        status=OfferStatus.PUBLISHED, supplier__in=sellable.values("pk"), category__in=categories
    )
    rows = list(published.values_list("pk", "supplier_id", "category", "capacity", "home_service", "whole_area"))
    largest_session = dict(
        OfferSession.objects.filter(offer__in=published.filter(capacity__isnull=True), starts_at__gte=timezone.now())
        .values("offer_id")
        .annotate(seats=Max("seats"))
        .values_list("offer_id", "seats")
    )
    own_lists: dict[int, set[int]] = defaultdict(set)
    for offer_id, municipality_id in Offer.served_municipalities.through.objects.filter(
        offer__in=published.filter(whole_area=False)
    ).values_list("offer_id", "municipality_id"):
        own_lists[offer_id].add(municipality_id)
    areas: dict[int, set[int]] = defaultdict(set)
    for supplier_id, municipality_id in Supplier.served_municipalities.through.objects.filter(
        supplier__in=published.filter(whole_area=True).values("supplier_id")
    ).values_list("supplier_id", "municipality_id"):
        areas[supplier_id].add(municipality_id)
    offers, served = [], {}
    for pk, supplier, category, capacity, home, whole_area in rows:
        offers.append(
            _Offer(pk, supplier, category, capacity if capacity is not None else largest_session.get(pk), home)
        )
        served[pk] = areas[supplier] if whole_area else own_lists[pk]
    return offers, suppliers, served


def _signals(categories: Sequence[str]) -> dict[tuple[int, str], dict[str, set[int]]]:
    """Distinct authors of open signals, by (municipality id, category) and kind."""
    found: dict[tuple[int, str], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    open_signals = Signal.objects.filter(
        status__in=(SignalStatus.NEW, SignalStatus.IN_PROGRESS), category__in=categories
    ).values_list("municipality_id", "category", "kind", "author_id")
    for municipality_id, category, kind, author in open_signals.distinct():
        found[municipality_id, category][kind].add(author)
    return found


@lru_cache(maxsize=16384)
def _km(a: Point, b: Point) -> Decimal:
    return distance_km(a, b)


SUGGESTIONS = 3


@dataclass(frozen=True)
class GapAnalysis:
    places: list[Place]  # every municipality, the districts' first
    cells: dict[str, list[GapCell]]  # by category: one per municipality of the districts, in `places` order
    signals: dict[tuple[int, str], int]  # people who sent a signal of either kind, by (municipality id, category)
    radius: Decimal

    def rows(self, category: str) -> list[GapRow]:
        return [disclosed_row(cell, self.signals.get((cell.place.pk, category), 0)) for cell in self.cells[category]]


def gap_analysis(categories: Sequence[str], *, today: datetime.date | None = None) -> GapAnalysis:
    """Demand, supply and gap of the categories in every municipality of the districts."""
    today = today or timezone.localdate()
    radius = km_zero_radius()
    everywhere = places()
    by_pk = {place.pk: place for place in everywhere}
    demand = demand_by_place(today)
    offers, suppliers, served = _supply(categories, today)
    signals = _signals(categories)
    cells: dict[str, list[GapCell]] = {}
    for category in categories:
        mine = [offer for offer in offers if offer.category == category]
        cells[category] = [
            _cell(
                place,
                category,
                demand.get((place.pk, NEED_OF[category]), 0),
                mine,
                suppliers,
                served,
                by_pk,
                radius,
                signals,
            )
            for place in everywhere
            if place.in_alliance
        ]
    people = {
        key: len(kinds[SignalKind.SUPPLIER_WANTED] | kinds[SignalKind.UNMET_NEED]) for key, kinds in signals.items()
    }
    return GapAnalysis(everywhere, cells, people, radius)


def _cell(
    place: Place,
    category: str,
    demand: int,
    offers: list[_Offer],
    suppliers: dict[int, tuple[str, int]],
    served: dict[int, set[int]],
    by_pk: dict[int, Place],
    radius: Decimal,
    signals: dict[tuple[int, str], dict[str, set[int]]],
) -> GapCell:
    def seat_km(supplier: int) -> Decimal:
        return _km(place.point, by_pk[suppliers[supplier][1]].point)

    serving = [offer for offer in offers if place.pk in served[offer.pk]]
    in_reach = any(offer.home_service or seat_km(offer.supplier) <= radius for offer in serving)
    suggestions: tuple[Suggestion, ...] = ()
    if not in_reach:
        # Suppliers of the category that do not serve the municipality yet, nearest seat first.
        already = {offer.supplier for offer in serving}
        others = {offer.supplier for offer in offers} - already
        ranked = sorted((seat_km(s), suppliers[s][0]) for s in others)
        suggestions = tuple(Suggestion(name, km) for km, name in ranked[:SUGGESTIONS])
    kinds = signals.get((place.pk, category), {})
    return GapCell(
        place=place,
        category=category,
        demand=demand,
        capacity=sum(offer.capacity or 0 for offer in serving),
        capacity_unstated=any(offer.capacity is None for offer in serving),
        offers=len(serving),
        in_reach=in_reach,
        nearest_km=min((seat_km(offer.supplier) for offer in serving), default=None),
        suggestions=suggestions,
        signals_supplier=len(kinds.get(SignalKind.SUPPLIER_WANTED, ())),
        signals_need=len(kinds.get(SignalKind.UNMET_NEED, ())),
    )


# --- Who may see it, and how a row reads -------------------------------------------------------------------------

ALLIANCE_ROLES = frozenset({MembershipRole.OPERATOR_ADMIN, MembershipRole.MONITORING, MembershipRole.CONSULTANT})
DEFAULT_CATEGORY = Category.NURSERY
ALL_CATEGORIES = "tutte"  # ?categoria=tutte: every category (the table exports only)


def may_see_gaps(user: Any) -> bool:
    return bool(membership_roles(user) & ALLIANCE_ROLES)


def assert_may_see_gaps(user: Any) -> None:
    """The alliance's roles only; anybody else gets the same 404 as for a page that does not exist."""
    if not may_see_gaps(user):
        raise NotPermitted(gettext("Page not found."))


def chosen_categories(value: str | None, *, allow_all: bool = False) -> list[str]:
    """The category asked for (the default when none), or every one for `tutte` where allowed."""
    value = (value or "").strip() or DEFAULT_CATEGORY
    if allow_all and value == ALL_CATEGORIES:
        return list(Category.values)
    if value not in Category.values:
        raise InvalidInput(gettext("Choose a category from the list."), fields={"categoria": [gettext("Unknown.")]})
    return [value]


def people_text(people: int | None) -> str:
    """A count of people as the pages and exports write it."""
    return gettext("fewer than 5") if people is None else formats.number_format(people, force_grouping=True)


def capacity_text(row: GapRow) -> str:
    """The places, and whether an offer serving the municipality did not say how many it has."""
    places = formats.number_format(row.capacity, force_grouping=True)
    return gettext("%(places)s + not stated") % {"places": places} if row.capacity_unstated else places


def describe(row: GapRow) -> str:
    """One sentence for the map's hover and screen readers: what the table's row says."""
    parts = [
        f"{row.place.name} ({row.place.district})",
        str(CLASS_LABELS[row.gap_class]),
        gettext("people who need it: %(people)s") % {"people": people_text(row.demand)},
        gettext("places: %(places)s") % {"places": capacity_text(row)},
    ]
    if row.signals is not None:
        parts.append(gettext("people who sent a signal: %(people)s") % {"people": people_text(row.signals)})
    return "; ".join(parts)


def boundaries() -> dict[int, Any]:
    """Each municipality's GeoJSON boundary, by id (for the map: the analysis does not need them)."""
    return dict(Municipality.objects.values_list("pk", "boundary"))
