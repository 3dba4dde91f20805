"""In Chromium, in Italian: a supplier signs up, applies and signs the charter, the operator approves it,
the supplier publishes an offer, and an employee living in a nearby municipality finds it first, at the right km.

Buttons and labels are looked up through the Italian catalogue (`it()`), so the test reads what the page shows
whether or not a string has its translation yet.
"""

import datetime
import importlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
import schwifty
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from conciliare.accounts.demo import DEMO_PASSWORD, demo_login
from conciliare.accounts.models import Organization, User
from conciliare.catalogue.categories import Category
from conciliare.catalogue.models import Offer, OfferStatus
from conciliare.suppliers.models import CharterVersion, Supplier, SupplierStatus
from conciliare.territory.distance import municipality_distance_km
from conciliare.territory.models import Municipality
from conciliare.testing.factories import make_vat_number

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

APPLICANT_EMAIL = "laboratorio@carta-e-forbici.example"
APPLICANT_PASSWORD = "Forbici-di-carta-2026"
SUPPLIER_NAME = "Laboratorio Carta e Forbici APS"
# The seat: the municipality nearest to the demo employee's home (Casazza) other than Casazza itself.
SEAT = "Gaverina Terme"
CATEGORY = Category.COURSES
# A word no other offer uses: the search with it must show this offer first (and only).
WORD = "origami"
OFFER_TITLE = "Corso di origami per genitori e figli"


def it(text: str) -> str:
    """What the page shows in Italian for an English source string (the string itself until translated)."""
    with translation.override("it"):
        return gettext(text)


def italian_km(km: Decimal) -> str:
    with translation.override("it"):
        return f"{formats.number_format(km, decimal_pos=1, use_l10n=True)} km"


def _km(text: str) -> Decimal:
    """ "1,7 km" → Decimal("1.7")."""
    return Decimal(text.removesuffix(" km").replace(".", "").replace(",", "."))


def ensure_charter() -> None:
    """Version 1 of the charter comes from a data migration, which a previous transactional test may have flushed."""
    if not CharterVersion.objects.exists():
        migration = importlib.import_module("conciliare.suppliers.migrations.0002_charter_version_1")
        migration.publish(apps, None)


def unused_vat_number() -> str:
    seed = 7_654_321
    while Organization.objects.filter(vat_number=make_vat_number(seed)).exists():
        seed += 1
    return make_vat_number(seed)


def sign_in(page, base: str, email: str, password: str, next_path: str = "") -> None:
    page.goto(base + "/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$" if next_path else r".*/area/$"))


def sign_out(page) -> None:
    page.get_by_role("button", name=it("Sign out")).click()
    page.wait_for_load_state()


