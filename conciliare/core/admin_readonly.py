"""A console view for models that change only through their services."""

from typing import Any

from unfold.admin import ModelAdmin


class ReadOnlyAdmin(ModelAdmin):
    """Shows every field; adding, changing and deleting happen in the platform's pages and services."""

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
