"""Reads about offers: the public catalogue, a supplier's own offers, and who can pay for what."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from conciliare.accounts.models import FamilyMember
from conciliare.accounts.rules import is_operator_admin
from conciliare.core.errors import NotPermitted
from conciliare.plans import fiscal
from conciliare.plans.selectors import wallet_lines_for_user
from conciliare.suppliers.models import Supplier
from conciliare.territory.models import Municipality

from .models import Offer, OfferPhoto, OfferSession, Signal
from .search import published_offers
from .services import is_supplier_staff


def home_of(user: Any) -> Municipality | None:
    """Where a signed-in person lives, if their profile says so."""
    return user.residence_municipality if user.is_authenticated else None


def workplace_of(user: Any) -> Municipality | None:
    """Where a signed-in employee works, if they are one."""
    profile = getattr(user, "employee_profile", None) if user.is_authenticated else None
    return profile.workplace_municipality if profile is not None else None


def offer_get_public(*, offer_id: int, today: datetime.date | None = None) -> Offer:
    offer = (
        published_offers(today)
        .select_related("supplier__organization__municipality")
        .prefetch_related("photos", "served_municipalities")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise NotPermitted(_("Offer not found."))
    return offer


def offer_get_for_viewer(*, user: Any, offer_id: int) -> Offer:
    """A published offer for anyone; any offer, also a draft, for its supplier's staff."""
    try:
        return offer_get_public(offer_id=offer_id)
    except NotPermitted:
        return offer_get_for_staff(user=user, offer_id=offer_id)


def offer_get_for_staff(*, user: Any, offer_id: int) -> Offer:
    offer = (
        Offer.objects.select_related("supplier__organization__municipality")
        .prefetch_related("photos", "served_municipalities")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None or not is_supplier_staff(user, offer.supplier):
        raise NotPermitted(_("Offer not found."))
    return offer


def offers_for_supplier(supplier: Supplier) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(supplier=supplier)
        .prefetch_related(Prefetch("photos", queryset=OfferPhoto.objects.order_by("position", "pk")))
        .order_by("status", "title")
    )


def upcoming_sessions(offer: Offer, *, now: datetime.datetime) -> QuerySet[OfferSession]:
    return offer.sessions.filter(ends_at__gte=now).order_by("starts_at")


def signals_for_operator(*, user: Any, status: str = "") -> QuerySet[Signal]:
    if not is_operator_admin(user):
        raise NotPermitted(_("Page not found."))
    queryset = Signal.objects.select_related("municipality", "author")
    return queryset.filter(status=status) if status else queryset


def signals_of(user: Any) -> QuerySet[Signal]:
    return Signal.objects.filter(author=user).select_related("municipality")


@dataclass(frozen=True)
class PaymentOption:
    """For one person who could use the offer: which of the viewer's buckets may pay, and how much is there."""

    beneficiary: str
    buckets: list[tuple[str, str, int]]  # (code, label, available cents)
    age_ok: bool


def age_fits(offer: Offer, birth_date: datetime.date | None, day: datetime.date) -> bool:
    if offer.min_age_months is None and offer.max_age_months is None:
        return True
    if birth_date is None:
        return False
    months = (day.year - birth_date.year) * 12 + day.month - birth_date.month - (day.day < birth_date.day)
    return (
        (offer.min_age_months or 0) <= months <= (offer.max_age_months if offer.max_age_months is not None else 10**4)
    )


def payment_options(*, user: Any, offer: Offer, day: datetime.date) -> list[PaymentOption]:
    """Who in the viewer's family could use the offer and which of their wallet's buckets may pay for it."""
    if not user.is_authenticated:
        return []
    available: dict[str, int] = {}
    labels: dict[str, str] = {}
    for line in wallet_lines_for_user(user):
        available[line.bucket] = available.get(line.bucket, 0) + line.available
        labels[line.bucket] = line.label
    people: list[tuple[str, fiscal.Beneficiary, datetime.date | None]] = [
        (_("yourself"), fiscal.Beneficiary(kind=fiscal.EMPLOYEE, birth_date=user.birth_date), user.birth_date)
    ]
    for member in FamilyMember.objects.filter(user=user).order_by("birth_date"):
        people.append(
            (
                member.first_name,
                fiscal.Beneficiary(
                    kind=fiscal.FAMILY,
                    birth_date=member.birth_date,
                    fiscally_dependent=member.fiscally_dependent,
                    non_self_sufficient=member.non_self_sufficient,
                ),
                member.birth_date,
            )
        )
    options = []
    for name, beneficiary, born in people:
        age_ok = age_fits(offer, born, day)
        buckets = [
            (option.bucket, labels.get(option.bucket, option.reference), available.get(option.bucket, 0))
            for option in fiscal.payable_buckets(category=offer.category, beneficiary=beneficiary, day=day)
            if option.bucket in available
        ]
        if age_ok:
            options.append(PaymentOption(beneficiary=name, buckets=buckets, age_ok=age_ok))
    return options
