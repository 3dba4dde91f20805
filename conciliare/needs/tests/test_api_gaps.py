"""GET /api/v1/needs/gaps/: the gap figures for the alliance's roles, in the OpenAPI schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from .test_gaps import Territory, make_territory, populated  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/v1/needs/gaps/"
ALLIANCE = {"operator_admin", "monitoring", "consultant"}


@pytest.fixture
def territory(db, settings) -> Territory:
    settings.CONCILIARE_KM_ZERO_RADIUS_KM = 10
    return make_territory()


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def test_only_the_alliance_roles_read_the_gaps(cast) -> None:
    for role, user in cast.role_users().items():
        response = api(user).get(URL)
        assert response.status_code == (200 if role in ALLIANCE else 404), role
        if role not in ALLIANCE:
            assert response.json()["error"]["code"] == "not_found"
    assert api().get(URL).status_code == 401


def test_the_figures_of_one_category(populated, cast) -> None:  # noqa: F811
    body = api(cast.monitoring_elena).get(URL, {"category": "nursery"}).json()
    assert (body["category"], body["category_label"], body["km_zero_radius"], body["min_group"]) == (
        "nursery",
        "Nursery (asilo nido)",
        "10.0",
        5,
    )
    by_name = {item["name"]: item for item in body["municipalities"]}
    assert len(by_name) == 42 + 4
    assert by_name["Charlie"] == {
        "istat_code": "099003",
        "name": "Charlie",
        "district": "Ambito di Prova",
        "demand": 7,
        "capacity": 0,
        "capacity_unstated": False,
        "gap": 7,
        "gap_class": "not-covered",
        "gap_class_label": "Not covered: 5 or more people need it, no service within reach",
        "service_within_reach": False,
        "nearest_service_km": None,
        "suggested_suppliers": [{"name": "Nido Alfa", "km": "13.3"}, {"name": "Nido Delta", "km": "20.0"}],
        "signals_supplier_wanted": None,
        "signals_unmet_need": None,
        "signals_without_category": None,
    }
    assert (by_name["Alfa"]["demand"], by_name["Alfa"]["gap"]) == (7, None)
    assert (by_name["Delta"]["demand"], by_name["Delta"]["gap_class"], by_name["Delta"]["capacity"]) == (
        None,
        "served-few",
        7,
    )


def test_the_default_category_and_a_wrong_one(cast) -> None:
    client = api(cast.consultant_dario)
    assert client.get(URL).json()["category"] == "nursery"
    response = client.get(URL, {"category": "tutte"})
    assert response.status_code == 400 and "category" in response.json()["error"]["fields"]


def test_in_the_openapi_schema() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    assert [parameter["name"] for parameter in operation["parameters"]] == ["category"]
    assert {"200", "400", "401", "404"} <= set(operation["responses"])
    fields = schema["components"]["schemas"]["GapMunicipality"]["properties"]
    assert fields["demand"]["nullable"] is True
    enum = schema["components"]["schemas"][fields["gap_class"]["$ref"].rsplit("/", 1)[1]]["enum"]
    assert enum == ["not-covered", "no-service-few", "partly-covered", "covered", "served-few"]
