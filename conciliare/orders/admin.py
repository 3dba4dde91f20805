from typing import Any

from django.contrib import admin
from unfold.admin import ModelAdmin

from conciliare.core.admin_readonly import ReadOnlyAdmin

from .models import Contribution, Order, OrderEvent, OrderLine, SettlementStatement, Voucher, WithholdingRate


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders change only through their services (payments, the supplier's answer, cancellations)."""

    list_display = ["reference", "buyer", "supplier", "status", "total", "credit_total", "own_total", "created_at"]
    list_filter = ["status", "payment_method"]
    search_fields = ["buyer__email", "supplier__organization__name"]


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdmin):
    list_display = ["title", "order", "beneficiary_name", "status", "amount", "credit_amount", "own_amount"]
    list_filter = ["status", "kind"]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ["order", "line", "from_status", "to_status", "actor", "at"]


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ["pk", "line", "beneficiary_name", "status", "valid_from", "valid_until", "redeemed_at"]
    list_filter = ["status"]
    exclude = ["token"]  # the code is the beneficiary's: not shown in the console

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [name for name in super().get_readonly_fields(request, obj) if name != "token"]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["order", "line", "party", "percent", "base", "amount", "created_at"]
    list_filter = ["party"]


@admin.register(SettlementStatement)
class SettlementStatementAdmin(ReadOnlyAdmin):
    list_display = ["reference", "supplier", "period_start", "period_end", "net", "status"]
    list_filter = ["status"]


@admin.register(WithholdingRate)
class WithholdingRateAdmin(ModelAdmin):
    """Rates are data the fund's regulation changes: a new rate is a new row from its start date.
    A rate in force is never edited (contributions already used it), only closed with an end date."""

    list_display = ["kind", "percent", "valid_from", "valid_until", "note"]
    list_filter = ["kind"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["kind", "percent", "valid_from"] if obj is not None else []

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
