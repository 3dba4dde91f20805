"""Reads of orders, scoped to who asks; each list costs a fixed number of queries."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from conciliare.accounts.rules import is_operator_admin
from conciliare.core.errors import NotPermitted

from .models import LinePayment, Order, OrderEvent, OrderLine, OrderStatus


def _with_lines(queryset: QuerySet[Order]) -> QuerySet[Order]:
    lines = OrderLine.objects.select_related("session", "voucher").prefetch_related(
        Prefetch("payments", queryset=LinePayment.objects.order_by("pk"))
    )
    return queryset.select_related("supplier__organization__municipality", "buyer").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


def orders_of(user: Any) -> QuerySet[Order]:
    return _with_lines(Order.objects.filter(buyer=user))


def order_get_for_buyer(*, user: Any, order_id: int) -> Order:
    order = (
        orders_of(user)
        .prefetch_related(Prefetch("events", queryset=OrderEvent.objects.select_related("actor", "line")))
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotPermitted(_("Order not found."))
    return order


def orders_awaiting_payment(*, user: Any) -> QuerySet[Order]:
    if not is_operator_admin(user):
        raise NotPermitted(_("Page not found."))
    return _with_lines(Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT)).order_by("payment_due_at", "pk")
