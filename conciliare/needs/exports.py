"""The gap table as CSV and XLSX, and the map with its legend and table as a PDF, for the territorial plan.

Every export is written from `GapAnalysis.rows()`, the figures already under the group-size rule,
through the same `cells()` as the page's table: a count under 5 people reads "fewer than 5" here too.
Text that a spreadsheet would run as a formula (a supplier's name starting with "=", "+", "-", "@"...:
suppliers choose their names, and the names people ask for come from a free-text field) is written with
an apostrophe before it, in the CSV and in the XLSX alike.
The PDF is a WeasyPrint rendering of `needs/pdf/gap_map.html` with the map inline (no tiles, nothing
fetched: only `data:` addresses are allowed).
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from conciliare.accounts.imports.validation import FORMULA_PREFIXES
from conciliare.catalogue.categories import category_label

from . import svgmap
from .gaps import CLASS_SHORT, AskedSupplier, GapAnalysis, GapRow, capacity_text, people_text, reach_note

CSV_BOM = "\ufeff"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert(value: Any) -> Any:
    """Text a spreadsheet would read as a formula, with an apostrophe before it; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def km_text(km: Decimal | None) -> str:
    return "" if km is None else formats.number_format(km, decimal_pos=1)


def gap_text(row: GapRow) -> str:
    """Empty when the demand is not shown (nor can the gap be); "fewer than 5" for a gap of 1 to 4."""
    return "" if row.demand is None else people_text(row.gap)


def suggestions_text(row: GapRow) -> str:
    return "; ".join(f"{s.supplier} ({km_text(s.km)} km)" for s in row.suggestions)


@dataclass(frozen=True)
class Column:
    title: str
    numeric: bool = False


def columns() -> list[Column]:
    return [
        Column(gettext("Category")),
        Column(gettext("Municipality")),
        Column(gettext("ISTAT code")),
        Column(gettext("District")),
        Column(gettext("People who need it"), numeric=True),
        Column(gettext("Places"), numeric=True),
        Column(gettext("Gap"), numeric=True),
        Column(gettext("Coverage")),
        Column(gettext("Nearest service (km)"), numeric=True),
        Column(gettext("People asking for a supplier"), numeric=True),
        Column(gettext("People signalling an unmet need"), numeric=True),
        Column(gettext("People signalling with no category"), numeric=True),
        Column(gettext("Suppliers that could extend their area")),
    ]


def cells(row: GapRow) -> list[Any]:
    """The row as the exports write it: numbers where a number may be shown, words otherwise."""

    def people(count: int | None) -> int | str:
        return people_text(count) if count is None else count

    capacity: int | str = capacity_text(row) if row.capacity_unstated else row.capacity
    gap: int | str = gap_text(row) if row.demand is None or row.gap is None else row.gap
    return [
        str(category_label(row.category)),
        row.place.name,
        row.place.istat_code,
        row.place.district,
        people(row.demand),
        capacity,
        gap,
        str(CLASS_SHORT[row.gap_class]),
        row.nearest_km,
        people(row.signals_supplier),
        people(row.signals_need),
        people(row.signals_any),
        suggestions_text(row),
    ]


def people_html(people: int | None) -> SafeString:
    """A count of people in a table cell: "< 5", spelled out for screen readers and on hover, when under 5."""
    if people is None:
        return format_html('<abbr title="{}">&lt;&nbsp;5</abbr>', gettext("fewer than 5"))
    return format_html("{}", people_text(people))


@dataclass(frozen=True)
class Shown:
    """A row of the page's and the PDF's table: the same figures as `cells()`, as text."""

    row: GapRow
    anchor: str
    class_label: str
    demand: SafeString
    capacity: str
    gap: SafeString | str
    km: str
    signals_supplier: SafeString
    signals_need: SafeString
    signals_any: SafeString
    suggestions: list[tuple[str, str]]


@dataclass(frozen=True)
class District:
    name: str
    rows: list[Shown]