def confirmation_link(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to:
            found = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
            if found:
                return found.group(0)
    raise AssertionError(f"no confirmation e-mail for {email}")


@pytest.fixture
def demo_site(transactional_db, live_server):
    ensure_charter()  # an earlier transactional test's flush removed the one the migration wrote
    call_command("seed_demo", verbosity=0)
    return live_server.url


@pytest.mark.browser
def test_a_new_supplier_is_approved_publishes_and_is_found_first_nearby(demo_site, page):
    base = demo_site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    employee = User.objects.get(email=demo_login("employee").email)
    home = employee.residence_municipality
    seat = Municipality.objects.get(name=SEAT)
    km = municipality_distance_km(home, seat)
    assert home.name == "Casazza" and Decimal(0) < km < Decimal(10)  # nearby, and so "km zero"

    # --- The applicant: from the public page, an account with a verified e-mail ----------------------------------
    page.goto(base + "/fornitori/aderisci/")
    assert page.locator("html").get_attribute("lang") == "it"
    page.get_by_role("link", name=it("Create an account")).click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    page.fill("input[name=email]", APPLICANT_EMAIL)
    page.fill("input[name=password1]", APPLICANT_PASSWORD)
    page.fill("input[name=password2]", APPLICANT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    page.goto(confirmation_link(APPLICANT_EMAIL))
    page.locator("main form button[type=submit]").click()  # confirming signs in and follows the sign-up's ?next=
    page.wait_for_url(re.compile(r"/fornitori/candidatura/$"))

    # --- The application, signing every commitment of the charter --------------------------------------------------
    page.fill("input[name=name]", SUPPLIER_NAME)
    page.fill("input[name=vat_number]", unused_vat_number())
    page.select_option("select[name=municipality]", str(seat.pk))
    page.fill("input[name=address]", "Via Papa Giovanni XXIII 12")
    page.fill("textarea[name=description]", "Laboratori di carta, origami e rilegatura per bambini e famiglie.")
    page.check(f"input[name=categories][value={CATEGORY}]")
    page.check("input[name=home_service]")
    page.check("input[name=area_mode][value=radius]")
    page.fill("input[name=service_radius_km]", "15")
    iban = schwifty.IBAN.generate("IT", bank_code="0306909606", account_code="100000000001")
    page.fill("input[name=iban]", iban.formatted)
    page.fill("input[name=contact_name]", "Marta Foresti")
    page.fill("input[name=contact_email]", APPLICANT_EMAIL)
    page.fill("input[name=contact_phone]", "035 810 000")
    page.fill("input[name=durc_expires_on]", (timezone.localdate() + datetime.timedelta(days=120)).isoformat())
    page.set_input_files(
        "input[name=durc_document]",
        files=[{"name": "durc.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% DURC\n%%EOF\n"}],
    )
    commitments = page.locator("input[type=checkbox][name^=commitment_]")
    assert commitments.count() == CharterVersion.objects.get().commitments.count() > 0
    for index in range(commitments.count()):
        commitments.nth(index).check()
    page.get_by_role("button", name=it("Sign the charter and send the application")).click()
    page.wait_for_url(re.compile(r"/fornitori/\d+/$"))

    supplier = Supplier.objects.get(organization__name=SUPPLIER_NAME)
    assert supplier.status == SupplierStatus.SUBMITTED
    assert supplier.organization.municipality == seat and supplier.iban == iban.compact
    assert supplier.organization.charter_signatures.filter(signed_by__email=APPLICANT_EMAIL).exists()
    area = page.locator("main")
    assert SUPPLIER_NAME in area.get_by_role("heading", level=1).inner_text()
    with translation.override("it"):
        awaiting = str(SupplierStatus.SUBMITTED.label)
    assert area.locator(".badge.status-submitted").inner_text() == awaiting
    page.screenshot(path=str(SCREENSHOTS / "supplier_area_submitted.png"), full_page=True)

    # --- While the application waits, a draft offer; it cannot be published yet --------------------------------------
    page.get_by_role("link", name=it("New offer")).click()
    page.wait_for_url(re.compile(rf"/fornitori/{supplier.pk}/offerte/nuova/$"))
    page.check("input[name=kind][value=service]")
    page.select_option("select[name=category]", str(CATEGORY))
    page.fill("input[name=title]", OFFER_TITLE)
    page.fill("textarea[name=description]", "Quattro pomeriggi di origami: carta, pazienza e tante gru.")
    page.fill("input[name=price]", "45")
    page.select_option("select[name=vat_rate]", "22.00")
    page.select_option("select[name=unit]", "session")
    page.get_by_role("button", name=it("Save"), exact=True).click()
    page.wait_for_url(re.compile(rf"/fornitori/{supplier.pk}/offerte/\d+/$"))
    offer = Offer.objects.get(supplier=supplier)
    assert offer.status == OfferStatus.DRAFT and offer.title == OFFER_TITLE
    assert page.get_by_role("button", name=it("Publish"), exact=True).is_disabled()
    sign_out(page)

    # --- The operator reviews and approves ------------------------------------------------------------------------------
    sign_in(page, base, demo_login("operator_admin").email, DEMO_PASSWORD)
    page.goto(base + "/gestione-fornitori/")
    page.get_by_role("link", name=SUPPLIER_NAME).click()
    page.wait_for_url(re.compile(rf"/gestione-fornitori/{supplier.pk}/$"))
    page.check("input[name=decision][value=approved]")
    page.get_by_role("button", name=it("Record the decision")).click()
    page.wait_for_url(re.compile(r"/gestione-fornitori/$"))
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.APPROVED
    sign_out(page)

    # --- The supplier publishes the offer from its area -------------------------------------------------------------------
    area_path = f"/fornitori/{supplier.pk}/"
    sign_in(page, base, APPLICANT_EMAIL, APPLICANT_PASSWORD, next_path=area_path)
    row = page.locator("main table tbody tr", has_text=OFFER_TITLE)
    row.get_by_role("button", name=it("Publish"), exact=True).click()
    page.wait_for_url(re.compile(re.escape(area_path) + "$"))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED
    with translation.override("it"):
        approved = str(SupplierStatus.APPROVED.label)
    assert page.locator("main .badge.status-approved").inner_text() == approved
    page.screenshot(path=str(SCREENSHOTS / "supplier_area_published.png"), full_page=True)
    sign_out(page)

    # --- The employee, at home in Casazza, on a phone, searches the catalogue ---------------------------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, employee.email, DEMO_PASSWORD)
    page.goto(base + "/offerte/")
    assert page.locator("select[name=da]").input_value() == "casa"  # distances from home by default
    page.fill("input[name=q]", WORD)
    page.select_option("select[name=categoria]", str(CATEGORY))
    page.get_by_role("button", name=it("Search"), exact=True).click()
    page.wait_for_url(re.compile(r"/offerte/\?"))
    cards = page.locator("ol.offer-list > li.offer-card")
    assert cards.count() >= 1
    first = cards.first
    assert first.get_by_role("heading", level=3).inner_text() == OFFER_TITLE
    assert SUPPLIER_NAME in first.inner_text() and SEAT in first.inner_text()
    assert first.locator(".distance").inner_text() == italian_km(km)
    assert first.locator(".badge.km-zero").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "employee_search_results.png"), full_page=True)

    # Without the word, among every offer of the category: nearest first, and none nearer than this one comes after it.
    page.fill("input[name=q]", "")
    page.get_by_role("button", name=it("Search"), exact=True).click()
    page.wait_for_load_state()
    titles = cards.locator("h3").all_inner_texts()
    distances = [_km(text) for text in cards.locator(".distance").all_inner_texts()]
    assert len(distances) == len(titles) and distances == sorted(distances)
    position = titles.index(OFFER_TITLE)
    assert distances[position] == km
    assert all(distance <= km for distance in distances[:position])
