"""Plans and wallets through the API: HR of the company only; the employee's own wallets only."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conciliare.accounts.models import ContractCategory, EmployeeProfile
from conciliare.ledger.models import LedgerTransaction
from conciliare.plans.models import WelfarePlan
from conciliare.testing.factories import make_employee

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


PLAN = {
    "name": "Piano 2026",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "legal_basis": "agreement",
    "residual_rule": "solidarity_fund",
    "allowances": [{"category": "operai", "bucket": "art51_c2_fbis", "amount": "400.00"}],
}


@pytest.fixture
def worker(cast):
    user = make_employee(cast.company)
    EmployeeProfile.objects.filter(user=user).update(contract_category=ContractCategory.WORKERS)
    return user


def test_hr_creates_reads_and_activates_a_plan_and_the_worker_sees_the_wallet(cast, worker):
    hr = client_for(cast.hr_bruno)
    created = hr.post(f"/api/v1/companies/{cast.company.pk}/plans/", PLAN, format="json")
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    assert created.json()["allowances"] == [{"category": "operai", "bucket": "art51_c2_fbis", "amount": 40_000}]
    assert created.json()["fully_deductible"] is True and created.json()["status"] == "draft"
    activated = hr.post(f"/api/v1/companies/{cast.company.pk}/plans/{plan_id}/activate/")
    assert activated.status_code == 200 and activated.json()["totals"]["loaded"] == 40_000
    assert hr.post(f"/api/v1/companies/{cast.company.pk}/plans/{plan_id}/activate/").status_code == 200
    assert LedgerTransaction.objects.filter(kind="credit").count() == 1
    listed = hr.get(f"/api/v1/companies/{cast.company.pk}/plans/").json()
    assert listed["count"] == 1 and listed["results"][0]["status"] == "active"

    mine = client_for(worker).get("/api/v1/me/wallets/").json()
    assert [(w["bucket"], w["available"], w["expires_on"]) for w in mine["wallets"]] == [
        ("art51_c2_fbis", 40_000, "2026-12-31")
    ]
    assert mine["fringe_benefits"]["cap"] == 100_000
    movements = client_for(worker).get("/api/v1/me/wallets/movements/").json()
    assert movements["count"] == 1 and movements["results"][0]["amount"] == 40_000
    assert client_for(cast.employee_anna).get("/api/v1/me/wallets/").json()["wallets"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"allowances": [{"category": "operai", "bucket": "art51_c2_f", "amount": "-5.00"}]}, "allowances"),
        ({"allowances": [{"category": "operai", "bucket": "art51_c2_f", "amount": "1.005"}]}, "allowances.0.amount"),
        ({"ends_on": "2025-01-01"}, "ends_on"),
        ({"allowances": [{"category": "dirigenti", "bucket": "art51_c2_f", "amount": "5"}]}, "allowances"),
        ({"allowances": [{"category": "x" * 10, "bucket": "art51_c2_f", "amount": "5"}]}, "allowances"),
        ({"legal_basis": "whim"}, "legal_basis"),
    ],
)
def test_bad_plans_get_a_400_with_the_field_and_nothing_is_saved(cast, worker, change, field):
    response = client_for(cast.hr_bruno).post(
        f"/api/v1/companies/{cast.company.pk}/plans/", {**PLAN, **change}, format="json"
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_error" and field in body["fields"], body
    assert not WelfarePlan.objects.exists()


def test_only_hr_of_the_company_reaches_its_plans_through_the_api(cast, worker):
    created = client_for(cast.hr_bruno).post(f"/api/v1/companies/{cast.company.pk}/plans/", PLAN, format="json").json()
    base = f"/api/v1/companies/{cast.company.pk}/plans/"
    for role, user in cast.role_users().items():
        if role == "hr_manager":
            continue
        client = client_for(user)
        assert client.get(base).status_code == 404, role
        assert client.get(f"{base}{created['id']}/").status_code == 404, role
        assert client.post(f"{base}{created['id']}/activate/").status_code == 404, role
        assert client.post(base, PLAN, format="json").status_code == 404, role
    assert client_for(cast.hr_other_ivo).get(f"{base}{created['id']}/").status_code == 404
    assert WelfarePlan.objects.get().status == "draft"
    assert APIClient().get("/api/v1/me/wallets/").status_code == 401


def test_hr_records_a_premium_by_codice_fiscale(cast, worker):
    import datetime

    from conciliare.plans.models import WelfarePlan

    created = client_for(cast.hr_bruno).post(f"/api/v1/companies/{cast.company.pk}/plans/", PLAN, format="json").json()
    WelfarePlan.objects.filter(pk=created["id"]).update(
        bonus_conversion_opens_on=datetime.date(2026, 6, 1), bonus_conversion_closes_on=datetime.date(2026, 6, 30)
    )
    url = f"/api/v1/companies/{cast.company.pk}/plans/{created['id']}/bonuses/"
    body = {"fiscal_code": worker.fiscal_code.lower(), "gross": "1500.00", "previous_year_income": "28000.00"}
    response = client_for(cast.hr_bruno).post(url, body, format="json")
    assert response.status_code == 201 and response.json()["gross"] == 150_000
    other = {**body, "fiscal_code": cast.employee_other_ugo.fiscal_code}
    assert client_for(cast.hr_bruno).post(url, other, format="json").status_code == 404
    assert client_for(cast.hr_other_ivo).post(url, body, format="json").status_code == 404
    assert client_for(cast.hr_bruno).post(url, {**body, "gross": "-3"}, format="json").status_code == 400
