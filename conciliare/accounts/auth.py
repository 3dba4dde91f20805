from typing import Any

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account django-axes counts failures against: the e-mail, whatever form sent it.

    allauth authenticates with `email=`, the admin and the API with `username=`.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or request.POST.get("login")
    return str(value).strip().lower() if value else None
