from django.contrib import admin

from conciliare.core.admin_readonly import ReadOnlyAdmin

from .models import Offer, OfferSession, Signal


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    """Suppliers manage their offers in their own area; the console only shows them."""

    list_display = ["title", "supplier", "category", "price", "status"]
    list_filter = ["status", "category", "kind"]
    search_fields = ["title", "supplier__organization__name"]


@admin.register(OfferSession)
class OfferSessionAdmin(ReadOnlyAdmin):
    list_display = ["offer", "starts_at", "ends_at", "seats", "seats_taken"]


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    list_display = ["kind", "municipality", "category", "supplier_name", "status", "created_at"]
    list_filter = ["kind", "status", "category"]
