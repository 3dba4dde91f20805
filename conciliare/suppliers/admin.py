from django.contrib import admin

from conciliare.core.admin_readonly import ReadOnlyAdmin

from .models import CharterSignature, CharterVersion, Supplier, SupplierReviewEvent


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    """Reviews happen in the operator's pages (/gestione-fornitori/), which e-mail the supplier."""

    list_display = ["organization", "status", "durc_expires_on", "submitted_at", "decided_at"]
    list_filter = ["status", "home_service", "area_mode"]
    search_fields = ["organization__name", "organization__vat_number", "contact_email"]


@admin.register(CharterVersion)
class CharterVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "fund_contribution_percent", "published_at"]


@admin.register(CharterSignature)
class CharterSignatureAdmin(ReadOnlyAdmin):
    list_display = ["organization", "version", "signed_by", "signed_at", "ip_address"]
    list_filter = ["version"]
    search_fields = ["organization__name", "signed_by__email"]


@admin.register(SupplierReviewEvent)
class SupplierReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["supplier", "decision", "actor", "at"]
    list_filter = ["decision"]
