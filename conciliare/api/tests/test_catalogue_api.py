"""The catalogue through the API: search and offer pages for everyone, offers and schedule for their
supplier's staff only, signals for signed-in people."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conciliare.accounts.models import MembershipRole, OrganizationRole, User
from conciliare.api.catalogue import OfferListItemSerializer
from conciliare.catalogue.categories import category_buckets
from conciliare.catalogue.models import Offer, OfferPhoto, OfferSession, OfferStatus, Signal
from conciliare.catalogue.search import SearchCriteria, offer_search
from conciliare.suppliers.eligibility import charter_current
from conciliare.suppliers.models import (
    CharterSignature,
    CharterVersion,
    Supplier,
    SupplierStatus,
)
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member, municipality

from .support import assert_error, charter_in_force, make_offer, make_supplier, png_bytes

pytestmark = pytest.mark.django_db

LOVERE, COSTA_VOLPINO, TRESCORE, ENDINE = "016128", "016086", "016218", "016093"


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def girasole(cast) -> Supplier:
    """Carla's nursery in Lovere: approved, charter signed, DURC valid."""
    return make_supplier(cast.supplier, cast.supplier_carla)


@pytest.fixture
def sorriso(cast):
    """A second supplier, in Trescore Balneario, with its own staff member Marta."""
    organization = OrganizationFactory(
        name="Cooperativa Il Sorriso",
        municipality=municipality("Trescore Balneario"),
        roles=[OrganizationRole.SUPPLIER],
    )
    marta = make_member(UserFactory(first_name="Marta"), organization, MembershipRole.SUPPLIER_STAFF)
    return make_supplier(organization, marta, serves=("Trescore Balneario", "Endine Gaiano"))


@pytest.fixture
def private_storage(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# --------------------------------------------------------------------------------------------------
# Search (public)
# --------------------------------------------------------------------------------------------------


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [row["title"] for row in response.json()["results"]]


def test_anonymous_search_lists_published_offers_with_exact_fields(girasole):
    offer = make_offer(girasole, title="Nido Il Girasole", price=45_050)
    make_offer(girasole, title="Bozza", published=False)

    response = client_for(None).get("/api/v1/offers/", {"origin": COSTA_VOLPINO})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": offer.pk,
            "title": "Nido Il Girasole",
            "category": {"code": "nursery", "label": "Nursery (asilo nido)"},
            "kind": "service",
            "price": 45_050,
            "price_display": "€450.50",
            "unit": "month",
            "supplier": {
                "id": girasole.pk,
                "name": "Asilo Nido Il Girasole",
                "municipality": {"istat_code": LOVERE, "name": "Lovere"},
            },
            "distance_km": "2.8",
            "km_zero": True,
            "thumbnail_url": None,
            "min_age_months": 3,
            "max_age_months": 36,
        }
    ]


def test_prices_are_displayed_in_the_language_of_the_request(girasole):
    make_offer(girasole, title="Nido", price=123_456)

    response = APIClient().get("/api/v1/offers/", HTTP_ACCEPT_LANGUAGE="it")

    assert response.json()["results"][0]["price_display"] == "1.234,56\xa0€"


@pytest.mark.parametrize(
    "take_away",
    ["not_approved", "charter_not_signed", "only_an_old_charter_signed", "durc_expired", "offer_withdrawn"],
)
def test_search_and_offer_page_hide_offers_of_suppliers_that_may_not_sell(cast, girasole, sorriso, take_away):
    # Given a published offer of each supplier, and then Il Sorriso loses one condition of selling,
    visible = make_offer(girasole, title="Nido Il Girasole")
    hidden = make_offer(sorriso, title="CRE Il Sorriso", category="summer_camp")
    if take_away == "not_approved":
        Supplier.objects.filter(pk=sorriso.pk).update(status=SupplierStatus.SUBMITTED)
    elif take_away == "charter_not_signed":
        CharterSignature.objects.filter(organization=sorriso.organization).delete()
    elif take_away == "only_an_old_charter_signed":
        CharterVersion.objects.create(
            number=charter_in_force().number + 1,
            title="Carta etica",
            text="Nuova versione.",
            fund_contribution_percent=Decimal("3.00"),
            published_at=timezone.now(),
        )
        CharterSignature.objects.create(
            organization=girasole.organization, version=charter_current(), signed_by=cast.supplier_carla
        )
    elif take_away == "durc_expired":
        Supplier.objects.filter(pk=sorriso.pk).update(durc_expires_on=timezone.localdate() - datetime.timedelta(days=1))
    else:
        Offer.objects.filter(pk=hidden.pk).update(status=OfferStatus.WITHDRAWN)
    anonymous = client_for(None)

    # when anybody searches or opens the offers,
    listed = _titles(anonymous.get("/api/v1/offers/"))
    hidden_page = anonymous.get(f"/api/v1/offers/{hidden.pk}/")
    visible_page = anonymous.get(f"/api/v1/offers/{visible.pk}/")

    # then only the offer of the supplier that may sell is there.
    assert listed == ["Nido Il Girasole"]
    assert_error(hidden_page, status=404, code="not_found")
    assert visible_page.status_code == 200


