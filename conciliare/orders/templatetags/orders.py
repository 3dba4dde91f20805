"""The booking box on an offer's page (the catalogue shows it without depending on this app)."""

from typing import Any

from django import template
from django.utils import timezone

from ..forms import CartAddForm
from ..models import LineStatus, OrderStatus

register = template.Library()


@register.inclusion_tag("orders/_buy_box.html", takes_context=True)
def buy_box(context: dict[str, Any], offer: Any, sessions: Any) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    form = None
    if user.is_authenticated:
        form = CartAddForm(offer=offer, user=user, sessions=list(sessions), today=timezone.localdate())
    return {"offer": offer, "form": form, "request": request, "csrf_token": context.get("csrf_token")}


@register.filter
def bucket_label(code: str, labels: dict[str, str]) -> str:
    return str(labels.get(code, code))


_STATUS_LABELS = {**dict(LineStatus.choices), **dict(OrderStatus.choices)}


@register.filter
def status_label(code: str) -> str:
    """An order's or a line's state in words (events store the codes)."""
    return str(_STATUS_LABELS.get(code, code))
