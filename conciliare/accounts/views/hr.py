import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conciliare.core.errors import ApplicationError, NotPermitted
from conciliare.core.typing import AuthenticatedHttpRequest

from ..forms import EmployeeImportUploadForm
from ..imports.reading import COLUMN_LABELS, ImportFileError
from ..imports.services import employee_import_commit, employee_import_discard, employee_import_preview
from ..models import EmployeeImport, Organization
from ..selectors import company_get_for_hr, employee_import_get_for_hr, employee_list_for_hr

PAGE_SIZE = 25


def _company_or_404(request: AuthenticatedHttpRequest, company_id: int) -> Organization:
    try:
        return company_get_for_hr(user=request.user, company_id=company_id)
    except NotPermitted as error:
        raise Http404 from error


def _import_or_404(request: AuthenticatedHttpRequest, company_id: int, import_id: int) -> EmployeeImport:
    try:
        return employee_import_get_for_hr(user=request.user, company_id=company_id, import_id=import_id)
    except NotPermitted as error:
        raise Http404 from error


@login_required
def people_list(request: AuthenticatedHttpRequest, company_id: int) -> HttpResponse:
    company = _company_or_404(request, company_id)
    search = request.GET.get("q", "").strip()[:100]
    paginator = Paginator(employee_list_for_hr(user=request.user, company_id=company.pk, search=search), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/hr/people_list.html", {"company": company, "page": page, "search": search})


@login_required
def import_upload(request: AuthenticatedHttpRequest, company_id: int) -> HttpResponse:
    company = _company_or_404(request, company_id)
    form = EmployeeImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            employee_import = employee_import_preview(
                company=company, actor=request.user, upload=form.cleaned_data["file"]
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("accounts:import_preview", company_id=company.pk, import_id=employee_import.pk)
    recent = EmployeeImport.objects.filter(company=company).select_related("uploaded_by")[:10]
    return render(
        request,
        "accounts/hr/import_upload.html",
        {"company": company, "form": form, "recent": recent},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def import_template(request: AuthenticatedHttpRequest, company_id: int) -> HttpResponse:
    _company_or_404(request, company_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dipendenti-modello.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(COLUMN_LABELS.values())
    writer.writerow(
        [
            "RSSMRA85M01A794X",
            "Mario",
            "Rossi",
            "mario.rossi@example.it",
            "impiegati",
            "Lovere",
            "Costa Volpino",
            "2020-09-01",
        ]
    )
    return response


@login_required
def import_preview(request: AuthenticatedHttpRequest, company_id: int, import_id: int) -> HttpResponse:
    company = _company_or_404(request, company_id)
    employee_import = _import_or_404(request, company.pk, import_id)
    return render(request, "accounts/hr/import_preview.html", {"company": company, "import": employee_import})


@login_required
@require_POST
def import_commit(request: AuthenticatedHttpRequest, company_id: int, import_id: int) -> HttpResponse:
    company = _company_or_404(request, company_id)
    employee_import = _import_or_404(request, company.pk, import_id)
    try:
        done = employee_import_commit(employee_import=employee_import, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("accounts:import_preview", company_id=company.pk, import_id=employee_import.pk)
    messages.success(
        request,
        _("Import complete: %(created)s people added and invited, %(updated)s updated.")
        % {"created": done.created_count, "updated": done.updated_count},
    )
    return redirect("accounts:people_list", company_id=company.pk)


@login_required
@require_POST
def import_discard(request: AuthenticatedHttpRequest, company_id: int, import_id: int) -> HttpResponse:
    company = _company_or_404(request, company_id)
    employee_import = _import_or_404(request, company.pk, import_id)
    try:
        employee_import_discard(employee_import=employee_import, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The import has been discarded; nothing was changed."))
    return redirect("accounts:import_upload", company_id=company.pk)
