from django.contrib import admin

from conciliare.core.admin_readonly import ReadOnlyAdmin

from .models import ReimbursementEvent, ReimbursementPolicy, ReimbursementReceipt, ReimbursementRequest


@admin.register(ReimbursementRequest)
class ReimbursementRequestAdmin(ReadOnlyAdmin):
    """Requests change only through their services (submit, review, withdraw); the console shows them."""

    list_display = ["pk", "employee", "company", "bucket", "amount", "status", "flagged", "submitted_at"]
    list_filter = ["status", "bucket", "flagged"]
    search_fields = ["employee__email", "employee__last_name", "company__name"]
    list_select_related = ["employee", "company"]


@admin.register(ReimbursementEvent)
class ReimbursementEventAdmin(ReadOnlyAdmin):
    list_display = ["request", "from_status", "to_status", "actor", "at"]
    list_select_related = ["actor"]


@admin.register(ReimbursementReceipt)
class ReimbursementReceiptAdmin(ReadOnlyAdmin):
    # The documents themselves are opened from the request's page, which checks who may and logs the reading.
    exclude = ["file"]
    list_display = ["request", "kind", "size", "uploaded_at"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [name for name in super().get_readonly_fields(request, obj) if name != "file"]


@admin.register(ReimbursementPolicy)
class ReimbursementPolicyAdmin(ReadOnlyAdmin):
    list_display = ["company", "reviewer", "changed_by", "updated_at"]