def test_drafts_have_no_public_page(girasole):
    draft = make_offer(girasole, title="Bozza", published=False)

    assert_error(client_for(None).get(f"/api/v1/offers/{draft.pk}/"), status=404, code="not_found")
    assert_error(client_for(None).get("/api/v1/offers/987654/"), status=404, code="not_found")


def test_search_orders_by_distance_from_the_origin_then_price(girasole, sorriso):
    make_offer(girasole, title="Nido Lovere caro", price=50_000)
    make_offer(girasole, title="Nido Lovere economico", price=30_000)
    make_offer(sorriso, title="Nido Trescore", price=20_000)
    anonymous = client_for(None)

    from_lovere = anonymous.get("/api/v1/offers/", {"origin": LOVERE}).json()["results"]
    from_trescore = _titles(anonymous.get("/api/v1/offers/", {"origin": TRESCORE}))
    by_price = _titles(anonymous.get("/api/v1/offers/", {"origin": LOVERE, "sort": "price"}))
    without_origin = anonymous.get("/api/v1/offers/").json()["results"]

    assert [(row["title"], row["distance_km"], row["km_zero"]) for row in from_lovere] == [
        ("Nido Lovere economico", "0.0", True),
        ("Nido Lovere caro", "0.0", True),
        ("Nido Trescore", "22.2", False),
    ]
    assert from_trescore == ["Nido Trescore", "Nido Lovere economico", "Nido Lovere caro"]
    assert by_price == ["Nido Trescore", "Nido Lovere economico", "Nido Lovere caro"]
    assert [(row["title"], row["distance_km"], row["km_zero"]) for row in without_origin] == [
        ("Nido Trescore", None, False),
        ("Nido Lovere economico", None, False),
        ("Nido Lovere caro", None, False),
    ]


def test_search_filters_by_distance_place_served_price_category_age_words_and_dates(girasole, sorriso):
    nido = make_offer(girasole, title="Nido Il Girasole", price=40_000)
    cre = make_offer(sorriso, title="CRE Il Sorriso", price=15_000, category="summer_camp")
    start = timezone.now() + datetime.timedelta(days=30)
    OfferSession.objects.create(offer=cre, starts_at=start, ends_at=start + datetime.timedelta(days=5), seats=20)
    search = client_for(None).get

    assert _titles(search("/api/v1/offers/", {"origin": LOVERE, "max_km": "10"})) == ["Nido Il Girasole"]
    assert _titles(search("/api/v1/offers/", {"municipality": ENDINE})) == ["CRE Il Sorriso"]
    assert _titles(search("/api/v1/offers/", {"municipality": COSTA_VOLPINO})) == ["Nido Il Girasole"]
    assert _titles(search("/api/v1/offers/", {"max_price": "150.00"})) == ["CRE Il Sorriso"]
    assert _titles(search("/api/v1/offers/", {"max_price": "149.99"})) == []
    assert _titles(search("/api/v1/offers/", {"category": "nursery"})) == ["Nido Il Girasole"]
    assert _titles(search("/api/v1/offers/", {"child_age": "2"})) == ["Nido Il Girasole"]
    assert _titles(search("/api/v1/offers/", {"child_age": "8"})) == ["CRE Il Sorriso"]
    assert _titles(search("/api/v1/offers/", {"q": "Girasole"})) == ["Nido Il Girasole"]
    day = timezone.localdate(start).isoformat()
    assert _titles(search("/api/v1/offers/", {"available_from": day, "available_to": day})) == ["CRE Il Sorriso"]
    assert nido.pk != cre.pk


