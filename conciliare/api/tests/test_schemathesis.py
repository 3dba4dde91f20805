"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in-process WSGI).

The app is `WSGIHandler()`, which runs with the test settings already configured by pytest-django
(`config.wsgi` would pick the production settings). Requests go through the same database
connection as the test, inside the test's transaction; each generated request runs in a savepoint
that is rolled back, so every example starts from the same data (the commit of an import can be
tried again and again, a DELETE does not starve the next examples).

What must hold for every generated request, valid or not:
- never a 5xx (`not_a_server_error`);
- the declared content type and, for documented status codes, the documented response schema;
- every 4xx uses the one error format {"error": {"code", "message", "fields"}}.

The deterministic tests at the end pin the schema/implementation mismatches the fuzzing found
(paginated lists documented as arrays, null values documented as non-nullable: now fixed and kept as
regression tests; error status codes not documented: still open, strict xfail).
"""

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conciliare.accounts.imports.services import employee_import_preview
from conciliare.accounts.models import EmployeeProfile, FamilyMember
from conciliare.catalogue.models import OfferPhoto, OfferSession
from conciliare.testing.factories import UserFactory, make_family_member, make_fiscal_code

from .support import csv_row, csv_upload, make_offer, make_supplier

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())

# Bounded so that the whole file runs in well under three minutes on two cores.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Operations whose 200 response is paginated ({"count", "next", "previous", "results"}).
PAGINATED_LISTS = {
    "GET /api/v1/municipalities/",
    "GET /api/v1/companies/{company_id}/employees/",
    "GET /api/v1/offers/",
}
# Operations anybody may call without signing in.
PUBLIC = {"GET /api/v1/municipalities/", "GET /api/v1/offers/", "GET /api/v1/offers/{offer_id}/"}


def error_responses_use_the_one_format(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx of the API is {"error": {"code": str, "message": str, "fields": {str: [str]}}}."""
    if not 400 <= response.status_code < 500:
        return
    body = json.loads(response.content)
    assert list(body) == ["error"], body
    error = body["error"]
    assert sorted(error) == ["code", "fields", "message"], error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    for name, messages in error["fields"].items():
        assert isinstance(name, str) and isinstance(messages, list), error
        assert all(isinstance(message, str) for message in messages), error


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Keep the test's connection open across requests, as Django's test client does.

    WSGIHandler sends request_started/request_finished, whose `close_old_connections` would
    close the connection in the middle of the test transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def ids(cast) -> dict[str, int]:
    """Real objects for the path parameters, so that generated requests get past the 404."""
    hr_parent = make_family_member(cast.hr_bruno, first_name="Rosa", relationship="parent", non_self_sufficient=True)
    preview = employee_import_preview(
        company=cast.company,
        actor=cast.hr_bruno,
        upload=csv_upload(csv_row("Giovanni", "Pezzoli", datetime.date(1988, 4, 12))),
    )
    supplier = make_supplier(cast.supplier, cast.supplier_carla)
    offer = make_offer(supplier, title="Nido Il Girasole")
    start = datetime.datetime(2099, 9, 1, 8, tzinfo=datetime.UTC)
    session = OfferSession.objects.create(
        offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=8), seats=10, seats_taken=2
    )
    photo = OfferPhoto.objects.create(
        offer=offer, alt_text="Sala", width=40, height=30, image="a.jpg", thumbnail="b.jpg"
    )
    # Anna's booking of that session, paid by bank transfer: the order endpoints reach a real order and line.
    from conciliare.orders.checkout import LineRequest, checkout

    toddler = make_family_member(
        cast.employee_anna, first_name="Leo", birth_date=datetime.date.today() - datetime.timedelta(days=800)
    )

    made = checkout(
        buyer=cast.employee_anna,
        requests=[LineRequest(offer_id=offer.pk, session_id=session.pk, member_id=toddler.pk)],
        payment_method="bank_transfer",
        idempotency_key="schemathesis-order",
    )
    order = made.orders.get()
    return {
        "order_id": order.pk,
        "line_id": order.lines.get().pk,
        "hr_company_id": cast.company.pk,
        "hr_member_id": hr_parent.pk,
        "employee_member_id": FamilyMember.objects.get(user=cast.employee_anna, first_name="Sofia").pk,
        "import_id": preview.pk,
        "supplier_id": supplier.pk,
        "offer_id": offer.pk,
        "session_id": session.pk,
        "photo_id": photo.pk,
    }


