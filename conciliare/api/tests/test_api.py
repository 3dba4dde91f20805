"""Functional tests of the HTTP API (/api/v1/), its schema and its documentation page."""

import datetime
import io
import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from conciliare.accounts.models import EmployeeImport, EmployeeProfile, FamilyMember, Membership, User
from conciliare.core.models import AccessLog
from conciliare.testing.factories import UserFactory, make_employee, make_family_member, make_fiscal_code

from .support import CSV_HEADER, assert_error, csv_row, csv_upload, italian, json_body

pytestmark = pytest.mark.django_db

LOVERE, COSTA_VOLPINO, SARNICO = "016128", "016086", "016193"


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def api(login):
    """A signed-in API client whose 500s come back as responses, so they can be asserted on."""

    def _api(user: User) -> Client:
        client = login(user)
        client.raise_request_exception = False
        return client

    return _api


def patch_json(client: Client, url: str, data: object, **extra) -> object:
    return client.patch(url, data=json.dumps(data), content_type="application/json", **extra)


def post_json(client: Client, url: str, data: object, **extra) -> object:
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


# --------------------------------------------------------------------------------------------------
# /api/v1/me/
# --------------------------------------------------------------------------------------------------


def test_me_returns_the_callers_identity_and_employment(cast, api):
    anna = cast.employee_anna

    response = api(anna).get("/api/v1/me/")

    assert response.status_code == 200
    assert json_body(response) == {
        "email": anna.email,
        "first_name": "Anna",
        "last_name": "Rossi",
        "fiscal_code": anna.fiscal_code,
        "birth_date": anna.birth_date.isoformat(),
        "residence_municipality": COSTA_VOLPINO,
        "phone": "",
        "employment": {
            "company_id": cast.company.pk,
            "company": "Tessitura Sebina S.p.A.",
            "workplace": "Lovere",
            "contract_category": "impiegati",
            "hire_date": "2020-09-01",
            "shift_worker": False,
        },
    }


def test_me_of_a_citizen_has_no_employment(cast, api):
    response = api(cast.citizen_franco).get("/api/v1/me/")

    assert response.status_code == 200
    assert json_body(response)["employment"] is None
    assert json_body(response)["first_name"] == "Franco"


def test_me_patch_saves_a_valid_change(cast, api):
    # Given Anna, when she changes phone and residence,
    anna = cast.employee_anna

    response = patch_json(api(anna), "/api/v1/me/", {"phone": "+39 035 123456", "residence_municipality": LOVERE})

    # then the answer and the database have the new values and nothing else changed.
    assert response.status_code == 200
    body = json_body(response)
    assert (body["phone"], body["residence_municipality"]) == ("+39 035 123456", LOVERE)
    anna.refresh_from_db()
    assert anna.phone == "+39 035 123456"
    assert anna.residence_municipality.name == "Lovere"
    assert (anna.first_name, anna.last_name) == ("Anna", "Rossi")


def test_me_patch_changes_name_birth_date_and_matching_fiscal_code_together(cast, api):
    anna = cast.employee_anna
    born = datetime.date(1983, 11, 5)
    code = make_fiscal_code("Annamaria", "Rossi", born)

    response = patch_json(
        api(anna), "/api/v1/me/", {"first_name": "Annamaria", "birth_date": born.isoformat(), "fiscal_code": code}
    )

    assert response.status_code == 200
    anna.refresh_from_db()
    assert (anna.first_name, anna.birth_date, anna.fiscal_code) == ("Annamaria", born, code)


def test_me_patch_lowercase_fiscal_code_is_stored_normalized(cast, api):
    anna = cast.employee_anna

    response = patch_json(api(anna), "/api/v1/me/", {"fiscal_code": anna.fiscal_code.lower()})

    assert response.status_code == 200
    assert json_body(response)["fiscal_code"] == anna.fiscal_code


def test_me_patch_ignores_read_only_email(cast, api):
    # Given Anna, when she sends a new e-mail (not an input field), then the sign-in e-mail stays.
    anna = cast.employee_anna
    original = anna.email

    response = patch_json(api(anna), "/api/v1/me/", {"email": "attacker@example.it", "phone": "1"})

    assert response.status_code == 200
    assert json_body(response)["email"] == original
    anna.refresh_from_db()
    assert anna.email == original


def test_me_patch_invalid_fiscal_code_is_400_with_field_error(cast, api):
    anna = cast.employee_anna
    wrong = anna.fiscal_code[:15] + ("A" if anna.fiscal_code[15] != "A" else "B")  # wrong control letter

    response = patch_json(api(anna), "/api/v1/me/", {"fiscal_code": wrong})

    error = assert_error(response, status=400, code="validation_error")
    assert error["message"] == italian("The data sent is not valid.")
    expected = italian(
        "“%(code)s” is not a valid codice fiscale (check the characters and the control letter).", code=wrong
    )
    assert error["fields"] == {"fiscal_code": [expected]}
    anna.refresh_from_db()
    assert anna.fiscal_code != wrong


def test_me_patch_short_fiscal_code_is_400(cast, api):
    response = patch_json(api(cast.employee_anna), "/api/v1/me/", {"fiscal_code": "RSSNNA"})

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"fiscal_code": [italian("A codice fiscale has 16 characters.")]}


