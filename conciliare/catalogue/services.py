"""Writes about offers, their photos and schedule, and signals. Views and the API call these."""

import datetime
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from conciliare.accounts.models import MembershipRole, User
from conciliare.accounts.rules import is_operator_admin
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.suppliers.eligibility import assert_may_sell
from conciliare.suppliers.models import Supplier
from conciliare.territory.models import Municipality

from .categories import CATEGORY_INFO, Category, category_label
from .models import Offer, OfferPhoto, OfferSession, OfferStatus, Signal, SignalKind, SignalStatus
from .photos import photo_process

MAX_PHOTOS_PER_OFFER = 8


@dataclass(frozen=True)
class OfferData:
    kind: str
    category: str
    title: str
    description: str
    price: int  # cents, VAT included
    vat_rate: Any
    unit: str
    cancellation_policy: str
    origin: str = ""
    min_age_months: int | None = None
    max_age_months: int | None = None
    home_service: bool = False
    capacity: int | None = None
    whole_area: bool = True
    served_municipalities: tuple[Municipality, ...] = ()


def is_supplier_staff(user: Any, supplier: Supplier) -> bool:
    return bool(
        user.is_authenticated
        and user.memberships.filter(
            organization_id=supplier.organization_id, role=MembershipRole.SUPPLIER_STAFF
        ).exists()
    )


def _assert_staff(actor: User, supplier: Supplier) -> None:
    if not is_supplier_staff(actor, supplier):
        raise NotPermitted(_("Offer not found."))


def _search_text(offer: Offer) -> str:
    organization = offer.supplier.organization
    # The category's name in both languages, whatever the language of the person saving.
    labels = []
    for language in ("it", "en"):
        with translation.override(language):
            labels.append(str(category_label(offer.category)))
    parts = [offer.title, offer.description, offer.origin, organization.name, *labels]
    return "\n".join(part for part in parts if part)


def _validate(offer: Offer, data: OfferData) -> None:
    errors: dict[str, list[str]] = {}
    if data.category not in offer.supplier.categories:
        errors["category"] = [_("Your application does not include this category; ask the operator to add it.")]
    if data.price <= 0:
        errors["price"] = [_("The price must be more than zero.")]
    if (
        data.min_age_months is not None
        and data.max_age_months is not None
        and data.min_age_months > data.max_age_months
    ):
        errors["max_age_months"] = [_("The maximum age must not be lower than the minimum age.")]
    if not data.whole_area:
        outside = set(data.served_municipalities) - set(offer.supplier.served_municipalities.all())
        if not data.served_municipalities:
            errors["served_municipalities"] = [_("List the municipalities this offer serves.")]
        elif outside:
            errors["served_municipalities"] = [
                _("Outside your service area: %(names)s.") % {"names": ", ".join(sorted(m.name for m in outside))}
            ]
    if errors:
        raise InvalidInput(_("The offer is not valid."), fields=errors)


def _fill(offer: Offer, data: OfferData) -> Offer:
    _validate(offer, data)
    for field in fields(OfferData):
        if field.name != "served_municipalities":
            setattr(offer, field.name, getattr(data, field.name))
    info = CATEGORY_INFO[data.category]
    # Children's services get the category's usual age range unless the supplier narrowed it.
    if offer.min_age_months is None and offer.max_age_months is None and info.max_age_months is not None:
        offer.min_age_months, offer.max_age_months = info.min_age_months, info.max_age_months
    offer.search_text = _search_text(offer)
    try:
        offer.full_clean(exclude=["supplier"])
    except ValidationError as error:
        raise InvalidInput(_("The offer is not valid."), fields=error.message_dict) from error
    offer.save()
    offer.served_municipalities.set([] if data.whole_area else data.served_municipalities)
    return offer


@transaction.atomic
def offer_create(*, actor: User, supplier: Supplier, data: OfferData) -> Offer:
    """A draft: it can be prepared while the application is under review, and published once approved."""
    _assert_staff(actor, supplier)
    return _fill(Offer(supplier=supplier), data)


@transaction.atomic
def offer_update(*, actor: User, offer: Offer, data: OfferData) -> Offer:
    _assert_staff(actor, offer.supplier)
    offer = Offer.objects.select_for_update().select_related("supplier__organization").get(pk=offer.pk)
    return _fill(offer, data)


@transaction.atomic
def offer_publish(*, actor: User, offer: Offer) -> Offer:
    _assert_staff(actor, offer.supplier)
    offer = Offer.objects.select_for_update().select_related("supplier__organization").get(pk=offer.pk)
    assert_may_sell(offer.supplier)
    offer.status = OfferStatus.PUBLISHED
    offer.published_at = offer.published_at or timezone.now()
    offer.save(update_fields=["status", "published_at", "updated_at"])
    return offer


