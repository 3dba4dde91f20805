"""Suppliers, offers and photos for tests, made through the services wherever a service exists.

supplier = make_supplier(municipality_name="Sovere", categories=["summer_camp"])
offer = make_offer(supplier, title="CRE estivo", price=12_000)
staff = supplier.applied_by  # the supplier_staff user who acts for it
"""

import datetime
import io
import itertools
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from conciliare.accounts.models import MembershipRole, Organization, OrganizationRole, OrganizationRoleAssignment
from conciliare.accounts.services import membership_add
from conciliare.catalogue import services
from conciliare.catalogue.categories import CATEGORY_INFO, Category
from conciliare.catalogue.models import CancellationPolicy, Offer, OfferKind, OfferSession, Unit
from conciliare.suppliers import charter_v1
from conciliare.suppliers.eligibility import charter_current
from conciliare.suppliers.models import (
    CharterCommitment,
    CharterSignature,
    CharterVersion,
    ServiceAreaMode,
    Supplier,
    SupplierStatus,
)
from conciliare.suppliers.services import municipalities_within
from conciliare.testing.factories import OrganizationFactory, UserFactory, municipality

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
IBAN = "IT60X0542811101000000123456"
_offer_sequence = itertools.count(1)


def ensure_charter() -> CharterVersion:
    """The charter in force; version 1 (as the data migration writes it) when a transactional test flushed it."""
    current = charter_current()
    if current is not None:
        return current
    version = CharterVersion.objects.create(
        number=(CharterVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1,
        title=charter_v1.TITLE,
        text=charter_v1.TEXT,
        fund_contribution_percent=charter_v1.FUND_CONTRIBUTION_PERCENT,
        published_at=timezone.now(),
    )
    CharterCommitment.objects.bulk_create(
        CharterCommitment(version=version, kind=kind, text=text, position=position)
        for position, (kind, text) in enumerate(charter_v1.COMMITMENTS)
    )
    return version


def durc_pdf(name: str = "durc.pdf") -> ContentFile[bytes]:
    return ContentFile(PDF_BYTES, name=name)


def make_supplier(
    organization: Organization | None = None,
    *,
    name: str | None = None,
    municipality_name: str = "Lovere",
    status: str = SupplierStatus.APPROVED,
    signed: bool = True,
    durc_days: int = 365,
    radius_km: int = 15,
    categories: Sequence[str] = (Category.NURSERY, Category.SUMMER_CAMP, Category.AFTER_SCHOOL),
    home_service: bool = False,
) -> Supplier:
    """A supplier with its staff member (`supplier.applied_by`), serving every municipality within `radius_km`.

    Written directly (not through `supplier_apply`) so that a test can start from any review state;
    `durc_days` is how many days from today the DURC stays valid (negative: expired).
    """
    if organization is None:
        fields: dict[str, Any] = {"municipality": municipality(municipality_name), "roles": [OrganizationRole.SUPPLIER]}
        if name:
            fields["name"] = name
        organization = OrganizationFactory(**fields)
    else:
        OrganizationRoleAssignment.objects.get_or_create(organization=organization, role=OrganizationRole.SUPPLIER)
    staff = UserFactory()
    membership_add(user=staff, organization=organization, role=MembershipRole.SUPPLIER_STAFF)
    now = timezone.now()
    supplier = Supplier(
        organization=organization,
        status=status,
        description=f"{organization.name}: servizi per le famiglie del territorio.",
        iban=IBAN,
        contact_name=staff.get_full_name(),
        contact_email=f"fornitore.{organization.pk}@example.it",
        contact_phone="035 000 0000",
        home_service=home_service,
        area_mode=ServiceAreaMode.RADIUS,
        service_radius_km=radius_km,
        categories=sorted(set(categories)),
        durc_expires_on=timezone.localdate() + datetime.timedelta(days=durc_days),
        applied_by=staff,
        submitted_at=now,
        decided_at=now if status in (SupplierStatus.APPROVED, SupplierStatus.REJECTED) else None,
    )
    supplier.durc_document.save("durc.pdf", durc_pdf(), save=False)
    supplier.save()
    supplier.served_municipalities.set(municipalities_within(organization.municipality, radius_km))
    if signed:
        CharterSignature.objects.create(
            organization=organization, version=ensure_charter(), signed_by=staff, ip_address="192.0.2.10"
        )
    return supplier


def offer_data(supplier: Supplier, **overrides: Any) -> services.OfferData:
    """Valid data for an offer of the supplier's first category; `overrides` replace any field."""
    category = overrides.get("category", supplier.categories[0])
    product = CATEGORY_INFO[category].product
    number = next(_offer_sequence)
    defaults: dict[str, Any] = {
        "kind": OfferKind.PRODUCT if product else OfferKind.SERVICE,
        "category": category,
        "title": f"Offerta {number} di {supplier.organization.name}",
        "description": "Un servizio per le famiglie, con personale qualificato.",
        "price": 10_000,
        "vat_rate": "22.00" if product else "5.00",
        "unit": Unit.PIECE if product else Unit.WEEK,
        "cancellation_policy": CancellationPolicy.FLEXIBLE,
        "origin": "Prodotto in Val Cavallina" if product else "",
    }
    return services.OfferData(**{**defaults, **overrides})


def make_offer(supplier: Supplier, *, publish: bool = True, **overrides: Any) -> Offer:
    """An offer created (and, unless `publish=False`, published) by the supplier's staff through the services."""
    offer = services.offer_create(actor=supplier.applied_by, supplier=supplier, data=offer_data(supplier, **overrides))
    if publish:
        offer = services.offer_publish(actor=supplier.applied_by, offer=offer)
    return offer


def make_session(
    offer: Offer, *, starts_in_days: int = 14, days: int = 5, seats: int = 20, label: str = ""
) -> OfferSession:
    """A session starting at 8 in the morning (local time) `starts_in_days` from today, lasting `days` days."""
    starts_at = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=starts_in_days
    )
    return services.session_add(
        actor=offer.supplier.applied_by,
        offer=offer,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(days=days - 1, hours=9),
        seats=seats,
        label=label,
    )


def _image_bytes(image_format: str, size: tuple[int, int], mode: str, **save: Any) -> bytes:
    image = Image.new(mode, size)
    # Two colours rather than one, so that resizing and re-encoding have something to do.
    width, height = size
    image.paste((200, 120, 40) if mode == "RGB" else (200, 120, 40, 255), (0, 0, width // 2, height // 2))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **save)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (800, 600)) -> bytes:
    return _image_bytes("PNG", size, "RGBA")


def jpeg_bytes(size: tuple[int, int] = (800, 600), *, exif: Image.Exif | None = None) -> bytes:
    return _image_bytes("JPEG", size, "RGB", **({"exif": exif} if exif is not None else {}))
