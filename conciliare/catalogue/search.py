"""Finding offers: words, category, place, distance, price, child's age and dates, nearest first.

Distances are between municipalities (the viewer's home or workplace and the
supplier's seat), computed once per search in Python for the few dozen
municipalities of the territory and handed to the database as one CASE
expression: ordering, filtering by km and the km-zero badge then happen in SQL
with a constant number of queries, whatever the number of offers.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, DecimalField, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.utils import timezone

from conciliare.suppliers.eligibility import sellable_q
from conciliare.suppliers.models import Supplier
from conciliare.territory.distance import municipality_distance_km
from conciliare.territory.models import Municipality

from .models import Offer, OfferPhoto, OfferSession, OfferStatus

SORT_DISTANCE = "distance"
SORT_PRICE = "price"
SORT_RELEVANCE = "relevance"
SEARCH_CONFIG = "italian"
SEAT = "supplier__organization__municipality_id"  # distances are measured to the supplier's seat


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


def km_zero_radius() -> Decimal:
    return Decimal(str(getattr(settings, "CONCILIARE_KM_ZERO_RADIUS_KM", 10)))


def distances_from(origin: Municipality) -> dict[int, Decimal]:
    """km from `origin` to every municipality of the territory, by id (one small query)."""
    return {
        municipality.pk: municipality_distance_km(origin, municipality)
        for municipality in Municipality.objects.only("pk", "latitude", "longitude")
    }


class DistanceFrom(Func):
    """`CASE <municipality id> WHEN 12 THEN 3.4 ... END`: one expression, compiled as one string.

    Built from When() objects it cost 20-30 ms of Python per search (one per municipality, see
    docs/performance.md); the ids and km are numbers we computed, so inlining them is safe.
    """

    output_field = KmField()

    def __init__(self, field: str, distances: dict[int, Decimal]) -> None:
        cases = " ".join(f"WHEN {int(pk)} THEN {Decimal(km):f}" for pk, km in sorted(distances.items()))
        super().__init__(F(field), template=f"CASE %(expressions)s {cases} ELSE NULL END" if cases else "NULL")


def published_offers(today: datetime.date | None = None) -> QuerySet[Offer]:
    """Offers anyone may see and buy: published by a supplier that may sell today.

    The suppliers that may sell are a few hundred at most: fetched first (one small query), their
    ids spare the database a join and an EXISTS on every offer row of a broad search.
    """
    sellable = list(Supplier.objects.filter(sellable_q(today=today)).values_list("pk", flat=True))
    return Offer.objects.filter(supplier_id__in=sellable, status=OfferStatus.PUBLISHED)


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


def _words(queryset: QuerySet[Offer], words: str) -> tuple[QuerySet[Offer], bool]:
    """Full text in Italian on PostgreSQL (stems: "asilo" finds "asili"); every word as a substring elsewhere."""
    if connection.vendor == "postgresql":
        query = SearchQuery(words, config=SEARCH_CONFIG, search_type="websearch")
        vector = SearchVector("search_text", config=SEARCH_CONFIG)
        matching = queryset.alias(document=vector).filter(document=query)
        return matching.annotate(rank=SearchRank(vector, query)), True
    for word in words.split():
        queryset = queryset.filter(search_text__icontains=word)
    return queryset, False


def offer_search(criteria: SearchCriteria, *, today: datetime.date | None = None) -> QuerySet[Offer]:
    """The matching offers, each annotated with `distance_km` (None without an origin) and `km_zero`."""
    queryset = published_offers(today).select_related("supplier__organization__municipality")
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
        distances = distances_from(criteria.origin)
        near = [pk for pk, km in distances.items() if km <= km_zero_radius()]
        queryset = queryset.annotate(
            distance_km=DistanceFrom(SEAT, distances),
            km_zero=Case(When(**{f"{SEAT}__in": near}, then=Value(True)), default=Value(False)),
        )
        if criteria.max_km is not None:
            queryset = queryset.filter(distance_km__lte=criteria.max_km)
    else:
        queryset = queryset.annotate(distance_km=Value(None, output_field=KmField()), km_zero=Value(False))
    queryset = queryset.prefetch_related(Prefetch("photos", queryset=OfferPhoto.objects.order_by("position", "pk")))
    return queryset.order_by(*_ordering(criteria, ranked))


def _ordering(criteria: SearchCriteria, ranked: bool) -> list[str | OrderBy]:
    nearest: list[str | OrderBy] = [F("distance_km").asc(nulls_last=True)] if criteria.origin is not None else []
    if criteria.sort == SORT_PRICE:
        return ["price", *nearest, "pk"]
    if criteria.sort == SORT_RELEVANCE and ranked:
        return [F("rank").desc(), *nearest, "pk"]
    return [*nearest, "price", "pk"]
