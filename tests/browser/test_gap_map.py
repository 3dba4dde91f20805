"""In Chromium, in Italian: the alliance opens the map of the gaps for nurseries ("asili nido") from its
dashboard; the high villages the demo leaves without childcare stand out on the map, and the table beside
it flags exactly the municipalities the map highlights. A click on a village leads to its row.
Screenshots on a laptop and on a phone.

"The alliance" is both of its users here: the public body of the Val Cavallina district (ambito@, the
monitoring role, which reads the aggregates) and the platform's operator (gestore@), who also gets the
names of the suppliers people asked for, to recruit them.
"""

import re

import pytest
from django.core.management import call_command

from conciliare.accounts.demo import DEMO_PASSWORD, demo_login
from conciliare.accounts.models import User
from conciliare.catalogue.categories import Category
from conciliare.catalogue.demo import NO_CHILDCARE
from conciliare.catalogue.models import Signal, SignalKind
from conciliare.needs.svgmap import FILLS
from conciliare.territory.models import Municipality

from .test_supplier_catalogue import SCREENSHOTS, ensure_charter, it, sign_in, sign_out

MAP_PATHS = "svg.gap-map path.area"
TABLE_ROWS = "table.gap-table tbody tr[data-istat]"
CLASS_OF = "els => els.map(e => [e.dataset.istat, e.dataset.class])"


@pytest.fixture
def demo_site(transactional_db, live_server):
    ensure_charter()
    call_command("seed_demo", verbosity=0)
    return live_server.url


def _rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.browser
def test_the_alliance_sees_the_villages_without_a_nursery_and_the_table_agrees(demo_site, page):
    base = demo_site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    # People of Bossico ask for a nursery by name: the operator will see it, the public body will not.
    employee = User.objects.get(email=demo_login("employee").email)
    Signal.objects.create(
        kind=SignalKind.SUPPLIER_WANTED,
        author=employee,
        municipality=Municipality.objects.get(name="Bossico"),
        category=Category.NURSERY,
        supplier_name="Nido Il Girasole",
        description="Manca un nido in paese.",
    )
    sign_in(page, base, demo_login("monitoring").email, DEMO_PASSWORD)

    # --- From the dashboard to the map, choosing "asili nido" -----------------------------------------------------
    page.get_by_role("link", name=it("Map of the gaps: where services are missing")).click()
    page.wait_for_url(re.compile(r"/territorio/mappa-dei-bisogni/"))
    page.select_option("select[name=categoria]", label=it("Nursery (asilo nido)"))
    page.get_by_role("button", name=it("Show"), exact=True).click()
    page.wait_for_url(re.compile(r"\?categoria=nursery$"))
    assert page.locator("select[name=categoria]").input_value() == "nursery"

    # --- The map: every municipality drawn, the ones with no nursery within reach highlighted -----------------------
    on_map = dict(page.locator(MAP_PATHS).evaluate_all(CLASS_OF))
    highlighted = set(page.locator(f"{MAP_PATHS}.missing").evaluate_all("els => els.map(e => e.dataset.istat)"))
    villages = set(Municipality.objects.filter(name__in=NO_CHILDCARE).values_list("istat_code", flat=True))
    assert len(villages) == len(NO_CHILDCARE)
    assert villages <= highlighted
    alliance = set(Municipality.objects.filter(district__isnull=False).values_list("istat_code", flat=True))
    assert highlighted < alliance  # some, not all
    assert len(on_map) == Municipality.objects.count()
    for code in highlighted:
        fill = page.locator(f"#map-{code}").evaluate("e => getComputedStyle(e).fill")
        assert fill in {_rgb(FILLS["not-covered"]), _rgb(FILLS["no-service-few"])}, (code, fill)
    served = next(iter(alliance - highlighted))
    assert page.locator(f"#map-{served}").evaluate("e => getComputedStyle(e).fill") not in {
        _rgb(FILLS["not-covered"]),
        _rgb(FILLS["no-service-few"]),
    }

    # --- The table agrees: the same class for every municipality, the same ones flagged ------------------------------
    in_table = dict(page.locator(TABLE_ROWS).evaluate_all(CLASS_OF))
    assert set(in_table) == alliance
    assert in_table == {code: on_map[code] for code in alliance}
    flagged = set(page.locator(f"{TABLE_ROWS}.missing").evaluate_all("els => els.map(e => e.dataset.istat)"))
    assert flagged == highlighted
    summary = page.locator("#gap-summary").inner_text()
    assert str(len(highlighted)) in summary
    page.screenshot(path=str(SCREENSHOTS / "gap_map_nurseries.png"), full_page=True)

    # --- A village of the map leads to its row, which names the nurseries that could reach it ----------------------
    bossico = Municipality.objects.get(name="Bossico")
    page.locator(f"svg.gap-map a[href='#comune-{bossico.istat_code}']").click()
    page.wait_for_url(re.compile(rf"#comune-{bossico.istat_code}$"))
    row = page.locator(f"tr#comune-{bossico.istat_code}")
    assert it("No service within reach") in row.inner_text()
    assert "Asilo Nido L'Aquilone" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "gap_map_nurseries_row.png"))

    # --- On a phone: the table below the map ----------------------------------------------------------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/territorio/mappa-dei-bisogni/?categoria=nursery")
    map_box = page.locator("svg.gap-map").bounding_box()
    table_box = page.locator("table.gap-table").bounding_box()
    assert map_box and table_box and table_box["y"] > map_box["y"] + map_box["height"] - 1
    assert map_box["width"] <= 390
    page.screenshot(path=str(SCREENSHOTS / "gap_map_nurseries_phone.png"), full_page=False)
    assert "Nido Il Girasole" not in page.content()

    # --- The operator: the same map and table, and the suppliers people asked for ------------------------------------
    sign_out(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, demo_login("operator_admin").email, DEMO_PASSWORD)
    page.get_by_role("link", name=it("Map of the gaps: where services are missing")).click()
    page.wait_for_url(re.compile(r"/territorio/mappa-dei-bisogni/"))
    page.select_option("select[name=categoria]", label=it("Nursery (asilo nido)"))
    page.get_by_role("button", name=it("Show"), exact=True).click()
    page.wait_for_url(re.compile(r"\?categoria=nursery$"))
    assert set(page.locator(f"{MAP_PATHS}.missing").evaluate_all("els => els.map(e => e.dataset.istat)")) == highlighted
    assert dict(page.locator(TABLE_ROWS).evaluate_all(CLASS_OF)) == in_table
    asked = page.locator("table.asked-table tbody tr")
    assert asked.count() == 1
    assert asked.first.locator("th").inner_text() == "Nido Il Girasole"
    assert "Bossico" in asked.first.inner_text() and it("fewer than 5") in asked.first.inner_html()
    asked.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "gap_map_nurseries_operator.png"))
