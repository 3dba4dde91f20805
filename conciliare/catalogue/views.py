"""Pages of the catalogue: search and offer pages for everybody, offer management for suppliers."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conciliare.core.errors import ApplicationError, NotPermitted
from conciliare.core.forms import form_add_service_errors
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.plans.selectors import BUCKET_LABELS
from conciliare.suppliers.eligibility import charter_current, selling_blockers
from conciliare.suppliers.selectors import supplier_get_for_staff
from conciliare.territory.distance import municipality_distance_km

from .cards import cards_html
from .categories import CATEGORY_INFO, category_buckets
from .forms import OfferForm, PhotoForm, SearchForm, SessionForm, SignalForm, SignalHandleForm, default_origin
from .models import CANCELLATION_TERMS, Offer, OfferPhoto, OfferSession, Signal, SignalStatus
from .search import km_zero_radius, search_results
from .selectors import (
    home_of,
    offer_get_for_staff,
    offer_get_for_viewer,
    payment_options,
    signals_for_operator,
    signals_of,
    upcoming_sessions,
    workplace_of,
)
from .services import (
    is_supplier_staff,
    offer_create,
    offer_publish,
    offer_update,
    offer_withdraw,
    photo_add,
    photo_remove,
    session_add,
    session_remove,
    signal_create,
    signal_handle,
)

RESULTS_PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or {"da": default_origin(request.user)}, user=request.user)
    page: Page[Offer] | None = None
    criteria = None
    cards: list[SafeString] = []
    if form.is_valid():
        criteria = form.criteria()
        page = Paginator(search_results(criteria), RESULTS_PER_PAGE).get_page(request.GET.get("pagina"))
        cards = cards_html(page)
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "catalogue/search.html",
        {
            "form": form,
            "page": page,
            "cards": cards,
            "criteria": criteria,
            "query": query.urlencode(),
            "km_zero_radius": km_zero_radius(),
        },
        status=200 if form.is_valid() else 400,
    )


def _viewer_distances(user: Any, offer: Offer) -> list[tuple[str, Any]]:
    seat = offer.supplier.organization.municipality
    places = [(_("from home"), home_of(user)), (_("from work"), workplace_of(user))]
    return [(label, municipality_distance_km(place, seat)) for label, place in places if place is not None]


def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = offer_get_for_viewer(user=request.user, offer_id=offer_id)
    today = timezone.localdate()
    supplier = offer.supplier
    current = charter_current()
    served = (
        supplier.served_municipalities.order_by("name")
        if offer.whole_area
        else offer.served_municipalities.order_by("name")
    )
    free_hours, late_refund = CANCELLATION_TERMS[offer.cancellation_policy]
    return render(
        request,
        "catalogue/offer_detail.html",
        {
            "offer": offer,
            "supplier": supplier,
            "charter": current,
            "commitments": current.commitments.all() if current else [],
            "served": served,
            "sessions": upcoming_sessions(offer, now=timezone.now())[:30],
            "distances": _viewer_distances(request.user, offer),
            "km_zero_radius": km_zero_radius(),
            "payment_options": payment_options(user=request.user, offer=offer, day=today),
            "buckets": [BUCKET_LABELS.get(code, code) for code in category_buckets(offer.category, today)],
            "category_info": CATEGORY_INFO[offer.category],
            "preview": offer.status != "published" or bool(selling_blockers(supplier, today=today)),
            "is_staff_member": is_supplier_staff(request.user, supplier),
            "free_hours": free_hours,
            "late_refund": late_refund,
        },
    )


def photo(request: HttpRequest, photo_id: int, size: str) -> FileResponse:
    """Photos are stored privately and served here: published offers for all, drafts for their supplier."""
    item = OfferPhoto.objects.select_related("offer").filter(pk=photo_id).first()
    if item is None or size not in ("full", "thumb"):
        raise NotPermitted(_("Photo not found."))
    offer_get_for_viewer(user=request.user, offer_id=item.offer_id)
    file = item.image if size == "full" else item.thumbnail
    response = FileResponse(file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400" if item.offer.status == "published" else "private, no-store"
    return response


# --- The supplier's own offers ------------------------------------------------------------------------------------


def _offer_of(request: AuthenticatedHttpRequest, supplier_id: int, offer_id: int) -> Offer:
    offer = offer_get_for_staff(user=request.user, offer_id=offer_id)
    if offer.supplier_id != supplier_id:
        raise NotPermitted(_("Offer not found."))
    return offer


@login_required
def offer_create_view(request: AuthenticatedHttpRequest, supplier_id: int) -> HttpResponse:
    supplier = supplier_get_for_staff(user=request.user, supplier_id=supplier_id)
    form = OfferForm(
        request.POST or None, supplier=supplier, initial={"whole_area": True, "cancellation_policy": "flexible"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_create(actor=request.user, supplier=supplier, data=form.data_for_service())
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The offer has been saved as a draft: add photos and dates, then publish it."))
            return redirect("catalogue:offer_edit", supplier_id=supplier.pk, offer_id=offer.pk)
    return render(
        request,
        "catalogue/offer_form.html",
        {"form": form, "supplier": supplier, "offer": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def offer_edit(request: AuthenticatedHttpRequest, supplier_id: int, offer_id: int) -> HttpResponse:
    offer = _offer_of(request, supplier_id, offer_id)
    form = OfferForm(request.POST or None, supplier=offer.supplier, initial=OfferForm.initial_for(offer))
    if request.method == "POST" and form.is_valid():
        try:
            offer_update(actor=request.user, offer=offer, data=form.data_for_service())
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The offer has been saved."))
            return redirect("catalogue:offer_edit", supplier_id=supplier_id, offer_id=offer.pk)
    return _render_offer_edit(request, offer, form=form, status=400 if request.method == "POST" else 200)


def _render_offer_edit(
    request: AuthenticatedHttpRequest,
    offer: Offer,
    *,
    form: OfferForm | None = None,
    photo_form: PhotoForm | None = None,
    session_form: SessionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "catalogue/offer_form.html",
        {
            "form": form or OfferForm(supplier=offer.supplier, initial=OfferForm.initial_for(offer)),
            "photo_form": photo_form or PhotoForm(),
            "session_form": session_form or SessionForm(initial={"repeat_weeks": 1}),
            "supplier": offer.supplier,
            "offer": offer,
            "photos": offer.photos.all(),
            "sessions": upcoming_sessions(offer, now=timezone.now()),
            "blockers": selling_blockers(offer.supplier),
        },
        status=status,
    )


@login_required
@require_POST
def offer_publish_view(request: AuthenticatedHttpRequest, supplier_id: int, offer_id: int) -> HttpResponse:
    offer = _offer_of(request, supplier_id, offer_id)
    try:
        offer_publish(actor=request.user, offer=offer)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("suppliers:area", supplier_id=supplier_id)
    messages.success(request, _("“%(title)s” is now in the catalogue.") % {"title": offer.title})
    return redirect("suppliers:area", supplier_id=supplier_id)


@login_required
@require_POST
def offer_withdraw_view(request: AuthenticatedHttpRequest, supplier_id: int, offer_id: int) -> HttpResponse:
    offer = _offer_of(request, supplier_id, offer_id)
    offer_withdraw(actor=request.user, offer=offer)
    messages.success(request, _("“%(title)s” has been withdrawn from the catalogue.") % {"title": offer.title})
    return redirect("suppliers:area", supplier_id=supplier_id)


@login_required
@require_POST
def photo_upload(request: AuthenticatedHttpRequest, supplier_id: int, offer_id: int) -> HttpResponse:
    offer = _offer_of(request, supplier_id, offer_id)
    photo_form = PhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            photo_add(
                actor=request.user,
                offer=offer,
                upload=photo_form.cleaned_data["image"],
                alt_text=photo_form.cleaned_data["alt_text"],
            )
        except ApplicationError as error:
            form_add_service_errors(photo_form, error)
        else:
            messages.success(request, _("The photo has been added."))
            return redirect("catalogue:offer_edit", supplier_id=supplier_id, offer_id=offer.pk)
    return _render_offer_edit(request, offer, photo_form=photo_form, status=400)


@login_required
@require_POST
def photo_delete(request: AuthenticatedHttpRequest, supplier_id: int, offer_id: int, photo_id: int) -> HttpResponse:
    offer = _offer_of(request, supplier_id, offer_id)
    item = offer.photos.filter(pk=photo_id).first()
    if item is None:
        raise NotPermitted(_("Photo not found."))
    photo_remove(actor=request.user, photo=item)
    messages.success(request, _("The photo has been removed."))
    return redirect("catalogue:offer_edit", supplier_id=supplier_id, offer_id=offer.pk)


@login_required
@require_POST
def session_create(request: AuthenticatedHttpRequest, supplier_id: int, offer_id: int) -> HttpResponse:
    offer = _offer_of(request, supplier_id, offer_id)
    session_form = SessionForm(request.POST)
    if session_form.is_valid():
        try:
            for starts_at, ends_at in session_form.occurrences():
                session_add(
                    actor=request.user,
                    offer=offer,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    seats=session_form.cleaned_data["seats"],
                    label=session_form.cleaned_data["label"],
                )
        except ApplicationError as error:
            form_add_service_errors(session_form, error)
        else:
            messages.success(request, _("The dates have been added."))
            return redirect("catalogue:offer_edit", supplier_id=supplier_id, offer_id=offer.pk)
    return _render_offer_edit(request, offer, session_form=session_form, status=400)


@login_required
@require_POST
def session_delete(request: AuthenticatedHttpRequest, supplier_id: int, offer_id: int, session_id: int) -> HttpResponse:
    offer = _offer_of(request, supplier_id, offer_id)
    session = OfferSession.objects.filter(pk=session_id, offer=offer).first()
    if session is None:
        raise NotPermitted(_("Session not found."))
    try:
        session_remove(actor=request.user, session=session)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The date has been removed."))
    return redirect("catalogue:offer_edit", supplier_id=supplier_id, offer_id=offer.pk)


# --- Signals --------------------------------------------------------------------------------------------------------


@login_required
def signal_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = {"municipality": request.user.residence_municipality_id, "kind": request.GET.get("tipo", "unmet_need")}
    form = SignalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            signal_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the alliance will read your signal."))
            return redirect("catalogue:signal_new")
    return render(
        request,
        "catalogue/signal_form.html",
        {"form": form, "mine": signals_of(request.user)[:20]},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def signal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("stato", "")
    if status not in SignalStatus.values:
        status = ""
    signals = signals_for_operator(user=request.user, status=status)
    page = Paginator(signals, 50).get_page(request.GET.get("pagina"))
    return render(
        request, "catalogue/signal_list.html", {"page": page, "status": status, "handle_form": SignalHandleForm}
    )


@login_required
@require_POST
def signal_update(request: AuthenticatedHttpRequest, signal_id: int) -> HttpResponse:
    signals_for_operator(user=request.user)  # refuses anyone but the operator
    signal = Signal.objects.filter(pk=signal_id).first()
    if signal is None:
        raise NotPermitted(_("Signal not found."))
    form = SignalHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The signal could not be updated: choose a valid status."))
        page = Paginator(signals_for_operator(user=request.user), 50).get_page(1)
        return render(
            request,
            "catalogue/signal_list.html",
            {"page": page, "status": "", "handle_form": SignalHandleForm},
            status=400,
        )
    signal_handle(actor=request.user, signal=signal, status=form.cleaned_data["status"], note=form.cleaned_data["note"])
    messages.success(request, _("The signal has been updated."))
    return redirect("catalogue:signal_list")
