"""The committee's pages: the queue, an application, the votes, the request for more documents.

Only committee members get past the selectors (anyone else: the generic 404), and a member never
reaches their own application. Every opening of an application or a document is logged by the
selectors. A refused POST re-renders the application with a 4xx status and changes nothing: the
services run in one transaction and roll back whole.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conciliare.catalogue.categories import category_label
from conciliare.core.errors import ApplicationError, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.templatetags.money import euro
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.ledger import services as ledger

from .forms import RequestInfoForm, VoteForm
from .models import ApplicationStatus, FundApplication, Vote
from .scoring import part_label
from .selectors import application_open_for_committee, committee_queue, document_for_committee
from .services import committee_request_info, committee_vote, grant_room
from .views_applicant import document_response

PER_PAGE = 25
ALL = "tutti"


@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("stato", ApplicationStatus.SUBMITTED)
    if status not in ApplicationStatus.values:
        status = ""
    applications = committee_queue(request.user, status=status)
    page = Paginator(applications, PER_PAGE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "fund/committee_queue.html",
        {"page": page, "status": status or ALL, "statuses": ApplicationStatus.choices, "all": ALL},
    )


def _vote_form(data: Any = None, *, kind: str) -> VoteForm:
    # Two forms on one page (approve, reject): distinct ids keep the labels pointing at the right field.
    form = VoteForm(data, auto_id=f"{kind}_%s", initial={"vote": kind})
    if kind == Vote.APPROVE:
        form.fields["reason"].label = _("Note for the other members (optional)")
    return form


def _problem(form: Any, shown: bool, service_error: ApplicationError | None) -> str:
    """What to say at the top of the page: the service's refusal, or the form's errors if the form is hidden."""
    if service_error is not None and not service_error.fields:
        return service_error.message
    if form is not None and form.errors and not shown:
        return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    return ""


def _detail_page(
    request: AuthenticatedHttpRequest,
    application: FundApplication,
    *,
    bound: Any = None,
    bound_name: str = "",
    service_error: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    votes = list(application.votes.all())  # prefetched with their members
    my_vote = next((vote for vote in votes if vote.member_id == request.user.pk), None)
    can_vote = application.status == ApplicationStatus.SUBMITTED and my_vote is None
    can_request = application.status == ApplicationStatus.SUBMITTED
    forms = {
        "approve_form": _vote_form(kind=Vote.APPROVE),
        "reject_form": _vote_form(kind=Vote.REJECT),
        "request_form": RequestInfoForm(auto_id="request_%s"),
    }
    if bound_name:
        forms[bound_name] = bound
    shown = can_request if bound_name == "request_form" else can_vote
    fund = ledger.solidarity_fund_account()
    profile = getattr(application.applicant, "employee_profile", None)
    return render(
        request,
        "fund/committee_detail.html",
        {
            "application": application,
            "applicant": application.applicant,
            "company": profile.company if profile else None,
            "breakdown": [(part_label(part["part"]), part["points"]) for part in application.score_breakdown],
            "needs": [category_label(code) for code in application.needs],
            "documents": list(application.documents.all()),
            "votes": votes,
            "approvals": sum(1 for vote in votes if vote.vote == Vote.APPROVE),
            "rejections": sum(1 for vote in votes if vote.vote == Vote.REJECT),
            "my_vote": my_vote,
            "can_vote": can_vote,
            "can_request": can_request,
            "room": grant_room(application),
            "fund_available": fund.balance - fund.held,
            "grant": getattr(application, "grant", None),
            "problem": _problem(bound, shown, service_error),
            **forms,
        },
        status=status,
    )


@login_required
def detail(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    application = application_open_for_committee(member=request.user, application_id=application_id, request=request)
    return _detail_page(request, application)


def _refused(
    request: AuthenticatedHttpRequest,
    application_id: int,
    *,
    form: Any,
    form_name: str,
    error: ApplicationError | None,
) -> HttpResponse:
    # Read only after the refusal: a non-member gets the same 404 whatever they posted.
    application = application_open_for_committee(member=request.user, application_id=application_id, request=request)
    return _detail_page(
        request,
        application,
        bound=form,
        bound_name=form_name,
        service_error=error,
        status=error.status if error is not None else 400,
    )


def _vote_message(application: FundApplication) -> str:
    if application.status == ApplicationStatus.APPROVED:
        grant = getattr(application, "grant", None)
        return _("Decided: a grant of %(amount)s has been credited to the worker, who has been told by e-mail.") % {
            "amount": euro(grant.amount if grant else 0)  # in the page's language
        }
    if application.status == ApplicationStatus.REJECTED:
        return _("Decided: the application is rejected and the applicant has been told by e-mail.")
    return _("Your vote is recorded. The decision needs %(count)s agreeing members.") % {
        "count": application.regulation.approvals_required
    }


@login_required
@require_POST
def vote(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    kind = request.POST.get("vote", "")
    form = _vote_form(request.POST, kind=kind if kind in Vote.values else Vote.APPROVE)
    form_name = "reject_form" if kind == Vote.REJECT else "approve_form"
    if not form.is_valid():
        return _refused(request, application_id, form=form, form_name=form_name, error=None)
    try:
        application = committee_vote(
            member=request.user,
            application_id=application_id,
            vote=form.cleaned_data["vote"],
            amount=form.cleaned_data["amount"] if form.cleaned_data["vote"] == Vote.APPROVE else None,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except NotPermitted:
        raise
    except ApplicationError as error:
        form_add_service_errors(form, error)
        return _refused(request, application_id, form=form, form_name=form_name, error=error)
    messages.success(request, _vote_message(application))
    return redirect("fund:committee_detail", application_id=application_id)


@login_required
@require_POST
def request_info(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    form = RequestInfoForm(request.POST, auto_id="request_%s")
    if not form.is_valid():
        return _refused(request, application_id, form=form, form_name="request_form", error=None)
    try:
        committee_request_info(
            member=request.user, application_id=application_id, message=form.cleaned_data["message"], request=request
        )
    except NotPermitted:
        raise
    except ApplicationError as error:
        form_add_service_errors(form, error)
        return _refused(request, application_id, form=form, form_name="request_form", error=error)
    messages.success(request, _("The applicant has been asked by e-mail for what you wrote."))
    return redirect("fund:committee_detail", application_id=application_id)


@login_required
def document(request: AuthenticatedHttpRequest, application_id: int, document_id: int) -> FileResponse:
    found = document_for_committee(
        member=request.user, application_id=application_id, document_id=document_id, request=request
    )
    return document_response(request, found)
