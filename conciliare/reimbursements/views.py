"""Pages for the employee (ask, follow, send a better document) and for the reviewer (queue, decide)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conciliare.accounts.selectors import company_get_for_hr
from conciliare.core.errors import ApplicationError, Conflict, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.models import AccessLog
from conciliare.core.services import access_log_record
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.ledger.models import AccountKind, LedgerAccount
from conciliare.plans.models import BUCKETS
from conciliare.plans.selectors import FRINGE

from .checklist import checklist_from_json, fringe_room, plan_wallets
from .forms import PolicyForm, ReimbursementForm, ReviewForm
from .models import OPEN_STATUSES, ReimbursementRequest, ReimbursementStatus
from .selectors import (
    category_label,
    events_of,
    is_reviewer,
    receipt_get_for_viewer,
    receipts_of,
    reimbursement_get_for_employee,
    reimbursement_get_for_reviewer,
    reimbursements_for_employee,
    reimbursements_for_reviewer,
    reviewer_companies,
    reviewer_of,
)
from .services import (
    may_review,
    reimbursement_check,
    reimbursement_policy_set,
    reimbursement_resubmit,
    reimbursement_review,
    reimbursement_submit,
    reimbursement_withdraw,
)

BUCKET_LABELS = dict(BUCKETS)
CHECK = "check"
PER_PAGE = 20


def steps_for(status: str) -> list[dict[str, str]]:
    """The three steps every request goes through, for the step indicator."""
    labels = [_("Sent"), _("Under review"), _("Decided")]
    if status == ReimbursementStatus.SUBMITTED:
        states = ["done", "current", "todo"]
    elif status == ReimbursementStatus.CHANGES_REQUESTED:
        states = ["done", "action", "todo"]
    else:
        states = ["done", "done", "done"]
    return [{"label": label, "state": state} for label, state in zip(labels, states, strict=True)]


def _decorate(requests: Any) -> list[ReimbursementRequest]:
    """Labels computed in Python: no query per row."""
    rows = list(requests)
    for row in rows:
        row.category_label = category_label(row.category)  # type: ignore[attr-defined]
        row.bucket_label = str(BUCKET_LABELS.get(row.bucket, row.bucket))  # type: ignore[attr-defined]
        row.steps = steps_for(row.status)  # type: ignore[attr-defined]
    return rows


def _page(request: AuthenticatedHttpRequest, queryset: Any) -> Any:
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("pagina"))
    page.object_list = _decorate(page.object_list)
    return page


# --- The employee -------------------------------------------------------------------------------------------------


@login_required
def my_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "reimbursements/list.html",
        {"page": _page(request, reimbursements_for_employee(request.user)), "is_employee": _is_employee(request)},
    )


def _is_employee(request: AuthenticatedHttpRequest) -> bool:
    return hasattr(request.user, "employee_profile")


def _form_page(request: AuthenticatedHttpRequest, *, existing: ReimbursementRequest | None = None) -> HttpResponse:
    today = timezone.localdate()
    initial = ReimbursementForm.initial_for(existing) if existing is not None else None
    form = ReimbursementForm(
        request.POST or None, request.FILES or None, user=request.user, today=today, initial=initial
    )
    checklist = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            details = form.details()
            try:
                if request.POST.get("action") == CHECK:
                    checklist = reimbursement_check(actor=request.user, details=details, today=today)
                    status = 200
                elif existing is not None:
                    reimbursement_resubmit(
                        actor=request.user,
                        request=existing,
                        details=details,
                        receipt=form.cleaned_data["receipt"],
                        today=today,
                    )
                    messages.success(request, _("The new document has been sent for review."))
                    return redirect("reimbursements:detail", request_id=existing.pk)
                else:
                    created = reimbursement_submit(
                        actor=request.user, details=details, receipt=form.cleaned_data["receipt"], today=today
                    )
                    messages.success(
                        request, _("Your request has been sent for review; you will get an e-mail at every step.")
                    )
                    return redirect("reimbursements:detail", request_id=created.pk)
            except ApplicationError as error:
                if "checklist" in error.fields:  # the items themselves are shown in the checklist below
                    form.add_error(None, error.message)
                    checklist = reimbursement_check(actor=request.user, details=details, today=today)
                else:
                    form_add_service_errors(form, error)
    return render(
        request,
        "reimbursements/form.html",
        {"form": form, "checklist": checklist, "existing": existing, "checked": request.POST.get("action") == CHECK},
        status=status,
    )


@login_required
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not _is_employee(request):
        raise NotPermitted(_("Page not found."))
    return _form_page(request)


@login_required
def detail(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    found = reimbursement_get_for_employee(user=request.user, request_id=request_id)
    return render(
        request,
        "reimbursements/detail.html",
        {
            "item": _decorate([found])[0],
            "checklist": checklist_from_json(found.checklist),
            "events": events_of(found),
            "receipts": receipts_of(found),
            "can_withdraw": found.status in OPEN_STATUSES,
        },
    )


@login_required
def resubmit(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    found = reimbursement_get_for_employee(user=request.user, request_id=request_id)
    if found.status != ReimbursementStatus.CHANGES_REQUESTED:
        messages.info(request, _("This request is not waiting for a new document."))
        return redirect("reimbursements:detail", request_id=found.pk)
    return _form_page(request, existing=found)


@login_required
@require_POST
def withdraw(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    found = reimbursement_get_for_employee(user=request.user, request_id=request_id)
    try:
        reimbursement_withdraw(actor=request.user, request=found)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You have withdrawn the request."))
    return redirect("reimbursements:detail", request_id=found.pk)


CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}


@login_required
def receipt(request: AuthenticatedHttpRequest, request_id: int, receipt_id: int) -> FileResponse:
    """The document, only to the employee who sent it and to the request's reviewers; every reading is logged."""
    found = receipt_get_for_viewer(user=request.user, request_id=request_id, receipt_id=receipt_id)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotPermitted(_("Document not found.")) from None
    access_log_record(
        actor=request.user,
        action=AccessLog.Action.DOWNLOAD,
        obj=found,
        subject_user_id=found.request.employee_id,
        request=request,
    )
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES[found.kind],
        as_attachment=request.GET.get("scarica") == "1",
        filename=f"ricevuta-{found.request_id}-{found.pk}.{EXTENSIONS[found.kind]}",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