def test_me_patch_fiscal_code_not_matching_the_name_is_400(cast, api):
    # Given a valid codice fiscale of somebody called Mario Bianchi, born on Anna's birthday,
    anna = cast.employee_anna
    code = make_fiscal_code("Mario", "Bianchi", anna.birth_date, "F")
    before = anna.fiscal_code

    # when Anna Rossi sends it as hers,
    response = patch_json(api(anna), "/api/v1/me/", {"fiscal_code": code})

    # then it is refused with both mismatches, and her codice fiscale is unchanged.
    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {
        "fiscal_code": [
            italian("The codice fiscale does not match the surname."),
            italian("The codice fiscale does not match the first name."),
        ]
    }
    anna.refresh_from_db()
    assert anna.fiscal_code == before


def test_me_patch_birth_date_not_matching_the_fiscal_code_is_400(cast, api):
    anna = cast.employee_anna

    response = patch_json(api(anna), "/api/v1/me/", {"birth_date": "1999-12-31"})

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"fiscal_code": [italian("The codice fiscale does not match the birth date.")]}


def test_me_patch_fiscal_code_of_another_account_is_400(cast, api):
    # Given another account holds an omonym code (same name and birthday, other sex),
    anna = cast.employee_anna
    taken = make_fiscal_code("Anna", "Rossi", anna.birth_date, "M")
    UserFactory(first_name="Anna", last_name="Rossi", birth_date=anna.birth_date, fiscal_code=taken)

    response = patch_json(api(anna), "/api/v1/me/", {"fiscal_code": taken})

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"fiscal_code": [italian("This codice fiscale belongs to another account.")]}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"birth_date": 123}, "birth_date"),
        ({"birth_date": "31/12/1980"}, "birth_date"),
        ({"first_name": ["Anna"]}, "first_name"),
        ({"first_name": {"it": "Anna"}}, "first_name"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": "A" * 101}, "first_name"),
        ({"phone": {"n": 1}}, "phone"),
        ({"residence_municipality": 16128}, "residence_municipality"),
        ({"residence_municipality": "999999"}, "residence_municipality"),
        ({"fiscal_code": None}, "fiscal_code"),
        ({"fiscal_code": "RSSNNA71A46A794O\x00"}, "fiscal_code"),
        ([1, 2], "non_field_errors"),
        ("text", "non_field_errors"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_me_patch_wrong_types_are_400_never_500(cast, api, payload, field):
    anna = cast.employee_anna
    before = (anna.first_name, anna.phone, anna.birth_date, anna.residence_municipality_id, anna.fiscal_code)

    response = patch_json(api(anna), "/api/v1/me/", payload)

    error = assert_error(response, status=400, code="validation_error")
    assert list(error["fields"]) == [field]
    anna.refresh_from_db()
    assert (anna.first_name, anna.phone, anna.birth_date, anna.residence_municipality_id, anna.fiscal_code) == before


def test_me_patch_malformed_json_is_400_parse_error(cast, api):
    response = api(cast.employee_anna).patch("/api/v1/me/", data="{not json", content_type="application/json")

    assert_error(response, status=400, code="parse_error")


def test_me_patch_municipality_code_with_nul_character_is_400(cast, api):
    response = patch_json(api(cast.employee_anna), "/api/v1/me/", {"residence_municipality": "0161\x0028"})

    error = assert_error(response, status=400, code="validation_error")
    assert list(error["fields"]) == ["residence_municipality"]


# --------------------------------------------------------------------------------------------------
# /api/v1/me/family/
# --------------------------------------------------------------------------------------------------


def _sofia(cast) -> FamilyMember:
    return FamilyMember.objects.get(user=cast.employee_anna, first_name="Sofia")


def _new_member_payload(**overrides: object) -> dict:
    born = datetime.date(2019, 2, 28)
    payload = {
        "relationship": "child",
        "first_name": "Leonardo",
        "last_name": "Rossi",
        "fiscal_code": make_fiscal_code("Leonardo", "Rossi", born, "M"),
        "birth_date": born.isoformat(),
        "fiscally_dependent": True,
    }
    payload.update(overrides)
    return payload


def test_family_list_returns_own_members_with_exact_fields(cast, api):
    sofia = _sofia(cast)

    response = api(cast.employee_anna).get("/api/v1/me/family/")

    assert response.status_code == 200
    assert json_body(response) == [
        {
            "id": sofia.pk,
            "relationship": "child",
            "first_name": "Sofia",
            "last_name": "Rossi",
            "fiscal_code": make_fiscal_code("Sofia", "Rossi", datetime.date(2023, 5, 10)),
            "birth_date": "2023-05-10",
            "fiscally_dependent": True,
            "non_self_sufficient": False,
            "disability": False,
            "has_certificate": False,
        }
    ]


def test_family_create_adds_a_member_and_lists_it_by_birth_date(cast, api):
    client = api(cast.employee_anna)
    payload = _new_member_payload()

    response = post_json(client, "/api/v1/me/family/", payload)

    assert response.status_code == 201
    created = FamilyMember.objects.get(user=cast.employee_anna, first_name="Leonardo")
    assert json_body(response) == {
        "id": created.pk,
        **payload,
        "non_self_sufficient": False,
        "disability": False,
        "has_certificate": False,
    }
    assert [m["first_name"] for m in json_body(client.get("/api/v1/me/family/"))] == ["Leonardo", "Sofia"]


def test_family_create_with_health_data_is_recorded_in_the_access_log(cast, api):
    payload = _new_member_payload(relationship="parent", birth_date="1950-01-01", non_self_sufficient=True)
    payload["fiscal_code"] = make_fiscal_code("Leonardo", "Rossi", datetime.date(1950, 1, 1), "M")

    response = post_json(api(cast.employee_anna), "/api/v1/me/family/", payload)

    assert response.status_code == 201
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.action, entry.object_id, entry.subject_user_id) == (
        cast.employee_anna,
        "create",
        str(json_body(response)["id"]),
        cast.employee_anna.pk,
    )


def test_family_create_duplicate_fiscal_code_is_400(cast, api):
    sofia = _sofia(cast)
    payload = _new_member_payload(first_name="Sofia", fiscal_code=sofia.fiscal_code, birth_date="2023-05-10")

    response = post_json(api(cast.employee_anna), "/api/v1/me/family/", payload)

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"fiscal_code": [italian("This family member is already in your profile.")]}
    assert FamilyMember.objects.filter(user=cast.employee_anna).count() == 1


