"""Finding offers: words, category, place, distance, price, child's age and dates, nearest first.

Distances are between municipalities (the viewer's home or workplace and the supplier's seat).
The suppliers that may sell are a few hundred at most and are fetched first, with their name and
the coordinates of their seat; each one's distance from the origin is computed in Python (and
remembered by the process: the territory's municipalities do not move) and handed to the database
per supplier. So the km limit becomes a list of supplier ids, and ordering and the km-zero badge
need no join: the offer table alone is sorted and counted. A search is three queries whatever the
number of offers (`search_results`): the sellers, the count, and the page with each offer's first
photo; the page's suppliers are built from the sellers' rows.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple, overload

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import Expression, OrderBy
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from conciliare.accounts.models import Organization
from conciliare.core.instances import loaded_instance
from conciliare.core.money import format_euro
from conciliare.suppliers.eligibility import sellable_q
from conciliare.suppliers.models import Supplier
from conciliare.territory.distance import Point, distance_km, municipality_point
from conciliare.territory.models import Municipality

from .categories import Category
from .models import Offer, OfferPhoto, OfferSession, OfferStatus, Unit

SORT_DISTANCE = "distance"
SORT_PRICE = "price"
SORT_RELEVANCE = "relevance"
SEARCH_CONFIG = "italian"
SEARCH_VECTOR_COLUMN = "search_vector"  # PostgreSQL only: migration 0004


@dataclass(frozen=True)
class SearchCriteria:
    words: str = ""
    category: str = ""
    serves: Municipality | None = None  # only offers serving this municipality
    origin: Municipality | None = None  # distances are measured from here
    max_km: Decimal | None = None
    max_price: int | None = None  # cents
    child_age_years: int | None = None
    available_from: datetime.date | None = None
    available_to: datetime.date | None = None
    sort: str = SORT_DISTANCE


class KmField(DecimalField):
    """Kilometres with one decimal, also on SQLite, which hands computed decimals back as floats."""

    def __init__(self) -> None:
        super().__init__(max_digits=6, decimal_places=1)

    def from_db_value(self, value: object, expression: object, connection: object) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


class TenthsOfKmField(KmField):
    """Read from whole tenths of a km (an integer in SQL, cheaper to pick and sort) as km: 34 -> 3.4."""

    def from_db_value(self, value: object, expression: object, connection: object) -> Decimal | None:
        return None if value is None else Decimal(int(str(value))).scaleb(-1)


def km_zero_radius() -> Decimal:
    return Decimal(str(getattr(settings, "CONCILIARE_KM_ZERO_RADIUS_KM", 10)))


@lru_cache(maxsize=16384)
def _km(origin: Point, seat: Point) -> Decimal:
    return distance_km(origin, seat)


def _point(latitude: Decimal, longitude: Decimal) -> Point:
    return (float(latitude), float(longitude))


class Seller(NamedTuple):  # a tuple: a search reads a few hundred of them
    """A supplier that may sell, as a search result shows it, with the km from the search's origin to its seat."""

    km: Decimal | None
    organization_id: int
    name: str
    municipality_id: int
    municipality_name: str
    istat_code: str


_SELLER_COLUMNS = (
    "pk",
    "organization_id",
    "organization__name",
    "organization__municipality_id",
    "organization__municipality__name",
    "organization__municipality__istat_code",
    "organization__municipality__latitude",
    "organization__municipality__longitude",
)


@lru_cache(maxsize=8)
def _sellers_sql(vendor: str, today: datetime.date) -> tuple[str, tuple[Any, ...]]:
    """The query of the sellers and what a result shows of them, compiled once per day and process.

    Django took about 2 ms of CPU to build and compile it on every search, the database 0.5 ms to run
    it. Its SQL depends only on the day (a DURC valid until yesterday no longer counts): which charter
    version is in force is a subquery on the database's clock (`sellable_q`).
    """
    query = Supplier.objects.filter(sellable_q(today=today)).values_list(*_SELLER_COLUMNS).order_by().query
    sql, params = query.sql_with_params()
    return sql, tuple(params)


