"""Read-only console over the ledger: the operator looks; only services write money.

Solidarity Fund grant wallets are left out of the console. Who holds one is special-category
data (a worker in hardship), and the operator sees the fund's movements without personal
details: no grant wallet in the accounts list or its search (by the worker's e-mail), and no
transaction or hold that ties one to an order (orders name their buyer). The grant itself and
its return to the fund, which name only the grant's reference, stay visible.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline

from .models import AccountKind, Entry, Hold, LedgerAccount, LedgerTransaction

# Wallets whose owner the console never shows. The ledger knows no app, so the fund's bucket
# (conciliare.fund.models.GRANT_BUCKET) is repeated here; a test keeps the two equal.
PRIVATE_BUCKETS = ("solidarity_grant",)


def _private_wallet_transactions() -> QuerySet[Entry, Any]:
    return Entry.objects.filter(account__fiscal_bucket__in=PRIVATE_BUCKETS).values("transaction_id")


def _fund_transactions() -> QuerySet[Entry, Any]:
    return Entry.objects.filter(account__kind=AccountKind.SOLIDARITY_FUND).values("transaction_id")


class ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EntryInline(TabularInline):
    model = Entry
    extra = 0
    fields = ["account", "amount"]
    readonly_fields = ["account", "amount"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "balance", "held", "owner_organization", "owner_user", "fiscal_bucket"]
    list_filter = ["kind", "may_go_negative"]
    search_fields = ["name", "owner_user__email", "owner_organization__name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerAccount]:
        # Also the change page: a grant wallet's id answers as a missing account.
        return super().get_queryset(request).exclude(fiscal_bucket__in=PRIVATE_BUCKETS)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "effective_date", "memo", "actor", "idempotency_key", "created_at"]
    list_filter = ["kind", "effective_date"]
    search_fields = ["idempotency_key", "memo"]
    inlines = [EntryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerTransaction]:
        # Spending or refunds on a grant wallet name the order, hence the worker: left out. The
        # grant and its return touch the fund and name only the grant's reference: kept.
        hidden = Q(pk__in=_private_wallet_transactions()) & ~Q(pk__in=_fund_transactions())
        return super().get_queryset(request).exclude(hidden)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["pk", "account", "destination", "amount", "status", "expires_at", "created_at"]
    list_filter = ["status"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Hold]:
        # A hold on a grant wallet reserves credit for an order line: its memo and key lead to the buyer.
        private = Q(account__fiscal_bucket__in=PRIVATE_BUCKETS) | Q(destination__fiscal_bucket__in=PRIVATE_BUCKETS)
        return super().get_queryset(request).exclude(private)