def test_family_create_with_own_fiscal_code_is_400(cast, api):
    anna = cast.employee_anna
    payload = _new_member_payload(first_name="Anna", fiscal_code=anna.fiscal_code, birth_date=str(anna.birth_date))

    response = post_json(api(anna), "/api/v1/me/family/", payload)

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"fiscal_code": [italian("This is your own codice fiscale.")]}


def test_family_create_future_birth_date_is_400(cast, api):
    future = timezone.localdate() + datetime.timedelta(days=30)
    payload = _new_member_payload(
        birth_date=future.isoformat(), fiscal_code=make_fiscal_code("Leonardo", "Rossi", future, "M")
    )

    response = post_json(api(cast.employee_anna), "/api/v1/me/family/", payload)

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"birth_date": [italian("The birth date cannot be in the future.")]}
    assert FamilyMember.objects.filter(user=cast.employee_anna).count() == 1


def test_family_create_fiscal_code_of_another_name_is_400(cast, api):
    payload = _new_member_payload(first_name="Matteo")

    response = post_json(api(cast.employee_anna), "/api/v1/me/family/", payload)

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"fiscal_code": [italian("The codice fiscale does not match the first name.")]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": 123}, "birth_date"),
        ({"relationship": "cousin"}, "relationship"),
        ({"fiscally_dependent": "maybe"}, "fiscally_dependent"),
        ({"first_name": None}, "first_name"),
        ({"fiscal_code": 12345}, "fiscal_code"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_family_create_wrong_types_are_400(cast, api, overrides, field):
    response = post_json(api(cast.employee_anna), "/api/v1/me/family/", _new_member_payload(**overrides))

    error = assert_error(response, status=400, code="validation_error")
    assert list(error["fields"]) == [field]
    assert FamilyMember.objects.filter(user=cast.employee_anna).count() == 1


def test_family_create_without_required_fields_lists_them_all(cast, api):
    response = post_json(api(cast.employee_anna), "/api/v1/me/family/", {})

    error = assert_error(response, status=400, code="validation_error")
    assert sorted(error["fields"]) == ["birth_date", "first_name", "fiscal_code", "last_name", "relationship"]


def test_family_patch_changes_only_the_sent_fields(cast, api):
    sofia = _sofia(cast)

    response = patch_json(api(cast.employee_anna), f"/api/v1/me/family/{sofia.pk}/", {"fiscally_dependent": False})

    assert response.status_code == 200
    assert json_body(response)["fiscally_dependent"] is False
    sofia.refresh_from_db()
    assert (sofia.fiscally_dependent, sofia.first_name, sofia.birth_date) == (
        False,
        "Sofia",
        datetime.date(2023, 5, 10),
    )
    assert AccessLog.objects.filter(action="update", object_id=str(sofia.pk)).count() == 1


def test_family_patch_invalid_value_is_400_and_changes_nothing(cast, api):
    sofia = _sofia(cast)

    response = patch_json(api(cast.employee_anna), f"/api/v1/me/family/{sofia.pk}/", {"first_name": "Giorgia"})

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"fiscal_code": [italian("The codice fiscale does not match the first name.")]}
    sofia.refresh_from_db()
    assert sofia.first_name == "Sofia"


def test_family_patch_unticking_non_self_sufficient_drops_the_certificate(cast, api, private_storage):
    # Given Ugo's father is not self-sufficient and has a certificate on file,
    pietro = FamilyMember.objects.get(user=cast.employee_other_ugo, first_name="Pietro")
    pietro.non_self_sufficiency_certificate.save("c.pdf", ContentFile(b"%PDF-1.4 x"), save=True)

    # when Ugo says he is self-sufficient again,
    response = patch_json(
        api(cast.employee_other_ugo), f"/api/v1/me/family/{pietro.pk}/", {"non_self_sufficient": False}
    )

    # then the change is saved and the certificate is gone.
    assert response.status_code == 200
    assert json_body(response)["has_certificate"] is False
    pietro.refresh_from_db()
    assert (pietro.non_self_sufficient, pietro.non_self_sufficiency_certificate.name) == (False, "")


