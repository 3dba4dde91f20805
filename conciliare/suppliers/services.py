"""Writes about suppliers and the charter. Views and the API call these; nothing else writes."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.accounts.models import MembershipRole, Organization, OrganizationRole, OrganizationRoleAssignment, User
from conciliare.accounts.rules import is_hr_of_company, is_operator_admin
from conciliare.accounts.services import membership_add, organization_create
from conciliare.accounts.validators import normalize_vat_number
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.territory.distance import municipality_distance_km
from conciliare.territory.models import Municipality

from . import notifications
from .eligibility import charter_current
from .models import (
    CharterCommitment,
    CharterSignature,
    CharterVersion,
    ReviewDecision,
    ServiceAreaMode,
    Supplier,
    SupplierReviewEvent,
    SupplierStatus,
)


@dataclass(frozen=True)
class Origin:
    """Where a signature comes from: recorded with it."""

    ip_address: str | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class ServiceArea:
    mode: str
    radius_km: int | None = None
    municipalities: tuple[Municipality, ...] = ()


@dataclass(frozen=True)
class SupplierDetails:
    """What the application form asks about the supplier side (the organization is apart)."""

    iban: str
    contact_name: str
    contact_email: str
    contact_phone: str
    home_service: bool
    categories: tuple[str, ...]
    durc_expires_on: datetime.date
    area: ServiceArea
    description: str = ""


def municipalities_within(seat: Municipality, radius_km: int) -> list[Municipality]:
    return [m for m in Municipality.objects.all() if municipality_distance_km(seat, m) <= radius_km]


def _served(seat: Municipality, area: ServiceArea) -> list[Municipality]:
    if area.mode == ServiceAreaMode.RADIUS:
        if not area.radius_km:
            raise InvalidInput(_("Give the radius in km."), fields={"service_radius_km": [_("Required.")]})
        return municipalities_within(seat, area.radius_km)
    if not area.municipalities:
        raise InvalidInput(
            _("List at least one municipality served."), fields={"served_municipalities": [_("Required.")]}
        )
    return sorted({*area.municipalities, seat}, key=lambda m: m.name)


def _apply_details(supplier: Supplier, details: SupplierDetails) -> None:
    for name in ("iban", "contact_name", "contact_email", "contact_phone", "home_service", "durc_expires_on"):
        setattr(supplier, name, getattr(details, name))
    supplier.description = details.description
    supplier.categories = sorted(set(details.categories))
    supplier.area_mode = details.area.mode
    supplier.service_radius_km = details.area.radius_km if details.area.mode == ServiceAreaMode.RADIUS else None


def _check_durc(expires_on: datetime.date) -> None:
    if expires_on < timezone.localdate():
        raise InvalidInput(
            _("The DURC has already expired."), fields={"durc_expires_on": [_("The DURC has already expired.")]}
        )


def _sign(*, actor: User, organization: Organization, version: CharterVersion, origin: Origin) -> CharterSignature:
    signature, _created = CharterSignature.objects.get_or_create(
        organization=organization,
        version=version,
        defaults={"signed_by": actor, "ip_address": origin.ip_address, "user_agent": origin.user_agent[:300]},
    )
    return signature


def _check_signs_version(version_number: int) -> CharterVersion:
    current = charter_current()
    if current is None:
        raise Conflict(_("The operator has not published the ethical charter yet."))
    if version_number != current.number:
        raise Conflict(_("A new version of the ethical charter has been published: read it and sign again."))
    return current


@transaction.atomic
def supplier_apply(
    *,
    actor: User,
    details: SupplierDetails,
    durc_document: UploadedFile,
    charter_version: int,
    origin: Origin,
    organization: Organization | None = None,
    new_organization: dict[str, Any] | None = None,
) -> Supplier:
    """A new application: for an existing organization the actor manages, or for a new one.

    Applying signs the charter version the applicant read (refused if a newer one came out meanwhile).
    """
    version = _check_signs_version(charter_version)
    _check_durc(details.durc_expires_on)
    if organization is not None:
        if not is_hr_of_company(actor, organization):
            raise NotPermitted(_("Organization not found."))
        if Supplier.objects.filter(organization=organization).exists():
            raise Conflict(_("This organization has already applied."))
    else:
        fields = dict(new_organization or {})
        vat_number = fields.pop("vat_number")
        # Compared as stored ("IT 012..." is the same partita IVA as "012...").
        if Organization.objects.filter(vat_number=normalize_vat_number(vat_number or "")).exists():
            raise InvalidInput(
                _("This partita IVA is already registered: whoever manages it must apply from their account."),
                fields={"vat_number": [_("Already registered.")]},
            )
        organization = organization_create(
            vat_number=vat_number, roles=[OrganizationRole.SUPPLIER], alliance_member=False, **fields
        )
    OrganizationRoleAssignment.objects.get_or_create(organization=organization, role=OrganizationRole.SUPPLIER)
    membership_add(user=actor, organization=organization, role=MembershipRole.SUPPLIER_STAFF)
    served = _served(organization.municipality, details.area)  # refuses a missing area before anything is saved
    supplier = Supplier(organization=organization, applied_by=actor, submitted_at=timezone.now())
    _apply_details(supplier, details)
    supplier.durc_document.save(durc_document.name or "durc.pdf", durc_document, save=False)
    supplier.save()
    supplier.served_municipalities.set(served)
    _sign(actor=actor, organization=organization, version=version, origin=origin)
    SupplierReviewEvent.objects.create(supplier=supplier, actor=actor, decision=ReviewDecision.SUBMITTED)
    notifications.application_submitted(supplier)
    return supplier


def _lock(supplier: Supplier) -> Supplier:
    return Supplier.objects.select_for_update().select_related("organization__municipality").get(pk=supplier.pk)


@transaction.atomic
def supplier_update(
    *, actor: User, supplier: Supplier, details: SupplierDetails, durc_document: UploadedFile | None = None
) -> Supplier:
    """The supplier edits its data; after a request for changes or a rejection, this resubmits it."""
    supplier = _lock(supplier)
    _check_durc(details.durc_expires_on)
    served = _served(supplier.organization.municipality, details.area)
    durc_changed = durc_document is not None or details.durc_expires_on != supplier.durc_expires_on
    _apply_details(supplier, details)
    if durc_document is not None:
        supplier.durc_document.save(durc_document.name or "durc.pdf", durc_document, save=False)
    resubmitted = supplier.status in (SupplierStatus.CHANGES_REQUESTED, SupplierStatus.REJECTED)
    if resubmitted:
        supplier.resubmit()
        supplier.submitted_at = timezone.now()
    supplier.save()
    supplier.served_municipalities.set(served)
    if resubmitted:
        SupplierReviewEvent.objects.create(supplier=supplier, actor=actor, decision=ReviewDecision.SUBMITTED)
        notifications.application_submitted(supplier)
    elif durc_changed:
        SupplierReviewEvent.objects.create(supplier=supplier, actor=actor, decision=ReviewDecision.DURC_RENEWED)
    return supplier


_DECISIONS: dict[str, str] = {
    ReviewDecision.APPROVED: "approve",
    ReviewDecision.CHANGES_REQUESTED: "request_changes",
    ReviewDecision.REJECTED: "reject",
}


@transaction.atomic
def supplier_review(*, actor: User, supplier: Supplier, decision: str, reason: str = "") -> Supplier:
    """The operator approves, asks for changes or rejects; the last two need a reason."""
    if not is_operator_admin(actor):
        raise NotPermitted(_("Supplier not found."))
    if decision not in _DECISIONS:
        raise InvalidInput(_("Unknown decision."), fields={"decision": [_("Unknown decision.")]})
    reason = reason.strip()
    if decision != ReviewDecision.APPROVED and not reason:
        raise InvalidInput(
            _("Say why, so that the supplier knows what to do."), fields={"reason": [_("A reason is required.")]}
        )
    supplier = _lock(supplier)
    if supplier.status != SupplierStatus.SUBMITTED:
        raise Conflict(
            _("This application is not awaiting review (it is %(status)s).") % {"status": supplier.get_status_display()}
        )
    getattr(supplier, _DECISIONS[decision])()
    supplier.decided_at = timezone.now()
    supplier.save()
    SupplierReviewEvent.objects.create(supplier=supplier, actor=actor, decision=decision, reason=reason)
    notifications.application_decided(supplier, decision=decision, reason=reason)
    return supplier


@transaction.atomic
def charter_sign(*, actor: User, supplier: Supplier, charter_version: int, origin: Origin) -> CharterSignature:
    """A supplier's staff signs the version in force (again, after a new version); signing twice is harmless."""
    if not supplier.organization.memberships.filter(user=actor, role=MembershipRole.SUPPLIER_STAFF).exists():
        raise NotPermitted(_("Supplier not found."))
    version = _check_signs_version(charter_version)
    return _sign(actor=actor, organization=supplier.organization, version=version, origin=origin)


@transaction.atomic
def charter_publish(
    *, actor: User, title: str, text: str, fund_contribution_percent: Any, commitments: list[tuple[str, str]]
) -> CharterVersion:
    """A new version in force from now: every supplier must sign it again to keep selling."""
    if not is_operator_admin(actor):
        raise NotPermitted(_("Page not found."))
    if not commitments:
        raise InvalidInput(_("List the charter's commitments."), fields={"commitments": [_("Required.")]})
    # The lock makes two simultaneous publications take consecutive numbers instead of colliding.
    list(CharterVersion.objects.select_for_update().values_list("pk", flat=True))
    number = (CharterVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    version = CharterVersion.objects.create(
        number=number,
        title=title.strip(),
        text=text.strip(),
        fund_contribution_percent=fund_contribution_percent,
        published_at=timezone.now(),
        published_by=actor,
    )
    CharterCommitment.objects.bulk_create(
        CharterCommitment(version=version, kind=kind, text=commitment.strip(), position=index)
        for index, (kind, commitment) in enumerate(commitments)
    )
    if number > 1:
        notifications.charter_changed(version)
    return version