def test_signed_in_people_search_from_home_or_from_work(cast, girasole, sorriso):
    # Anna lives in Costa Volpino (next to Lovere) and works in Lovere.
    make_offer(girasole, title="Nido Lovere", price=50_000)
    make_offer(sorriso, title="Nido Trescore", price=20_000)
    anna = client_for(cast.employee_anna)

    home = anna.get("/api/v1/offers/", {"from": "home"}).json()["results"]
    work = anna.get("/api/v1/offers/", {"from": "work"}).json()["results"]

    assert [(row["title"], row["distance_km"]) for row in home] == [("Nido Lovere", "2.8"), ("Nido Trescore", "25.0")]
    assert [(row["title"], row["distance_km"]) for row in work] == [("Nido Lovere", "0.0"), ("Nido Trescore", "22.2")]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"max_price": "abc"}, "max_price"),
        ({"max_price": "-1"}, "max_price"),
        ({"max_price": "1.005"}, "max_price"),
        ({"child_age": "-1"}, "child_age"),
        ({"child_age": "due"}, "child_age"),
        ({"sort": "random"}, "sort"),
        ({"category": "spa"}, "category"),
        ({"origin": "999999"}, "origin"),
        ({"municipality": "Lovere"}, "municipality"),
        ({"max_km": "5"}, "max_km"),
        ({"origin": LOVERE, "max_km": "lontano"}, "max_km"),
        ({"available_from": "2026-13-01"}, "available_from"),
        ({"available_to": "9999-12-31"}, "available_to"),
        ({"available_from": "0001-01-01"}, "available_from"),
        ({"available_from": "2026-06-10", "available_to": "2026-06-01"}, "available_to"),
        ({"q": "nido\x00"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"from": "home"}, "from"),
        ({"from": "moon"}, "from"),
    ],
)
def test_bad_search_parameters_are_a_400_with_the_field(girasole, params, field):
    response = client_for(None).get("/api/v1/offers/", params)

    error = assert_error(response, status=400, code="validation_error")
    assert list(error["fields"]) == [field], error


def test_search_field_errors_are_in_the_language_of_the_request(girasole):
    response = APIClient().get("/api/v1/offers/", {"child_age": "due"}, HTTP_ACCEPT_LANGUAGE="it")

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"child_age": ["È richiesto un numero intero valido."]}


@pytest.mark.parametrize(("where", "field"), [("home", "from"), ("work", "from")])
def test_from_home_or_work_needs_the_place_in_the_profile(cast, girasole, where, field):
    # Franco is a citizen without a job on the platform; here he has no residence either.
    User.objects.filter(pk=cast.citizen_franco.pk).update(residence_municipality=None)

    response = client_for(cast.citizen_franco).get("/api/v1/offers/", {"from": where})

    assert list(assert_error(response, status=400, code="validation_error")["fields"]) == [field]


def test_from_and_origin_together_are_refused(cast, girasole):
    response = client_for(cast.employee_anna).get("/api/v1/offers/", {"from": "home", "origin": LOVERE})

    assert list(assert_error(response, status=400, code="validation_error")["fields"]) == ["from"]


def test_search_dates_at_the_ends_of_the_calendar_do_not_overflow(girasole):
    # The API refuses such dates (400 above); the search under it, shared with the pages, must not fail either.
    cre = make_offer(girasole, title="CRE", category="summer_camp")
    start = timezone.now() + datetime.timedelta(days=30)
    OfferSession.objects.create(offer=cre, starts_at=start, ends_at=start + datetime.timedelta(days=5), seats=20)

    found = offer_search(SearchCriteria(available_from=datetime.date.min, available_to=datetime.date.max))

    assert [offer.title for offer in found] == ["CRE"]


def _queries(path: str, params: dict[str, str]) -> int:
    client = client_for(None)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured)


def test_search_makes_the_same_number_of_queries_for_two_offers_or_twelve(girasole, sorriso, private_storage):
    params = {"origin": LOVERE, "municipality": LOVERE, "q": "Nido", "max_price": "900"}
    sorriso.served_municipalities.add(municipality("Lovere"))
    for supplier in (girasole, sorriso):
        offer = make_offer(supplier, title=f"Nido {supplier.pk}")
        OfferPhoto.objects.create(offer=offer, alt_text="Sala", width=40, height=30, image="a.jpg", thumbnail="b.jpg")
    few = _queries("/api/v1/offers/", params)

    for index in range(10):
        offer = make_offer(girasole if index % 2 else sorriso, title=f"Nido numero {index}")
        OfferPhoto.objects.create(offer=offer, alt_text="Sala", width=40, height=30, image="a.jpg", thumbnail="b.jpg")
    many = _queries("/api/v1/offers/", params)

    assert client_for(None).get("/api/v1/offers/", params).json()["count"] == 12
    assert many == few