def test_family_member_with_certificate_reports_it(cast, api, private_storage):
    pietro = FamilyMember.objects.get(user=cast.employee_other_ugo, first_name="Pietro")
    pietro.non_self_sufficiency_certificate.save("c.pdf", ContentFile(b"%PDF-1.4 x"), save=True)

    response = api(cast.employee_other_ugo).get(f"/api/v1/me/family/{pietro.pk}/")

    assert response.status_code == 200
    assert (json_body(response)["non_self_sufficient"], json_body(response)["has_certificate"]) == (True, True)


def test_family_delete_removes_the_member_then_404(cast, api):
    sofia = _sofia(cast)
    client = api(cast.employee_anna)

    first = client.delete(f"/api/v1/me/family/{sofia.pk}/")
    second = client.delete(f"/api/v1/me/family/{sofia.pk}/")

    assert first.status_code == 204
    assert first.content == b""
    assert not FamilyMember.objects.filter(pk=sofia.pk).exists()
    assert_error(second, status=404, code="not_found")
    assert json_body(client.get("/api/v1/me/family/")) == []


def test_family_collection_refuses_put_with_405_in_the_error_format(cast, api):
    response = api(cast.employee_anna).put("/api/v1/me/family/", data="{}", content_type="application/json")

    assert_error(response, status=405, code="method_not_allowed")


# --------------------------------------------------------------------------------------------------
# /api/v1/companies/<id>/employees/
# --------------------------------------------------------------------------------------------------

SURNAMES = [
    "Abate", "Agazzi", "Baldi", "Bana", "Benigni", "Bettoni", "Bianchi", "Brignoli", "Carminati", "Cattaneo",
    "Colombo", "Consoli", "Donadoni", "Facchinetti", "Fumagalli", "Gamba", "Gervasoni", "Locatelli", "Lorenzi",
    "Mazzoleni", "Mologni", "Nava", "Offredi", "Pesenti", "Quarenghi", "Ravasio", "Sala", "Tiraboschi",
    "Valsecchi", "Zanchi",
]  # fmt: skip


@pytest.fixture
def staff_of_31(cast):
    """Anna Rossi plus 30 colleagues called Marco, one per surname."""
    for surname in SURNAMES:
        make_employee(cast.company, first_name="Marco", last_name=surname)
    return cast


def test_employees_are_paginated_25_by_25_in_surname_order(staff_of_31, api):
    cast = staff_of_31
    client = api(cast.hr_bruno)
    url = f"/api/v1/companies/{cast.company.pk}/employees/"

    page_one = json_body(client.get(url))
    page_two = json_body(client.get(url, {"page": 2}))

    everyone = sorted([*SURNAMES, "Rossi"])
    assert page_one["count"] == 31
    assert page_one["next"] == f"http://testserver{url}?page=2"
    assert page_one["previous"] is None
    assert [row["last_name"] for row in page_one["results"]] == everyone[:25]
    assert page_two["count"] == 31
    assert page_two["next"] is None
    assert page_two["previous"] == f"http://testserver{url}"
    assert [row["last_name"] for row in page_two["results"]] == everyone[25:]
    assert "Belotti" not in json.dumps(page_one) + json.dumps(page_two)


def test_employees_page_size_is_honoured_up_to_100(staff_of_31, api):
    cast = staff_of_31
    url = f"/api/v1/companies/{cast.company.pk}/employees/"

    small = json_body(api(cast.hr_bruno).get(url, {"page_size": 10}))
    huge = json_body(api(cast.hr_bruno).get(url, {"page_size": 1000}))

    assert len(small["results"]) == 10
    assert small["next"] == f"http://testserver{url}?page=2&page_size=10"
    assert len(huge["results"]) == 31
    assert huge["next"] is None


def test_employees_page_out_of_range_is_404(staff_of_31, api):
    cast = staff_of_31

    response = api(cast.hr_bruno).get(f"/api/v1/companies/{cast.company.pk}/employees/", {"page": 3})

    assert_error(response, status=404, code="not_found")


def test_employee_row_has_exact_fields(cast, api):
    anna = cast.employee_anna

    body = json_body(api(cast.hr_bruno).get(f"/api/v1/companies/{cast.company.pk}/employees/"))

    assert body == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": anna.employee_profile.pk,
                "email": anna.email,
                "first_name": "Anna",
                "last_name": "Rossi",
                "fiscal_code": anna.fiscal_code,
                "contract_category": "impiegati",
                "workplace": LOVERE,
                "residence": COSTA_VOLPINO,
                "hire_date": "2020-09-01",
                "invited": False,
            }
        ],
    }


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("rossi", ["Rossi"]),
        ("ROSSI anna", ["Rossi"]),
        ("marco zanchi", ["Zanchi"]),
        ("ba", ["Abate", "Baldi", "Bana", "Gamba"]),
        ("nessuno", []),
        ("belotti", []),  # Ugo Belotti works at the other company
        ("", None),  # no search: everybody
    ],
)
def test_employees_search_matches_every_word(staff_of_31, api, search, expected):
    cast = staff_of_31

    body = json_body(
        api(cast.hr_bruno).get(f"/api/v1/companies/{cast.company.pk}/employees/", {"search": search, "page_size": 50})
    )

    names = [row["last_name"] for row in body["results"]]
    assert names == (sorted([*SURNAMES, "Rossi"]) if expected is None else expected)
    assert body["count"] == len(names)


