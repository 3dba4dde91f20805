"""Catalogue pages: search, offer page, the supplier's offer management, signals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conciliare.catalogue.models import Offer, OfferPhoto, OfferStatus, Signal, SignalStatus
from conciliare.catalogue.tests.factories import jpeg_bytes, make_offer, make_session, make_supplier
from conciliare.suppliers.models import CharterVersion, SupplierStatus
from conciliare.territory.distance import municipality_distance_km
from conciliare.testing.factories import municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client) -> None:
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _offer_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "service",
        "category": "summer_camp",
        "title": "CRE Estate al Lago",
        "description": "Giochi, gite e compiti per bambini dai 6 agli 11 anni.",
        "price": "120.00",
        "vat_rate": "5.00",
        "unit": "week",
        "cancellation_policy": "moderate",
        "whole_area": "on",
    }
    data.update(overrides)
    return data


def test_anyone_finds_published_offers_nearest_first(client) -> None:
    near = make_supplier(municipality_name="Casazza", categories=["summer_camp"])
    far = make_supplier(municipality_name="Lovere", categories=["summer_camp"])
    make_offer(far, category="summer_camp", title="CRE del Lago lontano")
    make_offer(near, category="summer_camp", title="CRE della Valle vicino")
    make_offer(near, category="summer_camp", title="CRE in bozza", publish=False)
    origin = municipality("Trescore Balneario")
    response = client.get(reverse("catalogue:search"), {"da": origin.pk, "categoria": "summer_camp"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("CRE della Valle vicino") < page.index("CRE del Lago lontano")
    assert "CRE in bozza" not in page
    near_km = municipality_distance_km(origin, municipality("Casazza"))
    assert f"{near_km} km" in page


def test_bad_search_parameters_get_a_400_with_a_message(client) -> None:
    response = client.get(reverse("catalogue:search"), {"eta": "tre", "dal": "2027-07-10", "al": "2027-07-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a whole number." in page
    assert "The end date must not come before the start date." in page


def test_search_page_queries_do_not_grow_with_results(client) -> None:
    supplier = make_supplier(municipality_name="Casazza", categories=["summer_camp"])
    offer = make_offer(supplier, category="summer_camp")
    staff = supplier.applied_by
    from conciliare.catalogue import services

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("catalogue:search"), {"da": municipality("Sarnico").pk}).status_code == 200
        return len(queries)

    image = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    services.photo_add(actor=staff, offer=offer, upload=image, alt_text="Bambini al lago")
    few = count()
    for _ in range(12):
        extra = make_offer(supplier, category="summer_camp")
        image = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
        services.photo_add(actor=staff, offer=extra, upload=image, alt_text="Bambini al lago")
    assert count() == few


def test_the_offer_page_says_which_of_my_buckets_can_pay(cast, login) -> None:
    supplier = make_supplier(municipality_name="Casazza", categories=["nursery"])
    offer = make_offer(supplier, category="nursery", title="Nido Il Girasole")
    page = login(cast.employee_anna).get(reverse("catalogue:offer", args=[offer.pk])).content.decode()
    assert "Nido Il Girasole" in page
    assert "How you can pay" in page
    assert "What this supplier has committed to" in page
    assert "Solidarity Fund" in page


@pytest.mark.parametrize("problem", ["not_approved", "unsigned", "durc_expired"])
def test_a_supplier_that_may_not_sell_cannot_publish_from_its_pages(login, client, problem) -> None:
    supplier = make_supplier(
        status=SupplierStatus.SUBMITTED if problem == "not_approved" else SupplierStatus.APPROVED,
        signed=problem != "unsigned",
        durc_days=-1 if problem == "durc_expired" else 90,
        categories=["summer_camp"],
    )
    browser = login(supplier.applied_by)
    created = browser.post(reverse("catalogue:offer_create", args=[supplier.pk]), _offer_form())
    assert created.status_code == 302  # a draft may be prepared meanwhile
    offer = Offer.objects.get(supplier=supplier)
    edit_page = browser.get(reverse("catalogue:offer_edit", args=[supplier.pk, offer.pk])).content.decode()
    assert "You cannot publish yet" in edit_page
    response = browser.post(reverse("catalogue:offer_publish", args=[supplier.pk, offer.pk]), follow=True)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert response.status_code == 200
    assert any(
        text in response.content.decode() for text in ("not been approved", "has not been signed", "DURC has expired")
    )
    client.logout()
    assert client.get(reverse("catalogue:offer", args=[offer.pk])).status_code == 404


def test_published_offers_leave_the_catalogue_when_a_new_charter_comes_out(client) -> None:
    supplier = make_supplier(categories=["summer_camp"])
    offer = make_offer(supplier, category="summer_camp", title="CRE che sparisce")
    assert client.get(reverse("catalogue:offer", args=[offer.pk])).status_code == 200
    current = CharterVersion.objects.order_by("-number").first()
    CharterVersion.objects.create(
        number=current.number + 1,
        title=current.title,
        text=current.text,
        fund_contribution_percent=current.fund_contribution_percent,
        published_at=current.published_at,
    )
    assert client.get(reverse("catalogue:offer", args=[offer.pk])).status_code == 404
    assert "CRE che sparisce" not in client.get(reverse("catalogue:search")).content.decode()


def test_the_supplier_publishes_and_adds_dates(login) -> None:
    supplier = make_supplier(categories=["summer_camp"])
    browser = login(supplier.applied_by)
    browser.post(reverse("catalogue:offer_create", args=[supplier.pk]), _offer_form())
    offer = Offer.objects.get(supplier=supplier)
    dates = browser.post(
        reverse("catalogue:session_create", args=[supplier.pk, offer.pk]),
        {
            "label": "Settimana",
            "starts_at": "2030-06-10T08:00",
            "ends_at": "2030-06-14T17:00",
            "seats": "20",
            "repeat_weeks": "3",
        },
    )
    assert dates.status_code == 302
    assert offer.sessions.count() == 3
    browser.post(reverse("catalogue:offer_publish", args=[supplier.pk, offer.pk]))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED


def test_bad_photos_are_refused_on_the_page_and_nothing_is_stored(login) -> None:
    supplier = make_supplier(categories=["summer_camp"])
    offer = make_offer(supplier, category="summer_camp", publish=False)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = login(supplier.applied_by).post(
        reverse("catalogue:photo_upload", args=[supplier.pk, offer.pk]),
        {"image": SimpleUploadedFile("photo.jpg", svg, content_type="image/jpeg"), "alt_text": "Foto"},
    )
    assert response.status_code == 400
    assert "Only JPEG, PNG or WebP photos are accepted." in response.content.decode()
    assert not OfferPhoto.objects.exists()


ROLES = ["employee", "hr_manager", "supplier_staff", "operator_admin", "fund_committee", "consultant", "citizen"]


@pytest.mark.parametrize("role", ROLES)
def test_nobody_else_manages_a_suppliers_offers(cast, login, role) -> None:
    supplier = make_supplier(categories=["summer_camp"])
    offer = make_offer(supplier, category="summer_camp", publish=False)
    session = make_session(offer)
    browser = login(cast.role_users()[role])
    gets = [
        reverse("catalogue:offer_create", args=[supplier.pk]),
        reverse("catalogue:offer_edit", args=[supplier.pk, offer.pk]),
        reverse("catalogue:offer", args=[offer.pk]),  # a draft is visible only to its supplier
    ]
    for url in gets:
        assert browser.get(url).status_code == 404, url
    posts = [
        reverse("catalogue:offer_edit", args=[supplier.pk, offer.pk]),
        reverse("catalogue:offer_publish", args=[supplier.pk, offer.pk]),
        reverse("catalogue:offer_withdraw", args=[supplier.pk, offer.pk]),
        reverse("catalogue:session_delete", args=[supplier.pk, offer.pk, session.pk]),
    ]
    for url in posts:
        assert browser.post(url, _offer_form()).status_code == 404, url
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT and offer.sessions.count() == 1


def test_a_supplier_cannot_reach_an_offer_through_another_suppliers_address(login) -> None:
    mine = make_supplier(categories=["summer_camp"])
    theirs = make_supplier(categories=["summer_camp"])
    offer = make_offer(theirs, category="summer_camp", publish=False)
    response = login(mine.applied_by).get(reverse("catalogue:offer_edit", args=[mine.pk, offer.pk]))
    assert response.status_code == 404


def test_people_signal_and_the_operator_handles(cast, login) -> None:
    citizen = login(cast.citizen_franco)
    bad = citizen.post(
        reverse("catalogue:signal_new"),
        {"kind": "supplier_wanted", "municipality": municipality("Fonteno").pk, "description": "Serve"},
    )
    assert bad.status_code == 400 and not Signal.objects.exists()
    citizen.post(
        reverse("catalogue:signal_new"),
        {
            "kind": "supplier_wanted",
            "municipality": municipality("Fonteno").pk,
            "supplier_name": "Tata Maria",
            "description": "Una baby sitter di fiducia del paese.",
        },
    )
    signal = Signal.objects.get()
    assert citizen.get(reverse("catalogue:signal_list")).status_code == 404
    operator = login(cast.operator_olga)
    assert "Tata Maria" in operator.get(reverse("catalogue:signal_list")).content.decode()
    operator.post(reverse("catalogue:signal_update", args=[signal.pk]), {"status": "in_progress", "note": "Contattata"})
    signal.refresh_from_db()
    assert signal.status == SignalStatus.IN_PROGRESS and signal.handled_by == cast.operator_olga
    assert operator.post(reverse("catalogue:signal_update", args=[signal.pk]), {"status": "bogus"}).status_code == 400
