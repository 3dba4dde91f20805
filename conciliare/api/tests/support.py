"""Helpers shared by the API tests and the authorization matrix: CSV files, PDFs, error bodies,
suppliers and offers."""

import datetime
import json
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext

from conciliare.accounts.models import User
from conciliare.catalogue.models import Offer, OfferStatus
from conciliare.catalogue.services import OfferData, offer_create
from conciliare.catalogue.tests.factories import PDF_BYTES
from conciliare.catalogue.tests.factories import ensure_charter as charter_in_force
from conciliare.catalogue.tests.factories import png_bytes as _png_bytes
from conciliare.suppliers.models import (
    CharterSignature,
    ServiceAreaMode,
    Supplier,
    SupplierStatus,
)
from conciliare.testing.factories import make_fiscal_code, municipality

CSV_HEADER = "codice_fiscale;nome;cognome;email;categoria;comune_lavoro;comune_residenza;data_assunzione"


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


# --------------------------------------------------------------------------------------------------
# The catalogue: an approved supplier that signed the charter in force, and its offers
# --------------------------------------------------------------------------------------------------


def make_supplier(
    organization,
    staff: User,
    *,
    status: str = SupplierStatus.APPROVED,
    signed: bool = True,
    durc_expires_on: datetime.date | None = None,
    serves: tuple[str, ...] = ("Lovere", "Costa Volpino"),
    categories: tuple[str, ...] = ("nursery", "summer_camp", "local_food"),
) -> Supplier:
    supplier = Supplier.objects.create(
        organization=organization,
        status=status,
        description=f"{organization.name}: chi siamo.",
        iban="IT60X0542811101000000123456",
        contact_name=staff.get_full_name(),
        contact_email="info@example.it",
        contact_phone="035 000000",
        area_mode=ServiceAreaMode.MUNICIPALITIES,
        categories=list(categories),
        durc_expires_on=durc_expires_on or timezone.localdate() + datetime.timedelta(days=120),
        durc_document=ContentFile(PDF_BYTES, name="durc.pdf"),
        applied_by=staff,
        submitted_at=timezone.now(),
    )
    supplier.served_municipalities.set([municipality(name) for name in serves])
    if signed:
        CharterSignature.objects.create(organization=organization, version=charter_in_force(), signed_by=staff)
    return supplier


def make_offer(
    supplier: Supplier, *, title: str, price: int = 10_000, category: str = "nursery", published: bool = True
) -> Offer:
    offer = offer_create(
        actor=supplier.applied_by,
        supplier=supplier,
        data=OfferData(
            kind="service",
            category=category,
            title=title,
            description=f"{title}: educatrici qualificate, pasti preparati in sede.",
            price=price,
            vat_rate="22.00",
            unit="month",
            cancellation_policy="moderate",
        ),
    )
    if published:  # as if published while the supplier could sell; some tests then take that away
        Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.PUBLISHED, published_at=timezone.now())
    return offer


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    """A small PNG: the API tests check the stored size against it."""
    return _png_bytes(size)
