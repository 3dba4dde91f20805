"""Pages for suppliers (apply, sign, their area) and for the operator (review, charter)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conciliare.accounts.rules import is_operator_admin
from conciliare.accounts.selectors import companies_for_hr
from conciliare.catalogue.selectors import offers_for_supplier
from conciliare.core.errors import ApplicationError, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.services import client_ip
from conciliare.core.typing import AuthenticatedHttpRequest

from .eligibility import charter_current, has_signed_current, selling_blockers
from .forms import ApplicationForm, CharterForm, ReviewForm, SupplierEditForm
from .models import Supplier, SupplierStatus
from .selectors import (
    charter_versions,
    signatures_of,
    supplier_get_for_staff,
    supplier_get_for_staff_or_operator,
    suppliers_for_operator,
    suppliers_for_staff,
)
from .services import Origin, charter_publish, charter_sign, supplier_apply, supplier_review, supplier_update

DURC_WARNING_DAYS = 30


def _origin(request: HttpRequest) -> Origin:
    return Origin(ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))


def charter(request: HttpRequest) -> HttpResponse:
    """The Carta etica in force, for everybody: workers see what suppliers commit to."""
    versions = list(charter_versions())
    return render(
        request, "suppliers/charter.html", {"current": versions[0] if versions else None, "versions": versions}
    )


def join(request: HttpRequest) -> HttpResponse:
    """Why and how to join, for anyone; the form itself needs an account (a verified e-mail)."""
    if request.user.is_authenticated:
        return redirect("suppliers:apply")
    return render(request, "suppliers/join.html", {"current": charter_current()})


def _companies_without_supplier(user: Any) -> Any:
    return companies_for_hr(user).filter(supplier__isnull=True)


@login_required
def apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    existing = suppliers_for_staff(request.user).first()
    if existing is not None and not _companies_without_supplier(request.user).exists():
        return redirect("suppliers:area", supplier_id=existing.pk)
    current = charter_current()
    if current is None:
        return render(request, "suppliers/join.html", {"current": None}, status=409)
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        charter=current,
        companies=_companies_without_supplier(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            supplier = supplier_apply(
                actor=request.user,
                details=form.details(),
                durc_document=form.cleaned_data["durc_document"],
                charter_version=form.cleaned_data["charter_version"],
                origin=_origin(request),
                organization=form.cleaned_data.get("organization"),
                new_organization=form.new_organization(),
            )
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, _("Thank you: your application and your signature of the charter have been recorded.")
            )
            return redirect("suppliers:area", supplier_id=supplier.pk)
    return render(
        request,
        "suppliers/apply.html",
        {"form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def area(request: AuthenticatedHttpRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_get_for_staff_or_operator(user=request.user, supplier_id=supplier_id)
    today = timezone.localdate()
    current = charter_current()
    return render(
        request,
        "suppliers/area.html",
        {
            "supplier": supplier,
            "blockers": selling_blockers(supplier, today=today),
            "current": current,
            "signed_current": has_signed_current(supplier, current),
            "signatures": signatures_of(supplier),
            "events": supplier.review_events.select_related("actor")[:20],
            "offers": offers_for_supplier(supplier),
            "served": supplier.served_municipalities.order_by("name"),
            "durc_days_left": (supplier.durc_expires_on - today).days,
            "durc_warning_days": DURC_WARNING_DAYS,
            "is_staff_member": suppliers_for_staff(request.user).filter(pk=supplier.pk).exists(),
        },
    )


@login_required
def edit(request: AuthenticatedHttpRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_get_for_staff(user=request.user, supplier_id=supplier_id)
    form = SupplierEditForm(request.POST or None, request.FILES or None, initial=SupplierEditForm.initial_for(supplier))
    if request.method == "POST" and form.is_valid():
        try:
            supplier_update(
                actor=request.user,
                supplier=supplier,
                details=form.details(),
                durc_document=form.cleaned_data.get("durc_document"),
            )
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            resubmitted = supplier.status in (SupplierStatus.CHANGES_REQUESTED, SupplierStatus.REJECTED)
            messages.success(
                request,
                _("Your data has been saved and sent to the operator for review.")
                if resubmitted
                else _("Your data has been saved."),
            )
            return redirect("suppliers:area", supplier_id=supplier.pk)
    return render(
        request,
        "suppliers/edit.html",
        {"form": form, "supplier": supplier},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def sign(request: AuthenticatedHttpRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_get_for_staff(user=request.user, supplier_id=supplier_id)
    try:
        version = int(request.POST.get("charter_version", ""))
    except ValueError:
        version = 0
    if request.POST.get("accept") != "on":
        messages.error(request, _("Tick the box to accept the charter's commitments."))
        return redirect("suppliers:charter")
    try:
        charter_sign(actor=request.user, supplier=supplier, charter_version=version, origin=_origin(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("suppliers:charter")
    messages.success(request, _("You have signed the ethical charter in force."))
    return redirect("suppliers:area", supplier_id=supplier.pk)


@login_required
def durc_document(request: AuthenticatedHttpRequest, supplier_id: int) -> FileResponse:
    supplier = supplier_get_for_staff_or_operator(user=request.user, supplier_id=supplier_id)
    if not supplier.durc_document:
        raise NotPermitted(_("Document not found."))
    return FileResponse(supplier.durc_document.open("rb"), as_attachment=True, filename="DURC")


# --- The operator ------------------------------------------------------------------------------------------------


@login_required
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("stato", SupplierStatus.SUBMITTED)
    if status not in SupplierStatus.values:
        status = ""
    suppliers = suppliers_for_operator(user=request.user, status=status)
    counts = dict.fromkeys(SupplierStatus.values, 0)
    for value in Supplier.objects.values_list("status", flat=True):
        counts[value] += 1
    return render(
        request,
        "suppliers/review_list.html",
        {
            "suppliers": suppliers,
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in SupplierStatus.choices],
        },
    )


@login_required
def review(request: AuthenticatedHttpRequest, supplier_id: int) -> HttpResponse:
    if not is_operator_admin(request.user):
        raise NotPermitted(_("Supplier not found."))
    supplier = supplier_get_for_staff_or_operator(user=request.user, supplier_id=supplier_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier_review(
                actor=request.user,
                supplier=supplier,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded; the supplier has been told by e-mail."))
            return redirect("suppliers:review_list")
    current = charter_current()
    return render(
        request,
        "suppliers/review.html",
        {
            "supplier": supplier,
            "form": form,
            "served": supplier.served_municipalities.order_by("name"),
            "signatures": signatures_of(supplier),
            "signed_current": has_signed_current(supplier, current),
            "events": supplier.review_events.select_related("actor"),
            "blockers": selling_blockers(supplier),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def charter_new_version(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_operator_admin(request.user):
        raise NotPermitted(_("Page not found."))
    current = charter_current()
    form = CharterForm(request.POST or None, initial=CharterForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            version = charter_publish(
                actor=request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                fund_contribution_percent=form.cleaned_data["fund_contribution_percent"],
                commitments=form.commitments(),
            )
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)d is in force: suppliers must sign it again to keep selling.")
                % {"number": version.number},
            )
            return redirect("suppliers:charter")
    return render(
        request,
        "suppliers/charter_form.html",
        {"form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )
