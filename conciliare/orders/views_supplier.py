"""Supplier pages: orders and bookings, answering lines, redeeming vouchers; the voucher PDF.

Every page finds the supplier through `supplier_get_for_staff` (others get a 404) and every
object through that supplier, so an id of another supplier's order is "not found". Actions
are POST-only and call one service of `fulfilment`; a refusal is shown on the page with
the service's status code (400, 404, 409).
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from conciliare.catalogue.services import is_supplier_staff
from conciliare.core.errors import ApplicationError, InvalidInput, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.money import format_euro
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.suppliers.models import Supplier
from conciliare.suppliers.selectors import supplier_get_for_staff, suppliers_for_staff

from . import documents, fulfilment
from .forms_supplier import DeclineForm, RedeemForm
from .models import OPEN_ORDER, LineStatus, Order, OrderLine, OrderStatus, Voucher, VoucherStatus
from .vouchers import code_for, token_from

PAGE_SIZE = 25
MAX_BOOKINGS = 200
PRINTABLE_LINE = (LineStatus.CONFIRMED, LineStatus.REDEEMED)


# -- Voucher PDF -----------------------------------------------------------------------------------


@login_required
@require_GET
def voucher_pdf(request: AuthenticatedHttpRequest, voucher_id: int) -> HttpResponse:
    """For the buyer, and for the staff of the supplier that must honour it; for nobody else."""
    voucher = (
        Voucher.objects.select_related("line__order__supplier__organization__municipality", "line__session")
        .filter(pk=voucher_id)
        .first()
    )
    if voucher is None or voucher.line.status not in PRINTABLE_LINE:
        raise NotPermitted(_("Voucher not found."))
    order = voucher.line.order
    if order.buyer_id != request.user.pk and not is_supplier_staff(request.user, order.supplier):
        raise NotPermitted(_("Voucher not found."))
    response = HttpResponse(documents.voucher_pdf(voucher), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="buono-{order.reference}-{voucher.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- Redemption ------------------------------------------------------------------------------------


def _voucher_of(supplier: Supplier, code: str) -> Voucher:
    """The voucher a typed or scanned code names, if it is this supplier's; else the refusal to show."""
    token = token_from(code)
    voucher = (
        Voucher.objects.select_related("line__order", "line__session")
        .filter(token=token, line__order__supplier=supplier)
        .first()
    )
    if voucher is None:
        raise NotPermitted(_("No voucher has this code."))
    return voucher


def _voucher_problem(voucher: Voucher) -> str:
    """Why the voucher cannot be redeemed today (the service says the same when asked), or ''."""
    today = timezone.localdate()
    if voucher.status == VoucherStatus.REDEEMED:
        when = timezone.localtime(voucher.redeemed_at).strftime("%d/%m/%Y %H:%M") if voucher.redeemed_at else ""
        return _("This voucher was already used on %(when)s.") % {"when": when}
    if voucher.status != VoucherStatus.ISSUED:
        return _("This voucher was cancelled.")
    if today < voucher.valid_from:
        return _("This voucher is valid from %(day)s.") % {"day": voucher.valid_from.strftime("%d/%m/%Y")}
    if today > voucher.valid_until:
        return _("This voucher expired on %(day)s.") % {"day": voucher.valid_until.strftime("%d/%m/%Y")}
    return ""


def _redeem_page(
    request: HttpRequest, supplier: Supplier, form: RedeemForm, *, voucher: Voucher | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "orders/supplier/redeem.html",
        {
            "supplier": supplier,
            "form": form,
            "voucher": voucher,
            "problem": _voucher_problem(voucher) if voucher is not None else "",
            "code": code_for(voucher.token) if voucher is not None else "",
        },
        status=status,
    )


