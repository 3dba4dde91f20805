"""Read-only console over the ledger: the operator looks; only services write money."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline

from .models import Entry, Hold, LedgerAccount, LedgerTransaction


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


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "effective_date", "memo", "actor", "idempotency_key", "created_at"]
    list_filter = ["kind", "effective_date"]
    search_fields = ["idempotency_key", "memo"]
    inlines = [EntryInline]


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["pk", "account", "destination", "amount", "status", "expires_at", "created_at"]
    list_filter = ["status"]
