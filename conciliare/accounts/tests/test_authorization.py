"""Authorization matrix: every role against every other role's objects, for pages and for the API.

Rule under test (see `conciliare/accounts/selectors.py`): an object that is not the caller's is
answered exactly like an object that does not exist — 404 — whoever the caller is (HR of the same
company, the operator, the committee...). Refused writes change nothing.
"""

import datetime
import json
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.authtoken.models import Token

from conciliare.accounts.imports.services import employee_import_preview
from conciliare.accounts.models import EmployeeImport, FamilyMember, User
from conciliare.api.tests.support import PDF_BYTES, assert_error, csv_row, csv_upload, json_body
from conciliare.conftest import Cast
from conciliare.testing.factories import make_family_member, make_fiscal_code

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"

# Every named person of the cast, by the attribute name of `Cast`.
EVERYBODY = [
    "employee_anna",
    "employee_other_ugo",
    "hr_bruno",
    "hr_other_ivo",
    "supplier_carla",
    "operator_olga",
    "committee_cesare",
    "consultant_dario",
    "monitoring_elena",
    "citizen_franco",
]
OWNERS = ["employee_anna", "employee_other_ugo"]
COMPANIES = {"company": "hr_bruno", "other_company": "hr_other_ivo"}  # company attribute -> its only HR manager

# (viewer, owner) pairs where the viewer is somebody else: 9 other people for each owner.
STRANGERS_TO_FAMILY = [(viewer, owner) for owner in OWNERS for viewer in EVERYBODY if viewer != owner]
# (viewer, company) pairs where the viewer is not that company's HR manager.
STRANGERS_TO_COMPANY = [(viewer, company) for company, hr in COMPANIES.items() for viewer in EVERYBODY if viewer != hr]


@dataclass
class World:
    cast: Cast
    health_member: dict[str, FamilyMember]  # owner attribute -> non-self-sufficient relative with a certificate
    imports: dict[str, EmployeeImport]  # company attribute -> an import waiting for confirmation

    def user(self, name: str) -> User:
        return getattr(self.cast, name)

    def company_id(self, name: str) -> int:
        return getattr(self.cast, name).pk


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _with_certificate(member: FamilyMember) -> FamilyMember:
    member.non_self_sufficiency_certificate.save("certificato.pdf", ContentFile(PDF_BYTES), save=True)
    return member


@pytest.fixture
def world(cast: Cast, private_storage) -> World:
    lucia = make_family_member(
        cast.employee_anna,
        first_name="Lucia",
        relationship="parent",
        birth_date=datetime.date(1944, 8, 20),
        non_self_sufficient=True,
    )
    pietro = FamilyMember.objects.get(user=cast.employee_other_ugo, first_name="Pietro")
    imports = {}
    for company_name, hr_name in COMPANIES.items():
        company = getattr(cast, company_name)
        imports[company_name] = employee_import_preview(
            company=company,
            actor=getattr(cast, hr_name),
            upload=csv_upload(
                csv_row("Giovanni", "Pezzoli", datetime.date(1988, 4, 12), email=f"giovanni.{company.pk}@example.it")
            ),
        )
    return World(
        cast=cast,
        health_member={"employee_anna": _with_certificate(lucia), "employee_other_ugo": _with_certificate(pietro)},
        imports=imports,
    )


def _member_snapshot(member: FamilyMember) -> tuple:
    member.refresh_from_db()
    return (
        member.user_id,
        member.first_name,
        member.last_name,
        member.fiscal_code,
        member.non_self_sufficient,
        member.non_self_sufficiency_certificate.name,
    )


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", EVERYBODY)
def test_every_role_reaches_its_own_area(world, login, viewer):
    # Given any signed-in person, when they open /area/, then they get their dashboard.
    response = login(world.user(viewer)).get("/area/")

    assert response.status_code == 200
    assert response.context["user"] == world.user(viewer)


