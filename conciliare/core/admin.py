from django.contrib import admin
from unfold.admin import ModelAdmin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ModelAdmin):
    """Read-only: the access log is evidence, so nobody edits or deletes it."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "subject_user_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__email", "object_id"]
    readonly_fields = [f.name for f in AccessLog._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