@pytest.mark.parametrize("origin", [None, "Lovere"])
def test_the_list_items_written_directly_are_those_drf_would_write(girasole, sorriso, origin):
    """OfferListItemSerializer.to_representation skips DRF's generic path for speed; the output is the same."""
    make_offer(girasole, title="Nido", price=45_050)
    cre = make_offer(sorriso, title="CRE <estate> & più", category="summer_camp")
    OfferPhoto.objects.create(offer=cre, alt_text="Sala", width=40, height=30, image="a.jpg", thumbnail="b.jpg")
    OfferPhoto.objects.create(offer=cre, alt_text="Orto", width=40, height=30, image="c.jpg", thumbnail="d.jpg")
    place = municipality(origin) if origin else None

    found = list(offer_search(SearchCriteria(origin=place)))

    assert len(found) == 2
    for offer in found:
        serializer = OfferListItemSerializer()
        generic = serializers.ModelSerializer.to_representation(serializer, offer)
        assert json.dumps(serializer.to_representation(offer)) == json.dumps(generic)


# --------------------------------------------------------------------------------------------------
# Offer page (public)
# --------------------------------------------------------------------------------------------------


def test_offer_page_has_supplier_area_sessions_policy_charter_and_buckets(girasole, private_storage):
    offer = make_offer(girasole, title="Nido Il Girasole")
    now = timezone.now()
    OfferSession.objects.create(
        offer=offer, starts_at=now - datetime.timedelta(days=3), ends_at=now - datetime.timedelta(days=2), seats=5
    )
    upcoming = OfferSession.objects.create(
        offer=offer,
        label="Settembre",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=40),
        seats=10,
        seats_taken=3,
    )
    photo = OfferPhoto.objects.create(
        offer=offer, alt_text="Sala", width=40, height=30, image="a.jpg", thumbnail="b.jpg"
    )
    charter = charter_in_force()

    body = client_for(None).get(f"/api/v1/offers/{offer.pk}/").json()

    assert body["supplier"] == {
        "id": girasole.pk,
        "name": "Asilo Nido Il Girasole",
        "description": "Asilo Nido Il Girasole: chi siamo.",
        "municipality": {"istat_code": LOVERE, "name": "Lovere"},
        "home_service": False,
        "contact_email": "info@example.it",
        "contact_phone": "035 000000",
    }
    assert body["served_municipalities"] == [
        {"istat_code": COSTA_VOLPINO, "name": "Costa Volpino"},
        {"istat_code": LOVERE, "name": "Lovere"},
    ]
    assert [(s["id"], s["label"], s["seats_left"]) for s in body["sessions"]] == [(upcoming.pk, "Settembre", 7)]
    assert body["cancellation_policy"] == {
        "code": "moderate",
        "label": "Free cancellation up to 7 days before the start, then half refunded",
    }
    assert body["charter"]["version"] == charter.number
    assert [c["text"] for c in body["charter"]["commitments"]] == [c.text for c in charter.commitments.all()]
    assert [b["code"] for b in body["fiscal_buckets"]] == category_buckets("nursery", timezone.localdate())
    assert body["fiscal_buckets"][0]["label"]
    assert body["photos"] == [
        {
            "id": photo.pk,
            "alt_text": "Sala",
            "width": 40,
            "height": 30,
            "position": 0,
            "url": f"/offerte/foto/{photo.pk}/full/",
            "thumbnail_url": f"/offerte/foto/{photo.pk}/thumb/",
        }
    ]
    assert (body["price"], body["vat_rate"], body["unit"]) == (10_000, "22.00", "month")


# --------------------------------------------------------------------------------------------------
# A supplier's own offers
# --------------------------------------------------------------------------------------------------

NEW_OFFER = {
    "kind": "service",
    "category": "summer_camp",
    "title": "CRE estivo 2026",
    "description": "Giochi, gite e compiti per bambini dai 6 ai 14 anni.",
    "price": "120.00",
    "vat_rate": "5.00",
    "unit": "week",
    "cancellation_policy": "flexible",
}


