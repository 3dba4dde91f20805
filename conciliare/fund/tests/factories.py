"""Builders for fund tests: committee members, money in the fund, a submitted application."""

import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from conciliare.accounts.models import MembershipRole, Organization, OrganizationRole, User
from conciliare.ledger import services as ledger
from conciliare.ledger.models import TransactionKind
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..models import FundApplication, HardshipEvent
from ..services import ApplicationInput, application_submit

_keys = itertools.count(1)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def operator_organization() -> Organization:
    return OrganizationFactory(name=f"Cooperativa del Fondo {next(_keys)}", roles=[OrganizationRole.OPERATOR])


def make_committee(count: int = 2, *, organization: Organization | None = None) -> list[User]:
    organization = organization or operator_organization()
    return [
        make_member(UserFactory(first_name=f"Membro{next(_keys)}"), organization, MembershipRole.FUND_COMMITTEE)
        for _ in range(count)
    ]


def fund_the_fund(cents: int) -> None:
    """Money into the fund from outside (as contributions would bring it)."""
    ledger.transaction_post(
        kind=TransactionKind.CONTRIBUTION,
        legs=[(ledger.world_account(), -cents), (ledger.solidarity_fund_account(), cents)],
        idempotency_key=f"test-fund:{next(_keys)}",
    )


def pdf_document(name: str = "certificato.pdf") -> tuple[SimpleUploadedFile, str]:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf"), "pdf"


def submit(
    applicant: User,
    *,
    events: list[str] | None = None,
    isee: int = 1_000_000,
    household_size: int = 3,
    documents: int = 1,
    **extra: Any,
) -> FundApplication:
    data = ApplicationInput(
        events=events or [HardshipEvent.SERIOUS_ILLNESS],
        household_size=household_size,
        isee=isee,
        isee_protocol="INPS-ISEE-2026-00001234",
        consent=True,
        needs=["home_care"],
        needs_description="Assistenza domiciliare per mio padre.",
        **extra,
    )
    return application_submit(applicant=applicant, data=data, documents=[pdf_document() for _ in range(documents)])