# --- The reviewer -------------------------------------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_reviewer(request.user):
        raise NotPermitted(_("Page not found."))
    companies = list(reviewer_companies(request.user))
    status = request.GET.get("stato", ReimbursementStatus.SUBMITTED)
    if status not in ReimbursementStatus.values:
        status = ""
    company_id = _int_or_none(request.GET.get("azienda"))
    flagged = {"si": True, "no": False}.get(request.GET.get("segnalati", ""))
    queryset = reimbursements_for_reviewer(request.user, status=status, company_id=company_id, flagged=flagged)
    return render(
        request,
        "reimbursements/review_list.html",
        {
            "page": _page(request, queryset),
            "status": status,
            "statuses": ReimbursementStatus.choices,
            "companies": companies,
            "company_id": company_id,
            "flagged": request.GET.get("segnalati", ""),
        },
    )


def _credit_context(found: ReimbursementRequest) -> dict[str, Any]:
    today = timezone.localdate()
    wallets = plan_wallets(employee=found.employee, bucket=found.bucket, day=found.expense_date)
    context: dict[str, Any] = {
        "wallets": [(wallet, plan, wallet.balance - wallet.held) for wallet, plan in wallets],
    }
    if found.bucket == FRINGE:
        context["fringe"] = fringe_room(employee=found.employee, today=today)
    return context


@login_required
def review(request: AuthenticatedHttpRequest, request_id: int) -> HttpResponse:
    found = reimbursement_get_for_reviewer(user=request.user, request_id=request_id)
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                reimbursement_review(
                    actor=request.user,
                    request=found,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except Conflict as error:
                # A double click finds the request already decided: say so, do not fail.
                messages.error(request, error.message)
                return redirect("reimbursements:review", request_id=found.pk)
            except ApplicationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("Decision recorded; the employee has been told by e-mail."))
                return redirect("reimbursements:review_list")
    return render(
        request,
        "reimbursements/review.html",
        {
            "item": _decorate([found])[0],
            "checklist": checklist_from_json(found.checklist),
            "events": events_of(found),
            "receipts": receipts_of(found),
            "form": form,
            "can_decide": found.status == ReimbursementStatus.SUBMITTED and may_review(request.user, found),
            **_credit_context(found),
        },
        status=status,
    )


# --- HR: who reviews ----------------------------------------------------------------------------------------------


@login_required
def policy(request: AuthenticatedHttpRequest, company_id: int) -> HttpResponse:
    company = company_get_for_hr(user=request.user, company_id=company_id)
    current = reviewer_of(company)
    form = PolicyForm(request.POST or None, initial={"reviewer": current})
    if request.method == "POST" and form.is_valid():
        try:
            reimbursement_policy_set(actor=request.user, company=company, reviewer=form.cleaned_data["reviewer"])
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Saved: requests waiting for review go to the reviewer you chose."))
            return redirect("reimbursements:policy", company_id=company.pk)
    payable = LedgerAccount.objects.filter(kind=AccountKind.PAYROLL_PAYABLE, owner_organization=company).first()
    return render(
        request,
        "reimbursements/policy.html",
        {
            "company": company,
            "form": form,
            "current": current,
            "payable": payable,
            "waiting": ReimbursementRequest.objects.filter(
                company=company, status=ReimbursementStatus.SUBMITTED
            ).count(),
        },
        status=400 if request.method == "POST" else 200,
    )
