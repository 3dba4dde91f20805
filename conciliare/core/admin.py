from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from .models import AccessLog

# The Solidarity Fund's rows name the applicant as actor when they submit, read their own
# application or reply: in the console that would tell the operator who applied. The fund's own
# export (operator page of the fund) lists them with the applicant not named.
FUND_OBJECT_TYPE_PREFIX = "fund."


@admin.register(AccessLog)
class AccessLogAdmin(ModelAdmin):
    """Read-only: the access log is evidence, so nobody edits or deletes it."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "subject_user_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__email", "object_id"]
    readonly_fields = [f.name for f in AccessLog._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessLog]:
        return super().get_queryset(request).exclude(object_type__startswith=FUND_OBJECT_TYPE_PREFIX)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