@login_required
def redeem(request: AuthenticatedHttpRequest, supplier_id: int) -> HttpResponse:
    """Type the code (or open the QR's address): GET shows the voucher to check, POST redeems it."""
    supplier = supplier_get_for_staff(user=request.user, supplier_id=supplier_id)
    if request.method == "POST":
        form = RedeemForm(request.POST)
        if not form.is_valid():
            return _redeem_page(request, supplier, form, voucher=None, status=400)
        code = form.cleaned_data["code"]
        try:
            voucher = fulfilment.voucher_redeem(actor=request.user, supplier_id=supplier.pk, code=code)
        except ApplicationError as error:
            form_add_service_errors(form, error)
            shown = None
            if error.status == 409:  # genuine and theirs, but used, cancelled or out of its dates: show it
                shown = _voucher_of(supplier, code)
            return _redeem_page(request, supplier, form, voucher=shown, status=error.status)
        line = voucher.line
        messages.success(
            request,
            _("Voucher redeemed: %(title)s for %(beneficiary)s, %(amount)s. The amount is now owed to you.")
            % {
                "title": line.title,
                "beneficiary": voucher.beneficiary_name,
                "amount": format_euro(line.amount, locale=to_locale(get_language() or "it")),
            },
        )
        return redirect("orders:redeem", supplier_id=supplier.pk)
    code = request.GET.get("codice", "").strip()[:300]
    if not code:
        return _redeem_page(request, supplier, RedeemForm(), voucher=None)
    form = RedeemForm({"code": code})
    form.is_valid()
    try:
        voucher = _voucher_of(supplier, code)
    except ApplicationError as error:
        form_add_service_errors(form, error)
        return _redeem_page(request, supplier, form, voucher=None, status=error.status)
    return _redeem_page(request, supplier, RedeemForm(initial={"code": code_for(voucher.token)}), voucher=voucher)


