"""Reads about suppliers, scoped to who asks: a supplier's staff, or the operator."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from conciliare.accounts.models import MembershipRole
from conciliare.accounts.rules import is_operator_admin
from conciliare.core.errors import NotPermitted

from .eligibility import charter_current
from .models import CharterSignature, CharterVersion, Supplier


def _with_relations(queryset: QuerySet[Supplier]) -> QuerySet[Supplier]:
    return queryset.select_related("organization__municipality")


def suppliers_for_staff(user: Any) -> QuerySet[Supplier]:
    if not user.is_authenticated:
        return Supplier.objects.none()
    return _with_relations(
        Supplier.objects.filter(
            organization__memberships__user=user, organization__memberships__role=MembershipRole.SUPPLIER_STAFF
        ).distinct()
    )


def supplier_get_for_staff(*, user: Any, supplier_id: int) -> Supplier:
    supplier = suppliers_for_staff(user).filter(pk=supplier_id).first()
    if supplier is None:
        raise NotPermitted(_("Supplier not found."))
    return supplier


def supplier_get_for_staff_or_operator(*, user: Any, supplier_id: int) -> Supplier:
    if is_operator_admin(user):
        supplier = _with_relations(Supplier.objects.filter(pk=supplier_id)).first()
        if supplier is not None:
            return supplier
    return supplier_get_for_staff(user=user, supplier_id=supplier_id)


def suppliers_for_operator(*, user: Any, status: str = "") -> QuerySet[Supplier]:
    if not is_operator_admin(user):
        raise NotPermitted(_("Page not found."))
    current = charter_current()
    queryset = _with_relations(Supplier.objects.all()).annotate(
        offer_count=Count("offers"),
        signed_current=Exists(
            CharterSignature.objects.filter(organization_id=OuterRef("organization_id"), version=current)
        ),
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("status", "submitted_at")


def charter_versions() -> QuerySet[CharterVersion]:
    return CharterVersion.objects.prefetch_related("commitments").annotate(signature_count=Count("signatures"))


def signatures_of(supplier: Supplier) -> QuerySet[CharterSignature]:
    return CharterSignature.objects.filter(organization_id=supplier.organization_id).select_related(
        "version", "signed_by"
    )
