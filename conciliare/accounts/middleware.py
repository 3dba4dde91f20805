from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .models import MFA_ROLES

# Paths a user without a second factor may still reach, to set one up or leave.
_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/schema/")


class RequireMfaMiddleware:
    """Sends staff roles (operator, HR, fund committee) to TOTP setup until they have it.

    On in production, off in the demo (`CONCILIARE_MFA_REQUIRED`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_set_up_mfa(request):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "error": {
                            "code": "mfa_required",
                            "message": "Two-factor authentication must be set up first.",
                            "fields": {},
                        }
                    },
                    status=403,
                )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up_mfa(self, request: HttpRequest) -> bool:
        if not settings.CONCILIARE_MFA_REQUIRED:
            return False
        user = request.user
        if not user.is_authenticated or request.path.startswith(_ALLOWED_PREFIXES):
            return False
        if not user.memberships.filter(role__in=MFA_ROLES).exists():  # type: ignore[union-attr]
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
