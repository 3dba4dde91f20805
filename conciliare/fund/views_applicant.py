"""The worker's pages of the Solidarity Fund: what it is, applying, following the application, the documents.

Every reading goes through the selectors, which scope to the signed-in person: anybody else's
application or document is answered with the same 404 as one that does not exist.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conciliare.accounts.models import Organization, OrganizationRole
from conciliare.catalogue.categories import category_label
from conciliare.core.errors import ApplicationError, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.typing import AuthenticatedHttpRequest

from . import access
from .forms import ApplicationForm, ReplyForm
from .models import (
    OPEN_STATUSES,
    ApplicationDocument,
    ApplicationStatus,
    FundApplication,
    FundRegulation,
    HardshipEvent,
)
from .regulation import regulation_in_force
from .scoring import part_label
from .selectors import active_grants_of, application_of, applications_of, document_of
from .services import application_reply, application_submit, application_withdraw

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}


def document_response(request: HttpRequest, document: ApplicationDocument) -> FileResponse:
    """The file, never cached and sandboxed; named by the application's reference, not the person's file name."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):  # deleted by retention meanwhile
        raise access.not_found() from None
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES.get(document.content_kind, "application/octet-stream"),
        as_attachment=request.GET.get("scarica") == "1",
        filename=f"{document.application.reference}-{document.pk}.{EXTENSIONS.get(document.content_kind, 'bin')}",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


def data_controller() -> str:
    """The alliance's operating cooperative, which runs the platform and answers for the data."""
    operator = (
        Organization.objects.filter(roles__role=OrganizationRole.OPERATOR)
        .filter(roles__role=OrganizationRole.COOPERATIVE)
        .order_by("pk")
        .first()
    )
    return operator.name if operator else _("the alliance's operating cooperative")


def _is_eligible(user: Any) -> bool:
    profile = getattr(user, "employee_profile", None)
    return profile is not None and profile.company.alliance_member


def _open_application(user: Any) -> FundApplication | None:
    return FundApplication.objects.filter(applicant=user, status__in=OPEN_STATUSES).first()


def apply_blocker(user: Any, regulation: FundRegulation, today: datetime.date) -> str:
    """Why this person cannot apply now, in plain words; empty when they can."""
    if not _is_eligible(user):
        return _(
            "The Solidarity Fund is for the employees of the alliance's member companies. "
            "Your account is not linked to one: if you work for a member company, ask its HR office "
            "to add you to the platform."
        )
    if _open_application(user) is not None:
        return _(
            "You already have an application with the committee; you can apply again once it is decided or withdrawn."
        )
    if not regulation.window_open_on(today):
        upcoming = regulation.next_window_after(today)
        if upcoming:
            return _("Applications are closed now; the next window opens on %(day)s.") % {
                "day": datetime.date.fromisoformat(upcoming["opens"]).strftime("%d/%m/%Y")
            }
        return _("Applications are closed now.")
    return ""


def regulation_summary(regulation: FundRegulation) -> dict[str, Any]:
    scoring = regulation.scoring
    return {
        "regulation": regulation,
        # In the order of the model's choices (the JSON's key order is the database's).
        "event_points": [(part_label(event), scoring["events"].get(event, 0)) for event in HardshipEvent.values],
        "isee_bands": scoring["isee_bands"],
        "household_per_member": scoring["household_points_per_member"],
        "household_max": scoring["household_points_max"],
        "windows": [
            {
                "opens": datetime.date.fromisoformat(window["opens"]),
                "closes": datetime.date.fromisoformat(window["closes"]),
            }
            for window in regulation.windows
        ],
    }


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    regulation = regulation_in_force()
    eligible = _is_eligible(request.user)
    # Their own, whoever asks: empty for anybody who never applied (HR, suppliers, ...).
    grants = list(active_grants_of(request.user))
    return render(
        request,
        "fund/home.html",
        {
            **regulation_summary(regulation),
            "eligible": eligible,
            "blocker": apply_blocker(request.user, regulation, timezone.localdate()),
            "applications": list(applications_of(request.user)),
            "grants": [(grant, grant.wallet.balance - grant.wallet.held) for grant in grants],
            "is_committee": access.is_committee_member(request.user),
        },
    )


@login_required
def apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    regulation = regulation_in_force()
    blocker = apply_blocker(request.user, regulation, timezone.localdate())
    if blocker:
        return render(
            request,
            "fund/cannot_apply.html",
            {"reason": blocker, "open_application": _open_application(request.user)},
            status=409 if request.method == "POST" else 200,
        )
    form = ApplicationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                application = application_submit(
                    applicant=request.user,
                    data=form.to_input(),
                    documents=form.cleaned_data["documents"],
                    request=request,
                )
            except ApplicationError as error:
                form_add_service_errors(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _(
                        "Your application %(reference)s is with the committee. You will get an e-mail when it "
                        "decides or if it needs more documents."
                    )
                    % {"reference": application.reference},
                )
                return redirect("fund:my_application", application_id=application.pk)
    return render(
        request,
        "fund/apply.html",
        {"form": form, "controller": data_controller(), **regulation_summary(regulation)},
        status=status,
    )


def _application_page(
    request: AuthenticatedHttpRequest,
    application: FundApplication,
    *,
    reply_form: ReplyForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    grant = getattr(application, "grant", None)
    return render(
        request,
        "fund/my_application.html",
        {
            "application": application,
            "needs": [category_label(code) for code in application.needs],
            "documents": list(application.documents.all()),
            "grant": grant,
            "grant_left": grant.wallet.balance - grant.wallet.held if grant else 0,
            "reply_form": reply_form or ReplyForm(),
            "can_reply": application.status == ApplicationStatus.INFO_REQUESTED,
            "can_withdraw": application.is_open,
            "problem": problem,
        },
        status=status,
    )


@login_required
def my_application(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    application = application_of(applicant=request.user, application_id=application_id, request=request)
    return _application_page(request, application)


@login_required
@require_POST
def reply(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    form = ReplyForm(request.POST, request.FILES)
    status, problem = 400, ""
    if form.is_valid():
        try:
            application_reply(
                applicant=request.user,
                application_id=application_id,
                reply=form.cleaned_data["reply"],
                documents=form.cleaned_data["documents"],
                request=request,
            )
        except NotPermitted:
            raise
        except ApplicationError as error:
            form_add_service_errors(form, error)
            status, problem = error.status, error.message  # shown at the top: the form may be hidden
        else:
            messages.success(request, _("Your answer is with the committee again."))
            return redirect("fund:my_application", application_id=application_id)
    # Read only now: someone else's id gets the same 404 whatever they posted.
    application = application_of(applicant=request.user, application_id=application_id, request=request)
    return _application_page(request, application, reply_form=form, problem=problem, status=status)


@login_required
@require_POST
def withdraw(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    try:
        application_withdraw(applicant=request.user, application_id=application_id, request=request)
    except NotPermitted:
        raise
    except ApplicationError as error:  # a double click finds it already withdrawn or decided
        messages.error(request, error.message)
    else:
        messages.success(request, _("You have withdrawn the application. You can apply again at any time."))
    return redirect("fund:my_application", application_id=application_id)


@login_required
def my_document(request: AuthenticatedHttpRequest, application_id: int, document_id: int) -> FileResponse:
    document = document_of(
        applicant=request.user, application_id=application_id, document_id=document_id, request=request
    )
    return document_response(request, document)
