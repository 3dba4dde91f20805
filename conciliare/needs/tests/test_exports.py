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

from conciliare.api.needs_gaps import GapMunicipalitySerializer
from conciliare.catalogue.categories import Category
from conciliare.needs import exports, svgmap
from conciliare.needs.gaps import GapAnalysis, GapCell, Place, Suggestion

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
        "fewer than 5", "fewer than 5", "",
    ]  # fmt: skip
    assert mine["Alfa"][4:7] == ["7", "6", "fewer than 5"]
    assert mine["Charlie"][4:9] == ["7", "0", "7", "Not covered", ""]
    assert mine["Charlie"][11] == "Nido Alfa (13.3 km); Nido Delta (20.0 km)"
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
    assert not re.search(r"people who need it: [1-4]\b", text)


# --- The group-size rule, over random territories ------------------------------------------------------------

people = st.integers(min_value=0, max_value=40)


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
            signals_supplier=draw(people),
            signals_need=draw(people),
        )
        for place in places
    ]
    signals = {(place.pk, "nursery"): draw(people) for place in places}
    return GapAnalysis(places, {"nursery": cells}, signals, Decimal("10"))


PEOPLE_COLUMNS = (4, 6, 9, 10)  # demand, gap and the two kinds of signal in cells() and the CSV


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
            assert not {cells[0], cells[2], cells[5], cells[6]} & SMALL, cells
        boundaries = {
            place.pk: {"type": "Polygon", "coordinates": [[[9.8, 45], [9.9, 45], [9.9, 45.1], [9.8, 45]]]}
            for place in analysis.places
        }
        markup = str(svgmap.gap_svg(analysis, "nursery", boundaries))
        assert not re.search(r"people (who need it|who sent a signal): [1-4][;<\"]", markup)
        assert not re.search(r">[1-4]</text>", markup)
        for item in GapMunicipalitySerializer(rows, many=True).data:
            for field in ("demand", "gap", "signals_supplier_wanted", "signals_unmet_need"):
                assert item[field] not in (1, 2, 3, 4), (field, item)