def test_employees_search_by_fiscal_code_and_email(cast, api):
    anna = cast.employee_anna
    url = f"/api/v1/companies/{cast.company.pk}/employees/"

    by_code = json_body(api(cast.hr_bruno).get(url, {"search": anna.fiscal_code[:11].lower()}))
    by_mail = json_body(api(cast.hr_bruno).get(url, {"search": anna.email}))

    assert [row["id"] for row in by_code["results"]] == [anna.employee_profile.pk]
    assert [row["id"] for row in by_mail["results"]] == [anna.employee_profile.pk]


def test_employees_search_with_nul_character_is_not_a_server_error(cast, api):
    # PostgreSQL refuses NUL in text parameters: the search must drop it, not answer 500.
    response = api(cast.hr_bruno).get(f"/api/v1/companies/{cast.company.pk}/employees/", {"search": "ros\x00si"})

    assert response.status_code == 200
    assert [row["last_name"] for row in json_body(response)["results"]] == ["Rossi"]


def test_people_page_search_with_nul_character_is_not_a_server_error(cast, api):
    response = api(cast.hr_bruno).get(f"/aziende/{cast.company.pk}/persone/", {"q": "ros\x00si"})

    assert response.status_code == 200
    assert [profile.user for profile in response.context["page"].object_list] == [cast.employee_anna]


# --------------------------------------------------------------------------------------------------
# /api/v1/companies/<id>/employee-imports/
# --------------------------------------------------------------------------------------------------

GIOVANNI = ("Giovanni", "Pezzoli", datetime.date(1988, 4, 12), "M")
CHIARA = ("Chiara", "Lanfranchi", datetime.date(1991, 7, 30), "F")


def _three_rows_one_bad() -> SimpleUploadedFile:
    return csv_upload(
        csv_row(*GIOVANNI[:3], gender="M", workplace="Sarnico", residence="Lovere"),
        csv_row(*CHIARA[:3], gender="F", category="impiegati", workplace="Costa Volpino", hired="01/02/2022"),
        csv_row("Paolo", "Nembrini", datetime.date(1979, 1, 9), category="stagisti"),
    )


def _values(first, last, born, gender, **fields) -> dict:
    values = {
        "fiscal_code": make_fiscal_code(first, last, born, gender),
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}.{last.lower()}@example.it",
        "category": "operai",
        "workplace": "Lovere",
        "residence": "Costa Volpino",
        "hire_date": "2021-03-01",
    }
    values.update(fields)
    return values


def _upload(client: Client, company_id: int, upload: object) -> object:
    return client.post(f"/api/v1/companies/{company_id}/employee-imports/", {"file": upload})


def test_import_of_an_xlsx_workbook_reads_dates_and_rows(cast, api):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(CSV_HEADER.split(";"))
    first, last, born, gender = GIOVANNI
    sheet.append([make_fiscal_code(*GIOVANNI), first, last, "g.pezzoli@example.it", "quadri", "016128", "", None])
    sheet.append([make_fiscal_code(*CHIARA), "Chiara", "Lanfranchi", "c.l@example.it", "Impiegati", "sarnico", "",
                  datetime.datetime(2019, 5, 6)])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("dipendenti.xlsx", buffer.getvalue(), "application/octet-stream")

    body = json_body(_upload(api(cast.hr_bruno), cast.company.pk, upload))

    assert body["row_errors"] == []
    assert [(row["line"], row["values"]["category"], row["values"]["hire_date"]) for row in body["valid_rows"]] == [
        (2, "quadri", ""),
        (3, "Impiegati", "2019-05-06"),
    ]


def test_import_upload_returns_the_preview_and_changes_nobody(cast, api):
    users_before = User.objects.count()

    response = _upload(api(cast.hr_bruno), cast.company.pk, _three_rows_one_bad())

    assert response.status_code == 201
    body = json_body(response)
    created = EmployeeImport.objects.get()
    assert body == {
        "id": created.pk,
        "file_name": "dipendenti.csv",
        "status": "preview",
        "created_at": body["created_at"],
        "committed_at": None,
        "created_count": 0,
        "updated_count": 0,
        "valid_rows": [
            {"line": 2, "values": _values(*GIOVANNI, workplace="Sarnico", residence="Lovere"), "warnings": []},
            {
                "line": 3,
                "values": _values(*CHIARA, category="impiegati", workplace="Costa Volpino", hire_date="01/02/2022"),
                "warnings": [],
            },
        ],
        "row_errors": [
            {
                "line": 4,
                "values": _values("Paolo", "Nembrini", datetime.date(1979, 1, 9), "M", category="stagisti"),
                "errors": [
                    italian(
                        "Unknown category “%(value)s”: use one of %(allowed)s.",
                        value="stagisti",
                        allowed="operai, impiegati, quadri, dirigenti, apprendisti",
                    )
                ],
            }
        ],
    }
    assert datetime.datetime.fromisoformat(body["created_at"]) <= timezone.now()
    assert (created.company, created.uploaded_by) == (cast.company, cast.hr_bruno)
    assert User.objects.count() == users_before


def test_import_detail_returns_the_same_preview(cast, api):
    client = api(cast.hr_bruno)
    created = json_body(_upload(client, cast.company.pk, _three_rows_one_bad()))

    response = client.get(f"/api/v1/companies/{cast.company.pk}/employee-imports/{created['id']}/")

    assert response.status_code == 200
    assert json_body(response) == created


