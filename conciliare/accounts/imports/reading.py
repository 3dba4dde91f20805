"""Reads an uploaded employee file (CSV or XLSX) into plain rows of strings.

File-level problems raise `ImportFileError` with a translated message; nothing
is stored in that case. Row-level problems are the validator's job.
"""

import csv
import datetime
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

COLUMN_ALIASES = {
    "codice_fiscale": "fiscal_code",
    "cf": "fiscal_code",
    "fiscal_code": "fiscal_code",
    "nome": "first_name",
    "first_name": "first_name",
    "cognome": "last_name",
    "last_name": "last_name",
    "email": "email",
    "e_mail": "email",
    "categoria": "category",
    "category": "category",
    "comune_lavoro": "workplace",
    "sede": "workplace",
    "sede_di_lavoro": "workplace",
    "workplace": "workplace",
    "comune_residenza": "residence",
    "residenza": "residence",
    "residence": "residence",
    "data_assunzione": "hire_date",
    "hire_date": "hire_date",
}
REQUIRED_COLUMNS = ("fiscal_code", "first_name", "last_name", "email", "category", "workplace")
OPTIONAL_COLUMNS = ("residence", "hire_date")


class ImportFileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, {column: value})


def _normalize_header(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "_".join(value.strip().lower().replace("-", " ").split())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The CSV file is not in UTF-8 encoding. In Excel or LibreOffice save it as "
                "“CSV UTF-8” and upload it again."
            )
        ) from error
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV or XLSX spreadsheet."))
    # The header names the columns, so its most frequent separator is the file's:
    # Italian Excel writes ';', others ',' (csv.Sniffer guesses wrong on quoted cells).
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": error}) from error


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(_("The XLSX file could not be read; it may be damaged.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell_text(value) for value in values]
            if any(cells):
                rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _looks_like_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _looks_binary(data: bytes) -> bool:
    head = data[:2048]
    return b"\x00" in head or head.startswith(
        (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
    )


def read_employee_table(upload: UploadedFile) -> Table:
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_FILE_BYTES)}
        )
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is too large; the limit is %(limit)s.") % {"limit": filesizeformat(MAX_FILE_BYTES)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if _looks_like_xlsx(data):
        raw_rows = _read_xlsx(data)
    elif _looks_binary(data):
        raise ImportFileError(_("The file is not a CSV or XLSX spreadsheet."))
    else:
        raw_rows = _read_csv(data)
    if not raw_rows:
        raise ImportFileError(_("The file is empty."))
    header, *body = raw_rows
    columns = [COLUMN_ALIASES.get(_normalize_header(cell)) for cell in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(_column_label(name) for name in missing)}
        )
    if not body:
        raise ImportFileError(_("The file has column names but no employees."))
    if len(body) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(max)s rows; split it into smaller files.") % {"max": MAX_ROWS}
        )
    rows = []
    for line, cells in enumerate(body, start=2):
        record = dict.fromkeys((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS), "")
        for name, cell in zip(columns, cells, strict=False):
            if name:
                record[name] = cell.strip()
        rows.append((line, record))
    return Table(rows=rows)


# Italian column names, shown in messages and in the downloadable template.
COLUMN_LABELS = {
    "fiscal_code": "codice_fiscale",
    "first_name": "nome",
    "last_name": "cognome",
    "email": "email",
    "category": "categoria",
    "workplace": "comune_lavoro",
    "residence": "comune_residenza",
    "hire_date": "data_assunzione",
}


def _column_label(name: str) -> str:
    return COLUMN_LABELS.get(name, name)
