"""In Chromium, in Italian: the demo employee (Casazza, her father of about 80 not self-sufficient) applies to
the Solidarity Fund with a document; two committee members approve; the grant appears in her welfare as
restricted credit and pays ten hours of home care for her father; the public transparency page counts it,
and shows no group of fewer than five people.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from conciliare.accounts.demo import DEMO_PASSWORD, demo_login
from conciliare.accounts.models import User
from conciliare.catalogue.models import Offer
from conciliare.core.models import AccessLog
from conciliare.fund.demo import SECOND_COMMITTEE_EMAIL
from conciliare.fund.models import GRANT_BUCKET, FundApplication, Grant
from conciliare.ledger import services as ledger
from conciliare.ledger.verification import ledger_verify
from conciliare.orders.models import LinePayment, OrderLine
from conciliare.reimbursements.demo import receipt_pdf

from .test_supplier_catalogue import SCREENSHOTS, ensure_charter, it, sign_in, sign_out

HOME_CARE = "Servizio di assistenza domiciliare (SAD)"  # Casazza's own home-care service, 21 € an hour
GRANT_EUROS = "300,00"


@pytest.fixture
def demo_site(transactional_db, live_server, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    ensure_charter()
    call_command("seed_demo", verbosity=0)
    return live_server.url


def people_helped(page) -> int:
    """The headline "people helped since the fund began" of the public page."""
    card = page.locator("main li.card", has_text=it("people helped since the fund began"))
    return int(card.locator(".stat").inner_text().replace(".", ""))


def transparency_counts(page) -> list[int]:
    """Every count of people the public page shows, from its tables (cells marked as counts of people)."""
    return [int(text.replace(".", "")) for text in page.locator("main td.people").all_inner_texts() if text.strip()]


@pytest.mark.browser
def test_a_worker_applies_two_members_approve_and_the_grant_pays_home_care(demo_site, page, tmp_path: Path):
    base = demo_site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    employee = User.objects.get(email=demo_login("employee").email)
    father = employee.family_members.get(relationship="parent", non_self_sufficient=True)
    page.goto(base + "/fondo-di-solidarieta/")
    helped_before = people_helped(page)
    assert helped_before == Grant.objects.count()
    fund_before = ledger.solidarity_fund_account().balance

    # --- The worker applies, on her phone ----------------------------------------------------------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, employee.email, DEMO_PASSWORD, next_path="/fondo/")
    page.get_by_role("link", name=it("Apply to the fund")).click()
    page.wait_for_url(re.compile(r"/fondo/domanda/$"))
    page.check("input[name=events][value=non_self_sufficient]")
    page.fill("input[name=household_size]", "4")
    page.fill("input[name=isee]", "9.800,00")
    page.fill("input[name=isee_protocol]", "INPS-ISEE-2026-00123456")
    page.fill("input[name=isee_valid_until]", "2027-01-15")
    attestation = tmp_path / "attestazione-isee.pdf"
    attestation.write_bytes(receipt_pdf(["Attestazione ISEE", "Valore: 9.800,00 euro"]))
    page.set_input_files("input[name=documents]", str(attestation))
    page.check("input[name=needs][value=home_care]")
    page.check("input[name=consent]")
    page.screenshot(path=str(SCREENSHOTS / "fund_apply.png"), full_page=True)
    page.get_by_role("button", name=it("Send the application to the committee")).click()
    page.wait_for_url(re.compile(r"/fondo/domande/\d+/$"))
    application = FundApplication.objects.get(applicant=employee)
    assert application.documents.count() == 1
    assert application.score == 25 + 20 + 9  # non-self-sufficient relative, ISEE in the 8,000-15,000 € band, 4 people
    sign_out(page)

    # --- Two committee members approve, each opening the application (logged) -----------------------------------------
    page.set_viewport_size({"width": 1280, "height": 900})
    for number, email in enumerate((demo_login("fund_committee").email, SECOND_COMMITTEE_EMAIL), start=1):
        sign_in(page, base, email, DEMO_PASSWORD, next_path="/comitato/")
        page.get_by_role("link", name=application.reference).click()
        page.wait_for_url(re.compile(rf"/comitato/domande/{application.pk}/$"))
        assert employee.last_name in page.locator("main").inner_text()
        approve = page.locator(f"form[action='/comitato/domande/{application.pk}/voto/']").first
        approve.locator("input[name=amount]").fill(GRANT_EUROS)
        approve.get_by_role("button", name=it("Approve")).click()
        page.wait_for_load_state()
        if number == 2:
            page.screenshot(path=str(SCREENSHOTS / "fund_committee_approved.png"), full_page=True)
        sign_out(page)
    assert AccessLog.objects.filter(object_type="fund.FundApplication", object_id=str(application.pk), action="view")
    application.refresh_from_db()
    assert application.status == "approved"
    grant = Grant.objects.get(application=application)
    assert grant.amount == 30_000
    assert ledger.solidarity_fund_account().balance == fund_before - 30_000

    # --- The grant is in her welfare, as restricted credit, and pays home care for her father ------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, employee.email, DEMO_PASSWORD, next_path="/il-mio-welfare/")
    assert GRANT_EUROS in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "fund_grant_in_welfare.png"), full_page=True)
    offer = Offer.objects.get(title=HOME_CARE)
    page.goto(base + f"/offerte/{offer.pk}/")
    box = page.locator("#prenota")
    box.locator("select[name=member]").select_option(label=f"{father.first_name} {father.last_name}")
    box.locator("input[name=quantity]").fill("10")
    box.get_by_role("button", name=it("Add to cart")).click()
    page.wait_for_url(re.compile(r"/carrello/$"))
    page.get_by_role("button", name=it("Place the order")).click()
    page.wait_for_url(re.compile(r"/ordini/\d+/$"))
    line = OrderLine.objects.get(order__buyer=employee, title=HOME_CARE)
    paid_by_grant = LinePayment.objects.filter(line=line, bucket=GRANT_BUCKET)
    assert sum(p.amount for p in paid_by_grant) == line.amount == 21_000
    sign_out(page)

    # --- The public page counts the new beneficiary and shows no group under five ------------------------------------
    page.goto(base + "/fondo-di-solidarieta/")
    assert people_helped(page) == helped_before + 1
    counts = transparency_counts(page)
    assert counts and all(count >= 5 for count in counts), counts
    page.screenshot(path=str(SCREENSHOTS / "fund_transparency.png"), full_page=True)
    assert ledger_verify().clean