def test_staff_create_edit_publish_and_withdraw_an_offer(cast, girasole):
    carla = client_for(cast.supplier_carla)
    base = f"/api/v1/suppliers/{girasole.pk}/offers/"

    created = carla.post(base, NEW_OFFER, format="json")
    assert created.status_code == 201, created.json()
    offer_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert (created.json()["price"], created.json()["min_age_months"], created.json()["max_age_months"]) == (
        12_000,
        72,
        168,
    )
    assert _titles(client_for(None).get("/api/v1/offers/")) == []

    patched = carla.patch(f"{base}{offer_id}/", {"price": "99.50", "capacity": 30}, format="json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["price"], patched.json()["capacity"], patched.json()["title"]) == (
        9_950,
        30,
        "CRE estivo 2026",
    )

    published = carla.post(f"{base}{offer_id}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert _titles(client_for(None).get("/api/v1/offers/")) == ["CRE estivo 2026"]

    withdrawn = carla.post(f"{base}{offer_id}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert _titles(client_for(None).get("/api/v1/offers/")) == []

    listed = carla.get(base).json()
    assert [(row["id"], row["status"]) for row in listed["results"]] == [(offer_id, "withdrawn")]
    assert carla.get(f"{base}{offer_id}/").json()["price"] == 9_950


def test_offer_served_in_part_of_the_area_lists_its_municipalities(cast, girasole):
    carla = client_for(cast.supplier_carla)
    payload = {**NEW_OFFER, "whole_area": False, "served_municipalities": [COSTA_VOLPINO]}

    created = carla.post(f"/api/v1/suppliers/{girasole.pk}/offers/", payload, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["served_municipalities"] == [{"istat_code": COSTA_VOLPINO, "name": "Costa Volpino"}]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "home_care"}, "category"),
        ({"category": "spa"}, "category"),
        ({"price": "0"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"vat_rate": "7.00"}, "vat_rate"),
        ({"min_age_months": 60, "max_age_months": 12}, "max_age_months"),
        ({"whole_area": False, "served_municipalities": [TRESCORE]}, "served_municipalities"),
        ({"whole_area": False}, "served_municipalities"),
        ({"served_municipalities": ["999999"]}, "served_municipalities.0"),
        ({"title": ""}, "title"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_bad_offers_are_a_400_with_the_field_and_nothing_changes(cast, girasole, change, field):
    carla = client_for(cast.supplier_carla)
    offer = make_offer(girasole, title="Nido Il Girasole", published=False)
    before = Offer.objects.values().get(pk=offer.pk)

    created = carla.post(f"/api/v1/suppliers/{girasole.pk}/offers/", {**NEW_OFFER, **change}, format="json")
    patched = carla.patch(f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/", change, format="json")

    for response in (created, patched):
        error = assert_error(response, status=400, code="validation_error")
        assert field in error["fields"], error
    assert Offer.objects.count() == 1
    assert Offer.objects.values().get(pk=offer.pk) == before


@pytest.mark.parametrize(
    ("take_away", "reason"),
    [
        ("not_approved", "The application has not been approved by the operator."),
        ("charter_not_signed", "The ethical charter in force has not been signed."),
        ("durc_expired", "The DURC has expired: upload a valid one."),
    ],
)
def test_publishing_while_the_supplier_may_not_sell_is_a_409_with_the_reason(cast, girasole, take_away, reason):
    offer = make_offer(girasole, title="Nido Il Girasole", published=False)
    if take_away == "not_approved":
        Supplier.objects.filter(pk=girasole.pk).update(status=SupplierStatus.SUBMITTED)
    elif take_away == "charter_not_signed":
        CharterSignature.objects.filter(organization=girasole.organization).delete()
    else:
        Supplier.objects.filter(pk=girasole.pk).update(
            durc_expires_on=timezone.localdate() - datetime.timedelta(days=1)
        )

    response = client_for(cast.supplier_carla).post(f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/publish/")

    assert assert_error(response, status=409, code="conflict")["message"] == reason
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DRAFT


def test_a_supplier_still_under_review_prepares_drafts(cast):
    supplier = make_supplier(cast.supplier, cast.supplier_carla, status=SupplierStatus.SUBMITTED)

    response = client_for(cast.supplier_carla).post(
        f"/api/v1/suppliers/{supplier.pk}/offers/", NEW_OFFER, format="json"
    )

    assert response.status_code == 201 and response.json()["status"] == "draft"


def _staff_requests(supplier: Supplier, offer: Offer, session: OfferSession, photo: OfferPhoto) -> list[tuple]:
    base = f"/api/v1/suppliers/{supplier.pk}/offers/"
    one = f"{base}{offer.pk}/"
    return [
        ("get", base, None),
        ("post", base, NEW_OFFER),
        ("get", one, None),
        ("patch", one, {"title": "Preso"}),
        ("post", f"{one}publish/", None),
        ("post", f"{one}withdraw/", None),
        ("get", f"{one}sessions/", None),
        (
            "post",
            f"{one}sessions/",
            {"starts_at": "2099-01-01T09:00:00+01:00", "ends_at": "2099-01-01T12:00:00+01:00", "seats": 3},
        ),
        ("patch", f"{one}sessions/{session.pk}/", {"seats": 50}),
        ("delete", f"{one}sessions/{session.pk}/", None),
        ("delete", f"{one}photos/{photo.pk}/", None),
    ]


@pytest.fixture
def carla_things(girasole):
    offer = make_offer(girasole, title="Nido Il Girasole", published=False)
    start = timezone.now() + datetime.timedelta(days=10)
    session = OfferSession.objects.create(
        offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=3), seats=8
    )
    photo = OfferPhoto.objects.create(
        offer=offer, alt_text="Sala", width=40, height=30, image="a.jpg", thumbnail="b.jpg"
    )
    return offer, session, photo


def _snapshot() -> tuple:
    return (
        list(Offer.objects.order_by("pk").values()),
        list(OfferSession.objects.order_by("pk").values()),
        list(OfferPhoto.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize("who", ["employee", "hr", "other_supplier", "operator", "anonymous"])
def test_nobody_else_manages_a_suppliers_offers(cast, girasole, sorriso, carla_things, who):
    offer, session, photo = carla_things
    user = {
        "employee": cast.employee_anna,
        "hr": cast.hr_bruno,
        "other_supplier": sorriso.applied_by,
        "operator": cast.operator_olga,
        "anonymous": None,
    }[who]
    client = client_for(user)
    before = _snapshot()

    for method, path, body in _staff_requests(girasole, offer, session, photo):
        response = getattr(client, method)(path, body, format="json") if body else getattr(client, method)(path)
        if user is None:
            assert_error(response, status=401, code="not_authenticated")
        else:
            assert_error(response, status=404, code="not_found")
    upload = client.post(
        f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/photos/",
        {"image": SimpleUploadedFile("foto.png", png_bytes()), "alt_text": "Sala"},
        format="multipart",
    )
    assert upload.status_code == (401 if user is None else 404)

    assert _snapshot() == before


def test_staff_of_one_supplier_cannot_reach_anothers_offer_through_their_own_supplier(girasole, sorriso, carla_things):
    offer, session, photo = carla_things
    marta = client_for(sorriso.applied_by)
    before = _snapshot()

    for method, path, body in _staff_requests(sorriso, offer, session, photo)[2:]:
        response = getattr(marta, method)(path, body, format="json") if body else getattr(marta, method)(path)
        assert_error(response, status=404, code="not_found")

    assert _snapshot() == before


def test_roles_that_need_a_second_factor_are_refused_until_they_set_it_up(cast, girasole, settings):
    settings.CONCILIARE_MFA_REQUIRED = True

    response = client_for(cast.operator_olga).get(f"/api/v1/suppliers/{girasole.pk}/offers/")
    search = client_for(cast.operator_olga).get("/api/v1/offers/")

    assert_error(response, status=403, code="mfa_required")
    assert search.status_code == 200


# --------------------------------------------------------------------------------------------------
# Sessions and photos
# --------------------------------------------------------------------------------------------------


def test_staff_add_list_change_and_remove_sessions(cast, girasole):
    offer = make_offer(girasole, title="CRE estivo", category="summer_camp")
    carla = client_for(cast.supplier_carla)
    sessions = f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/sessions/"
    start = (timezone.now() + datetime.timedelta(days=20)).replace(microsecond=0)

    created = carla.post(
        sessions,
        {
            "label": "Prima settimana",
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(days=5)).isoformat(),
            "seats": 25,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    session_id = created.json()["id"]
    assert (created.json()["seats"], created.json()["seats_taken"], created.json()["seats_left"]) == (25, 0, 25)

    changed = carla.patch(f"{sessions}{session_id}/", {"seats": 30}, format="json")
    assert changed.status_code == 200 and changed.json()["seats_left"] == 30
    listed = carla.get(sessions).json()
    assert [(row["id"], row["label"], row["seats"]) for row in listed["results"]] == [
        (session_id, "Prima settimana", 30)
    ]
    public = client_for(None).get(f"/api/v1/offers/{offer.pk}/").json()
    assert [(row["id"], row["seats_left"]) for row in public["sessions"]] == [(session_id, 30)]

    removed = carla.delete(f"{sessions}{session_id}/")
    assert removed.status_code == 204
    assert not OfferSession.objects.filter(pk=session_id).exists()
    assert_error(carla.delete(f"{sessions}{session_id}/"), status=404, code="not_found")


def test_booked_sessions_cannot_be_removed_or_shrunk_below_the_bookings(cast, girasole):
    offer = make_offer(girasole, title="CRE estivo", category="summer_camp")
    start = timezone.now() + datetime.timedelta(days=20)
    session = OfferSession.objects.create(
        offer=offer, starts_at=start, ends_at=start + datetime.timedelta(days=5), seats=10, seats_taken=4
    )
    carla = client_for(cast.supplier_carla)
    path = f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/sessions/{session.pk}/"

    assert_error(carla.delete(path), status=409, code="conflict")
    assert_error(carla.patch(path, {"seats": 3}, format="json"), status=409, code="conflict")
    assert carla.patch(path, {"seats": 4}, format="json").json()["seats_left"] == 0

    session.refresh_from_db()
    assert (session.seats, session.seats_taken) == (4, 4)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "2020-01-01T09:00:00+01:00", "ends_at": "2020-01-01T12:00:00+01:00"}, "starts_at"),
        ({"ends_at": "2099-01-01T08:00:00+01:00"}, "ends_at"),
        ({"seats": 0}, "seats"),
        ({"seats": 10_001}, "seats"),
        ({"starts_at": "domani"}, "starts_at"),
    ],
)
def test_bad_sessions_are_a_400_and_nothing_is_added(cast, girasole, change, field):
    offer = make_offer(girasole, title="CRE estivo", category="summer_camp")
    payload = {"starts_at": "2099-01-01T09:00:00+01:00", "ends_at": "2099-01-01T12:00:00+01:00", "seats": 5, **change}

    response = client_for(cast.supplier_carla).post(
        f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/sessions/", payload, format="json"
    )

    assert field in assert_error(response, status=400, code="validation_error")["fields"]
    assert not OfferSession.objects.exists()


def test_staff_upload_and_remove_a_photo(cast, girasole, private_storage, django_capture_on_commit_callbacks):
    offer = make_offer(girasole, title="Nido Il Girasole")
    carla = client_for(cast.supplier_carla)
    photos = f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/photos/"

    uploaded = carla.post(
        photos, {"image": SimpleUploadedFile("sala.png", png_bytes()), "alt_text": "La sala giochi"}, format="multipart"
    )

    assert uploaded.status_code == 201, uploaded.json()
    photo = OfferPhoto.objects.get(offer=offer)
    assert uploaded.json() == {
        "id": photo.pk,
        "alt_text": "La sala giochi",
        "width": 40,
        "height": 30,
        "position": 0,
        "url": f"/offerte/foto/{photo.pk}/full/",
        "thumbnail_url": f"/offerte/foto/{photo.pk}/thumb/",
    }
    assert len(stored_files(private_storage)) == 2
    listed = client_for(None).get("/api/v1/offers/").json()["results"]
    assert listed[0]["thumbnail_url"] == f"/offerte/foto/{photo.pk}/thumb/"

    with django_capture_on_commit_callbacks(execute=True):
        removed = carla.delete(f"{photos}{photo.pk}/")

    assert removed.status_code == 204
    assert not OfferPhoto.objects.exists()
    assert stored_files(private_storage) == []


@pytest.mark.parametrize(
    ("upload", "alt_text", "field"),
    [
        (b"MZ\x90\x00 this is a program, not a photo", "Sala", "image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "Sala", "image"),
        (None, "   ", "alt_text"),
    ],
)
def test_a_file_that_is_not_a_photo_is_a_400_and_nothing_is_stored(
    cast, girasole, private_storage, upload, alt_text, field
):
    offer = make_offer(girasole, title="Nido Il Girasole")
    content = upload if upload is not None else png_bytes()

    response = client_for(cast.supplier_carla).post(
        f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/photos/",
        {"image": SimpleUploadedFile("foto.jpg", content, content_type="image/jpeg"), "alt_text": alt_text},
        format="multipart",
    )

    assert field in assert_error(response, status=400, code="validation_error")["fields"]
    assert not OfferPhoto.objects.exists()
    assert stored_files(private_storage) == []


def test_a_photo_upload_without_a_file_is_a_400(cast, girasole):
    offer = make_offer(girasole, title="Nido Il Girasole")

    response = client_for(cast.supplier_carla).post(
        f"/api/v1/suppliers/{girasole.pk}/offers/{offer.pk}/photos/", {"alt_text": "Sala"}, format="multipart"
    )

    assert list(assert_error(response, status=400, code="validation_error")["fields"]) == ["image"]


# --------------------------------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee_anna", "citizen_franco"])
def test_signed_in_people_send_signals_and_see_only_their_own(cast, who):
    author = getattr(cast, who)
    other = cast.citizen_franco if who == "employee_anna" else cast.employee_anna
    payload = {
        "kind": "supplier_wanted",
        "municipality": ENDINE,
        "category": "gym_wellbeing",
        "supplier_name": "Piscina di Endine",
        "description": "Vorrei usare il credito welfare per i corsi di nuoto.",
    }

    created = client_for(author).post("/api/v1/signals/", payload, format="json")
    client_for(other).post("/api/v1/signals/", {**payload, "kind": "unmet_need", "supplier_name": ""}, format="json")

    assert created.status_code == 201, created.json()
    signal = Signal.objects.get(author=author)
    assert created.json() == {
        "id": signal.pk,
        "kind": "supplier_wanted",
        "municipality": {"istat_code": ENDINE, "name": "Endine Gaiano"},
        "category": "gym_wellbeing",
        "supplier_name": "Piscina di Endine",
        "description": "Vorrei usare il credito welfare per i corsi di nuoto.",
        "status": "new",
        "created_at": created.json()["created_at"],
    }
    mine = client_for(author).get("/api/v1/signals/").json()
    assert [row["id"] for row in mine["results"]] == [signal.pk]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"supplier_name": ""}, "supplier_name"),
        ({"description": "Nuoto"}, "description"),
        ({"kind": "complaint"}, "kind"),
        ({"municipality": "999999"}, "municipality"),
        ({"category": "spa"}, "category"),
        ({"description": "Nuoto per bambini\x00"}, "description"),
    ],
)
def test_bad_signals_are_a_400_and_nothing_is_saved(cast, change, field):
    payload = {
        "kind": "supplier_wanted",
        "municipality": ENDINE,
        "supplier_name": "Piscina di Endine",
        "description": "Vorrei usare il credito welfare per i corsi di nuoto.",
        **change,
    }

    response = client_for(cast.employee_anna).post("/api/v1/signals/", payload, format="json")

    assert field in assert_error(response, status=400, code="validation_error")["fields"]
    assert not Signal.objects.exists()


