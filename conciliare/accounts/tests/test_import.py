"""Employee import: every kind of bad input is reported, nothing partial is saved."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from conciliare.accounts.imports.reading import ImportFileError
from conciliare.accounts.imports.services import employee_import_commit, employee_import_preview
from conciliare.accounts.models import EmployeeImport, EmployeeProfile, Membership, User
from conciliare.core.errors import Conflict
from conciliare.testing.factories import make_fiscal_code


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; the Italian ones are checked once below."""
    with translation.override("en"):
        yield


HEADER = "codice_fiscale;nome;cognome;email;categoria;comune_lavoro;comune_residenza;data_assunzione"


def person_row(index: int, **overrides: str) -> dict[str, str]:
    first, last = "Giulia", ["Rota", "Pezzotta", "Bonomi", "Cattaneo", "Agazzi"][index % 5]
    birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=index * 11)
    row = {
        "codice_fiscale": make_fiscal_code(first, last, birth),
        "nome": first,
        "cognome": last,
        "email": f"giulia.{index}@example.it",
        "categoria": "impiegati",
        "comune_lavoro": "Lovere",
        "comune_residenza": "Costa Volpino",
        "data_assunzione": "2021-03-01",
    }
    row.update(overrides)
    return row


def csv_file(
    rows: list[dict[str, str]], *, name: str = "dipendenti.csv", encoding: str = "utf-8"
) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER.split(";"))
    writer.writerows(row.values() for row in rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[dict[str, str]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("dipendenti.xlsx", buffer.getvalue())


def preview(cast, upload):
    return employee_import_preview(company=cast.company, actor=cast.hr_bruno, upload=upload)


def errors_of(employee_import: EmployeeImport) -> dict[int, str]:
    return {row["line"]: " ".join(row["errors"]) for row in employee_import.row_errors}


# --- file-level problems: nothing is stored -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("vuoto.csv", b""), "empty"),
        (SimpleUploadedFile("solo-spazi.csv", b"  \n \n"), "empty"),
        (SimpleUploadedFile("intestazione.csv", (HEADER + "\n").encode()), "no employees"),
        (SimpleUploadedFile("foto.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100), "not a CSV or XLSX"),
        (SimpleUploadedFile("documento.xlsx", b"%PDF-1.7 binary"), "not a CSV or XLSX"),
        (SimpleUploadedFile("latin1.csv", (HEADER + "\nNicolò;Città\n").encode("latin-1")), "UTF-8"),
        (SimpleUploadedFile("colonne.csv", b"nome;cognome\nAnna;Rossi\n"), "Required columns are missing"),
        (SimpleUploadedFile("finto.xlsx", b"PK\x03\x04 not really a zip"), "not a CSV or XLSX"),
    ],
)
def test_unusable_files_are_refused_with_a_reason_and_store_nothing(cast, upload, message):
    with pytest.raises(ImportFileError) as raised:
        preview(cast, upload)
    assert message in raised.value.message
    assert EmployeeImport.objects.count() == 0


def test_a_20_mb_file_is_refused_before_reading_it(cast):
    big = SimpleUploadedFile("enorme.csv", (HEADER + "\n").encode() + b"x" * (20 * 1024 * 1024))
    with pytest.raises(ImportFileError) as raised:
        preview(cast, big)
    assert "too large" in raised.value.message
    assert EmployeeImport.objects.count() == 0


# --- row-level problems: reported one by one -------------------------------------------------------------------------


def test_each_kind_of_bad_row_is_reported_with_its_reason(cast):
    # given a file with one good row and one row for each kind of problem
    good = person_row(0)
    rows = [
        good,
        person_row(1, codice_fiscale="RSSMRA85M01A794Z"),  # wrong control letter
        person_row(2, comune_lavoro="Atlantide"),  # unknown municipality
        dict(good),  # duplicate of row 2
        person_row(4, email=""),  # missing e-mail
        person_row(5, data_assunzione="31/02/2021"),  # impossible date
        person_row(6, nome='=HYPERLINK("http://evil.example";"clic")'),  # formula injection
        person_row(7, categoria="stagisti"),  # unknown category
        person_row(8, email="non-una-email"),  # malformed e-mail
        person_row(9, cognome="Verdi"),  # codice fiscale of somebody else
        person_row(10, email=cast.employee_other_ugo.email),  # e-mail of another person
        person_row(11, codice_fiscale=cast.employee_other_ugo.fiscal_code, nome="Ugo", cognome="Belotti"),
    ]
    # when it is previewed
    result = preview(cast, csv_file(rows))
    # then every bad row has its own reason and only the good row is valid
    errors = errors_of(result)
    assert [row["line"] for row in result.valid_rows] == [2]
    assert sorted(errors) == list(range(3, 14))
    assert "not a valid codice fiscale" in errors[3]
    assert "Unknown municipality “Atlantide”" in errors[4]
    assert "Duplicate row" in errors[5] and "row 2" in errors[5]
    assert "email is missing" in errors[6]
    assert "Wrong date “31/02/2021”" in errors[7]
    assert "formulas" in errors[8] and "HYPERLINK" not in errors[8]
    assert "Unknown category “stagisti”" in errors[9]
    assert "not a valid e-mail" in errors[10]
    assert "does not match the surname" in errors[11]
    assert "belongs to another person" in errors[12]
    assert "employee of another company" in errors[13]
    # and nobody was created by the preview
    assert not User.objects.filter(email=good["email"]).exists()


def test_the_web_preview_shows_the_bad_rows_and_a_bad_file_is_a_400(cast, login):
    client = login(cast.hr_bruno)
    url = f"/aziende/{cast.company.pk}/importazioni/"
    response = client.post(url, {"file": csv_file([person_row(0), person_row(1, comune_lavoro="Atlantide")])})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Atlantide" in page.content.decode()
    refused = client.post(url, {"file": SimpleUploadedFile("vuoto.csv", b"")})
    assert refused.status_code == 400
    assert EmployeeImport.objects.count() == 1


def test_pages_are_italian_by_default(cast, login):
    client = login(cast.hr_bruno)
    response = client.post(f"/aziende/{cast.company.pk}/importazioni/", {"file": SimpleUploadedFile("x.csv", b"")})
    assert response.status_code == 400
    assert 'lang="it"' in response.content.decode()


# --- commit: all valid rows or nothing, idempotent ----------------------------------------------


def test_commit_imports_the_valid_rows_and_invites_the_new_people(cast, django_capture_on_commit_callbacks):
    result = preview(cast, xlsx_file([person_row(0), person_row(1), person_row(2, comune_lavoro="Atlantide")]))
    with django_capture_on_commit_callbacks(execute=True):
        done = employee_import_commit(employee_import=result, actor=cast.hr_bruno)
    assert (done.status, done.created_count, done.updated_count) == ("committed", 2, 0)
    giulia = User.objects.get(email="giulia.0@example.it")
    assert giulia.employee_profile.company == cast.company
    assert giulia.employee_profile.workplace_municipality.name == "Lovere"
    assert giulia.residence_municipality.name == "Costa Volpino"
    assert giulia.employee_profile.hire_date == datetime.date(2021, 3, 1)
    assert not giulia.has_usable_password()
    assert Membership.objects.filter(user=giulia, organization=cast.company, role="employee").count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["giulia.0@example.it", "giulia.1@example.it"]
    assert "/invito/" in mail.outbox[0].body


def test_reimporting_the_same_people_updates_them_without_duplicates(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = preview(cast, csv_file([person_row(0), person_row(1)]))
        employee_import_commit(employee_import=first, actor=cast.hr_bruno)
    assert len(mail.outbox) == 2
    mail.outbox.clear()
    second = preview(cast, csv_file([person_row(0, categoria="quadri", comune_lavoro="Sarnico"), person_row(1)]))
    with django_capture_on_commit_callbacks(execute=True):
        done = employee_import_commit(employee_import=second, actor=cast.hr_bruno)
    assert (done.created_count, done.updated_count) == (0, 2)
    assert EmployeeProfile.objects.filter(company=cast.company).count() == 3  # anna + the two
    profile = User.objects.get(email="giulia.0@example.it").employee_profile
    assert (profile.contract_category, profile.workplace_municipality.name) == ("quadri", "Sarnico")
    assert mail.outbox == []  # nobody is invited twice


def test_a_preview_cannot_be_committed_twice(cast):
    result = preview(cast, csv_file([person_row(0)]))
    employee_import_commit(employee_import=result, actor=cast.hr_bruno)
    with pytest.raises(Conflict):
        employee_import_commit(employee_import=result, actor=cast.hr_bruno)
    assert User.objects.filter(email="giulia.0@example.it").count() == 1


def test_commit_is_all_or_nothing_when_data_changed_since_the_preview(cast):
    result = preview(cast, csv_file([person_row(0), person_row(1)]))
    # meanwhile someone else registers with the e-mail of the second row
    User.objects.create_user(email="giulia.1@example.it")
    with pytest.raises(Conflict):
        employee_import_commit(employee_import=result, actor=cast.hr_bruno)
    assert not User.objects.filter(email="giulia.0@example.it").exists()
    result.refresh_from_db()
    assert result.status == "preview"


def test_the_invited_person_sets_a_password_once(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        employee_import_commit(employee_import=preview(cast, csv_file([person_row(0)])), actor=cast.hr_bruno)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invito/" in line).strip()
    path = link[link.index("/invito/") :]
    assert client.get(path).status_code == 200
    response = client.post(path, {"new_password1": "Lago-d-Iseo-2026", "new_password2": "Lago-d-Iseo-2026"})
    assert response.status_code == 302
    giulia = User.objects.get(email="giulia.0@example.it")
    assert giulia.check_password("Lago-d-Iseo-2026")
    assert giulia.emailaddress_set.get().verified
    assert client.get(path).status_code == 400  # the link works once


# --- query counts do not grow with rows ------------------------------------------------------------------------------


def _preview_queries(cast, count: int) -> int:
    upload = csv_file([person_row(i) for i in range(count)])
    with CaptureQueriesContext(connection) as queries:
        preview(cast, upload)
    return len(queries)


def test_preview_query_count_does_not_grow_with_rows(cast):
    assert _preview_queries(cast, 5) == _preview_queries(cast, 120)


def test_errors_are_in_italian_by_default(cast):
    with translation.override("it"):
        with pytest.raises(ImportFileError) as raised:
            preview(cast, SimpleUploadedFile("vuoto.csv", b""))
        result = preview(cast, csv_file([person_row(0), person_row(0)]))
    assert raised.value.message == "Il file è vuoto."
    assert "riga 2" in errors_of(result)[3]
