"""In a real browser (Debian chromium, Italian locale): every demo login signs in and lands home."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from conciliare.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# What each role's home must show: its own section, in Italian.
HOME_MARK = {
    "employee": "La mia famiglia",
    "hr_manager": "Importa dipendenti",
    "supplier_staff": "Fornitore dell'alleanza",
    "operator_admin": "Apri la console di gestione",
    "fund_committee": "Comitato del Fondo di Solidarietà",
    "consultant": "Imprese clienti dell'alleanza",
    "monitoring": "Monitoraggio territoriale",
    "citizen": "cittadino",
}


@pytest.fixture
def demo_site(transactional_db, live_server):
    call_command("seed_demo", verbosity=0)
    return live_server.url


@pytest.mark.browser
def test_every_demo_login_signs_in_and_lands_on_its_home(demo_site, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(demo_site + "/")
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.get_by_role("heading", level=1).inner_text() == "Welfare che resta sul territorio"
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)
    assert {login.role for login in DEMO_LOGINS} == set(HOME_MARK)
    for login in DEMO_LOGINS:
        page.goto(demo_site + "/accounts/login/")
        page.fill("input[name=login]", login.email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/area/$"))
        assert HOME_MARK[login.role] in page.locator("main").inner_text(), login.role
        page.screenshot(path=str(SCREENSHOTS / f"{login.role}.png"), full_page=True)
        page.get_by_role("button", name="Esci").click()
        page.wait_for_load_state()
