from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    return {"SITE_NAME": settings.SITE_NAME, "MFA_REQUIRED": settings.CONCILIARE_MFA_REQUIRED}