def shown_rows(rows: list[GapRow]) -> list[District]:
    """The rows by district, in the analysis's order."""
    districts: list[District] = []
    for row in rows:
        if not districts or districts[-1].name != row.place.district:
            districts.append(District(row.place.district, []))
        districts[-1].rows.append(
            Shown(
                row=row,
                anchor=svgmap.row_anchor(row.place),
                class_label=str(CLASS_SHORT[row.gap_class]),
                demand=people_html(row.demand),
                capacity=capacity_text(row),
                gap="–" if row.demand is None else people_html(row.gap),
                km=km_text(row.nearest_km) or "–",
                signals_supplier=people_html(row.signals_supplier),
                signals_need=people_html(row.signals_need),
                signals_any=people_html(row.signals_any),
                suggestions=[(s.supplier, km_text(s.km)) for s in row.suggestions],
            )
        )
    return districts


@dataclass(frozen=True)
class AskedShown:
    """A row of the operator's list of the suppliers people asked for."""

    item: AskedSupplier
    category: str
    people: SafeString


def asked_rows(analysis: GapAnalysis, category: str) -> list[AskedShown]:
    return [
        AskedShown(
            item,
            str(category_label(item.category)) if item.category else gettext("not given"),
            people_html(item.people),
        )
        for item in analysis.asked_suppliers(category)
    ]


def all_rows(analysis: GapAnalysis) -> list[GapRow]:
    return [row for category in analysis.cells for row in analysis.rows(category)]


def _notes(analysis: GapAnalysis) -> list[str]:
    return [
        gettext(
            "Counts of people under 5 are shown as 'fewer than 5', zero included, so that no small group "
            "can be recognised; such a municipality is coloured only by whether a service is within reach."
        ),
        reach_note(analysis.radius),
        gettext(
            "People who need it: employees of member companies and their relatives, by the employee's home, "
            "from the profiles and the latest survey answer (the larger of the two, never both)."
        ),
        gettext(
            "Places: the capacity of the published offers serving the municipality (or their largest "
            "future session); the same places count in every municipality an offer serves."
        ),
        gettext(
            "Signals: people who sent signals still open, by kind; those who named no category are counted "
            "for their municipality in every category's row."
        ),
    ]


def gap_csv(analysis: GapAnalysis) -> bytes:
    """UTF-8 with a BOM and `;` between fields, as Excel in Italian opens it without asking."""
    out = io.StringIO()
    out.write(CSV_BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.title for column in columns()])
    for row in all_rows(analysis):
        values = cells(row)
        values[8] = km_text(row.nearest_km)
        writer.writerow([inert(value) for value in values])
    writer.writerow([])
    for note in _notes(analysis):
        writer.writerow([inert(note)])
    return out.getvalue().encode("utf-8")


def gap_xlsx(analysis: GapAnalysis) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Gaps")[:31]
    header = columns()
    sheet.append([column.title for column in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in all_rows(analysis):
        sheet.append([float(value) if isinstance(value, Decimal) else inert(value) for value in cells(row)])
        sheet.cell(row=sheet.max_row, column=9).number_format = "0.0"
    sheet.freeze_panes = "C2"
    for letter, width in zip("ABCDEFGHIJKLM", (28, 24, 10, 18, 12, 10, 10, 40, 12, 12, 12, 12, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = book.create_sheet(gettext("Notes")[:31])
    for note in _notes(analysis):
        notes.append([inert(note)])
    notes.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def gap_pdf(analysis: GapAnalysis, category: str, boundaries: dict[int, Any]) -> bytes:
    import weasyprint  # imported here: loading Pango is slow and only the PDF needs it
    from weasyprint.urls import URLFetcher

    rows = analysis.rows(category)
    html = render_to_string(
        "needs/pdf/gap_map.html",
        {
            "category_label": category_label(category),
            "map": svgmap.gap_svg(analysis, category, boundaries, links=False),
            "legend": svgmap.legend(),
            "rows": shown_rows(rows),
            "notes": _notes(analysis),
            "day": timezone.localdate(),
            "missing": sum(row.missing for row in rows),
        },
    )
    fetcher = URLFetcher(allowed_protocols=["data"])
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()  # type: ignore[no-any-return]
