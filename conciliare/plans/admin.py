from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from .models import PlanAllowance, WelfarePlan


class PlanAllowanceInline(TabularInline):
    model = PlanAllowance
    extra = 0


@admin.register(WelfarePlan)
class WelfarePlanAdmin(ModelAdmin):
    """Plans change only through their services (activation moves money): the console shows them."""

    list_display = ["name", "company", "starts_on", "ends_on", "legal_basis", "status"]
    list_filter = ["status", "legal_basis", "residual_rule"]
    search_fields = ["name", "company__name"]
    inlines = [PlanAllowanceInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in WelfarePlan._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
