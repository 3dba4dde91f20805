"""Bad input gets a clear 4xx and changes nothing: amounts, documents, dates, other people's ids."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conciliare.core.errors import InvalidInput
from conciliare.ledger.models import LedgerTransaction
from conciliare.reimbursements.models import ReimbursementEvent, ReimbursementReceipt, ReimbursementRequest
from conciliare.reimbursements.services import reimbursement_submit

from .factories import pdf_upload, request_details

pytestmark = pytest.mark.django_db

THIRTY_MB = 30 * 1024 * 1024


def _nothing_saved(private_storage) -> None:
    assert ReimbursementRequest.objects.count() == 0
    assert ReimbursementReceipt.objects.count() == 0
    assert ReimbursementEvent.objects.count() == 0
    assert not (private_storage / "reimbursements").exists() or not any(
        (private_storage / "reimbursements").rglob("*.*")
    )


def _refused(cast, details, receipt=None) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        reimbursement_submit(actor=cast.employee_anna, details=details, receipt=receipt or pdf_upload())
    return refused.value


@pytest.mark.parametrize("amount", [0, -1, -12_000, 10_000_001])
def test_amounts_that_are_not_positive_or_absurd_are_refused(cast, plan, sofia, private_storage, amount):
    error = _refused(cast, request_details(family_member=sofia, amount=amount))
    assert list(error.fields) == ["amount"]
    _nothing_saved(private_storage)


def test_more_than_the_credit_is_refused(cast, plan, sofia, private_storage):
    error = _refused(cast, request_details(family_member=sofia, amount=40_001))
    assert "amount" in error.fields and "400,00" in error.message
    _nothing_saved(private_storage)


def test_a_30_mb_receipt_is_refused(cast, plan, sofia, private_storage):
    huge = SimpleUploadedFile("ricevuta.pdf", b"%PDF-1.4\n" + b"0" * THIRTY_MB, content_type="application/pdf")
    error = _refused(cast, request_details(family_member=sofia), huge)
    assert error.fields == {"receipt": ["The file is too large (30.0\xa0MB); the limit is 10.0\xa0MB."]}
    _nothing_saved(private_storage)


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 not a pdf at all", b"<html><script>alert(1)</script></html>", b"", b"GIF89a......"],
)
def test_a_pdf_that_is_not_a_pdf_is_refused(cast, plan, sofia, private_storage, content):
    fake = SimpleUploadedFile("ricevuta.pdf", content, content_type="application/pdf")
    error = _refused(cast, request_details(family_member=sofia), fake)
    assert error.fields == {"receipt": ["Only PDF, PNG or JPEG documents are accepted."]}
    _nothing_saved(private_storage)


def test_a_missing_receipt_is_refused(cast, plan, sofia, private_storage):
    with pytest.raises(InvalidInput) as refused:
        reimbursement_submit(actor=cast.employee_anna, details=request_details(family_member=sofia), receipt=None)
    assert list(refused.value.fields) == ["receipt"]
    _nothing_saved(private_storage)


def test_a_family_member_of_someone_else_is_refused(cast, plan, private_storage):
    pietro = cast.employee_other_ugo.family_members.get()
    error = _refused(cast, request_details(family_member=pietro))
    assert list(error.fields) == ["family_member"]
    _nothing_saved(private_storage)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expense_date", datetime.date(2099, 1, 1)),
        ("expense_date", datetime.date(1999, 1, 1)),
        ("category", "spaceship"),
        ("bucket", "art99"),
        ("addressed_to_name", "   "),
        ("addressed_to_name", "x" * 201),
        ("addressed_to_fiscal_code", "RSSNNA00A00A000A"),
        ("description", "x" * 1001),
    ],
)
def test_other_bad_fields_are_refused_by_name(cast, plan, sofia, private_storage, field, value):
    error = _refused(cast, request_details(family_member=sofia, **{field: value}))
    assert field in error.fields
    _nothing_saved(private_storage)


# --- The same through the page ---------------------------------------------------------------------------------


@pytest.fixture
def anna_page(client, login, cast):
    client.cookies["django_language"] = "en"
    return login(cast.employee_anna)


def _post(client, sofia, **overrides):
    data = {
        "expense": "art51_c2_fbis:nursery",
        "family_member": str(sofia.pk),
        "amount": "120.00",
        "expense_date": request_details().expense_date.isoformat(),
        "addressed_to_name": "Anna Rossi",
        "names_beneficiary": "on",
        "names_service": "on",
        "action": "submit",
        "receipt": pdf_upload(),
    }
    data.update(overrides)
    return client.post(reverse("reimbursements:create"), data)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "-5"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "0"}, "Ensure this value is greater than or equal to 0.01."),
        ({"amount": "abc"}, "Enter a number."),
        ({"expense": "art51_c2_f:nursery"}, "Select a valid choice."),
        ({"expense_date": "31/02/2026"}, "Enter a valid date."),
    ],
)
def test_the_form_explains_bad_fields(cast, plan, sofia, anna_page, private_storage, overrides, message):
    response = _post(anna_page, sofia, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    _nothing_saved(private_storage)


def test_the_form_refuses_a_foreign_family_member(cast, plan, sofia, anna_page, private_storage):
    pietro = cast.employee_other_ugo.family_members.get()
    response = _post(anna_page, sofia, family_member=str(pietro.pk))
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    _nothing_saved(private_storage)


def test_the_form_refuses_a_30_mb_receipt_and_a_fake_pdf(cast, plan, sofia, anna_page, private_storage):
    huge = SimpleUploadedFile("ricevuta.pdf", b"%PDF-1.4\n" + b"0" * THIRTY_MB, content_type="application/pdf")
    response = _post(anna_page, sofia, receipt=huge)
    assert response.status_code == 400 and "The file is too large" in response.content.decode()
    fake = SimpleUploadedFile("ricevuta.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = _post(anna_page, sofia, receipt=fake)
    assert response.status_code == 400 and "Only PDF, PNG or JPEG documents are accepted." in response.content.decode()
    _nothing_saved(private_storage)
    assert LedgerTransaction.objects.filter(kind="spend").count() == 0


@pytest.mark.parametrize("request_id", [0, 999_999])
def test_ids_that_do_not_exist_are_404(cast, anna_page, request_id):
    assert anna_page.get(reverse("reimbursements:detail", args=[request_id])).status_code == 404
    assert anna_page.get(reverse("reimbursements:receipt", args=[request_id, 1])).status_code == 404
