"""Whether a supplier may publish and sell: approved, current charter signed, DURC not expired.

One rule, three uses: the services refuse, the pages explain, and the search hides
offers of suppliers that may not sell (`sellable_q`), so the three never disagree.
"""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.core.errors import Conflict

from .models import CharterSignature, CharterVersion, Supplier, SupplierStatus


def _in_force() -> QuerySet[CharterVersion]:
    return CharterVersion.objects.filter(published_at__lte=Now()).order_by("-number")


def charter_current() -> CharterVersion | None:
    """The version in force: the latest published one (by the database's clock, as `sellable_q`)."""
    return _in_force().first()


def has_signed_current(supplier: Supplier, current: CharterVersion | None = None) -> bool:
    current = current if current is not None else charter_current()
    return (
        current is not None
        and CharterSignature.objects.filter(organization_id=supplier.organization_id, version=current).exists()
    )


def selling_blockers(supplier: Supplier, *, today: datetime.date | None = None) -> list[str]:
    """Why the supplier may not publish or sell now; empty when it may."""
    today = today or timezone.localdate()
    blockers = []
    if supplier.status != SupplierStatus.APPROVED:
        blockers.append(_("The application has not been approved by the operator."))
    if not has_signed_current(supplier):
        blockers.append(_("The ethical charter in force has not been signed."))
    if supplier.durc_expires_on < today:
        blockers.append(_("The DURC has expired: upload a valid one."))
    return blockers


def assert_may_sell(supplier: Supplier, *, today: datetime.date | None = None) -> None:
    blockers = selling_blockers(supplier, today=today)
    if blockers:
        raise Conflict(" ".join(blockers))


def sellable_q(*, prefix: str = "", today: datetime.date | None = None) -> Q:
    """A filter for suppliers (or, with prefix "supplier__", their offers) that may sell today."""
    today = today or timezone.localdate()
    # The version in force as a subquery, not fetched first: one query less for every search. With no
    # version published it is NULL, which no signature matches, so nobody may sell. The database's
    # clock (the statement's time) instead of a parameter keeps the SQL the same all day: the search
    # compiles it once (`catalogue.search._sellers_sql`).
    current = Subquery(_in_force().values("pk")[:1])
    signed = Exists(
        CharterSignature.objects.filter(organization_id=OuterRef(f"{prefix}organization_id"), version_id=current)
    )
    return Q(**{f"{prefix}status": SupplierStatus.APPROVED, f"{prefix}durc_expires_on__gte": today}) & Q(signed)


def sellable_suppliers(today: datetime.date | None = None):  # type: ignore[no-untyped-def]
    return Supplier.objects.filter(sellable_q(today=today))