def _sellers(origin: Municipality | None, today: datetime.date | None) -> dict[int, Seller]:
    """The suppliers that may sell today, by id, with what a result shows of them (one query).

    Read anyway to know whose offers may show, so the 20 offers of a page need no further query for
    their supplier, its name and its seat.
    """
    start = municipality_point(origin) if origin is not None else None
    sql, params = _sellers_sql(connection.vendor, today or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        pk: Seller(
            km=_km(start, _point(latitude, longitude)) if start is not None else None,
            organization_id=organization_id,
            name=name,
            municipality_id=municipality_id,
            municipality_name=municipality_name,
            istat_code=istat_code,
        )
        for pk, organization_id, name, municipality_id, municipality_name, istat_code, latitude, longitude in rows
    }


def _sellable_km(origin: Municipality | None, today: datetime.date | None) -> dict[int, Decimal | None]:
    """The suppliers that may sell today, by id, with the km from `origin` to their seat (one query)."""
    return {pk: seller.km for pk, seller in _sellers(origin, today).items()}


class IdIn(Func):
    """`<field> IN (3, 5, 8)` with the ids inlined: one short string, no parameter per id to bind.

    The ids are integers read from the database, so inlining them is safe; an empty list matches nothing.
    """

    output_field = BooleanField()

    def __init__(self, field: str, ids: Iterable[int]) -> None:
        numbers = ", ".join(str(int(pk)) for pk in sorted(set(ids)))
        super().__init__(F(field), template=f"%(expressions)s IN ({numbers})" if numbers else "1 = 0")


class SupplierDistance(Func):
    """The km from the origin to the seat of the offer's supplier, computed without a join.

    On PostgreSQL an array of tenths of a km indexed by supplier id (`'{12,NULL,34}'::int[][supplier_id]`,
    constant time per row); elsewhere, or when the ids are too large for a dense array, one
    `CASE supplier_id WHEN 5 THEN 34 ... END`. Either way the SQL value is whole tenths of a km, read as
    km by TenthsOfKmField; the km are numbers we computed and the ids integers, so inlining them is safe.
    """

    output_field = TenthsOfKmField()
    DENSE_UP_TO = 20_000  # the largest supplier id a dense array may have

    def __init__(self, field: str, km_by_id: dict[int, Decimal | None]) -> None:
        tenths = {int(pk): int(km * 10) for pk, km in km_by_id.items() if km is not None}
        if tenths and connection.vendor == "postgresql" and max(tenths) <= self.DENSE_UP_TO:
            dense = ",".join(str(tenths[pk]) if pk in tenths else "NULL" for pk in range(1, max(tenths) + 1))
            template = f"('{{{dense}}}'::integer[])[%(expressions)s]"
        elif tenths:
            cases = " ".join(f"WHEN {pk} THEN {value}" for pk, value in sorted(tenths.items()))
            template = f"CASE %(expressions)s {cases} ELSE NULL END"
        else:
            template = "NULL"
        super().__init__(F(field), template=template)


# --- What a result shows, for the page's cards and the API's list items ---------------------------------------------