CATALOGUE_IDS = ("supplier_id", "offer_id", "session_id", "photo_id", "order_id", "line_id")


def _pin(case: Any, values: dict[str, int]) -> None:
    # Integer ids are replaced by real ones; the non-integer values of negative testing are kept,
    # so that malformed paths are still sent.
    for name, value in values.items():
        if name in (case.path_parameters or {}) and isinstance(case.path_parameters[name], int):
            case.path_parameters[name] = value


def _valid_identity_on_half_the_new_members(case: Any) -> None:
    """Random text never makes a valid codice fiscale: on half the positive examples of
    POST /me/family/ the identity fields are replaced by a consistent valid identity, so that
    the generated relationship and flags are carried through to a 201 (and its response schema)."""
    if case.operation.label != "POST /api/v1/me/family/" or case.meta is None:
        return
    if case.meta.generation.mode != GenerationMode.POSITIVE or not isinstance(case.body, dict):
        return
    if len(str(case.body.get("first_name", ""))) % 2:
        return
    born = datetime.date(2019, 2, 28)
    case.body.update(
        first_name="Leonardo",
        last_name="Rossi",
        birth_date=born.isoformat(),
        fiscal_code=make_fiscal_code("Leonardo", "Rossi", born, "M"),
    )


def _generated_cell_in_half_the_uploads(case: Any) -> None:
    """Random bytes are almost never a spreadsheet: on half the positive examples of an upload the
    generated content becomes the first-name cell of a CSV with a valid row, so that the row
    validation and the preview (201) are fuzzed too."""
    if case.operation.label != "POST /api/v1/companies/{company_id}/employee-imports/" or case.meta is None:
        return
    if case.meta.generation.mode != GenerationMode.POSITIVE or not isinstance(case.body, dict):
        return
    generated = getattr(case.body.get("file"), "data", case.body.get("file"))
    if not isinstance(generated, (bytes, str)) or len(generated) % 2:
        return
    cell = generated.decode("utf-8", "replace") if isinstance(generated, bytes) else generated
    upload = csv_upload(
        csv_row("Giovanni", "Pezzoli", datetime.date(1988, 4, 12)),
        csv_row(cell.replace("\x00", ""), "Lanfranchi", datetime.date(1991, 7, 30), gender="F"),
    )
    case.body["file"] = upload.read()


def _call_in_savepoint(case: Any, **kwargs: Any) -> Any:
    _valid_identity_on_half_the_new_members(case)
    _generated_cell_in_half_the_uploads(case)
    savepoint = transaction.savepoint()
    try:
        return case.call(**kwargs)
    finally:
        transaction.savepoint_rollback(savepoint)


CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, error_responses_use_the_one_format]


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_as_hr_manager_with_token(case, cast, ids, same_connection):
    # Given Bruno, HR manager of the company, with an API token; ids point at his company, his import
    # and his own family member.
    token = Token.objects.get_or_create(user=cast.hr_bruno)[0]
    _pin(case, {"company_id": ids["hr_company_id"], "import_id": ids["import_id"], "member_id": ids["hr_member_id"]})
    _pin(case, {name: ids[name] for name in CATALOGUE_IDS})

    # When any generated request is sent,
    response = _call_in_savepoint(case, headers={"Authorization": f"Token {token.key}"})

    # then it is not a server error and conforms to the schema and to the error format.
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_as_employee_with_token(case, cast, ids, same_connection):
    # Given Anna, an employee of the same company: the HR operations must refuse her without failing.
    token = Token.objects.get_or_create(user=cast.employee_anna)[0]
    _pin(
        case,
        {"company_id": ids["hr_company_id"], "import_id": ids["import_id"], "member_id": ids["employee_member_id"]},
    )
    _pin(case, {name: ids[name] for name in CATALOGUE_IDS})

    response = _call_in_savepoint(case, headers={"Authorization": f"Token {token.key}"})

    case.validate_response(response, checks=CHECKS)
    if case.operation.path.startswith("/api/v1/companies/") and case.method in ("GET", "POST"):
        assert response.status_code in (400, 404, 405, 406, 415), response.status_code
    if case.operation.path.startswith("/api/v1/suppliers/") and case.method in ("GET", "POST", "PATCH", "DELETE"):
        assert response.status_code in (404, 405, 406, 415), response.status_code


