from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .mfa import mfa_setup_required

# Paths a user without a second factor may still reach, to set one up or leave.
# The API is guarded by `conciliare.api.permissions.SecondFactorSetUp`, which also
# sees token users (DRF authenticates them only inside the view).
_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/")


class RequireMfaMiddleware:
    """Sends staff roles (operator, HR, fund committee) to TOTP setup until they have it.

    On in production, off in the demo (`CONCILIARE_MFA_REQUIRED`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(_ALLOWED_PREFIXES) and mfa_setup_required(request.user):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