@lru_cache(maxsize=16)
def _labels(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    return (
        {code: str(label) for code, label in Category.choices},
        {code: str(label) for code, label in Unit.choices},
    )


def result_labels() -> tuple[dict[str, str], dict[str, str]]:
    """Category and unit labels by code, in the active language (built once per language and process).

    `get_FOO_display` and `category_label` hash or list every choice on each call: a few ms per page.
    """
    return _labels(get_language())


@lru_cache(maxsize=8192)
def _price_text(cents: int, locale: str) -> str:
    return format_euro(cents, locale=locale)


def price_text(cents: int) -> str:
    """format_euro in the active language, remembered per price: Babel takes ~0.1 ms per call."""
    return _price_text(cents, to_locale(get_language() or "it"))


@lru_cache(maxsize=8192)
def _distance_text(km: Decimal, language: str | None) -> str:
    return _("%(km)s km") % {"km": floatformat(km, 1)}


def distance_text(km: Decimal | None) -> str:
    """'3,4 km' in the active language (what `{{ km|floatformat:1 }} km` writes), remembered per value."""
    return "" if km is None else _distance_text(km, get_language())


_SLOT = 918273645  # an id no URL prefix contains


def url_maker(viewname: str, *after: str) -> Callable[[int], str]:
    """`reverse(viewname, args=[pk, *after])` for many ids at the cost of one reverse (~40 us each).

    The id is an <int:> path argument, written as the decimal number itself, so putting it in the
    place of another id gives exactly what reverse() would.
    """
    head, _slot, tail = reverse(viewname, args=[_SLOT, *after]).partition(str(_SLOT))
    return lambda pk: f"{head}{int(pk)}{tail}"


def published_offers(today: datetime.date | None = None) -> QuerySet[Offer]:
    """Offers anyone may see and buy: published by a supplier that may sell today.

    The suppliers that may sell are a few hundred at most: fetched first (one small query), their
    ids spare the database a join and an EXISTS on every offer row of a broad search.
    """
    sellable = list(Supplier.objects.filter(sellable_q(today=today)).values_list("pk", flat=True))
    return Offer.objects.filter(supplier_id__in=sellable, status=OfferStatus.PUBLISHED)


# What a result shows (the search page's card, the API's list item): the rest of the offer stays in the database.
RESULT_FIELDS = (
    "id",
    "supplier",
    "kind",
    "category",
    "title",
    "price",
    "unit",
    "min_age_months",
    "max_age_months",
    "home_service",
)


def _result_suppliers() -> QuerySet[Supplier]:
    return Supplier.objects.select_related("organization__municipality").only(
        "organization__name", "organization__municipality__name", "organization__municipality__istat_code"
    )


def _serves(municipality: Municipality) -> Q:
    own_list = Exists(
        Offer.served_municipalities.through.objects.filter(offer_id=OuterRef("pk"), municipality_id=municipality.pk)
    )
    supplier_area = Exists(
        Supplier.served_municipalities.through.objects.filter(
            supplier_id=OuterRef("supplier_id"), municipality_id=municipality.pk
        )
    )
    return (Q(whole_area=True) & Q(supplier_area)) | (Q(whole_area=False) & Q(own_list))


def _available_between(start: datetime.date | None, end: datetime.date | None) -> Exists:
    zone = timezone.get_current_timezone()
    sessions = OfferSession.objects.filter(
        offer_id=OuterRef("pk"), seats_taken__lt=F("seats"), starts_at__gte=timezone.now()
    )
    # Bounds that exclude nothing are skipped: only future sessions count anyway, and the calendar's
    # first and last days would overflow once turned into aware datetimes.
    if start and start > timezone.localdate():
        sessions = sessions.filter(ends_at__gt=datetime.datetime.combine(start, datetime.time.min, zone))
    if end and end < datetime.date.max:
        day_after = end + datetime.timedelta(days=1)
        sessions = sessions.filter(starts_at__lt=datetime.datetime.combine(day_after, datetime.time.min, zone))
    return Exists(sessions)


class StoredSearchVector(Expression):
    """The offer's `search_vector` column: its words as a stored tsvector, on PostgreSQL only.

    Migration 0004 adds it with a trigger that keeps it equal to
    `to_tsvector('italian', coalesce(search_text, ''))`, and its GIN index. It is no model field (the
    database writes it), hence this expression. Reading it spares recomputing the vector for each
    row when the plan filters words after a join or ranks by relevance.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        # A list, as Django's own expressions give: callers add their parameters to it.
        return f"{compiler.quote_name_unless_alias(compiler.query.base_table)}.{SEARCH_VECTOR_COLUMN}", []


def _words(queryset: QuerySet[Offer], words: str) -> tuple[QuerySet[Offer], bool]:
    """Full text in Italian on PostgreSQL (stems: "asilo" finds "asili"); every word as a substring elsewhere."""
    if connection.vendor == "postgresql":
        query = SearchQuery(words, config=SEARCH_CONFIG, search_type="websearch")
        vector = StoredSearchVector()
        matching = queryset.alias(document=vector).filter(document=query)
        return matching.annotate(rank=SearchRank(vector, query)), True
    for word in words.split():
        queryset = queryset.filter(search_text__icontains=word)
    return queryset, False


def offer_search(criteria: SearchCriteria, *, today: datetime.date | None = None) -> QuerySet[Offer]:
    """The matching offers, each annotated with `distance_km` (None without an origin) and `km_zero`.

    Each offer's supplier (with its organization and seat) and photos come with it, in one query
    each for all the offers fetched.
    """
    return _search(criteria, _sellable_km(criteria.origin, today)).prefetch_related(
        Prefetch("supplier", queryset=_result_suppliers()),
        Prefetch("photos", queryset=OfferPhoto.objects.order_by("position", "pk")),
    )


def _search(criteria: SearchCriteria, km_by_supplier: dict[int, Decimal | None]) -> QuerySet[Offer]:
    suppliers = list(km_by_supplier)
    if criteria.origin is not None and criteria.max_km is not None:
        limit = criteria.max_km
        suppliers = [pk for pk, km in km_by_supplier.items() if km is not None and km <= limit]
    queryset = Offer.objects.filter(IdIn("supplier_id", suppliers), status=OfferStatus.PUBLISHED)
    if criteria.category:
        queryset = queryset.filter(category=criteria.category)
    if criteria.serves is not None:
        queryset = queryset.filter(_serves(criteria.serves))
    if criteria.max_price is not None:
        queryset = queryset.filter(price__lte=criteria.max_price)
    if criteria.child_age_years is not None:
        youngest, oldest = criteria.child_age_years * 12, criteria.child_age_years * 12 + 11
        queryset = queryset.filter(
            Q(min_age_months__isnull=True) | Q(min_age_months__lte=oldest),
            Q(max_age_months__isnull=True) | Q(max_age_months__gte=youngest),
        )
    if criteria.available_from or criteria.available_to:
        queryset = queryset.filter(_available_between(criteria.available_from, criteria.available_to))
    ranked = False
    if criteria.words.strip():
        queryset, ranked = _words(queryset, criteria.words.strip())
    if criteria.origin is not None:
        radius = km_zero_radius()
        near = [pk for pk in suppliers if (km := km_by_supplier[pk]) is not None and km <= radius]
        queryset = queryset.annotate(
            distance_km=SupplierDistance("supplier_id", {pk: km_by_supplier[pk] for pk in suppliers}),
            km_zero=IdIn("supplier_id", near) if near else Value(False),
        )
    else:
        queryset = queryset.annotate(distance_km=Value(None, output_field=KmField()), km_zero=Value(False))
    return queryset.only(*RESULT_FIELDS).order_by(*_ordering(criteria, ranked))


def _ordering(criteria: SearchCriteria, ranked: bool) -> list[str | OrderBy]:
    nearest: list[str | OrderBy] = [F("distance_km").asc(nulls_last=True)] if criteria.origin is not None else []
    if criteria.sort == SORT_PRICE:
        return ["price", *nearest, "pk"]
    if criteria.sort == SORT_RELEVANCE and ranked:
        return [F("rank").desc(), *nearest, "pk"]
    return [*nearest, "price", "pk"]


class NearestFirstPages:
    """The results of a nearest-first search, for a paginator, without sorting every match.

    The distance of an offer is its supplier's, and the sellable suppliers are a few hundred: one
    grouped count per supplier gives the total, and walking the suppliers by distance says which of
    them hold the rows of the page asked for. Only their offers are then sorted, with the same order
    as the full query (distance, price, id), so a page is the same as before, for a fraction of the
    database's work on broad searches (every offer of the territory nearest first).
    """

    ordered = True  # for Django's paginator: the order is the queryset's

    def __init__(
        self, queryset: QuerySet[Offer], km_by_supplier: dict[int, Decimal | None], rows: QuerySet[Offer] | None = None
    ) -> None:
        self.queryset = queryset  # counted per supplier
        self.rows = queryset if rows is None else rows  # the same offers, as a page shows them
        self.km_by_supplier = km_by_supplier
        self._counts: list[tuple[Decimal | None, int, int]] | None = None  # (km, supplier id, offers)

    def _by_distance(self) -> list[tuple[Decimal | None, int, int]]:
        if self._counts is None:
            grouped = self.queryset.order_by().values_list("supplier_id").annotate(offers=Count("pk"))
            rows = [(self.km_by_supplier.get(pk), pk, offers) for pk, offers in grouped]
            self._counts = sorted(rows, key=lambda row: (row[0] is None, row[0] or 0))
        return self._counts

    def count(self) -> int:
        return sum(offers for _km, _pk, offers in self._by_distance())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Offer]:
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("a page of results is a slice")
        start, stop = window.start or 0, window.stop if window.stop is not None else self.count()
        # Suppliers at the same distance are one block: their offers interleave by price.
        blocks: list[tuple[list[int], int]] = []
        for km, pk, offers in self._by_distance():
            if blocks and self.km_by_supplier.get(blocks[-1][0][0]) == km:
                blocks[-1][0].append(pk)
                blocks[-1] = (blocks[-1][0], blocks[-1][1] + offers)
            else:
                blocks.append(([pk], offers))
        before, wanted, seen = 0, [], 0
        for suppliers, offers in blocks:
            if seen + offers <= start:
                before = seen = seen + offers
                continue
            if seen >= stop:
                break
            wanted += suppliers
            seen += offers
        if not wanted:
            return []
        return list(self.rows.filter(IdIn("supplier_id", wanted))[start - before : stop - before])


class Thumbnail(NamedTuple):
    """The first photo of an offer, as a result shows it."""

    pk: int
    alt_text: str


def first_photo(offer: Offer) -> "Thumbnail | OfferPhoto | None":
    """The offer's first photo: the one `SearchResults` attached, else the first of `offer.photos`
    (`offer_search` prefetches them; it serves the tests and bench/search.py as the plain oracle)."""
    if "first_photo" in offer.__dict__:
        return offer.__dict__["first_photo"]
    return next(iter(offer.photos.all()), None)


def _with_first_photo(queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    """Each offer with the id and text of its first photo, read in the page's own query."""
    first = OfferPhoto.objects.filter(offer_id=OuterRef("pk")).order_by("position", "pk")
    return queryset.annotate(
        first_photo_id=Subquery(first.values("pk")[:1]), first_photo_alt=Subquery(first.values("alt_text")[:1])
    )


class SearchResults:
    """What the search page and the API paginate: the matches, in order, counted once.

    The offers of a page come with their first photo (read in the page's query) and their supplier,
    its organization and seat (built from the sellers already read), so a search costs three queries
    whatever it finds: the sellers, the count, the page.
    """

    ordered = True  # for Django's paginator: the order is the source's

    def __init__(self, source: "QuerySet[Offer] | NearestFirstPages", sellers: dict[int, Seller]) -> None:
        self.source = source
        self.sellers = sellers
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.source.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Offer]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, window: int) -> Offer: ...

    @overload
    def __getitem__(self, window: slice) -> list[Offer]: ...

    def __getitem__(self, window: int | slice) -> Offer | list[Offer]:
        if isinstance(window, int):
            found = self[window : window + 1] if window >= 0 else []
            if not found:
                raise IndexError(window)
            return found[0]
        if window.step is not None:
            raise TypeError("a page of results is a slice without a step")
        offers = list(self.source[window])
        suppliers: dict[int, Supplier] = {}
        for offer in offers:
            supplier = suppliers.get(offer.supplier_id)
            if supplier is None:
                supplier = suppliers[offer.supplier_id] = self._supplier(offer.supplier_id)
            Offer.supplier.field.set_cached_value(offer, supplier)
            photo_id = offer.first_photo_id  # type: ignore[attr-defined]
            offer.__dict__["first_photo"] = Thumbnail(photo_id, offer.first_photo_alt) if photo_id else None  # type: ignore[attr-defined]
        return offers

    def _supplier(self, pk: int) -> Supplier:
        seller = self.sellers[pk]
        seat = loaded_instance(
            Municipality, id=seller.municipality_id, istat_code=seller.istat_code, name=seller.municipality_name
        )
        organization = loaded_instance(
            Organization, id=seller.organization_id, name=seller.name, municipality_id=seat.pk
        )
        Organization.municipality.field.set_cached_value(organization, seat)
        supplier = loaded_instance(Supplier, id=pk, organization_id=organization.pk)
        Supplier.organization.field.set_cached_value(supplier, organization)
        return supplier


def search_results(criteria: SearchCriteria, *, today: datetime.date | None = None) -> SearchResults:
    """What the search page and the API paginate: `offer_search`'s matches, nearest-first pages when
    sorted by distance, each page with its suppliers and first photos."""
    sellers = _sellers(criteria.origin, today)
    km_by_supplier = {pk: seller.km for pk, seller in sellers.items()}
    matches = _search(criteria, km_by_supplier)
    rows = _with_first_photo(matches)
    ranked = criteria.sort == SORT_RELEVANCE and bool(criteria.words.strip())
    if criteria.origin is None or criteria.sort == SORT_PRICE or ranked:
        return SearchResults(rows, sellers)  # counting drops the photo subqueries
    return SearchResults(NearestFirstPages(matches, km_by_supplier, rows), sellers)
