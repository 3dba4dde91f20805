from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from conciliare.accounts.selectors import company_get_for_hr
from conciliare.core.errors import ApplicationError, InvalidInput, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.money import euro_to_cents
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.fund.selectors import active_grants_of

from . import fiscal
from .documents import plan_regulation_pdf
from .forms import BonusCalculatorForm, BonusConversionForm, PlanForm
from .models import BUCKETS
from .selectors import (
    bonus_get_for_owner,
    bonuses_for_user,
    fringe_status_for_user,
    movements_for_user,
    plan_get_for_hr,
    plans_for_hr,
    wallet_lines_for_user,
)
from .services import (
    bonus_convert,
    plan_activate,
    plan_create,
    plan_enrol_new_employees,
    plan_expiring_soon,
    plan_totals,
    public_cofunding_accounts,
)


@login_required
def my_welfare(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    lines = wallet_lines_for_user(request.user)
    calculator = BonusCalculatorForm(request.GET or None)
    comparison = None
    if calculator.is_valid():
        comparison = fiscal.bonus_compare(
            year=today.year,
            gross=euro_to_cents(calculator.cleaned_data["gross"]),
            previous_year_income=euro_to_cents(calculator.cleaned_data["previous_year_income"]),
        )
    rules = fiscal.rules_for(today.year)
    bonuses = [
        {
            "bonus": bonus,
            "comparison": fiscal.bonus_compare(
                year=today.year, gross=bonus.gross, previous_year_income=bonus.previous_year_income
            ),
            "open": bonus.plan.bonus_conversion_opens_on <= today <= bonus.plan.bonus_conversion_closes_on,
            "form": BonusConversionForm(initial={"amount": bonus.gross / 100}),
        }
        for bonus in bonuses_for_user(request.user)
    ]
    # Only the signed-in worker's own grants (the selector scopes to the wallet's owner).
    grants = [
        (grant, grant.wallet.balance - grant.wallet.held)
        for grant in active_grants_of(request.user).select_related("application")
    ]
    return render(
        request,
        "plans/my_welfare.html",
        {
            "lines": lines,
            "grants": grants,
            "total_available": sum(line.available for line in lines),
            "fringe": fringe_status_for_user(request.user, today=today),
            "movements": movements_for_user(request.user, page=request.GET.get("page")),
            "calculator": calculator,
            "comparison": comparison,
            "bonus_rules": rules["performance_bonus"],
            "bucket_rules": {code: rules["buckets"][code] for code, _label in BUCKETS},
            "bonuses": bonuses,
        },
    )


def _company_or_404(request: AuthenticatedHttpRequest, company_id: int):  # type: ignore[no-untyped-def]
    try:
        return company_get_for_hr(user=request.user, company_id=company_id)
    except NotPermitted as error:
        raise Http404 from error


def _plan_or_404(request: AuthenticatedHttpRequest, company_id: int, plan_id: int):  # type: ignore[no-untyped-def]
    company = _company_or_404(request, company_id)
    try:
        return company, plan_get_for_hr(user=request.user, company_id=company.pk, plan_id=plan_id)
    except NotPermitted as error:
        raise Http404 from error


@login_required
def plan_list(request: AuthenticatedHttpRequest, company_id: int) -> HttpResponse:
    company = _company_or_404(request, company_id)
    plans = plans_for_hr(user=request.user, company_id=company.pk)
    return render(request, "plans/plan_list.html", {"company": company, "plans": plans})


@login_required
def plan_create_view(request: AuthenticatedHttpRequest, company_id: int) -> HttpResponse:
    company = _company_or_404(request, company_id)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(
                company=company,
                name=form.cleaned_data["name"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                legal_basis=form.cleaned_data["legal_basis"],
                residual_rule=form.cleaned_data["residual_rule"],
                graded_on_performance=form.cleaned_data["graded_on_performance"],
                allowances=form.allowances(),
            )
        except InvalidInput as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The plan has been saved as a draft: check it, then activate it."))
            return redirect("plans:plan_detail", company_id=company.pk, plan_id=plan.pk)
    return render(
        request,
        "plans/plan_form.html",
        {"company": company, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def plan_detail(request: AuthenticatedHttpRequest, company_id: int, plan_id: int) -> HttpResponse:
    company, plan = _plan_or_404(request, company_id, plan_id)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "company": company,
            "plan": plan,
            "totals": plan_totals(plan),
            "expiring_soon": plan_expiring_soon(plan, today=timezone.localdate()),
            "cofunding": public_cofunding_accounts(),
        },
    )


@login_required
@require_POST
def plan_activate_view(request: AuthenticatedHttpRequest, company_id: int, plan_id: int) -> HttpResponse:
    company, plan = _plan_or_404(request, company_id, plan_id)
    source = None
    if request.POST.get("funding", "company") != "company":
        source = public_cofunding_accounts().filter(pk=request.POST.get("funding", "").strip() or None).first()
        if source is None:
            messages.error(request, _("Choose the company or a public co-funding programme."))
            return redirect("plans:plan_detail", company_id=company.pk, plan_id=plan.pk)
    try:
        plan_activate(plan=plan, actor=request.user, funding_source=source)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is active: every covered employee has received the credit."))
    return redirect("plans:plan_detail", company_id=company.pk, plan_id=plan.pk)


@login_required
def plan_regulation(request: AuthenticatedHttpRequest, company_id: int, plan_id: int) -> HttpResponse:
    _company, plan = _plan_or_404(request, company_id, plan_id)
    response = HttpResponse(plan_regulation_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="regolamento-piano-{plan.pk}.pdf"'
    return response


@login_required
@require_POST
def plan_enrol_view(request: AuthenticatedHttpRequest, company_id: int, plan_id: int) -> HttpResponse:
    company, plan = _plan_or_404(request, company_id, plan_id)
    try:
        count = plan_enrol_new_employees(plan=plan, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s new employee has received the credit.",
                "%(count)s new employees have received the credit.",
                count,
            )
            % {"count": count},
        )
    return redirect("plans:plan_detail", company_id=company.pk, plan_id=plan.pk)


@login_required
@require_POST
def bonus_convert_view(request: AuthenticatedHttpRequest, bonus_id: int) -> HttpResponse:
    try:
        bonus = bonus_get_for_owner(user=request.user, bonus_id=bonus_id)
    except NotPermitted as error:
        raise Http404 from error
    form = BonusConversionForm(request.POST)
    if not form.is_valid():
        for problem in (str(message) for messages_ in form.errors.values() for message in messages_):
            messages.error(request, problem)
        return redirect("plans:my_welfare")
    try:
        bonus_convert(
            bonus=bonus,
            amount_euro=form.cleaned_data["amount"],
            bucket=form.cleaned_data["bucket"],
            today=timezone.localdate(),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done: the converted premium is now welfare credit."))
    return redirect("plans:my_welfare")
