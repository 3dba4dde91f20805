"""Searching the catalogue: distances against hand-computed ones, filters that combine, Italian words,
the km-zero badge, and a number of queries that does not grow with the results."""

import datetime
import math
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conciliare.catalogue import services
from conciliare.catalogue.models import OfferSession
from conciliare.catalogue.search import (
    SORT_PRICE,
    SORT_RELEVANCE,
    SearchCriteria,
    SupplierDistance,
    offer_search,
    url_maker,
)
from conciliare.catalogue.services import photo_add
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier, offer_data, png_bytes
from conciliare.territory.models import Municipality
from conciliare.testing.factories import municipality

pytestmark = pytest.mark.django_db

# Centres of real municipalities of the territory (conciliare/territory/data/comuni.csv), degrees.
COORDINATES = {
    "Lovere": (45.81379, 10.06995),
    "Castro": (45.80378, 10.06590),
    "Rogno": (45.85659, 10.13216),
    "Fonteno": (45.75859, 10.01856),
    "Ranzanico": (45.78839, 9.93506),
    "Casazza": (45.74855, 9.90627),
    "Sarnico": (45.67099, 9.96152),
    "Trescore Balneario": (45.69409, 9.84173),
}
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)


def haversine_km(a: str, b: str) -> Decimal:
    """Great-circle distance by the haversine formula, worked out here rather than taken from the code."""
    lat1, lon1 = (math.radians(value) for value in COORDINATES[a])
    lat2, lon2 = (math.radians(value) for value in COORDINATES[b])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return Decimal(f"{2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h)):.1f}")


def test_the_coordinates_written_here_are_those_of_the_territory(db):
    for name, (latitude, longitude) in COORDINATES.items():
        stored = Municipality.objects.get(name=name)
        assert (stored.latitude, stored.longitude) == (Decimal(str(latitude)), Decimal(str(longitude))), name


def test_the_hand_formula_agrees_with_a_few_distances_known_from_the_map():
    assert haversine_km("Lovere", "Lovere") == Decimal("0.0")
    assert haversine_km("Lovere", "Castro") == Decimal("1.2")
    assert haversine_km("Lovere", "Sarnico") == Decimal("18.0")
    assert haversine_km("Lovere", "Trescore Balneario") == haversine_km("Trescore Balneario", "Lovere")
    assert haversine_km("Lovere", "Trescore Balneario") == Decimal("22.2")


# Inserted neither by distance nor by price: the farther, the cheaper, so that the two orders differ.
SEATS = ["Sarnico", "Lovere", "Ranzanico", "Trescore Balneario", "Castro", "Casazza", "Fonteno", "Rogno"]


@pytest.fixture
def offers_around(cast):
    """One published offer by a supplier seated in each municipality of SEATS."""
    offers = {}
    for name in SEATS:
        supplier = make_supplier(municipality_name=name, radius_km=30)
        distance = haversine_km("Lovere", name)
        offers[name] = make_offer(supplier, title=f"CRE a {name}", price=30_000 - int(distance * 1000))
    return offers


@pytest.mark.parametrize("origin", ["Lovere", "Trescore Balneario"])
def test_offers_come_nearest_first_with_the_distance_from_the_origin(offers_around, origin):
    results = list(offer_search(SearchCriteria(origin=municipality(origin))))

    expected = sorted((haversine_km(origin, name), name) for name in SEATS)
    assert [(offer.distance_km, offer.supplier.organization.municipality.name) for offer in results] == expected
    assert all(isinstance(offer.distance_km, Decimal) for offer in results)


def test_at_equal_distance_the_cheaper_offer_comes_first(offers_around):
    castro = offers_around["Castro"].supplier
    cheap = make_offer(castro, title="CRE ridotto", price=5_000)
    results = list(offer_search(SearchCriteria(origin=municipality("Lovere"))))
    assert [offer.title for offer in results[:3]] == ["CRE a Lovere", cheap.title, "CRE a Castro"]


