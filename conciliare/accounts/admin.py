"""The operator's console (django-unfold) over people and organizations."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from .models import (
    DependentChildrenDeclaration,
    EmployeeImport,
    EmployeeProfile,
    FamilyMember,
    Membership,
    Organization,
    OrganizationRoleAssignment,
    User,
)


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "fiscal_code", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "memberships__role"]
    search_fields = ["email", "first_name", "last_name", "fiscal_code"]
    autocomplete_fields = ["residence_municipality"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Person"),
            {"fields": ("first_name", "last_name", "fiscal_code", "birth_date", "residence_municipality", "phone")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class OrganizationRoleInline(TabularInline):
    model = OrganizationRoleAssignment
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(ModelAdmin):
    list_display = ["name", "vat_number", "municipality", "alliance_member"]
    list_filter = ["roles__role", "alliance_member", "municipality__district"]
    search_fields = ["name", "vat_number"]
    autocomplete_fields = ["municipality"]
    inlines = [OrganizationRoleInline]


@admin.register(Membership)
class MembershipAdmin(ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__last_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(EmployeeProfile)
class EmployeeProfileAdmin(ModelAdmin):
    list_display = ["user", "company", "workplace_municipality", "contract_category", "hire_date"]
    list_filter = ["contract_category", "company"]
    search_fields = ["user__email", "user__last_name", "user__fiscal_code", "company__name"]
    autocomplete_fields = ["user", "company", "workplace_municipality"]


@admin.register(FamilyMember)
class FamilyMemberAdmin(ModelAdmin):
    """Health fields are special-category data: the console does not show them."""

    list_display = ["first_name", "last_name", "relationship", "birth_date", "user"]
    list_filter = ["relationship"]
    search_fields = ["last_name", "fiscal_code", "user__email"]
    fields = ["user", "relationship", "first_name", "last_name", "fiscal_code", "birth_date", "fiscally_dependent"]
    readonly_fields = ["user"]


@admin.register(DependentChildrenDeclaration)
class DependentChildrenDeclarationAdmin(ModelAdmin):
    list_display = ["user", "tax_year", "declared_at", "withdrawn_at"]
    list_filter = ["tax_year"]
    readonly_fields = ["user", "tax_year", "children", "statement", "declared_at", "ip_address", "withdrawn_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(EmployeeImport)
class EmployeeImportAdmin(ModelAdmin):
    list_display = ["file_name", "company", "uploaded_by", "status", "created_at", "created_count", "updated_count"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in EmployeeImport._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
