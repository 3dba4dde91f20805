"""Where services are missing: demand, supply and the gap for each municipality and category.

Demand: the people who need a category, from the employees' profiles and their survey answers
---------------------------------------------------------------------------------------------------
Everybody is placed in the employee's municipality of residence (relatives included: the profile
has no address of their own). Categories are grouped by the need they answer (NEEDS): every category
of a group has the same demand, so two categories can never be subtracted to isolate a person.

- children by age band, exactly as the recommendations (matching.band_of on whole years, matching.BAND_CATEGORIES):
  under 3 years the nurseries, 3 to 5 pre-school and baby CRE, 6 to 14 (until the 15th birthday) CRE,
  after-school and canteen. Each child is in one band: a child of exactly 36 months is in 3-6, not in both;
- relatives aged 75 or more, or not self-sufficient: home care, day centre, carers, transport;
  relatives with a disability: the day centre for people with disability (matching's categories too);
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
sent them, by kind; and, for each municipality, the people whose open signals name no category (the
form lets them leave it out), in a figure of their own. For the operator, the suppliers people asked
for by name in the category (or with no category), each with the people who asked: a business name is
not personal data, and the operator reads the signals one by one anyway.

Privacy: what the alliance sees (GapRow)
----------------------------------------
Pages, exports and the API show only `GapAnalysis.rows()` (GapRow), never the raw GapCell. Any
count of people under conciliare.core.disclosure.MIN_GROUP (demand, gap, signals) is shown as
"fewer than 5", ZERO INCLUDED: "0" next to "fewer than 5" would say that somebody in a small village
has a toddler or a frail parent. For the same reason the colour of such a cell says only what is
public, whether a service is within reach ("no service within reach" or "service within reach",
demand not shown), never whether somebody needs it. Only cells of 5 people or more get the demand
classes (not covered, partly covered, covered). Signals follow the same rule, kind by kind.

No figure of people who sent a signal of either kind is shown: with one kind hidden, it would give the
hidden one away by subtraction (6 asking for a supplier, "fewer than 5" with an unmet need, 8 in all:
2); with both shown it would tell how many sent both (6, 6 and 7: 5 sent both, 1 only a supplier);
with both hidden, 8 would say 4 and 4. Showing it only when it reveals nothing would not help either:
that it is missing would say that a small group exists. So the map's marker shows the larger of the
two counts shown in the table, and appears when at least one of them is (5 or more): it says nothing
the table does not. The signals without a category are a figure of their own, of other signals, and
there is no total of all signals to subtract them from.

There is no total row: with cells hidden, a total minus the shown cells would give the hidden ones
away; nor can two categories be subtracted (see NEEDS).
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.models import EmployeeProfile, FamilyMember, MembershipRole
from conciliare.accounts.selectors import membership_roles
from conciliare.catalogue.categories import Category
from conciliare.catalogue.models import Offer, OfferSession, OfferStatus, Signal, SignalKind, SignalStatus
from conciliare.catalogue.search import km_zero_radius
from conciliare.core.disclosure import MIN_GROUP
from conciliare.core.errors import InvalidInput, NotPermitted
from conciliare.suppliers.eligibility import sellable_q
from conciliare.suppliers.models import Supplier
from conciliare.territory.distance import Point, distance_km
from conciliare.territory.models import Municipality

from . import matching
from .matching import band_of, months_old
from .models import Errand, SurveyResponse, WorkingPattern

_YEAR = 12
StrOrPromise = str | Promise


@dataclass(frozen=True)
class Need:
    categories: frozenset[str]


def _band(band: str) -> Need:
    """One of the recommendations' age bands (the demand counts children with `matching.band_of`)."""
    return Need(frozenset(matching.BAND_CATEGORIES[band]))


INFANTS, PRESCHOOL, SCHOOL = "infants", "preschool", "school"
CARE, DISABILITY, EVERYDAY = "care", "disability", "everyday"
BAND_NEED = {matching.BAND_0_3: INFANTS, matching.BAND_3_6: PRESCHOOL, matching.BAND_6_14: SCHOOL}
NEEDS: dict[str, Need] = {
    **{need: _band(band) for band, need in BAND_NEED.items()},
    CARE: Need(frozenset(matching.CARE_CATEGORIES)),
    DISABILITY: Need(frozenset(matching.DISABILITY_CATEGORIES)),
    EVERYDAY: Need(frozenset(matching.EVERYDAY_CATEGORIES)),
}
# Categories no profile fact points to (gym, courses...) are needs of their own, known from surveys only.
NEED_OF: dict[str, str] = {c: c for c in Category.values} | {c: n for n, need in NEEDS.items() for c in need.categories}
CARE_AGE_YEARS = matching.ELDERLY_AGE
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
    signals_any: int = 0  # distinct people whose open signals here name no category (the same in every category)

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
    signals: int | None  # the map's marker: the larger of the two kinds shown, None when neither is
    signals_any: int | None  # people signalling without a category

    @property
    def missing(self) -> bool:
        return self.gap_class in GapClass.MISSING


@dataclass(frozen=True)
class AskedSupplier:
    """A supplier people asked for by name, for the operator's board."""

    place: Place
    name: str
    category: str  # "" when the signals gave no category
    people: int | None  # distinct people who asked; None under MIN_GROUP ("fewer than 5")


def shown(people: int) -> int | None:
    """A count of people as it may be shown: None below MIN_GROUP (zero included)."""
    return people if people >= MIN_GROUP else None


