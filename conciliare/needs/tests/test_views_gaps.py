"""The gap map page: who may open it, what it shows, and that its map and its table say the same thing."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conciliare.catalogue.categories import Category
from conciliare.catalogue.models import Signal, SignalKind
from conciliare.catalogue.tests.factories import make_offer, make_supplier
from conciliare.territory.models import Municipality
from conciliare.testing.factories import UserFactory

from .test_gaps import Territory, employee_with_children, make_territory, populated, square  # noqa: F401

pytestmark = pytest.mark.django_db
ALLIANCE = {"operator_admin", "monitoring", "consultant"}
PAGES = ("needs:gap_map", "needs:gap_csv", "needs:gap_xlsx", "needs:gap_pdf")


@pytest.fixture(autouse=True)
def english(client) -> None:
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def territory(db, settings) -> Territory:
    settings.CONCILIARE_KM_ZERO_RADIUS_KM = 10
    return make_territory()


def test_the_alliance_roles_open_the_map_and_its_exports_everyone_else_gets_404(cast, client, login) -> None:
    for role, user in cast.role_users().items():
        login(user)
        for name in PAGES:
            status = client.get(reverse(name)).status_code
            assert status == (200 if role in ALLIANCE else 404), (role, name, status)
        client.logout()
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_map_and_table_agree_and_the_villages_without_a_nursery_stand_out(populated, client, login, cast) -> None:  # noqa: F811
    login(cast.monitoring_elena)
    page = client.get(reverse("needs:gap_map")).content.decode()
    paths = dict(re.findall(r'<path id="map-\d+" data-istat="(\d+)" data-class="([a-z-]+)"', page))
    rows = dict(re.findall(r'<tr id="comune-\d+" data-istat="(\d+)" data-class="([a-z-]+)"', page))
    alliance = set(Municipality.objects.filter(district__isnull=False).values_list("istat_code", flat=True))
    assert set(rows) == alliance
    assert {code: paths[code] for code in rows} == rows
    assert set(paths) - set(rows) == set(
        Municipality.objects.filter(district__isnull=True).values_list("istat_code", flat=True)
    )
    assert {paths[code] for code in set(paths) - set(rows)} == {"outside"}
    places = populated.places
    assert rows[places["Charlie"].istat_code] == "not-covered"
    assert rows[places["Bravo"].istat_code] == "partly-covered"
    assert rows[places["Delta"].istat_code] == "served-few"
    # The default category, its label, and the link from the map to the table's row.
    assert '<option value="nursery" selected>Nursery (asilo nido)</option>' in page
    assert (
        f'<a href="#comune-{places["Charlie"].istat_code}" aria-label="Charlie (Ambito di Prova); Not covered' in page
    )
    charlie_row = re.search(rf'<tr id="comune-{places["Charlie"].istat_code}".*?</tr>', page, re.S)
    assert charlie_row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", charlie_row.group(0), re.S)
    assert [cells[0], cells[1], cells[2]] == ["7", "0", "7"]
    assert "Nido Alfa, 13.3 km" in cells[-1] and "Nido Delta, 20.0 km" in cells[-1]
    delta_row = re.search(rf'<tr id="comune-{places["Delta"].istat_code}".*?</tr>', page, re.S)
    assert delta_row is not None and '<abbr title="fewer than 5">&lt;&nbsp;5</abbr>' in delta_row.group(0)


def test_another_category_and_a_wrong_one(cast, client, login) -> None:
    login(cast.consultant_dario)
    page = client.get(reverse("needs:gap_map"), {"categoria": "home_care"}).content.decode()
    assert '<option value="home_care" selected>' in page
    assert client.get(reverse("needs:gap_map"), {"categoria": "nessuna"}).status_code == 400
    assert client.get(reverse("needs:gap_map"), {"categoria": "tutte"}).status_code == 400
    assert client.get(reverse("needs:gap_pdf"), {"categoria": "tutte"}).status_code == 400
    assert client.get(reverse("needs:gap_csv"), {"categoria": "tutte"}).status_code == 200


def test_only_the_operator_gets_the_link_to_the_signals(cast, client, login) -> None:
    signals = reverse("catalogue:signal_list")
    assert signals in login(cast.operator_olga).get(reverse("needs:gap_map")).content.decode()
    client.logout()
    assert signals not in login(cast.monitoring_elena).get(reverse("needs:gap_map")).content.decode()


def test_each_district_heads_a_group_of_rows(populated, cast, client, login) -> None:  # noqa: F811
    page = login(cast.monitoring_elena).get(reverse("needs:gap_map")).content.decode()
    assert '<tr class="district"><th scope="rowgroup" colspan="10">District of Ambito di Prova</th></tr>' in page
    assert 'scope="colgroup"' not in page


def ask(place: Municipality, category: str = "", name: str = "", people: int = 1) -> None:
    for _ in range(people):
        Signal.objects.create(
            kind=SignalKind.SUPPLIER_WANTED if name else SignalKind.UNMET_NEED,
            author=UserFactory(),
            municipality=place,
            category=category,
            supplier_name=name,
            description="Vicino a casa",
        )


def test_the_operator_sees_the_suppliers_people_asked_for_and_the_signals_with_no_category(
    territory, cast, client, login
) -> None:
    charlie, bravo = territory.places["Charlie"], territory.places["Bravo"]
    ask(charlie, Category.NURSERY, "Nido <b>Bello</b>", people=6)
    ask(bravo, Category.NURSERY, "Tate Riunite", people=2)
    ask(bravo, name="Asilo Girotondo", people=3)  # no category
    ask(charlie, people=2)  # no category, an unmet need: with the three above... in Bravo, not Charlie
    ask(bravo, people=2)
    page = login(cast.operator_olga).get(reverse("needs:gap_map")).content.decode()
    board = page[page.index('id="asked-title"') :]
    rows = [
        re.sub(r"<[^>]+>", "", row).split("\n")
        for row in re.findall(r"<tr>(.*?)</tr>", board[: board.index("</table>")], re.S)[1:]
    ]
    cells = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    assert cells == [
        ["Bravo", "Tate Riunite", "Nursery (asilo nido)", "&lt;&nbsp;5"],
        ["Bravo", "Asilo Girotondo", "not given", "&lt;&nbsp;5"],
        ["Charlie", "Nido &lt;b&gt;Bello&lt;/b&gt;", "Nursery (asilo nido)", "6"],
    ]
    assert "<b>Bello" not in page
    # Five people in Bravo signalled with no category: their figure in Bravo's row; two in Charlie: "< 5".
    bravo_row = re.search(rf'<tr id="comune-{bravo.istat_code}".*?</tr>', page, re.S)
    assert bravo_row is not None
    assert re.findall(r"<td[^>]*>(.*?)</td>", bravo_row.group(0), re.S)[7] == "5"
    client.logout()
    # Monitoring and consultants get the figures, not the names.
    for user in (cast.monitoring_elena, cast.consultant_dario):
        page = login(user).get(reverse("needs:gap_map")).content.decode()
        assert "Tate Riunite" not in page and "Girotondo" not in page and 'id="asked-title"' not in page
        client.logout()


def test_the_dashboard_links_to_the_map_for_operator_and_monitoring(cast, client, login) -> None:
    url = reverse("needs:gap_map")
    for user in (cast.operator_olga, cast.monitoring_elena, cast.consultant_dario):
        assert url in login(user).get(reverse("accounts:dashboard")).content.decode()
        client.logout()
    assert url not in login(cast.employee_anna).get(reverse("accounts:dashboard")).content.decode()


def test_the_page_makes_the_same_number_of_queries_whatever_the_territory(territory, cast, client, login) -> None:
    login(cast.operator_olga)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("needs:gap_map")).status_code == 200
        return len(captured.captured_queries)

    before = count()
    for index in range(4):
        Municipality.objects.create(
            istat_code=f"0992{index:02d}",
            name=f"Villaggio {index}",
            district=territory.district,
            province="TT",
            latitude="40.40",
            longitude=f"{9.0 + index / 20:.2f}",
            population=10,
            postal_code="09000",
            boundary=square(40.4, 9.0 + index / 20),
        )
        employee_with_children(territory, "Alfa", 10)
        make_offer(
            make_supplier(name=f"Asilo {index}", municipality_name="Bravo", categories=[Category.NURSERY]),
            category=Category.NURSERY,
            capacity=10,
        )
        # Signals, with and without a category, naming suppliers: the operator's board grows, the queries do not.
        ask(territory.places["Charlie"], Category.NURSERY, f"Nido {index}", people=5)
        ask(territory.places["Bravo"], name=f"Altro {index}")
        ask(territory.places["Alfa"])
    page = client.get(reverse("needs:gap_map")).content.decode()
    assert "Nido 3" in page and "Altro 3" in page
    assert count() == before


def test_with_no_boundary_to_draw_the_page_and_the_pdf_still_show_the_table(territory, cast, client, login) -> None:
    Municipality.objects.update(boundary={})  # e.g. a territory imported without its shapes
    login(cast.operator_olga)
    page = client.get(reverse("needs:gap_map"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" not in html and "Skip the map" not in html
    assert re.search(r'<tr id="comune-\d+" data-istat="\d+"', html)  # the table is there
    pdf = client.get(reverse("needs:gap_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