def test_import_commit_creates_the_people_and_invites_them(cast, api, django_capture_on_commit_callbacks):
    # Given a previewed file with two valid rows and one bad row,
    client = api(cast.hr_bruno)
    created = json_body(_upload(client, cast.company.pk, _three_rows_one_bad()))

    # when Bruno commits it,
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/companies/{cast.company.pk}/employee-imports/{created['id']}/commit/")

    # then the two valid people exist as employees of the company, invited by e-mail,
    assert response.status_code == 200
    body = json_body(response)
    assert (body["status"], body["created_count"], body["updated_count"]) == ("committed", 2, 0)
    assert body["committed_at"] is not None
    giovanni = User.objects.get(fiscal_code=make_fiscal_code(*GIOVANNI))
    chiara = User.objects.get(fiscal_code=make_fiscal_code(*CHIARA))
    assert (giovanni.email, giovanni.birth_date, giovanni.residence_municipality.name) == (
        "giovanni.pezzoli@example.it",
        datetime.date(1988, 4, 12),
        "Lovere",
    )
    assert giovanni.has_usable_password() is False
    profile = EmployeeProfile.objects.get(user=chiara)
    assert (profile.company, profile.workplace_municipality.name, profile.contract_category, profile.hire_date) == (
        cast.company,
        "Costa Volpino",
        "impiegati",
        datetime.date(2022, 2, 1),
    )
    assert (
        Membership.objects.filter(user__in=[giovanni, chiara], organization=cast.company, role="employee").count() == 2
    )
    # the bad row created nobody,
    assert not User.objects.filter(last_name="Nembrini").exists()
    # and each new person got one invitation.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "chiara.lanfranchi@example.it",
        "giovanni.pezzoli@example.it",
    ]
    # The HR list now shows them, marked as invited.
    listed = json_body(client.get(f"/api/v1/companies/{cast.company.pk}/employees/"))
    assert [(row["last_name"], row["invited"]) for row in listed["results"]] == [
        ("Lanfranchi", True),
        ("Pezzoli", True),
        ("Rossi", False),
    ]


def test_import_commit_twice_is_409_conflict(cast, api):
    client = api(cast.hr_bruno)
    created = json_body(_upload(client, cast.company.pk, _three_rows_one_bad()))
    url = f"/api/v1/companies/{cast.company.pk}/employee-imports/{created['id']}/commit/"
    assert client.post(url).status_code == 200
    users_after_first = User.objects.count()

    second = client.post(url)

    error = assert_error(second, status=409, code="conflict")
    assert error["message"] == italian("This import has already been confirmed or discarded.")
    assert User.objects.count() == users_after_first


def test_import_discard_then_commit_is_409_and_creates_nobody(cast, api):
    client = api(cast.hr_bruno)
    created = json_body(_upload(client, cast.company.pk, _three_rows_one_bad()))
    base = f"/api/v1/companies/{cast.company.pk}/employee-imports/{created['id']}"
    users_before = User.objects.count()

    discarded = client.post(f"{base}/discard/")
    commit = client.post(f"{base}/commit/")

    assert discarded.status_code == 200
    assert json_body(discarded)["status"] == "discarded"
    assert_error(commit, status=409, code="conflict")
    assert User.objects.count() == users_before
    assert EmployeeImport.objects.get().status == "discarded"


def test_import_commit_of_a_file_without_valid_rows_is_400(cast, api):
    client = api(cast.hr_bruno)
    created = json_body(
        _upload(
            client, cast.company.pk, csv_upload(csv_row("Paolo", "Nembrini", datetime.date(1979, 1, 9), category="x"))
        )
    )
    assert created["valid_rows"] == []

    response = client.post(f"/api/v1/companies/{cast.company.pk}/employee-imports/{created['id']}/commit/")

    error = assert_error(response, status=400, code="invalid")
    assert error["message"] == italian("There is no valid row to import.")


def test_import_row_of_another_companys_employee_is_an_error(cast, api):
    ugo = cast.employee_other_ugo
    row = csv_row("Ugo", "Belotti", ugo.birth_date, email=ugo.email, fiscal_code=ugo.fiscal_code)

    body = json_body(_upload(api(cast.hr_bruno), cast.company.pk, csv_upload(row)))

    assert body["valid_rows"] == []
    assert body["row_errors"][0]["errors"] == [
        italian("This person is registered as an employee of another company; ask the operator to transfer them.")
    ]


def test_import_empty_file_is_400_on_the_file_field(cast, api):
    response = _upload(api(cast.hr_bruno), cast.company.pk, SimpleUploadedFile("vuoto.csv", b"   \n", "text/csv"))

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"file": [italian("The file is empty.")]}
    assert error["message"] == italian("The file is empty.")
    assert EmployeeImport.objects.count() == 0


def test_import_header_without_rows_is_400(cast, api):
    response = _upload(api(cast.hr_bruno), cast.company.pk, csv_upload())

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"file": [italian("The file has column names but no employees.")]}


