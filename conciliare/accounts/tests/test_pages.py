"""Profile, family, declaration and the HR people list, through the pages."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conciliare.accounts.models import DependentChildrenDeclaration, FamilyMember
from conciliare.core.models import AccessLog
from conciliare.testing.factories import make_employee, make_fiscal_code

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def family_form(first="Leo", last="Rossi", born=datetime.date(2019, 6, 1), **extra):
    data = {
        "relationship": "child",
        "first_name": first,
        "last_name": last,
        "fiscal_code": make_fiscal_code(first, last, born),
        "birth_date": born.isoformat(),
        "fiscally_dependent": "on",
    }
    data.update(extra)
    return data


def test_home_page_is_italian_and_explains_the_platform(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="it">' in body
    assert "Val Cavallina" in body


def test_english_is_available_through_the_language_switch(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_every_role_lands_on_its_own_home(cast, login):
    expectations = {
        "employee": "My family",
        "hr_manager": cast.company.name,
        "supplier_staff": cast.supplier.name,
        "operator_admin": "gestione",
        "fund_committee": cast.operator.name,
        "consultant": cast.other_company.name,
        "monitoring": "Val Cavallina",
        "citizen": 'data-role="citizen"',
    }
    for role, user in cast.role_users().items():
        client = login(user)
        client.cookies["django_language"] = "en"
        response = client.get("/area/")
        assert response.status_code == 200, role
        assert expectations[role] in response.content.decode(), role
        client.logout()


def test_profile_update_checks_the_fiscal_code_against_the_person(cast, login):
    client = login(cast.employee_anna)
    anna = cast.employee_anna
    data = {
        "first_name": anna.first_name,
        "last_name": "Bianchi",
        "fiscal_code": anna.fiscal_code,
        "birth_date": anna.birth_date.isoformat(),
        "residence_municipality": anna.residence_municipality_id,
        "phone": "035 000000",
    }
    response = client.post("/profilo/", data)
    assert response.status_code == 400
    anna.refresh_from_db()
    assert anna.last_name == "Rossi"
    data["last_name"] = "Rossi"
    assert client.post("/profilo/", data).status_code == 302
    anna.refresh_from_db()
    assert anna.phone == "035 000000"


def test_add_edit_and_remove_a_family_member(cast, login):
    client = login(cast.employee_anna)
    assert client.post("/profilo/famiglia/nuovo/", family_form()).status_code == 302
    leo = FamilyMember.objects.get(user=cast.employee_anna, first_name="Leo")
    assert leo.fiscally_dependent
    assert client.post(f"/profilo/famiglia/{leo.pk}/", family_form(fiscally_dependent="")).status_code == 302
    leo.refresh_from_db()
    assert not leo.fiscally_dependent
    assert client.post(f"/profilo/famiglia/{leo.pk}/elimina/").status_code == 302
    assert not FamilyMember.objects.filter(pk=leo.pk).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fiscal_code": "RSSLEO19H01A794Z"}, "codice fiscale"),
        ({"last_name": "Verdi"}, "surname"),
        ({"birth_date": "2019-06-02"}, "birth date"),
        ({"birth_date": "2999-01-01"}, "future"),
        ({"birth_date": "ieri"}, "date"),
        ({"relationship": "cousin"}, "choice"),
    ],
)
def test_bad_family_data_is_refused_and_nothing_is_saved(cast, login, change, message):
    client = login(cast.employee_anna)
    client.cookies["django_language"] = "en"
    response = client.post("/profilo/famiglia/nuovo/", family_form(**change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FamilyMember.objects.filter(first_name="Leo").exists()


def test_certificate_is_type_checked_private_and_every_access_is_logged(cast, login):
    client = login(cast.employee_anna)
    fake = SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 not a pdf")
    data = family_form("Rosa", "Rossi", datetime.date(1940, 2, 2), relationship="parent", non_self_sufficient="on")
    refused = client.post("/profilo/famiglia/nuovo/", {**data, "non_self_sufficiency_certificate": fake})
    assert refused.status_code == 400
    assert not FamilyMember.objects.filter(first_name="Rosa").exists()
    good = SimpleUploadedFile("certificato Rosa Rossi.pdf", PDF)
    assert (
        client.post("/profilo/famiglia/nuovo/", {**data, "non_self_sufficiency_certificate": good}).status_code == 302
    )
    rosa = FamilyMember.objects.get(first_name="Rosa")
    assert "Rosa" not in rosa.non_self_sufficiency_certificate.name  # no personal data in the stored name
    response = client.get(f"/profilo/famiglia/{rosa.pk}/certificato/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    actions = list(AccessLog.objects.filter(object_id=str(rosa.pk)).values_list("action", "actor_id"))
    assert ("create", cast.employee_anna.pk) in actions
    assert ("download", cast.employee_anna.pk) in actions


def test_a_20_mb_certificate_is_refused(cast, login):
    client = login(cast.employee_anna)
    big = SimpleUploadedFile("c.pdf", PDF + b"0" * (20 * 1024 * 1024))
    data = family_form("Rosa", "Rossi", datetime.date(1940, 2, 2), relationship="parent", non_self_sufficient="on")
    assert client.post("/profilo/famiglia/nuovo/", {**data, "non_self_sufficiency_certificate": big}).status_code == 400
    assert not FamilyMember.objects.filter(first_name="Rosa").exists()


def test_dependent_children_declaration_is_signed_replaced_and_withdrawn(cast, login):
    client = login(cast.employee_anna)
    assert client.post("/profilo/dichiarazione-figli/", {}).status_code == 400
    assert client.post("/profilo/dichiarazione-figli/", {"confirm": "on"}).status_code == 302
    assert client.post("/profilo/dichiarazione-figli/", {"confirm": "on"}).status_code == 302
    declarations = DependentChildrenDeclaration.objects.filter(user=cast.employee_anna)
    assert declarations.count() == 2
    active = declarations.get(withdrawn_at__isnull=True)
    assert [child["first_name"] for child in active.children] == ["Sofia"]
    client.post("/profilo/dichiarazione-figli/revoca/")
    assert not declarations.filter(withdrawn_at__isnull=True).exists()


def test_a_declaration_without_dependent_children_is_refused(cast, login):
    client = login(cast.hr_bruno)
    assert client.post("/profilo/dichiarazione-figli/", {"confirm": "on"}).status_code == 400
    assert not DependentChildrenDeclaration.objects.exists()


def test_people_list_searches_and_pages(cast, login):
    for _ in range(30):
        make_employee(cast.company)
    client = login(cast.hr_bruno)
    url = f"/aziende/{cast.company.pk}/persone/"
    first = client.get(url)
    assert first.context["page"].paginator.count == 31
    assert len(first.context["page"].object_list) == 25
    assert len(client.get(url + "?page=2").context["page"].object_list) == 6
    found = client.get(url, {"q": cast.employee_anna.fiscal_code})
    assert [p.user for p in found.context["page"].object_list] == [cast.employee_anna]
    assert client.get(url + "?page=abc").status_code == 200


def _people_list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_people_list_query_count_does_not_grow_with_rows(cast, login):
    client = login(cast.hr_bruno)
    url = f"/aziende/{cast.company.pk}/persone/"
    make_employee(cast.company)
    few = _people_list_queries(client, url)
    for _ in range(40):
        make_employee(cast.company)
    assert _people_list_queries(client, url) == few


def test_unticking_not_self_sufficient_drops_the_certificate(cast, login, django_capture_on_commit_callbacks):
    client = login(cast.employee_anna)
    data = family_form("Rosa", "Rossi", datetime.date(1940, 2, 2), relationship="parent", non_self_sufficient="on")
    certificate = SimpleUploadedFile("c.pdf", PDF)
    client.post("/profilo/famiglia/nuovo/", {**data, "non_self_sufficiency_certificate": certificate})
    rosa = FamilyMember.objects.get(first_name="Rosa")
    stored = rosa.non_self_sufficiency_certificate.name
    storage = rosa.non_self_sufficiency_certificate.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/profilo/famiglia/{rosa.pk}/", {**data, "non_self_sufficient": ""})
    assert response.status_code == 302
    rosa.refresh_from_db()
    assert (rosa.non_self_sufficient, rosa.non_self_sufficiency_certificate.name) == (False, "")
    assert not storage.exists(stored)
