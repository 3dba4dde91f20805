from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from conciliare.territory.distance import distance_km, municipality_distance_km, point_to_municipality_km
from conciliare.territory.loading import DATA_DIR, read_rows
from conciliare.territory.models import District, Municipality
from conciliare.territory.selectors import municipality_find

pytestmark = pytest.mark.django_db


def test_the_three_districts_and_their_42_municipalities_are_loaded():
    counts = {d.code: d.municipalities.count() for d in District.objects.all()}
    assert counts == {5: 20, 6: 12, 7: 10}
    assert Municipality.objects.count() == 75  # 42 of the alliance + 33 neighbours
    assert Municipality.objects.filter(district__isnull=True).count() == 33


def test_a_municipality_carries_its_istat_data_and_boundary():
    lovere = Municipality.objects.get(istat_code="016128")
    assert lovere.name == "Lovere"
    assert lovere.district.name == "Alto Sebino"
    assert lovere.postal_code == "24065"
    assert lovere.boundary["type"] == "Polygon"
    assert len(lovere.boundary["coordinates"][0]) > 4


def test_the_data_files_and_their_licences_ship_with_the_project():
    assert (DATA_DIR / "SOURCES.md").read_text().count("CC BY") >= 3
    assert len(read_rows()) == 75


def test_distance_between_municipalities_is_haversine_in_km_with_one_decimal():
    lovere, sarnico = Municipality.objects.get(name="Lovere"), Municipality.objects.get(name="Sarnico")
    assert municipality_distance_km(lovere, sarnico) == Decimal("18.0")
    assert municipality_distance_km(lovere, lovere) == Decimal("0.0")
    assert municipality_distance_km(lovere, sarnico) == municipality_distance_km(sarnico, lovere)


def test_distance_from_a_point_to_a_municipality():
    lovere = Municipality.objects.get(name="Lovere")
    point = (float(lovere.latitude) + 0.01, float(lovere.longitude))  # ~1.1 km north
    assert point_to_municipality_km(point, lovere) == Decimal("1.1")


def test_distance_refuses_impossible_coordinates():
    with pytest.raises(ValueError):
        distance_km((95.0, 9.9), (45.7, 9.9))


def test_municipality_find_by_name_or_istat_code():
    assert municipality_find("  costa   volpino ").name == "Costa Volpino"
    assert municipality_find("16128").name == "Lovere"
    assert municipality_find("Atlantide") is None
    assert municipality_find("") is None


@pytest.mark.parametrize("code", ["16128", "01612A", "0161289"])
def test_istat_code_must_be_six_digits(code):
    lovere = Municipality.objects.get(name="Lovere")
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Municipality.objects.create(
            istat_code=code,
            name=f"Falso {code}",
            province="BG",
            latitude=lovere.latitude,
            longitude=lovere.longitude,
            population=1,
            postal_code="24000",
            boundary=lovere.boundary,
        )


def test_coordinates_must_be_in_range():
    lovere = Municipality.objects.get(name="Lovere")
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(
            istat_code="999999",
            name="Fuori",
            province="BG",
            latitude=Decimal("91"),
            longitude=lovere.longitude,
            population=1,
            postal_code="24000",
            boundary=lovere.boundary,
        )


def test_territory_page_lists_municipalities_with_attribution(client):
    response = client.get("/territorio/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Costa Volpino" in body and "Openpolis" in body and "GeoNames" in body