def test_max_km_keeps_the_offers_within_it_the_boundary_included(offers_around):
    def within(km: str) -> list[str]:
        criteria = SearchCriteria(origin=municipality("Lovere"), max_km=Decimal(km))
        return [offer.supplier.organization.municipality.name for offer in offer_search(criteria)]

    assert within("10") == ["Lovere", "Castro", "Rogno", "Fonteno"]
    assert within("10.8") == ["Lovere", "Castro", "Rogno", "Fonteno", "Ranzanico"]  # Ranzanico is 10.8 km away
    assert within("0") == ["Lovere"]
    # Without an origin there is no distance to limit.
    unlimited = SearchCriteria(max_km=Decimal("1"))
    assert len(offer_search(unlimited)) == len(SEATS)


def test_sorting_by_price_then_by_distance(offers_around):
    castro = offers_around["Castro"].supplier
    make_offer(castro, title="CRE come a Trescore", price=offers_around["Trescore Balneario"].price)
    results = list(offer_search(SearchCriteria(origin=municipality("Lovere"), sort=SORT_PRICE)))
    prices = [offer.price for offer in results]
    assert prices == sorted(prices)
    # The cheapest price twice: the nearer (Castro, 1.2 km) before the farther (Trescore, 22.2 km).
    assert [offer.title for offer in results[:2]] == ["CRE come a Trescore", "CRE a Trescore Balneario"]
    assert results[-1].title == "CRE a Lovere"


def test_without_an_origin_there_is_no_distance_nor_badge_and_the_cheapest_comes_first(offers_around):
    results = list(offer_search(SearchCriteria()))
    assert [offer.distance_km for offer in results] == [None] * len(SEATS)
    assert not any(offer.km_zero for offer in results)
    assert [offer.price for offer in results] == sorted(offer.price for offer in offers_around.values())


@pytest.mark.parametrize(
    ("radius", "badged"),
    [(10, {"Lovere", "Rogno"}), (11, {"Lovere", "Rogno", "Ranzanico"}), (6.8, {"Lovere", "Rogno"}), (5, {"Lovere"})],
)
def test_the_km_zero_badge_follows_the_configured_radius(cast, settings, radius, badged):
    for name in ("Lovere", "Rogno", "Ranzanico"):  # 0, 6.8 and 10.8 km from Lovere
        make_offer(make_supplier(municipality_name=name), title=name)
    settings.CONCILIARE_KM_ZERO_RADIUS_KM = radius
    results = offer_search(SearchCriteria(origin=municipality("Lovere")))
    assert {offer.title for offer in results if offer.km_zero} == badged
    assert len(results) == 3


# --- Every filter at once --------------------------------------------------------------------

IN_TIME, TOO_LATE = 25, 60  # days from today that a session starts
FAILS = ["category", "max_price", "child_age", "serves", "max_km", "dates", "words"]


@pytest.fixture
def mixed_offers(cast):
    """A matching offer and, for each criterion, one that fails only that criterion."""
    lovere = make_supplier(municipality_name="Lovere", radius_km=15, categories=["summer_camp", "after_school"])
    casazza = make_supplier(municipality_name="Casazza", radius_km=20, categories=["summer_camp"])
    camp = {"category": "summer_camp", "price": 12_000}
    offers = {
        "match": make_offer(lovere, title="CRE estivo con piscina", **camp),
        "category": make_offer(lovere, title="Doposcuola e piscina", category="after_school", price=12_000),
        "max_price": make_offer(lovere, title="CRE in piscina tutto il giorno", category="summer_camp", price=20_000),
        "child_age": make_offer(
            lovere, title="CRE ragazzi con piscina", min_age_months=10 * 12, max_age_months=14 * 12, **camp
        ),
        "serves": make_offer(
            lovere,
            title="CRE con piscina a Castro",
            whole_area=False,
            served_municipalities=(municipality("Castro"),),
            **camp,
        ),
        "max_km": make_offer(casazza, title="CRE con piscina sul lago di Endine", **camp),
        "dates": make_offer(lovere, title="CRE di agosto con piscina", **camp),
        "words": make_offer(lovere, title="CRE estivo in montagna", **camp),
    }
    for name, offer in offers.items():
        make_session(offer, starts_in_days=TOO_LATE if name == "dates" else IN_TIME)
    return offers