@schema.parametrize()
@settings(FUZZ, max_examples=5)
@pytest.mark.django_db
def test_api_anonymous(case, cast, ids, same_connection):
    # Given nobody signed in, only the municipalities and the catalogue's search and offer pages are
    # public; everything else is 401 (or a 4xx that does not depend on who is asking, such as 405 for a
    # method that does not exist).
    _pin(case, {"company_id": ids["hr_company_id"], "import_id": ids["import_id"], "member_id": ids["hr_member_id"]})
    _pin(case, {name: ids[name] for name in CATALOGUE_IDS})

    response = _call_in_savepoint(case)

    case.validate_response(response, checks=CHECKS)
    if case.operation.label not in PUBLIC and case.method in ("GET", "POST", "PATCH", "DELETE"):
        assert response.status_code in (401, 404, 405, 406, 415), response.status_code
        assert response.status_code != 200


@schema.include(path_regex=r"^/api/v1/(suppliers|offers|signals|payments)/").parametrize()
@FUZZ
@pytest.mark.django_db
def test_catalogue_api_as_supplier_staff_with_token(case, cast, ids, same_connection):
    # Given Carla, staff of an approved supplier with a published offer, a booked session and a photo:
    # generated requests reach her own objects (creating, publishing, removing...), and still no 5xx.
    token = Token.objects.get_or_create(user=cast.supplier_carla)[0]
    _pin(case, {name: ids[name] for name in CATALOGUE_IDS})

    response = _call_in_savepoint(case, headers={"Authorization": f"Token {token.key}"})

    case.validate_response(response, checks=CHECKS)


# --------------------------------------------------------------------------------------------------
# Deterministic checks of the schema/implementation mismatches the fuzzing above found
# --------------------------------------------------------------------------------------------------


def _call(case: Any, user: Any = None) -> Any:
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    return case.call(headers=headers)


@pytest.mark.django_db
def test_documented_operations_answer_their_documented_schema(cast, same_connection):
    # Positive control for the checks used above: /me/ and /me/family/ conform.
    for path in ("/api/v1/me/", "/api/v1/me/family/"):
        case = schema[path]["GET"].Case()
        response = _call(case, cast.employee_anna)
        assert response.status_code == 200
        case.validate_response(response, checks=[response_schema_conformance, status_code_conformance])


@pytest.mark.parametrize("path", sorted(PAGINATED_LISTS))
@pytest.mark.django_db
def test_paginated_lists_are_documented_as_paginated(cast, same_connection, path):
    operation = schema[path.split(" ", 1)[1]]["GET"]
    case = operation.Case(path_parameters={"company_id": cast.company.pk} if "company_id" in path else {})

    response = _call(case, cast.hr_bruno)

    assert response.status_code == 200
    case.validate_response(response, checks=[response_schema_conformance])


@pytest.mark.django_db
def test_error_status_codes_are_documented(cast, same_connection):
    case = schema["/api/v1/me/family/{member_id}/"]["GET"].Case(path_parameters={"member_id": 987654})

    response = _call(case, cast.employee_anna)

    assert response.status_code == 404
    case.validate_response(response, checks=[status_code_conformance])


@pytest.mark.django_db
def test_profile_without_residence_conforms_to_the_schema(cast, same_connection):
    citizen = UserFactory(first_name="Nadia", residence_municipality=None)
    case = schema["/api/v1/me/"]["GET"].Case()

    response = _call(case, citizen)

    assert response.status_code == 200
    assert response.json()["residence_municipality"] is None
    case.validate_response(response, checks=[response_schema_conformance])


@pytest.mark.django_db
def test_employee_without_fiscal_code_is_listed_as_the_schema_says(cast, same_connection):
    anna = cast.employee_anna
    anna.fiscal_code = None
    anna.save(update_fields=["fiscal_code"])
    case = schema["/api/v1/companies/{company_id}/employees/"]["GET"].Case(
        path_parameters={"company_id": cast.company.pk}
    )

    response = _call(case, cast.hr_bruno)

    assert response.status_code == 200
    assert [row["fiscal_code"] for row in response.json()["results"]] == [None]
    assert EmployeeProfile.objects.filter(company=cast.company).count() == 1
    employee_list = schema.raw_schema["components"]["schemas"]["EmployeeList"]
    assert employee_list["properties"]["fiscal_code"].get("nullable") is True
