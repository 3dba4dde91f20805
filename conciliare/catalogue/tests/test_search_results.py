"""What the search page and the API paginate (`search_results`): the same offers, suppliers and first
photos as the plain search with Django's prefetches, for a constant number of queries; the form finds
its municipalities in the one list it reads."""

import datetime
import html
import itertools

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conciliare.catalogue.forms import SearchForm
from conciliare.catalogue.search import SearchCriteria, _sellers_sql, first_photo, offer_search, search_results
from conciliare.catalogue.services import photo_add
from conciliare.catalogue.tests.factories import make_offer, make_supplier, png_bytes
from conciliare.core.instances import loaded_instance
from conciliare.suppliers.models import Supplier
from conciliare.territory.models import Municipality
from conciliare.testing.factories import municipality

pytestmark = pytest.mark.django_db

SEATS = ("Lovere", "Castro", "Sovere", "Pisogne", "Sarnico")
_numbers = itertools.count(1)


def _offers(count: int, *, photos_every: int = 2) -> None:
    suppliers = list(Supplier.objects.all()) or [make_supplier(municipality_name=name, radius_km=40) for name in SEATS]
    for index in range(count):
        supplier = suppliers[index % len(suppliers)]
        offer = make_offer(supplier, title=f"Nido {next(_numbers)}", category="nursery")
        if index % photos_every == 0:
            for order in ("first", "second"):
                upload = SimpleUploadedFile(f"{order}.png", png_bytes((32, 24)), content_type="image/png")
                photo_add(actor=supplier.applied_by, offer=offer, upload=upload, alt_text=f"Added {order}")


def _shown(offer) -> tuple:
    seat = offer.supplier.organization
    photo = first_photo(offer)
    return (
        offer.pk,
        offer.distance_km,
        offer.km_zero,
        seat.name,
        seat.municipality.name,
        seat.municipality.istat_code,
        (photo.pk, photo.alt_text) if photo is not None else None,
    )


@pytest.mark.parametrize(
    ("words", "origin", "sort"),
    [("", None, "distance"), ("nido", None, "distance"), ("", "Costa Volpino", "distance"), ("", "Sarnico", "price")],
    ids=["no origin", "words", "nearest first", "by price"],
)
def test_pages_show_the_same_suppliers_and_first_photos_as_the_prefetching_search(words, origin, sort):
    _offers(12)
    criteria = SearchCriteria(words=words, origin=municipality(origin) if origin else None, sort=sort)
    expected = [_shown(offer) for offer in offer_search(criteria)]
    results = search_results(criteria)
    assert results.count() == len(expected) == 12
    shown = [_shown(offer) for start in range(0, 12, 5) for offer in results[start : start + 5]]
    assert shown == expected
    assert sorted({row[-1][1] if row[-1] else None for row in shown}, key=str) == ["Added first", None]


def test_a_page_costs_the_same_queries_whatever_it_holds():
    def queries_for_a_page() -> tuple[int, int]:
        criteria = SearchCriteria(words="nido", origin=municipality("Costa Volpino"))
        with CaptureQueriesContext(connection) as queries:
            results = search_results(criteria)
            page = results[0:20]
            assert results.count() >= len(page)
            for offer in page:
                _shown(offer)
        return len(page), len(queries)

    _offers(3)
    few, for_few = queries_for_a_page()
    _offers(30)
    many, for_many = queries_for_a_page()
    assert (few, many) == (3, 20)
    # the sellers, the count per supplier, the page with its first photos
    assert for_few == for_many == 3


def test_a_supplier_whose_durc_expired_leaves_the_results_at_once():
    """The sellers' SQL is compiled once a day; the data it reads is not remembered."""
    _offers(4)
    origin = municipality("Lovere")
    before = search_results(SearchCriteria(origin=origin)).count()
    blocked = Supplier.objects.get(organization__municipality__name="Lovere")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Supplier.objects.filter(pk=blocked.pk).update(durc_expires_on=yesterday)
    after = search_results(SearchCriteria(origin=origin))
    assert after.count() == before - blocked.offers.count()
    assert blocked.pk not in {offer.supplier_id for offer in after[0:20]}


def test_the_sellers_query_is_compiled_again_for_another_day():
    today = datetime.date(2026, 11, 22)
    sql, params = _sellers_sql(connection.vendor, today)
    assert _sellers_sql(connection.vendor, today) == (sql, params)
    next_sql, next_params = _sellers_sql(connection.vendor, today + datetime.timedelta(days=1))
    assert next_sql == sql and next_params != params  # the day is a parameter (a date, or text on SQLite)


def test_the_form_takes_origin_and_served_place_from_its_one_list(django_assert_num_queries):
    lovere, castro = municipality("Lovere"), municipality("Castro")
    with django_assert_num_queries(1):
        form = SearchForm({"da": str(lovere.pk), "comune": str(castro.pk)}, user=_anonymous())
        assert form.is_valid(), form.errors
        criteria = form.criteria()
    assert (criteria.origin.pk, criteria.origin.name) == (lovere.pk, "Lovere")
    assert (criteria.origin.latitude, criteria.origin.longitude) == (lovere.latitude, lovere.longitude)
    assert criteria.serves.pk == castro.pk


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_an_unknown_served_place_is_a_form_error(value):
    form = SearchForm({"comune": value}, user=_anonymous())
    assert not form.is_valid()
    assert "Select a valid choice" in form.errors["comune"][0]


def test_an_unknown_place_to_measure_from_is_a_form_error():
    form = SearchForm({"da": "999999"}, user=_anonymous())
    assert not form.is_valid()
    assert "Select a valid choice" in form.errors["da"][0]


def test_an_unknown_served_place_on_the_page_is_a_400(client):
    response = client.get(reverse("catalogue:search"), {"comune": "999999"})
    assert response.status_code == 400
    message = forms.ModelChoiceField.default_error_messages["invalid_choice"]
    with translation.override(response.headers["Content-Language"]):
        assert html.escape(str(message)) in response.content.decode()


def test_a_loaded_instance_defers_what_it_was_not_given():
    lovere = municipality("Lovere")
    place = loaded_instance(Municipality, id=lovere.pk, name="Lovere")
    assert place.get_deferred_fields() >= {"latitude", "istat_code"}
    assert place.istat_code == lovere.istat_code  # read on demand, as with .only()
    with pytest.raises(TypeError, match="not concrete fields"):
        loaded_instance(Municipality, id=lovere.pk, population_in_2050=1)


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


def test_results_index_and_iterate_like_a_sequence():
    _offers(3)
    results = search_results(SearchCriteria(origin=municipality("Lovere")))
    everything = [offer.pk for offer in results]
    assert len(everything) == len(results) == 3
    assert results[2].pk == everything[2]
    with pytest.raises(IndexError):
        results[3]