def test_import_zero_byte_file_is_400(cast, api):
    response = _upload(api(cast.hr_bruno), cast.company.pk, SimpleUploadedFile("zero.csv", b"", "text/csv"))

    error = assert_error(response, status=400, code="validation_error")
    assert list(error["fields"]) == ["file"]
    assert EmployeeImport.objects.count() == 0


def test_import_without_file_is_400(cast, api):
    response = api(cast.hr_bruno).post(f"/api/v1/companies/{cast.company.pk}/employee-imports/", {})

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"file": [italian("No file was submitted.")]}


def test_import_of_a_pdf_is_400(cast, api):
    upload = SimpleUploadedFile("dipendenti.csv", b"%PDF-1.4 not a table", "text/csv")

    response = _upload(api(cast.hr_bruno), cast.company.pk, upload)

    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"] == {"file": [italian("The file is not a CSV or XLSX spreadsheet.")]}


def test_import_sent_as_json_is_415(cast, api):
    response = post_json(api(cast.hr_bruno), f"/api/v1/companies/{cast.company.pk}/employee-imports/", {"file": "x"})

    assert_error(response, status=415, code="unsupported_media_type")


def test_import_file_name_with_control_characters_is_stored_without_them(cast, api):
    # Django's multipart parser drops non-printable characters from file names (PostgreSQL refuses NUL).
    upload = _three_rows_one_bad()
    upload.name = "dipen\x00denti.csv"

    response = _upload(api(cast.hr_bruno), cast.company.pk, upload)

    assert response.status_code == 201
    assert json_body(response)["file_name"] == "dipendenti.csv"
    assert EmployeeImport.objects.get().file_name == "dipendenti.csv"


# --------------------------------------------------------------------------------------------------
# /api/v1/municipalities/ (public)
# --------------------------------------------------------------------------------------------------


def test_municipalities_are_public_and_the_alliance_has_42():
    client = Client()

    alliance = json_body(client.get("/api/v1/municipalities/", {"alliance_only": "true", "page_size": 100}))
    everything = json_body(client.get("/api/v1/municipalities/"))

    assert alliance["count"] == 42
    assert len(alliance["results"]) == 42
    assert all(row["district"] in (5, 6, 7) for row in alliance["results"])
    assert alliance["results"][0] == {
        "istat_code": "016001",
        "name": "Adrara San Martino",
        "province": "BG",
        "district": 6,
        "latitude": "45.70228",
        "longitude": "9.94896",
        "population": 2169,
        "postal_code": "24060",
    }
    assert everything["count"] == 75
    assert len(everything["results"]) == 25
    assert everything["next"] == "http://testserver/api/v1/municipalities/?page=2"


@pytest.mark.parametrize(("value", "count"), [("1", 42), ("yes", 42), ("TRUE", 42), ("false", 75), ("", 75)])
def test_municipalities_alliance_only_flag_values(value, count):
    body = json_body(Client().get("/api/v1/municipalities/", {"alliance_only": value}))

    assert body["count"] == count


def test_municipalities_list_includes_neighbours_without_district():
    body = json_body(Client().get("/api/v1/municipalities/", {"page_size": 100}))

    outside = [row for row in body["results"] if row["district"] is None]
    assert len(outside) == 33
    assert [row["name"] for row in body["results"]] == sorted(row["name"] for row in body["results"])


# --------------------------------------------------------------------------------------------------
# Schema and documentation
# --------------------------------------------------------------------------------------------------


def test_generated_schema_is_valid_openapi_3():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)  # raises on an invalid document

    assert schema["openapi"].startswith("3.0")
    assert schema["info"]["title"] == "Conciliare API"
    assert sorted(schema["paths"]) == [
        "/api/v1/checkout/",
        "/api/v1/checkout/quote/",
        "/api/v1/companies/{company_id}/employee-imports/",
        "/api/v1/companies/{company_id}/employee-imports/{import_id}/",
        "/api/v1/companies/{company_id}/employee-imports/{import_id}/commit/",
        "/api/v1/companies/{company_id}/employee-imports/{import_id}/discard/",
        "/api/v1/companies/{company_id}/employees/",
        "/api/v1/companies/{company_id}/plans/",
        "/api/v1/companies/{company_id}/plans/{plan_id}/",
        "/api/v1/companies/{company_id}/plans/{plan_id}/activate/",
        "/api/v1/companies/{company_id}/plans/{plan_id}/bonuses/",
        "/api/v1/fund/applications/",
        "/api/v1/fund/applications/{application_id}/",
        "/api/v1/fund/applications/{application_id}/info-requests/",
        "/api/v1/fund/applications/{application_id}/votes/",
        "/api/v1/me/",
        "/api/v1/me/family/",
        "/api/v1/me/family/{member_id}/",
        "/api/v1/me/recommendations/",
        "/api/v1/me/wallets/",
        "/api/v1/me/wallets/movements/",
        "/api/v1/municipalities/",
        "/api/v1/needs/gaps/",
        "/api/v1/offers/",
        "/api/v1/offers/{offer_id}/",
        "/api/v1/orders/",
        "/api/v1/orders/{order_id}/",
        "/api/v1/orders/{order_id}/lines/{line_id}/cancel/",
        "/api/v1/payments/",
        "/api/v1/payments/{order_id}/confirm/",
        "/api/v1/reimbursements/",
        "/api/v1/reimbursements/{reimbursement_id}/",
        "/api/v1/reimbursements/{reimbursement_id}/resubmit/",
        "/api/v1/reimbursements/{reimbursement_id}/review/",
        "/api/v1/reimbursements/{reimbursement_id}/withdraw/",
        "/api/v1/signals/",
        "/api/v1/suppliers/{supplier_id}/bookings/",
        "/api/v1/suppliers/{supplier_id}/lines/{line_id}/confirm/",
        "/api/v1/suppliers/{supplier_id}/lines/{line_id}/decline/",
        "/api/v1/suppliers/{supplier_id}/lines/{line_id}/deliver/",
        "/api/v1/suppliers/{supplier_id}/offers/",
        "/api/v1/suppliers/{supplier_id}/offers/{offer_id}/",
        "/api/v1/suppliers/{supplier_id}/offers/{offer_id}/photos/",
        "/api/v1/suppliers/{supplier_id}/offers/{offer_id}/photos/{photo_id}/",
        "/api/v1/suppliers/{supplier_id}/offers/{offer_id}/publish/",
        "/api/v1/suppliers/{supplier_id}/offers/{offer_id}/sessions/",
        "/api/v1/suppliers/{supplier_id}/offers/{offer_id}/sessions/{session_id}/",
        "/api/v1/suppliers/{supplier_id}/offers/{offer_id}/withdraw/",
        "/api/v1/suppliers/{supplier_id}/orders/",
        "/api/v1/suppliers/{supplier_id}/vouchers/redeem/",
    ]