def test_anonymous_visitor_is_sent_to_login_from_the_area(client):
    response = client.get("/area/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/area/"


@pytest.mark.parametrize("viewer", EVERYBODY)
def test_profile_page_shows_only_the_callers_own_data(world, login, viewer):
    # Given a signed-in person, when they open /profilo/, then the form and the family are theirs only.
    me = world.user(viewer)
    response = login(me).get("/profilo/")

    assert response.status_code == 200
    assert response.context["form"].instance == me
    assert list(response.context["family"]) == list(FamilyMember.objects.filter(user=me).order_by("birth_date", "pk"))
    html = response.content.decode()
    for other_name in EVERYBODY:
        other = world.user(other_name)
        if other != me:
            assert other.fiscal_code not in html
            assert other.email not in html


FAMILY_PAGES = {
    "edit": "/profilo/famiglia/{id}/",
    "delete": "/profilo/famiglia/{id}/elimina/",
    "certificate": "/profilo/famiglia/{id}/certificato/",
}


@pytest.mark.parametrize("page", list(FAMILY_PAGES))
@pytest.mark.parametrize("owner", OWNERS)
@pytest.mark.parametrize("viewer", EVERYBODY)
def test_family_member_pages_are_visible_to_their_owner_only(world, login, viewer, owner, page):
    # Given a non-self-sufficient relative (with certificate) of `owner`,
    member = world.health_member[owner]
    # when `viewer` opens its edit, delete or certificate page,
    response = login(world.user(viewer)).get(FAMILY_PAGES[page].format(id=member.pk))

    # then only the owner gets it; everybody else, HR and operator included, gets 404.
    expected = 200 if viewer == owner else 404
    assert response.status_code == expected
    if expected == 404:
        assert member.first_name not in response.content.decode()


@pytest.mark.parametrize("owner", OWNERS)
def test_owner_downloads_the_certificate_as_a_private_attachment(world, login, owner):
    member = world.health_member[owner]

    response = login(world.user(owner)).get(f"/profilo/famiglia/{member.pk}/certificato/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == f'attachment; filename="certificato-{member.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-store"


def test_certificate_uploaded_with_the_form_is_downloadable_by_the_owner_only(world, login, client):
    # Given Anna adds her non-self-sufficient grandfather with a PDF certificate through the form
    anna = world.cast.employee_anna
    born = datetime.date(1935, 2, 14)
    upload = ContentFile(PDF_BYTES, name="referto-mario-rossi.pdf")
    response = login(anna).post(
        "/profilo/famiglia/nuovo/",
        {
            "relationship": "grandparent",
            "first_name": "Mario",
            "last_name": "Rossi",
            "fiscal_code": make_fiscal_code("Mario", "Rossi", born, "M"),
            "birth_date": born.isoformat(),
            "non_self_sufficient": "on",
            "non_self_sufficiency_certificate": upload,
        },
    )
    assert response.status_code == 302
    member = FamilyMember.objects.get(user=anna, first_name="Mario")
    # the stored name keeps no personal data of the original file name
    assert "mario" not in member.non_self_sufficiency_certificate.name.lower()
    assert member.non_self_sufficiency_certificate.name.endswith(".pdf")

    # When she downloads it, then she gets the same bytes
    download = client.get(f"/profilo/famiglia/{member.pk}/certificato/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES

    # and the HR manager of her own company gets 404.
    client.force_login(world.cast.hr_bruno, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert client.get(f"/profilo/famiglia/{member.pk}/certificato/").status_code == 404


def test_certificate_page_of_a_member_without_certificate_is_404_even_for_the_owner(world, login):
    sofia = FamilyMember.objects.get(user=world.cast.employee_anna, first_name="Sofia")

    response = login(world.cast.employee_anna).get(f"/profilo/famiglia/{sofia.pk}/certificato/")

    assert response.status_code == 404


@pytest.mark.parametrize(("viewer", "owner"), STRANGERS_TO_FAMILY)
def test_posting_to_someone_elses_family_member_changes_nothing(world, login, viewer, owner):
    member = world.health_member[owner]
    before = _member_snapshot(member)
    count_before = FamilyMember.objects.count()
    client = login(world.user(viewer))

    # When another person posts an edit and a delete of the member,
    edit = client.post(
        f"/profilo/famiglia/{member.pk}/",
        {
            "relationship": "parent",
            "first_name": "Hacked",
            "last_name": member.last_name,
            "fiscal_code": member.fiscal_code,
            "birth_date": member.birth_date.isoformat(),
        },
    )
    delete = client.post(f"/profilo/famiglia/{member.pk}/elimina/")

    # then both are 404 and the member is untouched (still the owner's, same data, same certificate).
    assert edit.status_code == 404
    assert delete.status_code == 404
    assert _member_snapshot(member) == before
    assert FamilyMember.objects.count() == count_before


@pytest.mark.parametrize("owner", OWNERS)
def test_owner_can_delete_own_family_member(world, login, owner):
    # Positive control for the refusals above: the same request by the owner does delete.
    member = world.health_member[owner]

    response = login(world.user(owner)).post(f"/profilo/famiglia/{member.pk}/elimina/")

    assert response.status_code == 302
    assert response["Location"] == "/profilo/"
    assert not FamilyMember.objects.filter(pk=member.pk).exists()


HR_PAGES = {
    "people": "/aziende/{company_id}/persone/",
    "imports": "/aziende/{company_id}/importazioni/",
    "template": "/aziende/{company_id}/importazioni/modello.csv",
}


@pytest.mark.parametrize("page", list(HR_PAGES))
@pytest.mark.parametrize("company", list(COMPANIES))
@pytest.mark.parametrize("viewer", EVERYBODY)
def test_company_hr_pages_are_for_the_hr_manager_of_that_company_only(world, login, viewer, company, page):
    # When `viewer` opens an HR page of `company`,
    response = login(world.user(viewer)).get(HR_PAGES[page].format(company_id=world.company_id(company)))

    # then only that company's HR manager gets 200; the other company's HR, its employees,
    # the operator (even as superuser), committee, consultant, monitoring, supplier and citizen get 404.
    assert response.status_code == (200 if viewer == COMPANIES[company] else 404)


@pytest.mark.parametrize("page", list(HR_PAGES))
def test_anonymous_visitor_is_sent_to_login_from_hr_pages(world, client, page):
    url = HR_PAGES[page].format(company_id=world.company_id("company"))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={url}"


def test_hr_people_list_shows_the_company_staff_without_other_companies_or_health_data(world, login):
    # Given Anna (with a child and a non-self-sufficient mother) works at Bruno's company, Ugo at another,
    cast = world.cast

    # when Bruno opens the people list of his company,
    response = login(cast.hr_bruno).get(f"/aziende/{cast.company.pk}/persone/")

    # then it lists Anna and nobody else,
    assert response.status_code == 200
    listed = [profile.user for profile in response.context["page"].object_list]
    assert listed == [cast.employee_anna]
    html = response.content.decode()
    assert cast.employee_anna.fiscal_code in html
    # no person of the other company,
    assert cast.employee_other_ugo.fiscal_code not in html
    assert cast.employee_other_ugo.email not in html
    assert "Belotti" not in html
    # and no family or health data at all.
    for text in ("Sofia", "Lucia", "Pietro", "non autosufficiente", "not self-sufficient", "certificat"):
        assert text.lower() not in html.lower(), text


def test_hr_people_search_does_not_reach_other_companies(world, login):
    cast = world.cast

    response = login(cast.hr_bruno).get(f"/aziende/{cast.company.pk}/persone/", {"q": "Belotti"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


IMPORT_ACTIONS = {
    "preview": ("get", "/aziende/{company_id}/importazioni/{import_id}/"),
    "commit": ("post", "/aziende/{company_id}/importazioni/{import_id}/conferma/"),
    "discard": ("post", "/aziende/{company_id}/importazioni/{import_id}/annulla/"),
}


@pytest.mark.parametrize("action", list(IMPORT_ACTIONS))
@pytest.mark.parametrize(("viewer", "company"), STRANGERS_TO_COMPANY)
def test_import_pages_of_a_company_are_refused_to_everyone_but_its_hr(world, login, viewer, company, action):
    employee_import = world.imports[company]
    users_before = User.objects.count()
    method, url = IMPORT_ACTIONS[action]

    response = getattr(login(world.user(viewer)), method)(
        url.format(company_id=world.company_id(company), import_id=employee_import.pk)
    )

    assert response.status_code == 404
    employee_import.refresh_from_db()
    assert employee_import.status == EmployeeImport.Status.PREVIEW
    assert User.objects.count() == users_before


@pytest.mark.parametrize("action", list(IMPORT_ACTIONS))
def test_hr_cannot_reach_another_companys_import_through_own_company_url(world, login, action):
    # Given Bruno is HR of `company`; the import belongs to `other_company`.
    other_import = world.imports["other_company"]
    method, url = IMPORT_ACTIONS[action]

    response = getattr(login(world.cast.hr_bruno), method)(
        url.format(company_id=world.company_id("company"), import_id=other_import.pk)
    )

    assert response.status_code == 404
    other_import.refresh_from_db()
    assert other_import.status == EmployeeImport.Status.PREVIEW


def test_hr_previews_and_commits_own_import(world, login):
    # Positive control: the same pages work for the company's own HR manager.
    cast = world.cast
    own_import = world.imports["company"]
    client = login(cast.hr_bruno)

    assert client.get(f"/aziende/{cast.company.pk}/importazioni/{own_import.pk}/").status_code == 200
    response = client.post(f"/aziende/{cast.company.pk}/importazioni/{own_import.pk}/conferma/")

    assert response.status_code == 302
    assert response["Location"] == f"/aziende/{cast.company.pk}/persone/"
    own_import.refresh_from_db()
    assert own_import.status == EmployeeImport.Status.COMMITTED
    assert User.objects.get(email=f"giovanni.{cast.company.pk}@example.it").employee_profile.company == cast.company


@pytest.mark.parametrize("viewer", EVERYBODY)
def test_admin_console_is_for_staff_only(world, login, viewer):
    response = login(world.user(viewer)).get("/gestione/")

    if viewer == "operator_olga":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == "/gestione/login/?next=/gestione/"


def test_anonymous_visitor_is_sent_to_admin_login(client):
    response = client.get("/gestione/")

    assert response.status_code == 302
    assert response["Location"] == "/gestione/login/?next=/gestione/"


def test_admin_console_does_not_show_health_data_even_to_the_operator(world, login):
    # Given Ugo's father is not self-sufficient and has a certificate on file,
    pietro = world.health_member["employee_other_ugo"]
    client = login(world.cast.operator_olga)

    # when the operator opens the family member in the console,
    change = client.get(f"/gestione/accounts/familymember/{pietro.pk}/change/")
    listing = client.get("/gestione/accounts/familymember/")

    # then the page exists but carries neither the health fields nor the certificate.
    assert change.status_code == 200
    assert listing.status_code == 200
    for response in (change, listing):
        html = response.content.decode()
        assert 'name="non_self_sufficient"' not in html
        assert 'name="disability"' not in html
        assert "non_self_sufficiency_certificate" not in html
        assert pietro.non_self_sufficiency_certificate.name not in html


# --------------------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------------------


def _api_client(user: User | None, via: str) -> Client:
    """A client authenticated by session cookie or by `Authorization: Token <key>`."""
    if user is None:
        return Client()
    if via == "session":
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client
    token, _ = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


@pytest.mark.parametrize("via", ["session", "token"])
@pytest.mark.parametrize("viewer", EVERYBODY)
def test_api_me_returns_only_the_callers_data(world, viewer, via):
    me = world.user(viewer)

    response = _api_client(me, via).get("/api/v1/me/")

    assert response.status_code == 200
    body = json_body(response)
    assert body["email"] == me.email
    assert body["fiscal_code"] == me.fiscal_code
    assert (body["first_name"], body["last_name"]) == (me.first_name, me.last_name)
    text = response.content.decode()
    for other_name in EVERYBODY:
        other = world.user(other_name)
        if other != me:
            assert other.email not in text
            assert other.fiscal_code not in text


EXPECTED_FAMILY = {"employee_anna": ["Lucia", "Sofia"], "employee_other_ugo": ["Pietro"]}


@pytest.mark.parametrize("viewer", EVERYBODY)
def test_api_family_list_is_only_the_callers_family(world, viewer):
    response = _api_client(world.user(viewer), "session").get("/api/v1/me/family/")

    assert response.status_code == 200
    assert [member["first_name"] for member in json_body(response)] == EXPECTED_FAMILY.get(viewer, [])


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize(("viewer", "owner"), STRANGERS_TO_FAMILY)
def test_api_someone_elses_family_member_is_404_and_untouched(world, viewer, owner, method):
    member = world.health_member[owner]
    before = _member_snapshot(member)
    count_before = FamilyMember.objects.count()
    via = "token" if method == "get" else "session"
    client = _api_client(world.user(viewer), via)

    kwargs = {"data": json.dumps({"first_name": "Hacked"}), "content_type": "application/json"}
    response = getattr(client, method)(f"/api/v1/me/family/{member.pk}/", **(kwargs if method == "patch" else {}))

    error = assert_error(response, status=404, code="not_found")
    assert error["fields"] == {}
    assert member.first_name not in response.content.decode()
    assert _member_snapshot(member) == before
    assert FamilyMember.objects.count() == count_before


@pytest.mark.parametrize("via", ["session", "token"])
def test_api_owner_reads_patches_and_deletes_own_member(world, via):
    # Positive control with both authentications.
    member = world.health_member["employee_anna"]
    client = _api_client(world.cast.employee_anna, via)
    url = f"/api/v1/me/family/{member.pk}/"

    assert json_body(client.get(url))["first_name"] == "Lucia"
    patched = client.patch(url, data=json.dumps({"disability": True}), content_type="application/json")
    assert patched.status_code == 200
    assert json_body(patched)["disability"] is True
    assert client.delete(url).status_code == 204
    assert not FamilyMember.objects.filter(pk=member.pk).exists()


def test_api_anonymous_gets_401_in_the_error_format(world):
    member = world.health_member["employee_anna"]
    client = Client()

    for url in ("/api/v1/me/", "/api/v1/me/family/", f"/api/v1/me/family/{member.pk}/"):
        response = client.get(url)
        assert_error(response, status=401, code="not_authenticated")
        assert response["WWW-Authenticate"] == "Token"


def test_api_wrong_token_is_refused_with_401(world):
    client = Client(headers={"Authorization": "Token 0000000000000000000000000000000000000000"})

    response = client.get("/api/v1/me/")

    assert_error(response, status=401, code="authentication_failed")


@pytest.mark.parametrize("via", ["session", "token"])
@pytest.mark.parametrize("company", list(COMPANIES))
@pytest.mark.parametrize("viewer", EVERYBODY)
def test_api_company_employees_only_for_that_companys_hr(world, viewer, company, via):
    response = _api_client(world.user(viewer), via).get(f"/api/v1/companies/{world.company_id(company)}/employees/")

    if viewer == COMPANIES[company]:
        assert response.status_code == 200
        expected = world.cast.employee_anna if company == "company" else world.cast.employee_other_ugo
        assert [row["fiscal_code"] for row in json_body(response)["results"]] == [expected.fiscal_code]
    else:
        assert_error(response, status=404, code="not_found")


@pytest.mark.parametrize("company", list(COMPANIES))
def test_api_company_employees_anonymous_is_401(world, company):
    response = Client().get(f"/api/v1/companies/{world.company_id(company)}/employees/")

    assert_error(response, status=401, code="not_authenticated")


def test_api_company_employees_of_an_unknown_company_is_404_like_a_foreign_one(world):
    response = _api_client(world.cast.hr_bruno, "token").get("/api/v1/companies/987654/employees/")

    assert_error(response, status=404, code="not_found")


IMPORT_API = {
    "create": ("post", "/api/v1/companies/{company_id}/employee-imports/"),
    "detail": ("get", "/api/v1/companies/{company_id}/employee-imports/{import_id}/"),
    "commit": ("post", "/api/v1/companies/{company_id}/employee-imports/{import_id}/commit/"),
    "discard": ("post", "/api/v1/companies/{company_id}/employee-imports/{import_id}/discard/"),
}


@pytest.mark.parametrize("action", list(IMPORT_API))
@pytest.mark.parametrize(("viewer", "company"), STRANGERS_TO_COMPANY)
def test_api_employee_imports_of_a_company_are_404_for_everyone_but_its_hr(world, viewer, company, action):
    # (the HR manager's own imports are exercised in conciliare/api/tests/test_api.py)
    employee_import = world.imports[company]
    imports_before = EmployeeImport.objects.count()
    users_before = User.objects.count()
    method, url = IMPORT_API[action]
    client = _api_client(world.user(viewer), "token" if action == "detail" else "session")
    data = {"file": csv_upload(csv_row("Chiara", "Lanfranchi", datetime.date(1990, 6, 2), gender="F"))}

    response = getattr(client, method)(
        url.format(company_id=world.company_id(company), import_id=employee_import.pk),
        **({"data": data} if action == "create" else {}),
    )

    assert_error(response, status=404, code="not_found")
    employee_import.refresh_from_db()
    assert employee_import.status == EmployeeImport.Status.PREVIEW
    assert EmployeeImport.objects.count() == imports_before
    assert User.objects.count() == users_before


@pytest.mark.parametrize("action", ["detail", "commit", "discard"])
def test_api_hr_cannot_reach_another_companys_import_through_own_company(world, action):
    other_import = world.imports["other_company"]
    method, url = IMPORT_API[action]

    response = getattr(_api_client(world.cast.hr_bruno, "token"), method)(
        url.format(company_id=world.company_id("company"), import_id=other_import.pk)
    )

    assert_error(response, status=404, code="not_found")
    other_import.refresh_from_db()
    assert other_import.status == EmployeeImport.Status.PREVIEW


# --------------------------------------------------------------------------------------------------
# Second factor: roles that see other people's data must have one, whatever the authentication
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def mfa_required(settings):
    settings.CONCILIARE_MFA_REQUIRED = True


def test_api_by_session_refuses_hr_without_second_factor(world, mfa_required):
    # Given MFA is required and Bruno (HR) has not set up TOTP, when he calls the API with his session,
    response = _api_client(world.cast.hr_bruno, "session").get(
        f"/api/v1/companies/{world.company_id('company')}/employees/"
    )

    # then he is refused until he sets it up.
    assert_error(response, status=403, code="mfa_required")


def test_api_by_session_still_serves_an_employee_without_second_factor(world, mfa_required):
    # Positive control: employees are not required to have a second factor.
    response = _api_client(world.cast.employee_anna, "session").get("/api/v1/me/")

    assert response.status_code == 200


def test_api_by_token_refuses_hr_without_second_factor(world, mfa_required):
    # Given MFA is required, Bruno (HR) has no TOTP but holds an API token (made before the rule,
    # or by an administrator), when he calls the API with the token,
    response = _api_client(world.cast.hr_bruno, "token").get(
        f"/api/v1/companies/{world.company_id('company')}/employees/"
    )

    # then he is refused exactly as by session, and no employee data is returned.
    assert_error(response, status=403, code="mfa_required")


def test_api_by_token_serves_hr_once_the_second_factor_is_set_up(world, mfa_required):
    # Given Bruno (HR) has set up TOTP, when he calls the API with his token, then he is served.
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=world.cast.hr_bruno, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = _api_client(world.cast.hr_bruno, "token").get(
        f"/api/v1/companies/{world.company_id('company')}/employees/"
    )

    assert response.status_code == 200
