"""The order's diary: every change of state, with who made it."""

from typing import Any

from .models import Order, OrderEvent, OrderLine


def record(
    *, order: Order, actor: Any, from_status: str, to_status: str, line: OrderLine | None = None, note: str = ""
) -> None:
    OrderEvent.objects.create(
        order=order,
        line=line,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        note=note[:300],
    )