@transaction.atomic
def offer_withdraw(*, actor: User, offer: Offer) -> Offer:
    """Hidden from the catalogue; nothing is deleted (orders may refer to it)."""
    _assert_staff(actor, offer.supplier)
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.WITHDRAWN, updated_at=timezone.now())
    offer.refresh_from_db()
    return offer


@transaction.atomic
def photo_add(*, actor: User, offer: Offer, upload: UploadedFile, alt_text: str) -> OfferPhoto:
    _assert_staff(actor, offer.supplier)
    if not alt_text.strip():
        raise InvalidInput(_("Describe the photo for people who cannot see it."), fields={"alt_text": [_("Required.")]})
    if offer.photos.count() >= MAX_PHOTOS_PER_OFFER:
        raise Conflict(_("An offer can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_OFFER})
    try:
        processed = photo_process(upload)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], fields={"image": error.messages}) from error
    photo = OfferPhoto(
        offer=offer,
        alt_text=alt_text.strip(),
        width=processed.width,
        height=processed.height,
        position=offer.photos.count(),
    )
    photo.image.save("photo.jpg", processed.image, save=False)
    photo.thumbnail.save("photo.jpg", processed.thumbnail, save=False)
    photo.save()
    return photo


@transaction.atomic
def photo_remove(*, actor: User, photo: OfferPhoto) -> None:
    _assert_staff(actor, photo.offer.supplier)
    names = [name for name in (photo.image.name, photo.thumbnail.name) if name]
    storage = photo.image.storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    photo.delete()
    transaction.on_commit(delete_files)


@transaction.atomic
def session_add(
    *, actor: User, offer: Offer, starts_at: datetime.datetime, ends_at: datetime.datetime, seats: int, label: str = ""
) -> OfferSession:
    _assert_staff(actor, offer.supplier)
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end must come after the start.")]
    if starts_at < timezone.now():
        errors["starts_at"] = [_("The session must start in the future.")]
    if not 1 <= seats <= 10_000:
        errors["seats"] = [_("Give between 1 and 10,000 seats.")]
    if errors:
        raise InvalidInput(_("The session is not valid."), fields=errors)
    return OfferSession.objects.create(offer=offer, starts_at=starts_at, ends_at=ends_at, seats=seats, label=label)


@transaction.atomic
def session_remove(*, actor: User, session: OfferSession) -> None:
    """Only while nobody has booked it: booked sessions are cancelled through bookings, not deleted."""
    _assert_staff(actor, session.offer.supplier)
    deleted, _detail = OfferSession.objects.filter(pk=session.pk, seats_taken=0).delete()
    if not deleted:
        raise Conflict(_("People have booked this session: it cannot be removed."))


@transaction.atomic
def session_change_seats(*, actor: User, session: OfferSession, seats: int) -> OfferSession:
    _assert_staff(actor, session.offer.supplier)
    if not 1 <= seats <= 10_000:  # checked first: the update below bypasses the model's validators
        raise InvalidInput(_("The session is not valid."), fields={"seats": [_("Give between 1 and 10,000 seats.")]})
    updated = OfferSession.objects.filter(pk=session.pk, seats_taken__lte=seats).update(seats=seats)
    if not updated:
        raise Conflict(_("There cannot be fewer seats than those already booked."))
    session.refresh_from_db()
    return session


def _signal_errors(*, kind: str, category: str, supplier_name: str, description: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in SignalKind.values:
        errors["kind"] = [_("Unknown kind of signal.")]
    if category and category not in Category.values:
        errors["category"] = [_("Unknown category.")]
    if kind == SignalKind.SUPPLIER_WANTED and not supplier_name.strip():
        errors["supplier_name"] = [_("Name the supplier you would like.")]
    if len(description.strip()) < 10:
        errors["description"] = [_("Tell us a little more (at least 10 characters).")]
    return errors


@transaction.atomic
def signal_create(
    *,
    actor: User,
    kind: str,
    municipality: Municipality,
    description: str,
    supplier_name: str = "",
    category: str = "",
) -> Signal:
    errors = _signal_errors(kind=kind, category=category, supplier_name=supplier_name, description=description)
    if errors:
        raise InvalidInput(_("The signal is not valid."), fields=errors)
    return Signal.objects.create(
        kind=kind,
        author=actor,
        municipality=municipality,
        category=category,
        supplier_name=supplier_name.strip(),
        description=description.strip(),
    )


@transaction.atomic
def signal_handle(*, actor: User, signal: Signal, status: str, note: str = "") -> Signal:
    if not is_operator_admin(actor):
        raise NotPermitted(_("Signal not found."))
    if status not in SignalStatus.values:
        raise InvalidInput(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    Signal.objects.filter(pk=signal.pk).update(
        status=status, operator_note=note.strip(), handled_by=actor, updated_at=timezone.now()
    )
    signal.refresh_from_db()
    return signal