def test_anonymous_signals_are_refused(cast):
    response = client_for(None).post("/api/v1/signals/", {"kind": "unmet_need"}, format="json")

    assert_error(response, status=401, code="not_authenticated")
    assert not Signal.objects.exists()


# --------------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------------


def test_schema_documents_the_catalogue_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)

    operations = {
        (path, method)
        for path, methods in schema["paths"].items()
        for method in methods
        if "/offers" in path or "/signals/" in path
    }
    offer = "/api/v1/suppliers/{supplier_id}/offers/{offer_id}/"
    assert operations == {
        ("/api/v1/offers/", "get"),
        ("/api/v1/offers/{offer_id}/", "get"),
        ("/api/v1/suppliers/{supplier_id}/offers/", "get"),
        ("/api/v1/suppliers/{supplier_id}/offers/", "post"),
        (offer, "get"),
        (offer, "patch"),
        (f"{offer}publish/", "post"),
        (f"{offer}withdraw/", "post"),
        (f"{offer}sessions/", "get"),
        (f"{offer}sessions/", "post"),
        (f"{offer}sessions/{{session_id}}/", "patch"),
        (f"{offer}sessions/{{session_id}}/", "delete"),
        (f"{offer}photos/", "post"),
        (f"{offer}photos/{{photo_id}}/", "delete"),
        ("/api/v1/signals/", "get"),
        ("/api/v1/signals/", "post"),
    }
    search = schema["paths"]["/api/v1/offers/"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {
        "q",
        "category",
        "municipality",
        "origin",
        "from",
        "max_km",
        "max_price",
        "child_age",
        "available_from",
        "available_to",
        "sort",
        "page",
    }
    assert search["security"][-1] == {}  # anonymous allowed
    conflict = schema["paths"][f"{offer}publish/"]["post"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
