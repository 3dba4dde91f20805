"""Requests, documents and details for the reimbursement tests.

details = request_details(family_member=sofia)             # f-bis, nursery, 120 €, addressed to Anna
request = submit(cast.employee_anna, details)              # through the service, with a PDF
"""

import datetime
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conciliare.catalogue.tests.factories import PDF_BYTES, png_bytes
from conciliare.reimbursements.models import ReimbursementRequest
from conciliare.reimbursements.services import RequestDetails, reimbursement_review, reimbursement_submit

_unique = itertools.count(1)


def pdf_upload(name: str = "ricevuta.pdf", *, content: bytes | None = None) -> SimpleUploadedFile:
    # Each document differs by a comment, so that two requests never share one by accident.
    body = content if content is not None else PDF_BYTES + f"% {next(_unique)}\n".encode()
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_upload(name: str = "scontrino.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes((40 + next(_unique), 30)), content_type="image/png")


def request_details(**overrides: Any) -> RequestDetails:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "bucket": "art51_c2_fbis",
        "category": "nursery",
        "amount": 12_000,
        "expense_date": max(today - datetime.timedelta(days=3), datetime.date(today.year, 1, 1)),
        "family_member": None,
        "addressed_to_name": "Anna Rossi",
        "addressed_to_fiscal_code": "",
        "names_beneficiary": True,
        "names_service": True,
        "description": "",
    }
    values.update(overrides)
    return RequestDetails(**values)


def submit(employee: Any, details: RequestDetails, *, receipt: Any = None) -> ReimbursementRequest:
    return reimbursement_submit(actor=employee, details=details, receipt=receipt or pdf_upload())


def decided(request: ReimbursementRequest, reviewer: Any, decision: str, reason: str = "") -> ReimbursementRequest:
    return reimbursement_review(actor=reviewer, request=request, decision=decision, reason=reason)
