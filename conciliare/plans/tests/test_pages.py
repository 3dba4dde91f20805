"""The welfare pages: HR creates and activates a plan; the employee sees the credit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conciliare.plans.models import WelfarePlan
from conciliare.plans.services import plan_activate, plan_create

from .conftest import PLAN_2026, allowance

pytestmark = pytest.mark.django_db


def plan_form(**amounts):
    data = {
        "name": "Piano 2026",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "legal_basis": "regulation",
        "residual_rule": "carry_over",
    }
    data.update(amounts)
    return data


def test_hr_creates_and_activates_a_plan_in_the_pages(cast, staff, login):
    client = login(cast.hr_bruno)
    client.cookies["django_language"] = "en"
    url = f"/aziende/{cast.company.pk}/piani/"
    assert client.get(url + "nuovo/").status_code == 200
    response = client.post(url + "nuovo/", plan_form(amount__operai__art51_c2_f="300.00"))
    plan = WelfarePlan.objects.get()
    assert response["Location"] == f"{url}{plan.pk}/"
    assert client.post(f"{url}{plan.pk}/attiva/").status_code == 302
    page = client.get(f"{url}{plan.pk}/").content.decode()
    assert "900.00" in page.replace("\xa0", "").replace(",", "")  # 3 operai x 300 loaded
    plan.refresh_from_db()
    assert plan.status == "active"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (plan_form(amount__operai__art51_c2_f="-5"), "greater than or equal to 0.01"),
        (plan_form(amount__operai__art51_c2_f="1.005"), "2 decimal places"),
        (plan_form(ends_on="2025-06-01", amount__operai__art51_c2_f="10"), "end before it starts"),
        (plan_form(amount__dirigenti__art51_c2_f="10"), "no employee in the category"),
        (plan_form(), "at least one amount"),
    ],
)
def test_bad_plans_in_the_form_get_a_400_and_nothing_is_saved(cast, staff, login, data, message):
    client = login(cast.hr_bruno)
    client.cookies["django_language"] = "en"
    response = client.post(f"/aziende/{cast.company.pk}/piani/nuovo/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WelfarePlan.objects.exists()


def test_overlapping_plan_in_the_form_is_refused(cast, staff, login):
    plan_create(company=cast.company, allowances=[allowance("operai", "art51_c2_f", "10")], **PLAN_2026)
    client = login(cast.hr_bruno)
    client.cookies["django_language"] = "en"
    response = client.post(f"/aziende/{cast.company.pk}/piani/nuovo/", plan_form(amount__operai__art51_c2_fbis="10"))
    assert response.status_code == 400 and "overlaps" in response.content.decode()
    assert WelfarePlan.objects.count() == 1


def test_only_hr_of_the_company_reaches_its_plans(cast, staff, login):
    plan = plan_create(company=cast.company, allowances=[allowance("operai", "art51_c2_f", "10")], **PLAN_2026)
    for role, user in cast.role_users().items():
        client = login(user)
        for url in (f"/aziende/{cast.company.pk}/piani/", f"/aziende/{cast.company.pk}/piani/{plan.pk}/"):
            assert client.get(url).status_code == (200 if role == "hr_manager" else 404), (role, url)
        if role != "hr_manager":
            assert client.post(f"/aziende/{cast.company.pk}/piani/{plan.pk}/attiva/").status_code == 404
        client.logout()
    other = login(cast.hr_other_ivo)
    assert other.get(f"/aziende/{cast.company.pk}/piani/{plan.pk}/").status_code == 404
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_the_employee_sees_the_credit_per_bucket_and_only_their_own(cast, staff, login):
    plan = plan_create(
        company=cast.company,
        allowances=[allowance("operai", "art51_c2_f", "300.00"), allowance("operai", "art51_c3_fringe", "200.00")],
        **PLAN_2026,
    )
    plan_activate(plan=plan, actor=cast.hr_bruno)
    worker = staff[0]
    page = login(worker).get("/il-mio-welfare/")
    body = page.content.decode()
    assert 'data-bucket="art51_c2_f">300,00' in body and 'data-bucket="art51_c3_fringe">200,00' in body
    assert "500,00" in body  # total available
    anna = login(cast.employee_anna).get("/il-mio-welfare/").content.decode()
    assert "data-bucket" not in anna  # impiegati are not covered


def test_the_welfare_or_cash_calculator(cast, login):
    client = login(cast.employee_anna)
    body = client.get("/il-mio-welfare/", {"gross": "1000,00", "previous_year_income": "30000,00"}).content.decode()
    assert "1.000,00" in body and "899,02" in body  # 2026: 1 % substitute tax (rules file)


def test_my_welfare_queries_do_not_grow_with_movements(cast, staff, login):
    from conciliare.ledger import services as ledger

    plan = plan_create(company=cast.company, allowances=[allowance("operai", "art51_c2_f", "300.00")], **PLAN_2026)
    plan_activate(plan=plan, actor=cast.hr_bruno)
    client = login(staff[0])
    wallet = staff[0].ledger_accounts.get()
    supplier = ledger.account_open(kind="supplier_payable", name="Fornitore", owner_organization=cast.supplier)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/il-mio-welfare/").status_code == 200
        return len(captured)

    few = queries()
    for index in range(15):
        ledger.transaction_post(kind="spend", legs=[(wallet, -100), (supplier, 100)], idempotency_key=f"q-{index}")
    assert queries() == few


def test_the_regulation_pdf_renders_the_plan_figures_in_italian(cast, staff, login):
    import pypdfium2

    plan = plan_create(
        company=cast.company,
        allowances=[allowance("operai", "art51_c2_f", "300.00"), allowance("quadri", "art51_c3_fringe", "1250.50")],
        **{**PLAN_2026, "legal_basis": "unilateral"},
    )
    response = login(cast.hr_bruno).get(f"/aziende/{cast.company.pk}/piani/{plan.pk}/regolamento.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(response.content)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for expected in (
        "Regolamento del piano welfare",
        "Piano welfare 2026",
        "1 gennaio 2026",
        "31 dicembre 2026",
        "300,00",
        "1.250,50",
        "5 per mille",
        cast.company.name,
        "1.000,00",
        "2.000,00",
    ):
        assert expected in text.replace("\r\n", " ").replace("\n", " "), expected
    assert (
        login(cast.hr_other_ivo).get(f"/aziende/{cast.company.pk}/piani/{plan.pk}/regolamento.pdf").status_code == 404
    )


def test_hr_credits_new_employees_from_the_plan_page(cast, staff, login):
    from conciliare.accounts.models import EmployeeProfile
    from conciliare.testing.factories import make_employee

    plan = plan_create(company=cast.company, allowances=[allowance("operai", "art51_c2_f", "300.00")], **PLAN_2026)
    plan_activate(plan=plan, actor=cast.hr_bruno)
    newcomer = make_employee(cast.company)
    EmployeeProfile.objects.filter(user=newcomer).update(contract_category="operai")
    client = login(cast.hr_bruno)
    url = f"/aziende/{cast.company.pk}/piani/{plan.pk}/nuovi-assunti/"
    assert client.post(url).status_code == 302
    assert newcomer.ledger_accounts.get().balance == 30_000
    assert login(cast.hr_other_ivo).post(url).status_code == 404


def test_hr_chooses_a_public_programme_to_fund_the_plan(cast, staff, login):
    from conciliare.ledger import services as ledger
    from conciliare.ledger.models import LedgerAccount

    regional = ledger.account_open(kind="public_cofunding", name="Fondo regionale conciliazione")
    ledger.transaction_post(
        kind="funding", legs=[(ledger.world_account(), -100_000), (regional, 100_000)], idempotency_key="regione"
    )
    plan = plan_create(company=cast.company, allowances=[allowance("operai", "art51_c2_f", "100.00")], **PLAN_2026)
    client = login(cast.hr_bruno)
    url = f"/aziende/{cast.company.pk}/piani/{plan.pk}/"
    assert "Fondo regionale conciliazione" in client.get(url).content.decode()
    client.post(url + "attiva/", {"funding": "999999"})
    plan.refresh_from_db()
    assert plan.status == "draft"
    client.post(url + "attiva/", {"funding": str(regional.pk)})
    plan.refresh_from_db()
    assert plan.status == "active" and LedgerAccount.objects.get(pk=regional.pk).balance == 70_000