def test_spectacular_command_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.0")


def test_served_schema_is_valid_openapi_3():
    response = Client().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json_body(response)
    validate_schema(schema)
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_docs_page_uses_only_local_assets():
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    for external in ("cdn", "jsdelivr", "unpkg", "http://", "https://"):
        assert external not in html.lower(), external
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")) is not None, asset
    assert "/api/schema/" in html


# --------------------------------------------------------------------------------------------------
# Languages: pages are Italian first, the API follows Accept-Language
# --------------------------------------------------------------------------------------------------


def test_pages_stay_italian_whatever_the_browser_asks(cast, login):
    client = login(cast.employee_anna)

    not_found = client.get("/profilo/famiglia/987654/", HTTP_ACCEPT_LANGUAGE="en")
    form = client.post(
        "/profilo/",
        {
            "first_name": "Anna",
            "last_name": "Rossi",
            "fiscal_code": cast.employee_anna.fiscal_code,
            "birth_date": "2999-01-01",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert not_found.status_code == 404
    assert italian("Page not found") in not_found.content.decode()
    assert "Page not found" not in not_found.content.decode()
    assert form.status_code == 400
    assert italian("The birth date cannot be in the future.") in form.content.decode()
    assert "The birth date cannot be in the future." not in form.content.decode()


def test_pages_switch_to_english_only_with_the_language_cookie(cast, login, settings):
    client = login(cast.employee_anna)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/profilo/famiglia/987654/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_api_errors_are_italian_by_default_and_english_on_request(cast, api):
    client = api(cast.employee_anna)

    default = patch_json(client, "/api/v1/me/", {"birth_date": "2999-01-01"})
    english = patch_json(client, "/api/v1/me/", {"birth_date": "2999-01-01"}, HTTP_ACCEPT_LANGUAGE="en")

    assert default["Content-Language"] == "it"
    assert english["Content-Language"] == "en"
    italian_error = assert_error(default, status=400, code="validation_error")
    english_error = assert_error(english, status=400, code="validation_error")
    assert italian_error["message"] == italian("The data sent is not valid.")
    assert italian_error["fields"] == {"birth_date": [italian("The birth date cannot be in the future.")]}
    assert english_error["message"] == "The data sent is not valid."
    assert english_error["fields"] == {"birth_date": ["The birth date cannot be in the future."]}


def test_api_401_follows_accept_language():
    italian_401 = Client().get("/api/v1/me/")
    english_401 = Client().get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert assert_error(italian_401, status=401, code="not_authenticated")["message"] == italian(
        "Authentication credentials were not provided."
    )
    assert (
        assert_error(english_401, status=401, code="not_authenticated")["message"]
        == "Authentication credentials were not provided."
    )


def test_api_404_message_is_italian_by_default(cast, api):
    response = api(cast.employee_anna).get("/api/v1/me/family/987654/")

    error = assert_error(response, status=404, code="not_found")
    assert error["message"] == italian("Family member not found.")


def test_token_authentication_gives_the_same_answers_as_the_session(cast):
    token = Token.objects.create(user=cast.hr_bruno)
    by_token = Client(headers={"Authorization": f"Token {token.key}"})

    me = by_token.get("/api/v1/me/")
    employees = by_token.get(f"/api/v1/companies/{cast.company.pk}/employees/")

    assert json_body(me)["email"] == cast.hr_bruno.email
    assert json_body(employees)["count"] == 1


def test_family_list_of_ugo_does_not_include_a_new_member_of_anna(cast, api):
    # Given Anna adds a daughter, when Ugo lists his family, then he still sees only his father.
    make_family_member(cast.employee_anna, first_name="Giulia", birth_date=datetime.date(2020, 1, 1))

    body = json_body(api(cast.employee_other_ugo).get("/api/v1/me/family/"))

    assert [(m["first_name"], m["non_self_sufficient"]) for m in body] == [("Pietro", True)]
