"""The operator's page of orders waiting for own money: confirm what arrived."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conciliare.core.typing import AuthenticatedHttpRequest

from .fulfilment import payment_confirm
from .selectors import orders_awaiting_payment


@login_required
def payments(request: AuthenticatedHttpRequest) -> HttpResponse:
    orders = orders_awaiting_payment(user=request.user)
    return render(request, "orders/payments.html", {"orders": orders})


@login_required
@require_POST
def payment_confirm_view(request: AuthenticatedHttpRequest, order_id: int) -> HttpResponse:
    order = payment_confirm(actor=request.user, order_id=order_id)
    messages.success(
        request, _("Payment of %(order)s confirmed: the supplier has been told.") % {"order": order.reference}
    )
    return redirect("orders:payments")
