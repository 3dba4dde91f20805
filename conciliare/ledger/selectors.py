"""Reads of the ledger: balances and movements, in a fixed number of queries."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from .models import Entry, LedgerAccount

MOVEMENTS_PER_PAGE = 50


@dataclass(frozen=True)
class Balance:
    """Cents. `available` is what can be spent now: the total less what holds reserve."""

    total: int
    held: int

    @property
    def available(self) -> int:
        return self.total - self.held


def account_balance(*, account_id: int) -> Balance:
    total, held = LedgerAccount.objects.filter(pk=account_id).values_list("balance", "held").get()
    return Balance(total=total, held=held)


def account_movements(*, account_id: int, page: int | str | None = 1, per_page: int = MOVEMENTS_PER_PAGE) -> Page:
    """Entries of one account, newest first, each with its transaction (two queries a page)."""
    entries = (
        Entry.objects.filter(account_id=account_id)
        .select_related("transaction", "transaction__actor")
        .order_by("-transaction__created_at", "-pk")
    )
    return Paginator(entries, per_page).get_page(page)
