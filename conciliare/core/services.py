from typing import Any

from django.http import HttpRequest

from .models import AccessLog


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(
    *,
    actor: Any,
    action: str,
    obj: Any,
    subject_user_id: int | None = None,
    request: HttpRequest | None = None,
    detail: str = "",
) -> AccessLog:
    return AccessLog.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        subject_user_id=subject_user_id,
        ip_address=client_ip(request),
        detail=detail[:255],
    )
