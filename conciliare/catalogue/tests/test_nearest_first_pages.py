"""Nearest-first pages read only the suppliers that cover them: every page must equal the same
window of the full, sorted query, ties between suppliers at the same distance included."""

import random

import pytest

from conciliare.catalogue.search import NearestFirstPages, SearchCriteria, offer_search, search_results
from conciliare.catalogue.tests.factories import make_offer, make_supplier
from conciliare.testing.factories import municipality

pytestmark = pytest.mark.django_db

SEATS = ["Lovere", "Lovere", "Costa Volpino", "Pisogne", "Sarnico", "Casazza", "Casazza", "Endine Gaiano"]


@pytest.fixture
def territory_of_offers():
    rng = random.Random(7)
    for index, seat in enumerate(SEATS):
        supplier = make_supplier(municipality_name=seat, radius_km=40)
        for number in range(rng.randint(0, 5)):
            make_offer(supplier, title=f"Offerta {index}-{number}", price=rng.choice([1_000, 2_000, 2_000, 3_500]))


@pytest.mark.parametrize("origin", ["Lovere", "Casazza", "Sarnico"])
def test_every_window_is_the_same_as_the_full_query(territory_of_offers, origin):
    criteria = SearchCriteria(origin=municipality(origin))
    expected = [offer.pk for offer in offer_search(criteria)]
    pages = search_results(criteria)
    assert isinstance(pages.source, NearestFirstPages)
    assert pages.count() == len(expected) > 10
    for size in (1, 3, 7, 20):
        for start in range(0, len(expected) + size, size):
            assert [offer.pk for offer in pages[start : start + size]] == expected[start : start + size]


def test_results_keep_their_distance_and_badge(territory_of_offers):
    criteria = SearchCriteria(origin=municipality("Lovere"))
    first = search_results(criteria)[0:5]
    full = list(offer_search(criteria)[:5])
    assert [(o.distance_km, o.km_zero) for o in first] == [(o.distance_km, o.km_zero) for o in full]


def test_other_orders_and_no_origin_use_the_plain_query(territory_of_offers):
    assert not isinstance(search_results(SearchCriteria()).source, NearestFirstPages)
    assert not isinstance(
        search_results(SearchCriteria(origin=municipality("Lovere"), sort="price")).source, NearestFirstPages
    )


def test_a_page_past_the_end_is_empty(territory_of_offers):
    pages = search_results(SearchCriteria(origin=municipality("Lovere")))
    assert pages[1_000:1_020] == []
