"""Helpers shared by the API tests and the authorization matrix: CSV files, PDFs, error bodies."""

import datetime
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext

from conciliare.testing.factories import make_fiscal_code

CSV_HEADER = "codice_fiscale;nome;cognome;email;categoria;comune_lavoro;comune_residenza;data_assunzione"

# The smallest file the upload check accepts as a PDF (it sniffs the "%PDF-" signature).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def csv_row(
    first_name: str,
    last_name: str,
    born: datetime.date,
    *,
    email: str | None = None,
    category: str = "operai",
    workplace: str = "Lovere",
    residence: str = "Costa Volpino",
    hired: str = "2021-03-01",
    gender: str = "M",
    fiscal_code: str | None = None,
) -> str:
    code = fiscal_code or make_fiscal_code(first_name, last_name, born, gender)
    email = email or f"{first_name.lower()}.{last_name.lower()}@example.it"
    return ";".join([code, first_name, last_name, email, category, workplace, residence, hired])


def csv_upload(*rows: str, name: str = "dipendenti.csv", header: str = CSV_HEADER) -> SimpleUploadedFile:
    text = "\n".join([header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def json_body(response: HttpResponse) -> Any:
    return json.loads(response.content)


def assert_error(response: HttpResponse, *, status: int, code: str) -> dict[str, Any]:
    """The one error format of the API: {"error": {"code", "message", "fields"}} and nothing else."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = json_body(response)
    assert list(body) == ["error"]
    assert sorted(body["error"]) == ["code", "fields", "message"]
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"] != ""
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def italian(msgid: str, **params: Any) -> str:
    """The Italian text of a message, checked to be really translated (not the English msgid)."""
    with translation.override("it"):
        text = gettext(msgid)
    assert text != msgid, f"no Italian translation for {msgid!r}"
    return text % params if params else text
