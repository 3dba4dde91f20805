import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from conciliare.core.errors import ApplicationError, NotPermitted
from conciliare.core.typing import AuthenticatedHttpRequest

from .. import services
from ..forms import DependentDeclarationForm, FamilyMemberForm, ProfileForm
from ..models import DependentChildrenDeclaration
from ..selectors import employee_profile_for_user, family_member_get_for_user, family_member_list_for_user


def _current_tax_year() -> int:
    return timezone.localdate().year  # Europe/Rome: TIME_ZONE decides the tax year


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, data={name: form.cleaned_data[name] for name in form.fields})
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    tax_year = _current_tax_year()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "employee_profile": employee_profile_for_user(user),
            "family": family_member_list_for_user(user),
            "declaration": DependentChildrenDeclaration.objects.filter(
                user=user, tax_year=tax_year, withdrawn_at__isnull=True
            ).first(),
            "tax_year": tax_year,
            "token": Token.objects.filter(user=user).first(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _member_or_404(request: AuthenticatedHttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    try:
        return family_member_get_for_user(user=request.user, member_id=member_id)
    except NotPermitted as error:
        raise Http404 from error


@login_required
def family_edit(request: AuthenticatedHttpRequest, member_id: int | None = None) -> HttpResponse:
    member = _member_or_404(request, member_id) if member_id else None
    form = FamilyMemberForm(request.POST or None, request.FILES or None, instance=member, owner=request.user)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        instance.user = request.user
        services.family_member_save(actor=request.user, member=instance, request=request)
        messages.success(request, _("%(name)s has been saved.") % {"name": instance})
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/family_form.html",
        {"form": form, "member": member},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def family_delete(request: AuthenticatedHttpRequest, member_id: int) -> HttpResponse:
    member = _member_or_404(request, member_id)
    if request.method == "POST":
        name = str(member)
        services.family_member_delete(actor=request.user, member=member, request=request)
        messages.success(request, _("%(name)s has been removed from your family.") % {"name": name})
        return redirect("accounts:profile")
    return render(request, "accounts/family_confirm_delete.html", {"member": member})


@login_required
def certificate_download(request: AuthenticatedHttpRequest, member_id: int) -> FileResponse:
    member = _member_or_404(request, member_id)
    try:
        handle = services.certificate_open(actor=request.user, member=member, request=request)
    except ApplicationError as error:
        raise Http404 from error
    extension = member.non_self_sufficiency_certificate.name.rsplit(".", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=f"certificato-{member.pk}.{extension}")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def dependent_declaration(request: AuthenticatedHttpRequest) -> HttpResponse:
    tax_year = _current_tax_year()
    children = services.dependent_children(request.user)
    form = DependentDeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dependent_declaration_sign(
                user=request.user, tax_year=tax_year, statement=str(form.fields["confirm"].label), request=request
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your declaration for %(year)s has been recorded.") % {"year": tax_year})
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/declaration_form.html",
        {"form": form, "children": children, "tax_year": tax_year, "today": datetime.date.today()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def dependent_declaration_withdraw(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.dependent_declaration_withdraw(user=request.user, tax_year=_current_tax_year())
    messages.success(request, _("Your declaration has been withdrawn."))
    return redirect("accounts:profile")


@login_required
@require_POST
def api_token(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.POST.get("action") == "revoke":
        services.api_token_revoke(user=request.user)
        messages.success(request, _("Your API token has been revoked."))
    else:
        token = services.api_token_regenerate(user=request.user)
        messages.success(
            request, _("New API token: %(key)s — copy it now, it will not be shown again.") % {"key": token.key}
        )
    return redirect("accounts:profile")
