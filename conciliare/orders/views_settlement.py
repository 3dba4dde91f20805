"""Settlement pages: the operator issues and pays statements; a supplier's staff reads theirs.

A statement is seen by the operator and by the staff of its supplier, nobody else (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from conciliare.accounts.rules import is_operator_admin
from conciliare.core.errors import ApplicationError, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.suppliers.models import Supplier
from conciliare.suppliers.selectors import supplier_get_for_staff_or_operator

from . import documents
from .forms_supplier import StatementGenerateForm
from .models import SettlementStatement, StatementStatus
from .settlement import (
    previous_month,
    statement_generate,
    statement_get_for_user,
    statement_items,
    statement_mark_paid,
    statements_for_operator,
    statements_monthly,
    unsettled_total,
)

PAGE_SIZE = 25


def _int(value: str | None) -> int | None:
    """A positive id from the address, or None: "abc", "²" or "١٢" are not ids (isdigit() alone lets them by)."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
def statements(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The operator's list, with "generate for last month" and "generate now for a supplier"."""
    if not is_operator_admin(request.user):
        raise NotPermitted(_("Page not found."))
    form = StatementGenerateForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "monthly":
            start, _end = previous_month(timezone.localdate())
            made = statements_monthly(today=timezone.localdate(), actor=request.user)
            if made:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s statement issued for %(month)s.",
                        "%(count)s statements issued for %(month)s.",
                        len(made),
                    )
                    % {"count": len(made), "month": start.strftime("%m/%Y")},
                )
            else:
                messages.info(request, _("Nothing to settle up to the end of last month."))
            return redirect("orders:statements")
        if action != "generate":
            return render(
                request, "error.html", {"title": _("Bad request"), "message": _("Unknown action.")}, status=400
            )
        form = StatementGenerateForm(request.POST)
        if form.is_valid():
            try:
                made_one = statement_generate(
                    actor=request.user,
                    supplier=form.cleaned_data["supplier"],
                    period_end=form.cleaned_data["period_end"],
                )
            except ApplicationError as error:
                form_add_service_errors(form, error)
                status = error.status
            else:
                messages.success(request, _("Statement %(reference)s issued.") % {"reference": made_one.reference})
                return redirect("orders:statement", statement_id=made_one.pk)
        else:
            status = 400
    supplier_id = _int(request.GET.get("fornitore"))
    chosen_status = request.GET.get("stato", "")
    if chosen_status not in StatementStatus.values:
        chosen_status = ""
    queryset = statements_for_operator(user=request.user, supplier_id=supplier_id, status=chosen_status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))
    suppliers = Supplier.objects.select_related("organization").order_by("organization__name")
    return render(
        request,
        "orders/settlement/statements.html",
        {
            "page": page,
            "form": form,
            "suppliers": suppliers,
            "supplier_id": supplier_id,
            "status": chosen_status,
            "statuses": StatementStatus.choices,
            "last_month": previous_month(timezone.localdate()),
        },
        status=status,
    )


@login_required
@require_POST
def statement_paid(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    if not is_operator_admin(request.user):
        raise NotPermitted(_("Page not found."))
    statement = statement_get_for_user(user=request.user, statement_id=statement_id)
    try:
        statement_mark_paid(actor=request.user, statement=statement)
    except ApplicationError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Statement %(reference)s is recorded as paid.") % {"reference": statement.reference}
        )
    return redirect("orders:statement", statement_id=statement.pk)


@login_required
@require_GET
def statement_detail(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_get_for_user(user=request.user, statement_id=statement_id)
    return render(
        request,
        "orders/settlement/statement.html",
        {
            "statement": statement,
            "rows": documents.statement_rows(statement_items(statement)),
            "is_operator": is_operator_admin(request.user),
        },
    )


@login_required
@require_GET
def statement_pdf(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_get_for_user(user=request.user, statement_id=statement_id)
    response = HttpResponse(
        documents.statement_pdf(statement, statement_items(statement)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="rendiconto-{statement.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def statement_csv(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponse:
    statement = statement_get_for_user(user=request.user, statement_id=statement_id)
    response = HttpResponse(
        documents.statement_csv(statement, statement_items(statement)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rendiconto-{statement.reference}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def supplier_statements(request: AuthenticatedHttpRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_get_for_staff_or_operator(user=request.user, supplier_id=supplier_id)
    queryset = SettlementStatement.objects.filter(supplier=supplier).order_by("-period_end", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))
    unsettled = unsettled_total(supplier, until=timezone.localdate())
    return render(
        request,
        "orders/settlement/supplier_statements.html",
        {"supplier": supplier, "page": page, "unsettled": unsettled, "is_operator": is_operator_admin(request.user)},
    )