@login_required
@require_GET
def redeem_scan(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where the QR code leads: the redemption page of the supplier whose voucher it is."""
    code = request.GET.get("codice", "").strip()[:300]
    suppliers = list(suppliers_for_staff(request.user).order_by("organization__name"))
    if not suppliers:
        raise NotPermitted(_("Page not found."))
    target = suppliers[0] if len(suppliers) == 1 else None
    if target is None and code:
        try:
            token = token_from(code)
        except InvalidInput:
            token = ""
        owner = Voucher.objects.filter(token=token).values_list("line__order__supplier_id", flat=True).first()
        target = next((supplier for supplier in suppliers if supplier.pk == owner), None)
    query = f"?{urlencode({'codice': code})}" if code else ""
    if target is not None:
        return redirect(reverse("orders:redeem", args=[target.pk]) + query)
    choices = [(supplier, reverse("orders:redeem", args=[supplier.pk]) + query) for supplier in suppliers]
    return render(request, "orders/supplier/redeem_choose.html", {"choices": choices})


# -- Orders and bookings ---------------------------------------------------------------------------

# The filters of the orders page (Italian in the address, as the other addresses).
VIEWS: dict[str, Any] = {
    "da-rispondere": lambda orders: orders.filter(status__in=OPEN_ORDER, has_pending=True),
    "confermati": lambda orders: orders.filter(has_confirmed=True),
    "tutti": lambda orders: orders,
}


def _view_labels() -> dict[str, str]:
    return {"da-rispondere": _("To answer"), "confermati": _("Confirmed"), "tutti": _("All")}


def _supplier_orders(supplier: Supplier) -> QuerySet[Order]:
    lines = OrderLine.objects.filter(order=OuterRef("pk"))
    return Order.objects.filter(supplier=supplier).annotate(
        has_pending=Exists(lines.filter(status=LineStatus.PENDING)),
        has_confirmed=Exists(lines.filter(status=LineStatus.CONFIRMED)),
    )


@login_required
@require_GET
def supplier_orders(request: AuthenticatedHttpRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_get_for_staff(user=request.user, supplier_id=supplier_id)
    view = request.GET.get("vista", "da-rispondere")
    if view not in VIEWS:
        view = "da-rispondere"
    base = _supplier_orders(supplier)
    orders = (
        VIEWS[view](base)
        .select_related("buyer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("session").order_by("pk")))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("pagina"))
    to_answer = (
        OrderLine.objects.filter(order__supplier=supplier, order__status__in=OPEN_ORDER)
        .aggregate(pending=Count("pk", filter=Q(status=LineStatus.PENDING)))
        .get("pending", 0)
    )
    bookings = list(
        OrderLine.objects.filter(
            order__supplier=supplier,
            session__isnull=False,
            session__ends_at__gte=timezone.now(),
            status__in=[LineStatus.PENDING, LineStatus.CONFIRMED, LineStatus.REDEEMED],
        )
        .select_related("session", "order")
        .order_by("session__starts_at", "session_id", "beneficiary_name", "pk")[:MAX_BOOKINGS]
    )
    return render(
        request,
        "orders/supplier/orders.html",
        {
            "supplier": supplier,
            "page": page,
            "view": view,
            "views": _view_labels(),
            "to_answer": to_answer,
            "bookings": bookings,
            "max_bookings": MAX_BOOKINGS,
        },
    )


def _order_of(supplier: Supplier, order_id: int) -> Order:
    order = Order.objects.select_related("buyer").filter(supplier=supplier, pk=order_id).first()
    if order is None:
        raise NotPermitted(_("Order not found."))
    return order


def _events(order: Order) -> list[Any]:
    """The order's diary with translated states (lines and orders share some state names)."""
    line_labels = dict(LineStatus.choices)
    order_labels = dict(OrderStatus.choices)
    events = list(order.events.select_related("actor", "line").order_by("at", "pk"))
    for event in events:
        labels = line_labels if event.line_id else order_labels
        event.from_label = labels.get(event.from_status, event.from_status)  # type: ignore[attr-defined]
        event.to_label = labels.get(event.to_status, event.to_status)  # type: ignore[attr-defined]
    return events


def _order_page(
    request: HttpRequest,
    supplier: Supplier,
    order: Order,
    *,
    status: int = 200,
    error: str = "",
    decline_form: tuple[int, DeclineForm] | None = None,
) -> HttpResponse:
    lines = list(order.lines.select_related("session", "voucher").order_by("pk"))
    for line in lines:
        if decline_form is not None and decline_form[0] == line.pk:
            line.decline_form = decline_form[1]  # type: ignore[attr-defined]
        else:
            line.decline_form = DeclineForm(auto_id=f"id_line{line.pk}_%s")  # type: ignore[attr-defined]
    return render(
        request,
        "orders/supplier/order.html",
        {
            "supplier": supplier,
            "order": order,
            "lines": lines,
            "events": _events(order),
            "error": error,
            "answerable": order.status in OPEN_ORDER,
        },
        status=status,
    )


@login_required
@require_GET
def supplier_order(request: AuthenticatedHttpRequest, supplier_id: int, order_id: int) -> HttpResponse:
    supplier = supplier_get_for_staff(user=request.user, supplier_id=supplier_id)
    return _order_page(request, supplier, _order_of(supplier, order_id))


def _line_of(supplier: Supplier, line_id: int) -> OrderLine:
    line = OrderLine.objects.select_related("order__buyer").filter(pk=line_id, order__supplier=supplier).first()
    if line is None:
        raise NotPermitted(_("Order not found."))
    return line


def _act(request: AuthenticatedHttpRequest, supplier_id: int, line_id: int, action: Any, done: str) -> HttpResponse:
    supplier = supplier_get_for_staff(user=request.user, supplier_id=supplier_id)
    line = _line_of(supplier, line_id)
    try:
        action(actor=request.user, line_id=line.pk)
    except ApplicationError as error:
        order = _order_of(supplier, line.order_id)
        return _order_page(request, supplier, order, status=error.status, error=error.message)
    messages.success(request, done % {"title": line.title, "beneficiary": line.beneficiary_name})
    return redirect("orders:supplier_order", supplier_id=supplier.pk, order_id=line.order_id)


@login_required
@require_POST
def line_confirm_view(request: AuthenticatedHttpRequest, supplier_id: int, line_id: int) -> HttpResponse:
    return _act(
        request,
        supplier_id,
        line_id,
        fulfilment.line_confirm,
        _("You confirmed %(title)s for %(beneficiary)s: the buyer has been told."),
    )


@login_required
@require_POST
def line_deliver_view(request: AuthenticatedHttpRequest, supplier_id: int, line_id: int) -> HttpResponse:
    return _act(
        request,
        supplier_id,
        line_id,
        fulfilment.line_deliver,
        _("%(title)s for %(beneficiary)s is recorded as delivered."),
    )


@login_required
@require_POST
def line_decline_view(request: AuthenticatedHttpRequest, supplier_id: int, line_id: int) -> HttpResponse:
    supplier = supplier_get_for_staff(user=request.user, supplier_id=supplier_id)
    line = _line_of(supplier, line_id)
    form = DeclineForm(request.POST, auto_id=f"id_line{line.pk}_%s")
    if form.is_valid():
        try:
            fulfilment.line_decline(actor=request.user, line_id=line.pk, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            form_add_service_errors(form, error)
            order = _order_of(supplier, line.order_id)
            return _order_page(
                request, supplier, order, status=error.status, error=error.message, decline_form=(line.pk, form)
            )
        messages.success(
            request,
            _("You declined %(title)s for %(beneficiary)s: the buyer has been told and their credit is free again.")
            % {"title": line.title, "beneficiary": line.beneficiary_name},
        )
        return redirect("orders:supplier_order", supplier_id=supplier.pk, order_id=line.order_id)
    order = _order_of(supplier, line.order_id)
    return _order_page(
        request,
        supplier,
        order,
        status=400,
        error=_("Say why you decline."),
        decline_form=(line.pk, form),
    )