def criteria(dropped: str = "") -> SearchCriteria:
    today = timezone.localdate()
    fields = {
        "category": {"category": "summer_camp"},
        "max_price": {"max_price": 15_000},
        "child_age": {"child_age_years": 7},
        "serves": {"serves": municipality("Costa Volpino")},  # 2.8 km from Lovere, 17.5 from Casazza
        "max_km": {"max_km": Decimal("10")},  # Casazza is 14.6 km from Lovere
        "dates": {
            "available_from": today + datetime.timedelta(days=20),
            "available_to": today + datetime.timedelta(days=40),
        },
        "words": {"words": "piscina"},
    }
    chosen = {key: value for name, part in fields.items() if name != dropped for key, value in part.items()}
    return SearchCriteria(origin=municipality("Lovere"), **chosen)


def test_all_filters_together_leave_only_the_offer_meeting_every_one(mixed_offers):
    assert [offer.pk for offer in offer_search(criteria())] == [mixed_offers["match"].pk]


@pytest.mark.parametrize("dropped", FAILS)
def test_each_filter_is_what_keeps_its_offer_out(mixed_offers, dropped):
    found = {offer.pk for offer in offer_search(criteria(dropped))}
    assert found == {mixed_offers["match"].pk, mixed_offers[dropped].pk}


def test_a_session_counts_if_it_overlaps_the_dates_and_has_seats_left(mixed_offers):
    match = mixed_offers["match"]
    session = match.sessions.get()  # days IN_TIME to IN_TIME + 4
    today = timezone.localdate()

    def found(first: int | None, last: int | None) -> bool:
        start = today + datetime.timedelta(days=first) if first is not None else None
        end = today + datetime.timedelta(days=last) if last is not None else None
        results = offer_search(SearchCriteria(category="summer_camp", available_from=start, available_to=end))
        return match.pk in {offer.pk for offer in results}

    assert found(IN_TIME + 4, None) and found(None, IN_TIME) and found(IN_TIME, IN_TIME)
    assert not found(IN_TIME + 5, None) and not found(None, IN_TIME - 1)
    OfferSession.objects.filter(pk=session.pk).update(seats_taken=session.seats)  # full
    assert not found(IN_TIME, IN_TIME + 4)


def test_offers_without_an_age_range_suit_any_child(cast):
    supplier = make_supplier(categories=["local_food", "nursery"])
    food = make_offer(supplier, category="local_food", title="Formaggi di malga")
    nursery = make_offer(supplier, category="nursery", title="Nido")  # 3 months to 3 years by default
    assert nursery.min_age_months == 3 and nursery.max_age_months == 36 and food.max_age_months is None
    for age, expected in [(0, {food.pk, nursery.pk}), (3, {food.pk, nursery.pk}), (4, {food.pk})]:
        assert {offer.pk for offer in offer_search(SearchCriteria(child_age_years=age))} == expected, age


# --- Words -----------------------------------------------------------------------------------


@pytest.fixture
def girasole(cast):
    supplier = make_supplier(name="Cooperativa Sociale Sebina", categories=["nursery", "summer_camp"])
    return {
        "nursery": make_offer(
            supplier,
            title="Asilo nido Il Girasole",
            description="Tempo pieno e part-time, con cucina interna e giardino.",
        ),
        "camp": make_offer(
            supplier, category="summer_camp", title="CRE in fattoria", description="Animali, orto e giochi all'aperto."
        ),
    }


@pytest.mark.parametrize("words", ["asilo", "Asilo", "ASILO", "asilo girasole", "girasole  nido"])
def test_the_italian_full_text_finds_asilo_in_asilo_nido_il_girasole(girasole, words):
    assert [offer.pk for offer in offer_search(SearchCriteria(words=words))] == [girasole["nursery"].pk]


def test_the_words_are_looked_for_in_the_description_and_the_suppliers_name(girasole):
    assert [offer.pk for offer in offer_search(SearchCriteria(words="giardino"))] == [girasole["nursery"].pk]
    assert {offer.pk for offer in offer_search(SearchCriteria(words="Sebina"))} == {
        girasole["nursery"].pk,
        girasole["camp"].pk,
    }
    assert list(offer_search(SearchCriteria(words="asilo piscina"))) == []  # every word must be there
    assert list(offer_search(SearchCriteria(words="piscina"))) == []


@pytest.mark.postgres
@pytest.mark.parametrize("words", ["asili", "asili nido", "girasoli", "cucine"])
def test_on_postgresql_the_italian_stems_find_other_forms_of_a_word(girasole, words):
    assert [offer.pk for offer in offer_search(SearchCriteria(words=words))] == [girasole["nursery"].pk]


