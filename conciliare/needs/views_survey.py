"""Pages of the needs surveys: the list (to answer, to publish, to read), publishing, answering, results.

Permissions live in surveys.py: a survey that is not the reader's to answer or to read is a 404.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from conciliare.catalogue.categories import category_label
from conciliare.core.errors import ApplicationError, InvalidInput, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.typing import AuthenticatedHttpRequest

from . import surveys
from .forms import AnswerForm, SurveyForm
from .models import Errand, SurveyResponse


@login_required
def survey_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    context = {
        "to_answer": surveys.surveys_for_employee(user, today),
        "is_employee": surveys.employment_of(user) is not None,
        "may_publish": surveys.may_publish_for_alliance(user) or bool(surveys.publishing_companies(user)),
        "readable": surveys.surveys_for_results(user),
        "min_group": surveys.MIN_GROUP,
        "today": today,
    }
    return render(request, "needs/survey_list.html", context)


@login_required
def survey_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    alliance = surveys.may_publish_for_alliance(request.user)
    companies = surveys.publishing_companies(request.user)
    if not alliance and not companies:
        raise NotPermitted(_("Page not found."))
    data = request.POST if request.method == "POST" else None  # bound even when empty: its errors then show
    form = SurveyForm(data, alliance=alliance, companies=companies)
    if request.method == "POST" and form.is_valid():
        try:
            survey = surveys.survey_publish(actor=request.user, data=form.to_input(), today=timezone.localdate())
        except InvalidInput as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The survey “%(title)s” is published.") % {"title": survey.title})
            return redirect("needs:surveys")
    status = 400 if request.method == "POST" else 200
    return render(request, "needs/survey_form.html", {"form": form}, status=status)


@login_required
def survey_answer(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    today = timezone.localdate()
    row = surveys.survey_get_for_respondent(user=request.user, survey_id=survey_id, today=today)
    data = request.POST if request.method == "POST" else None  # bound even when empty: its errors then show
    if not row.is_open:
        return _closed(request, row, data, today)
    if row.response is not None:
        initial = AnswerForm.initial_from(row.response)
    else:
        initial = surveys.family_prefill(request.user, today)
    form = AnswerForm(data, initial=initial)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_answer(actor=request.user, survey_id=survey_id, data=form.to_input(), today=today)
        except ApplicationError as error:  # invalid input (400), or the survey closed meanwhile (409)
            form_add_service_errors(form, error)
            status = error.status
        else:
            messages.success(request, _("Thank you: your answer is saved. You can change it until the survey closes."))
            return redirect("needs:surveys")
    context = {"row": row, "form": form, "prefilled": row.response is None}
    return render(request, "needs/survey_answer.html", context, status=status)


def _closed(request: AuthenticatedHttpRequest, row: surveys.SurveyRow, data: Any, today: datetime.date) -> HttpResponse:
    """The read-only page; a late answer goes to the service, whose refusal (a 409) the page shows."""
    context: dict[str, Any] = {"row": row, "answer": _readable(row.response)}
    if data is None:
        return render(request, "needs/survey_answer.html", context)
    form = AnswerForm(data)
    answer = form.to_input() if form.is_valid() else surveys.AnswerInput()
    try:
        surveys.survey_answer(actor=request.user, survey_id=row.survey.pk, data=answer, today=today)
    except ApplicationError as error:
        return render(request, "needs/survey_answer.html", {**context, "error": error.message}, status=error.status)
    # Unreachable while the service refuses closed surveys; if it ever accepts, say so like the open page.
    messages.success(request, _("Thank you: your answer is saved. You can change it until the survey closes."))
    return redirect("needs:surveys")


def _readable(response: SurveyResponse | None) -> list[tuple[str, str]] | None:
    """A closed survey's answer as (question, answer) pairs, for the read-only page."""
    if response is None:
        return None
    errands = dict(Errand.choices)
    yes, no = _("yes"), _("no")
    return [
        (_("Children aged 0 to 3"), str(response.children_0_3)),
        (_("Children aged 3 to 6"), str(response.children_3_6)),
        (_("Children aged 6 to 14"), str(response.children_6_14)),
        (_("I care for an elderly or non-self-sufficient relative"), yes if response.cares_for_elderly else no),
        (_("I care for a relative with disability"), yes if response.cares_for_disabled else no),
        (_("Your working hours"), str(response.get_working_pattern_display())),
        (_("Your commute to work"), str(response.get_commute_display())),
        (_("Errands that take your time"), ", ".join(str(errands.get(e, e)) for e in response.errands) or "—"),
        (_("Services you would use"), ", ".join(str(category_label(c)) for c in response.preferred_services) or "—"),
        (_("A need in your own words (optional)"), response.free_text or "—"),
    ]


@login_required
def survey_results(request: AuthenticatedHttpRequest, survey_id: int) -> HttpResponse:
    survey = surveys.survey_get_for_results(user=request.user, survey_id=survey_id)
    results = surveys.survey_results(survey)
    context = {
        "survey": survey,
        "results": results,
        "questions": [_chart(question) for question in results.questions],
        "min_group": surveys.MIN_GROUP,
    }
    return render(request, "needs/survey_results.html", context)


ROW_HEIGHT = 34  # px per bar in the SVG: a line of text, then the bar


def _chart(question: surveys.Question) -> dict[str, Any]:
    """A question with the positions of its bars, for the template's SVG (no script, no library)."""
    cells = [(cell, False) for cell in question.cells]
    if question.other is not None:
        cells.append((question.other, True))
    bars = [
        {
            "label": cell.label,
            "people": cell.people,
            "share": cell.share,
            "merged": merged,
            "text_y": i * ROW_HEIGHT + 14,
            "bar_y": i * ROW_HEIGHT + 19,
        }
        for i, (cell, merged) in enumerate(cells)
    ]
    return {"key": question.key, "title": question.title, "bars": bars, "height": len(bars) * ROW_HEIGHT + 4}
