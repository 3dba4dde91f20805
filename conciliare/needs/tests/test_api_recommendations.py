"""The "per te" page and its API: one's own list only, ordered from home or from work."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from conciliare.catalogue.categories import Category
from conciliare.catalogue.tests.factories import make_offer, make_supplier
from conciliare.needs import matching, recommendations
from conciliare.needs.models import RecommendationSet
from conciliare.orders.tests.factories import give_credit
from conciliare.testing.factories import make_family_member, municipality

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
URL = "/api/v1/me/recommendations/"


@pytest.fixture
def nurseries(cast) -> dict[str, object]:
    """Anna lives at Costa Volpino and works at Lovere; one nursery at Pisogne (near home), one at
    Endine Gaiano (nearer to work than to home)."""
    anna = cast.employee_anna
    make_family_member(
        anna, first_name="Tommaso", birth_date=TODAY.replace(year=TODAY.year - 2) - datetime.timedelta(days=10)
    )
    give_credit(anna, "art51_c2_fbis", 80_000)
    pisogne = make_supplier(
        name="Nido Pisogne", municipality_name="Pisogne", radius_km=20, categories=[Category.NURSERY]
    )
    endine = make_supplier(
        name="Nido Endine", municipality_name="Endine Gaiano", radius_km=20, categories=[Category.NURSERY]
    )
    return {
        "pisogne": make_offer(pisogne, category=Category.NURSERY, title="Nido del lago"),
        "endine": make_offer(endine, category=Category.NURSERY, title="Nido della valle"),
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_page_lists_the_suggestions_with_reason_distance_and_bucket(cast, login, nurseries):
    page = login(cast.employee_anna).get("/per-te/")
    assert page.status_code == 200
    found = page.context["found"]
    assert [s.offer for s in found.suggestions] == [nurseries["pisogne"], nurseries["endine"]]
    first = found.suggestions[0]
    assert first.reasons == ["Tommaso is 2 years old"] or first.reasons == ["Tommaso ha 2 anni"]
    assert first.km == first.km_home and first.buckets[0][0] == "art51_c2_fbis" and first.payable
    html = page.content.decode()
    assert "Nido del lago" in html and "Nido Pisogne" in html and 'data-bucket="art51_c2_fbis"' in html


def test_from_work_the_order_changes(cast, login, nurseries):
    # Costa Volpino to Pisogne is shorter than to Endine; from Lovere, Pisogne is 3.2 km and Endine 7.8 km:
    # so put the workplace next to Endine to see the order turn.
    profile = cast.employee_anna.employee_profile
    profile.workplace_municipality = municipality("Endine Gaiano")
    profile.save()
    client = login(cast.employee_anna)
    home = client.get("/per-te/").context["found"]
    work = client.get("/per-te/?da=lavoro").context["found"]
    assert [s.offer for s in home.suggestions] == [nurseries["pisogne"], nurseries["endine"]]
    assert [s.offer for s in work.suggestions] == [nurseries["endine"], nurseries["pisogne"]]
    assert work.origin == "work" and work.suggestions[0].km == 0
    assert client.get("/per-te/?da=marte").context["found"].origin == "home"


def test_credit_spent_since_the_computation_is_no_longer_promised(cast, login, nurseries):
    client = login(cast.employee_anna)
    client.get("/per-te/")
    RecommendationSet.objects.filter(user=cast.employee_anna).update(stale=False)
    from conciliare.ledger.models import LedgerAccount

    LedgerAccount.objects.filter(owner_user=cast.employee_anna).update(held=80_000)  # all of it held by an order
    suggestion = client.get("/per-te/").context["found"].suggestions[0]
    assert suggestion.buckets == [] and not suggestion.payable
    assert "data-own-money" in client.get("/per-te/").content.decode()


def test_an_employee_with_nothing_to_suggest_is_told_what_to_do(cast, login):
    page = login(cast.employee_other_ugo).get("/per-te/")  # Ugo's father is not self-sufficient, no care offer
    assert page.context["found"].suggestions == []
    html = page.content.decode()
    assert "/profilo/" in html or "#famiglia" in html
    assert "/bisogni/questionari/" in html


@pytest.mark.parametrize("who", ["hr_bruno", "operator_olga", "supplier_carla", "citizen_franco"])
def test_people_who_are_not_employees_get_an_explanation(cast, login, who):
    page = login(getattr(cast, who)).get("/per-te/")
    assert page.status_code == 200 and page.context["found"] is None


def test_the_page_runs_the_same_queries_for_2_or_12_suggestions(cast, login, nurseries):
    client = login(cast.employee_anna)

    def queries() -> int:
        client.get("/per-te/")  # computes the set if stale
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/per-te/").status_code == 200
        return len(captured)

    few = queries()
    assert len(RecommendationSet.objects.get(user=cast.employee_anna).items) == 2
    for category in [*matching.BAND_CATEGORIES[matching.BAND_0_3], *matching.CARE_CATEGORIES]:
        supplier = make_supplier(municipality_name="Lovere", categories=[category])
        for i in range(3):
            make_offer(supplier, category=category, title=f"{category} {i}")
    make_family_member(
        cast.employee_anna, first_name="Nonna", relationship="parent", birth_date=datetime.date(1940, 1, 1)
    )
    recommendations.refresh_all()
    assert len(RecommendationSet.objects.get(user=cast.employee_anna).items) >= 12
    assert queries() == few


# --- API ------------------------------------------------------------------------------------------------------------


def test_the_api_gives_the_requesting_employee_their_own_list(cast, nurseries):
    body = api(cast.employee_anna).get(URL).json()
    assert body["origin"] == "home"
    assert [s["offer"] for s in body["suggestions"]] == [nurseries["pisogne"].pk, nurseries["endine"].pk]
    first = body["suggestions"][0]
    assert first["buckets"][0]["code"] == "art51_c2_fbis" and first["payable"] is True
    assert first["km"] == first["km_home"] and first["price"] == nurseries["pisogne"].price
    assert first["reasons"] and first["group"] == "children"
    assert api(cast.employee_anna).get(URL, {"origin": "work"}).json()["origin"] == "work"


def test_nobody_gets_another_persons_list(cast, nurseries):
    anna = api(cast.employee_anna).get(URL).json()
    ugo = api(cast.employee_other_ugo).get(URL, {"user": cast.employee_anna.pk, "user_id": cast.employee_anna.pk})
    assert ugo.status_code == 200
    assert ugo.json()["suggestions"] == [] != anna["suggestions"]
    for who in (cast.hr_bruno, cast.operator_olga, cast.supplier_carla, cast.citizen_franco):
        response = api(who).get(URL, {"user": cast.employee_anna.pk})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert APIClient().get(URL).status_code == 401


def test_a_bad_origin_is_a_400(cast, nurseries):
    response = api(cast.employee_anna).get(URL, {"origin": "moon"})
    assert response.status_code == 400 and "origin" in response.json()["error"]["fields"]


def test_the_api_is_in_the_schema(cast):
    schema = api(cast.operator_olga).get("/api/schema/?format=json").json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"origin"}
    assert {"200", "400", "404"} <= set(operation["responses"])
