from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from conciliare.accounts.mfa import mfa_setup_required


class SecondFactorSetUp(BasePermission):
    """Refuses operator, HR and committee members without TOTP, by session or by token alike."""

    message = _("Two-factor authentication must be set up first.")
    code = "mfa_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        return not mfa_setup_required(request.user)