def gap_class(cell: GapCell) -> str:
    if cell.demand < MIN_GROUP:
        return GapClass.SERVED if cell.in_reach else GapClass.NO_SERVICE
    if not cell.in_reach:
        return GapClass.NOT_COVERED
    return GapClass.COVERED if cell.capacity >= cell.demand else GapClass.PARTLY_COVERED


def disclosed_row(cell: GapCell) -> GapRow:
    demand = shown(cell.demand)
    supplier, need = shown(cell.signals_supplier), shown(cell.signals_need)
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
        signals_supplier=supplier,
        signals_need=need,
        # Worked out from the two figures shown only, never from the people of either kind (see the module).
        signals=max((kind for kind in (supplier, need) if kind is not None), default=None),
        signals_any=shown(cell.signals_any),
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
        if months < 0:
            continue  # not born yet: nothing to plan for (as the recommendations)
        band = band_of(months // _YEAR)
        if band is not None:
            needs[user_id][BAND_NEED[band]] += 1
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


NO_CATEGORY = ""


@dataclass
class _Signals:
    """The open signals of the categories, and those with no category, as sets of distinct authors."""

    kinds: dict[tuple[int, str], dict[str, set[int]]]  # by (municipality id, category) and kind
    uncategorised: dict[int, set[int]]  # by municipality id: signals of either kind that name no category
    # Suppliers asked for by name, by (municipality id, category or NO_CATEGORY, name folded): spellings and authors.
    names: dict[tuple[int, str, str], tuple[Counter[str], set[int]]]


def _signals(categories: Sequence[str]) -> _Signals:
    """One query, whatever the number of signals."""
    found = _Signals(defaultdict(lambda: defaultdict(set)), defaultdict(set), {})
    open_signals = Signal.objects.filter(
        Q(category__in=categories) | Q(category=NO_CATEGORY),
        status__in=(SignalStatus.NEW, SignalStatus.IN_PROGRESS),
    ).values_list("municipality_id", "category", "kind", "author_id", "supplier_name")
    for municipality_id, category, kind, author, supplier_name in open_signals:
        if category == NO_CATEGORY:
            found.uncategorised[municipality_id].add(author)
        else:
            found.kinds[municipality_id, category][kind].add(author)
        name = " ".join(supplier_name.split())
        if kind == SignalKind.SUPPLIER_WANTED and name:
            key = (municipality_id, category, name.casefold())
            spellings, authors = found.names.setdefault(key, (Counter(), set()))
            spellings[name] += 1
            authors.add(author)
    return found


def _asked(signals: _Signals, everywhere: list[Place], categories: Sequence[str]) -> tuple[AskedSupplier, ...]:
    """The suppliers asked for by name in the districts: by municipality, the category's before the uncategorised,
    most people first."""
    order = {place.pk: index for index, place in enumerate(everywhere)}
    by_pk = {place.pk: place for place in everywhere}
    rank = {category: index for index, category in enumerate(categories)} | {NO_CATEGORY: len(categories)}
    found = []
    for (municipality_id, category, _folded), (spellings, authors) in signals.names.items():
        place = by_pk.get(municipality_id)
        if place is None or not place.in_alliance:
            continue
        # The commonest spelling, the first in alphabetical order among equals.
        name = min(spellings, key=lambda spelling: (-spellings[spelling], spelling))
        found.append((order[place.pk], rank[category], -len(authors), name.casefold(), place, name, category, authors))
    found.sort(key=lambda item: item[:4])
    return tuple(
        AskedSupplier(place, name, category, shown(len(authors))) for *_key, place, name, category, authors in found
    )


@lru_cache(maxsize=16384)
def _km(a: Point, b: Point) -> Decimal:
    return distance_km(a, b)


SUGGESTIONS = 3


@dataclass(frozen=True)
class GapAnalysis:
    places: list[Place]  # every municipality, the districts' first
    cells: dict[str, list[GapCell]]  # by category: one per municipality of the districts, in `places` order
    radius: Decimal
    asked: tuple[AskedSupplier, ...] = ()  # for the operator only: see `asked_suppliers`

    def rows(self, category: str) -> list[GapRow]:
        return [disclosed_row(cell) for cell in self.cells[category]]

    def asked_suppliers(self, category: str) -> list[AskedSupplier]:
        """The suppliers people asked for by name in the category, or without naming one: the operator's board."""
        return [item for item in self.asked if item.category in (category, NO_CATEGORY)]


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
    return GapAnalysis(everywhere, cells, radius, _asked(signals, everywhere, categories))


def _cell(
    place: Place,
    category: str,
    demand: int,
    offers: list[_Offer],
    suppliers: dict[int, tuple[str, int]],
    served: dict[int, set[int]],
    by_pk: dict[int, Place],
    radius: Decimal,
    signals: _Signals,
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
    kinds = signals.kinds.get((place.pk, category), {})
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
        signals_any=len(signals.uncategorised.get(place.pk, ())),
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
    # The two kinds as the table gives them, when either is shown; never their union (see the module).
    if row.signals is not None:
        parts.append(gettext("asking for a supplier: %(people)s") % {"people": people_text(row.signals_supplier)})
        parts.append(gettext("signalling an unmet need: %(people)s") % {"people": people_text(row.signals_need)})
    if row.signals_any is not None:
        parts.append(gettext("signalling with no category: %(people)s") % {"people": people_text(row.signals_any)})
    return "; ".join(parts)


def boundaries() -> dict[int, Any]:
    """Each municipality's GeoJSON boundary, by id (for the map: the analysis does not need them)."""
    return dict(Municipality.objects.values_list("pk", "boundary"))
