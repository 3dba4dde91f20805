"""The rule of the second factor, shared by pages (middleware) and the API (permission)."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings

from .models import MFA_ROLES


def mfa_setup_required(user: Any) -> bool:
    """True when the person holds a role that needs TOTP, TOTP is required, and they have none."""
    if not settings.CONCILIARE_MFA_REQUIRED or not user or not user.is_authenticated:
        return False
    if not user.memberships.filter(role__in=MFA_ROLES).exists():
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
