"""In Chromium: HR creates and activates a plan; an employee sees the credit; the regulation PDF has the figures."""

import re

import pypdfium2
import pytest
from django.core.management import call_command

from conciliare.accounts.models import Membership
from conciliare.plans.models import WelfarePlan

PASSWORD = "Conciliare2026!"


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/area/$"))


@pytest.mark.browser
def test_hr_creates_a_plan_and_the_employee_sees_the_credit(transactional_db, live_server, page):
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    company = Membership.objects.get(user__email="hr@demo.conciliare.it", role="hr_manager").organization

    # HR, in Italian, creates a 2027 plan for every employee: 150,50 € for education of family members
    sign_in(page, base, "hr@demo.conciliare.it")
    page.get_by_role("link", name="Piani welfare").click()
    page.get_by_role("link", name="Nuovo piano").click()
    page.fill("input[name=name]", "Piano welfare 2027")
    page.fill("input[name=starts_on]", "2027-01-01")
    page.fill("input[name=ends_on]", "2027-12-31")
    page.check("input[name=legal_basis][value=agreement]")
    page.check("input[name=residual_rule][value=return_to_company]")
    page.fill("input[name=amount__all__art51_c2_fbis]", "150,50")
    page.get_by_role("button", name="Salva come bozza").click()
    page.wait_for_url(re.compile(r".*/piani/\d+/$"))
    page.get_by_role("button", name="Attiva il piano").click()
    page.wait_for_load_state()
    assert "Il piano è attivo" in page.locator("main").inner_text()
    plan = WelfarePlan.objects.get(company=company, name="Piano welfare 2027")
    assert plan.status == "active"

    # the regulation PDF renders and carries the plan's figures
    pdf = page.request.get(f"{base}/aziende/{company.pk}/piani/{plan.pk}/regolamento.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.body())
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document))).replace("\r\n", " ")
    assert "Piano welfare 2027" in text and "150,50" in text and "31 dicembre 2027" in text
    page.get_by_role("button", name="Esci").click()

    # an employee of the company signs in and sees the new credit per bucket
    sign_in(page, base, "dipendente@demo.conciliare.it")
    page.get_by_role("link", name="Apri il mio welfare").click()
    main = page.locator("main").inner_text()
    assert "Piano welfare 2027" in main and "150,50" in main
    page.screenshot(path="test-artifacts/screenshots/employee_welfare.png", full_page=True)
