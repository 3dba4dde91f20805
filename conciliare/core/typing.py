"""Request types for views that only signed-in people reach."""

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from conciliare.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: "User"  # type: ignore[assignment]


def request_user(request: Any) -> "User":
    """The signed-in user of a view protected by login_required or IsAuthenticated."""
    return cast("User", request.user)