@pytest.mark.postgres
def test_on_postgresql_the_most_relevant_offer_comes_first(girasole):
    supplier = girasole["camp"].supplier
    many = make_offer(supplier, category="summer_camp", title="Fattoria didattica: fattoria, animali della fattoria")
    results = list(offer_search(SearchCriteria(words="fattoria", sort=SORT_RELEVANCE)))
    assert [offer.pk for offer in results] == [many.pk, girasole["camp"].pk]


# --- Queries ---------------------------------------------------------------------------------


def _offers_with_photos(count: int) -> None:
    suppliers = [make_supplier(municipality_name=name) for name in ("Lovere", "Castro", "Sovere")]
    for index in range(count):
        supplier = suppliers[index % len(suppliers)]
        offer = make_offer(supplier, title=f"Nido {index}", category="nursery")
        if index % 2 == 0:
            for position in range(2):
                photo_add(
                    actor=supplier.applied_by, offer=offer, upload=_png(position), alt_text=f"Foto {position + 1}"
                )


def _png(position: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"foto{position}.png", png_bytes((64, 48)), content_type="image/png")


def _search_and_render() -> tuple[int, int]:
    """Runs a search and touches what a results page shows; returns (results, queries)."""
    search = SearchCriteria(words="nido", serves=municipality("Lovere"), origin=municipality("Costa Volpino"))
    with CaptureQueriesContext(connection) as queries:
        results = list(offer_search(search))
        for offer in results:
            assert offer.distance_km is not None
            _shown = (
                offer.title,
                offer.km_zero,
                offer.supplier.organization.name,
                offer.supplier.organization.municipality.name,
                [photo.thumbnail.name for photo in offer.photos.all()],
            )
    return len(results), len(queries)


def test_the_number_of_queries_does_not_grow_with_the_results(cast):
    _offers_with_photos(3)
    few, queries_for_few = _search_and_render()
    _offers_with_photos(27)
    many, queries_for_many = _search_and_render()
    assert (few, many) == (3, 30)
    assert queries_for_many == queries_for_few <= 5


# --- How the search computes, checked against the plain way ------------------------------------


def test_distances_from_the_dense_array_and_from_the_case_expression_agree(offers_around, monkeypatch):
    """On PostgreSQL the distance is an array indexed by supplier id; with large ids, and elsewhere, a CASE."""

    def found() -> list[tuple[int, Decimal, bool]]:
        search = SearchCriteria(origin=municipality("Lovere"), max_km=Decimal(20))
        return [(offer.pk, offer.distance_km, offer.km_zero) for offer in offer_search(search)]

    dense = found()
    monkeypatch.setattr(SupplierDistance, "DENSE_UP_TO", 0)
    assert found() == dense
    assert [distance for _pk, distance, _zero in dense] == sorted(
        haversine_km("Lovere", name) for name in SEATS if haversine_km("Lovere", name) <= 20
    )


def test_url_maker_writes_what_reverse_writes():
    offer_url, thumbnail_url = url_maker("catalogue:offer"), url_maker("catalogue:photo", "thumb")
    for pk in (1, 7, 20, 918273645, 12345678901):
        assert offer_url(pk) == reverse("catalogue:offer", args=[pk])
        assert thumbnail_url(pk) == reverse("catalogue:photo", args=[pk, "thumb"])


@pytest.mark.postgres
def test_on_postgresql_the_stored_words_follow_every_change_of_the_offer(girasole):
    """Migration 0004: a trigger keeps `search_vector` equal to the words of `search_text`."""
    nursery = girasole["nursery"]
    data = offer_data(nursery.supplier, category="nursery", title="Ludoteca Il Girasole", description="Giochi.")
    services.offer_update(actor=nursery.supplier.applied_by, offer=nursery, data=data)

    assert [offer.pk for offer in offer_search(SearchCriteria(words="ludoteca"))] == [nursery.pk]
    assert list(offer_search(SearchCriteria(words="giardino"))) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE search_vector IS DISTINCT FROM "
            "to_tsvector('italian'::regconfig, COALESCE(search_text, ''))) FROM catalogue_offer"
        )
        assert cursor.fetchone() == (2, 0)
