"""The platform's own ledger accounts that buying moves money through (created on first use)."""

from typing import Any

from django.db import IntegrityError, transaction

from conciliare.ledger.models import AccountKind, LedgerAccount
from conciliare.suppliers.models import Supplier


def _one(kind: str, name: str, *, owner_organization: Any = None, may_go_negative: bool = False) -> LedgerAccount:
    lookup = {"kind": kind, "owner_organization": owner_organization}
    found = LedgerAccount.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(name=name, may_go_negative=may_go_negative, **lookup)
    except IntegrityError:  # created by a concurrent request: a unique constraint keeps one
        return LedgerAccount.objects.get(**lookup)


def vouchers_outstanding_account() -> LedgerAccount:
    """Credit captured for confirmed bookings, until the voucher is used (or the product delivered)."""
    return _one(AccountKind.VOUCHERS_OUTSTANDING, "Buoni emessi da riscattare")


def citizen_clearing_account() -> LedgerAccount:
    """Own money received by bank transfer, until it is owed to the supplier or given back."""
    return _one(AccountKind.CITIZEN_CLEARING, "Pagamenti con bonifico in transito")


def platform_revenue_account() -> LedgerAccount:
    return _one(AccountKind.PLATFORM_REVENUE, "Ricavi della piattaforma")


def supplier_payable_account(supplier: Supplier) -> LedgerAccount:
    """What the cooperative owes the supplier. It may go negative: a supplier paid at its own
    counter owes the contributions on that money."""
    return _one(
        AccountKind.SUPPLIER_PAYABLE,
        f"Da pagare a {supplier.organization.name}",
        owner_organization=supplier.organization,
        may_go_negative=True,
    )
