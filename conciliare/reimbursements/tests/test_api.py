"""The reimbursements API: create with a multipart upload, follow, review; role matrix; schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conciliare.api.tests.support import assert_error
from conciliare.ledger.models import LedgerTransaction
from conciliare.reimbursements.models import ReimbursementEvent, ReimbursementRequest, ReimbursementStatus, ReviewerKind
from conciliare.reimbursements.services import reimbursement_policy_set

from .factories import pdf_upload, request_details, submit

pytestmark = pytest.mark.django_db

LIST = "/api/v1/reimbursements/"


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _body(sofia, **overrides):
    data = {
        "bucket": "art51_c2_fbis",
        "category": "nursery",
        "amount": "120.00",
        "expense_date": request_details().expense_date.isoformat(),
        "family_member": sofia.pk,
        "addressed_to_name": "Anna Rossi",
        "names_beneficiary": "true",
        "names_service": "true",
        "receipt": pdf_upload(),
    }
    data.update(overrides)
    return data


def _state():
    return (
        list(ReimbursementRequest.objects.order_by("pk").values_list("pk", "status")),
        ReimbursementEvent.objects.count(),
        LedgerTransaction.objects.count(),
    )


@pytest.fixture
def anna_request(cast, plan, sofia):
    return submit(cast.employee_anna, request_details(family_member=sofia))


def test_the_employee_creates_a_request_with_a_multipart_upload(cast, plan, sofia):
    response = api(cast.employee_anna).post(LIST, _body(sofia), format="multipart")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["amount"] == 12_000
    assert body["family_member"] == sofia.pk
    assert body["category_label"] == "Nursery (asilo nido)"
    assert [item["id"] for item in body["checklist"]][:2] == ["bucket_reimbursable", "service_for_beneficiary"]
    assert body["checklist"][0]["text"].startswith("This fiscal bucket")  # the request's language
    assert [receipt["kind"] for receipt in body["receipts"]] == ["pdf"]
    assert [(event["from_status"], event["to_status"]) for event in body["events"]] == [("", "submitted")]

    listing = api(cast.employee_anna).get(LIST).json()
    assert [row["id"] for row in listing["results"]] == [body["id"]]


def test_a_blocked_request_answers_400_with_the_checklist(cast, plan, sofia):
    before = _state()
    response = api(cast.employee_anna).post(LIST, _body(sofia, family_member=""), format="multipart")
    error = assert_error(response, status=400, code="validation_error")
    assert error["fields"]["checklist"]
    assert _state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-10.00"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"bucket": "art51_c2_x"}, "bucket"),
        ({"expense_date": "2026-02-31"}, "expense_date"),
        ({"family_member": "999999"}, "family_member"),
        ({"receipt": SimpleUploadedFile("r.pdf", b"not a pdf", content_type="application/pdf")}, "receipt"),
        ({"receipt": SimpleUploadedFile("r.pdf", b"%PDF-" + b"0" * (30 * 1024 * 1024))}, "receipt"),
        ({"receipt": ""}, "receipt"),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_changes_nothing(cast, plan, sofia, overrides, field):
    before = _state()
    response = api(cast.employee_anna).post(LIST, _body(sofia, **overrides), format="multipart")
    error = assert_error(response, status=400, code="validation_error")
    assert field in error["fields"], error
    assert _state() == before


def test_a_foreign_family_member_is_refused(cast, plan, sofia):
    pietro = cast.employee_other_ugo.family_members.get()
    before = _state()
    response = api(cast.employee_anna).post(LIST, _body(sofia, family_member=pietro.pk), format="multipart")
    assert assert_error(response, status=400, code="validation_error")["fields"]["family_member"]
    assert _state() == before


@pytest.mark.parametrize("role", ["citizen_franco", "supplier_carla", "operator_olga", "hr_bruno"])
def test_people_without_employment_cannot_ask(cast, plan, sofia, role):
    before = _state()
    response = api(getattr(cast, role)).post(LIST, _body(sofia, family_member=""), format="multipart")
    assert_error(response, status=403, code="permission_denied")
    assert _state() == before


def test_the_operator_reviews_once(cast, anna_request):
    client = api(cast.operator_olga)
    queue = client.get(LIST, {"scope": "review"}).json()
    assert [row["id"] for row in queue["results"]] == [anna_request.pk]

    approved = client.post(f"{LIST}{anna_request.pk}/review/", {"decision": "approve"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["ledger_transaction"]

    count = LedgerTransaction.objects.count()
    again = client.post(f"{LIST}{anna_request.pk}/review/", {"decision": "approve"}, format="json")
    assert_error(again, status=409, code="conflict")
    assert LedgerTransaction.objects.count() == count


def test_a_rejection_needs_a_reason(cast, anna_request):
    before = _state()
    response = api(cast.operator_olga).post(f"{LIST}{anna_request.pk}/review/", {"decision": "reject"}, format="json")
    assert "reason" in assert_error(response, status=400, code="validation_error")["fields"]
    assert _state() == before


def test_resubmit_and_withdraw(cast, anna_request, sofia):
    api(cast.operator_olga).post(
        f"{LIST}{anna_request.pk}/review/", {"decision": "request_changes", "reason": "Illeggibile."}, format="json"
    )
    client = api(cast.employee_anna)
    resubmitted = client.post(f"{LIST}{anna_request.pk}/resubmit/", _body(sofia, amount="110.00"), format="multipart")
    assert resubmitted.status_code == 200, resubmitted.content
    assert resubmitted.json()["amount"] == 11_000 and len(resubmitted.json()["receipts"]) == 2
    withdrawn = client.post(f"{LIST}{anna_request.pk}/withdraw/")
    assert withdrawn.json()["status"] == ReimbursementStatus.WITHDRAWN
    assert_error(client.post(f"{LIST}{anna_request.pk}/withdraw/"), status=409, code="conflict")


OUTSIDERS = ["employee_other_ugo", "hr_bruno", "hr_other_ivo", "supplier_carla", "citizen_franco", "committee_cesare"]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_get_404_and_change_nothing(cast, anna_request, sofia, role):
    client = api(getattr(cast, role))
    before = _state()
    assert_error(client.get(f"{LIST}{anna_request.pk}/"), status=404, code="not_found")
    assert_error(
        client.post(f"{LIST}{anna_request.pk}/review/", {"decision": "approve"}, format="json"),
        status=404,
        code="not_found",
    )
    assert_error(client.post(f"{LIST}{anna_request.pk}/withdraw/"), status=404, code="not_found")
    assert_error(
        client.post(f"{LIST}{anna_request.pk}/resubmit/", _body(sofia), format="multipart"),
        status=404,
        code="not_found",
    )
    assert client.get(LIST).json()["results"] == []
    assert client.get(LIST, {"scope": "review"}).json()["results"] == []
    assert _state() == before


def test_the_reviewer_sees_but_does_not_own(cast, anna_request):
    client = api(cast.operator_olga)
    assert client.get(f"{LIST}{anna_request.pk}/").status_code == 200
    assert_error(client.post(f"{LIST}{anna_request.pk}/withdraw/"), status=404, code="not_found")


def test_the_employee_cannot_review_even_when_hr_reviews(cast, anna_request):
    reimbursement_policy_set(actor=cast.hr_bruno, company=cast.company, reviewer=ReviewerKind.HR)
    before = _state()
    response = api(cast.employee_anna).post(f"{LIST}{anna_request.pk}/review/", {"decision": "approve"}, format="json")
    assert_error(response, status=404, code="not_found")
    assert _state() == before
    assert (
        api(cast.hr_bruno).post(f"{LIST}{anna_request.pk}/review/", {"decision": "approve"}, format="json").status_code
        == 200
    )


def test_anonymous_is_401(cast, anna_request):
    assert api().get(LIST).status_code == 401
    assert api().post(f"{LIST}{anna_request.pk}/review/", {"decision": "approve"}, format="json").status_code == 401


def test_the_list_runs_the_same_queries_for_2_or_12_rows(cast, plan, sofia, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(cast.employee_anna)
    for index in range(2):
        submit(cast.employee_anna, request_details(family_member=sofia, amount=100 + index))
    with CaptureQueriesContext(connection) as two:
        client.get(LIST)
    for index in range(10):
        submit(cast.employee_anna, request_details(family_member=sofia, amount=200 + index))
    with CaptureQueriesContext(connection) as twelve:
        assert len(client.get(LIST).json()["results"]) == 12
    assert len(twelve) == len(two)


def test_the_operations_are_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert {
        "/api/v1/reimbursements/",
        "/api/v1/reimbursements/{reimbursement_id}/",
        "/api/v1/reimbursements/{reimbursement_id}/resubmit/",
        "/api/v1/reimbursements/{reimbursement_id}/withdraw/",
        "/api/v1/reimbursements/{reimbursement_id}/review/",
    } <= set(schema["paths"])
    create = schema["paths"]["/api/v1/reimbursements/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert {"201", "400", "403", "404", "409"} <= set(create["responses"])
