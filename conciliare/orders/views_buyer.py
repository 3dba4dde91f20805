"""The buyer's pages: cart with the checkout, order history, an order with its vouchers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conciliare.catalogue.selectors import offer_get_public, upcoming_sessions
from conciliare.core.errors import ApplicationError, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.money import format_euro
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.fund.models import GRANT_BUCKET, GRANT_BUCKET_LABEL
from conciliare.plans.selectors import BUCKET_LABELS

from .checkout import Quote, cart_add, cart_remove, cart_requests, checkout, quote
from .forms import CartAddForm, CheckoutForm
from .fulfilment import line_cancel, refund_percent
from .models import CartLine, Checkout, LineStatus, OrderStatus
from .payments import provider_for
from .selectors import order_get_for_buyer, orders_of

PAYING_LABELS = {**BUCKET_LABELS, GRANT_BUCKET: GRANT_BUCKET_LABEL}

ORDERS_PER_PAGE = 20


@login_required
@require_POST
def cart_add_view(request: AuthenticatedHttpRequest, offer_id: int) -> HttpResponse:
    offer = offer_get_public(offer_id=offer_id)
    today = timezone.localdate()
    sessions = list(upcoming_sessions(offer, now=timezone.now())[:30])
    form = CartAddForm(request.POST, offer=offer, user=request.user, sessions=sessions, today=today)
    if form.is_valid():
        try:
            cart_add(user=request.user, request=form.line_request(), today=today)
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Added to your cart."))
            return redirect("orders:cart")
    return render(request, "orders/cart_add_error.html", {"form": form, "offer": offer}, status=400)


@login_required
@require_POST
def cart_remove_view(request: AuthenticatedHttpRequest, line_id: int) -> HttpResponse:
    cart_remove(user=request.user, line_id=line_id)
    messages.success(request, _("Removed from your cart."))
    return redirect("orders:cart")


def _quote_or_problem(request: AuthenticatedHttpRequest) -> tuple[Quote | None, str]:
    requests = cart_requests(request.user)
    if not requests:
        return None, ""
    try:
        return quote(buyer=request.user, requests=requests), ""
    except ApplicationError as error:
        return None, error.message


def _cart_page(request: AuthenticatedHttpRequest, form: CheckoutForm | None, status: int = 200) -> HttpResponse:
    planned, problem = _quote_or_problem(request)
    lines = list(
        CartLine.objects.filter(cart__user=request.user)
        .select_related("offer__supplier__organization", "session", "member")
        .order_by("added_at", "pk")
    )
    if form is None and planned is not None:
        form = CheckoutForm(own_money=planned.own)
    return render(
        request,
        "orders/cart.html",
        {
            "lines": lines,
            "rows": list(zip(lines, planned.lines, strict=True)) if planned else [(line, None) for line in lines],
            "quote": planned,
            "problem": problem,
            "form": form,
            "bucket_labels": PAYING_LABELS,
            "transfer_iban": settings.CONCILIARE_TRANSFER_IBAN,
            "payment_days": settings.CONCILIARE_PAYMENT_DAYS,
        },
        status=status,
    )


@login_required
def cart(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _cart_page(request, None)


@login_required
def checkout_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("orders:cart")
    planned, _problem = _quote_or_problem(request)
    requests = cart_requests(request.user)
    form = CheckoutForm(request.POST, own_money=planned.own if planned else 0)
    if form.is_valid():
        try:
            made = checkout(
                buyer=request.user,
                requests=requests,
                payment_method=form.method(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                round_up=bool(form.cleaned_data.get("round_up")),
            )
        except ApplicationError as error:
            made_before = Checkout.objects.filter(
                buyer=request.user, idempotency_key=form.cleaned_data["idempotency_key"]
            ).first()
            if made_before is None:
                form_add_service_errors(form, error)
                return _cart_page(request, form, status=error.status)
            # A second click of the same page once the first had emptied the cart: show what it made.
            made = made_before
        orders = list(made.orders.all())
        messages.success(request, _("Thank you: your order is placed."))
        return redirect("orders:order", orders[0].pk) if len(orders) == 1 else redirect("orders:orders")
    return _cart_page(request, form, status=400)


@login_required
def order_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(orders_of(request.user), ORDERS_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "orders/order_list.html", {"page": page})


@login_required
def order_detail(request: AuthenticatedHttpRequest, order_id: int) -> HttpResponse:
    order = order_get_for_buyer(user=request.user, order_id=order_id)
    now = timezone.now()
    refunds = {
        line.pk: refund_percent(line, now=now)
        for line in order.lines.all()
        if line.status in (LineStatus.PENDING, LineStatus.CONFIRMED)
    }
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "refunds": refunds,
            "bucket_labels": PAYING_LABELS,
            "payment": (
                provider_for(order.payment_method).instructions(order)
                if order.status == OrderStatus.AWAITING_PAYMENT
                else None
            ),
        },
    )


@login_required
@require_POST
def line_cancel_view(request: AuthenticatedHttpRequest, order_id: int, line_id: int) -> HttpResponse:
    order = order_get_for_buyer(user=request.user, order_id=order_id)
    line = next((line for line in order.lines.all() if line.pk == line_id), None)
    if line is None:
        raise NotPermitted(_("Order not found."))
    cancelled = line_cancel(actor=request.user, line_id=line.pk)
    messages.success(
        request, _("Cancelled. %(amount)s will be given back.") % {"amount": format_euro(cancelled.refunded)}
    )
    return redirect("orders:order", order.pk)
