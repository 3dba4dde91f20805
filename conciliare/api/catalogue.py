"""API for the km-zero catalogue: search and offer pages for everyone, offers and schedule for
their supplier's staff, signals for signed-in people. Prices are cents; municipalities are ISTAT codes."""

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conciliare.catalogue.categories import Category, category_buckets, category_label
from conciliare.catalogue.models import (
    VAT_RATES,
    CancellationPolicy,
    Offer,
    OfferKind,
    OfferPhoto,
    OfferSession,
    Signal,
    SignalKind,
    Unit,
)
from conciliare.catalogue.search import (
    SORT_DISTANCE,
    SORT_PRICE,
    SORT_RELEVANCE,
    SearchCriteria,
    Thumbnail,
    first_photo,
    price_text,
    result_labels,
    search_results,
    url_maker,
)
from conciliare.catalogue.selectors import (
    home_of,
    offer_get_public,
    offers_for_supplier,
    signals_of,
    upcoming_sessions,
    workplace_of,
)
from conciliare.catalogue.services import (
    OfferData,
    offer_create,
    offer_publish,
    offer_update,
    offer_withdraw,
    photo_add,
    photo_remove,
    session_add,
    session_change_seats,
    session_remove,
    signal_create,
)
from conciliare.core.errors import NotPermitted
from conciliare.core.money import format_euro
from conciliare.core.typing import request_user
from conciliare.plans.fiscal import UnknownTaxYear
from conciliare.plans.models import BUCKETS
from conciliare.suppliers.eligibility import charter_current
from conciliare.suppliers.models import Supplier
from conciliare.suppliers.selectors import supplier_get_for_staff
from conciliare.territory.models import Municipality

from .pagination import PageNumberPagination
from .serializers import MunicipalityCodeField

BUCKET_LABELS = dict(BUCKETS)
FROM_HOME = "home"
FROM_WORK = "work"
# Dates outside this range are typing mistakes: refused rather than searched.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

CONFLICT_NOT_SELLABLE = OpenApiResponse(
    description="The supplier may not sell now (application not approved, ethical charter in force not signed, "
    "or DURC expired): the message gives the reasons."
)


def _price_display(cents: int) -> str:
    return format_euro(cents, locale=to_locale(get_language() or "it"))


def _photo_url(photo: OfferPhoto | Thumbnail, size: str) -> str:
    """Photos are served by the catalogue's page, which checks who may see a draft's photo."""
    return reverse("catalogue:photo", args=[photo.pk, size])


# --------------------------------------------------------------------------------------------------
# Shapes shared by several endpoints
# --------------------------------------------------------------------------------------------------


class PlaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["istat_code", "name"]


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]

    def to_representation(self, code: Any) -> dict[str, str]:
        return {"code": str(code), "label": str(category_label(code))}


class ChoiceOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="JPEG, at most 1600 px on the longest side.")
    thumbnail_url = serializers.SerializerMethodField(help_text="JPEG, at most 480 px on the longest side.")

    class Meta:
        model = OfferPhoto
        fields = ["id", "alt_text", "width", "height", "position", "url", "thumbnail_url"]

    def get_url(self, photo: OfferPhoto) -> str:
        return _photo_url(photo, "full")

    def get_thumbnail_url(self, photo: OfferPhoto) -> str:
        return _photo_url(photo, "thumb")


class _PriceMixin(serializers.Serializer):
    price = serializers.IntegerField(help_text="cents, VAT included")
    price_display = serializers.SerializerMethodField(help_text="in the request's language, e.g. 12,50 €")

    def get_price_display(self, offer: Offer) -> str:
        return _price_display(offer.price)


# --------------------------------------------------------------------------------------------------
# Search and offer page (public)
# --------------------------------------------------------------------------------------------------


# What a search needs of a municipality: not its boundary.
_PLACES = Municipality.objects.only("pk", "istat_code", "name", "latitude", "longitude")


class OfferSearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Words to look for.")
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    municipality = MunicipalityCodeField(
        slug_field="istat_code",
        queryset=_PLACES,
        required=False,
        help_text="ISTAT code: only offers serving this municipality.",
    )
    origin = MunicipalityCodeField(
        slug_field="istat_code",
        queryset=_PLACES,
        required=False,
        help_text="ISTAT code of the municipality distances are measured from.",
    )
    max_km = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=Decimal("0"), required=False, help_text="Needs an origin."
    )
    max_price = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal("0"), required=False, help_text='Euro, e.g. "50.00".'
    )
    child_age = serializers.IntegerField(min_value=0, max_value=18, required=False, help_text="Years.")
    available_from = serializers.DateField(required=False, help_text="Only offers with free seats from this day.")
    available_to = serializers.DateField(required=False, help_text="Only offers with free seats until this day.")
    sort = serializers.ChoiceField(
        choices=[SORT_DISTANCE, SORT_PRICE, SORT_RELEVANCE],
        required=False,
        default=SORT_DISTANCE,
        help_text="distance (nearest first, then cheapest), price, or relevance (with q).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # "from" is a Python keyword: the field is added here rather than declared above.
        fields["from"] = serializers.ChoiceField(
            choices=[FROM_HOME, FROM_WORK],
            required=False,
            help_text="Signed-in people only, instead of origin: measure from the municipality of residence "
            "(home) or of the workplace (work).",
        )
        return fields

    def _validate_date(self, value: datetime.date) -> datetime.date:
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise serializers.ValidationError(_("Give a date between the years 2000 and 2100."))
        return value

    def validate_available_from(self, value: datetime.date) -> datetime.date:
        return self._validate_date(value)

    def validate_available_to(self, value: datetime.date) -> datetime.date:
        return self._validate_date(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        start, end = attrs.get("available_from"), attrs.get("available_to")
        if start and end and end < start:
            errors["available_to"] = [_("The end must not come before the start.")]
        place = attrs.get("from")
        if place and "origin" in attrs:
            errors["from"] = [_("Give either an origin or where to measure from, not both.")]
        elif place:
            user = self.context["user"]
            if not user.is_authenticated:
                errors["from"] = [_("Sign in to measure distances from your home or workplace.")]
            elif place == FROM_HOME:
                attrs["origin"] = home_of(user)
                if attrs["origin"] is None:
                    errors["from"] = [_("Your profile has no municipality of residence.")]
            else:
                attrs["origin"] = workplace_of(user)
                if attrs["origin"] is None:
                    errors["from"] = [_("You have no workplace on the platform.")]
        if "max_km" in attrs and attrs.get("origin") is None and "from" not in errors:
            errors["max_km"] = [_("Say where to measure the distance from (origin).")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def criteria(self) -> SearchCriteria:
        data = self.validated_data
        max_price = data.get("max_price")
        return SearchCriteria(
            words=data.get("q", ""),
            category=data.get("category", ""),
            serves=data.get("municipality"),
            origin=data.get("origin"),
            max_km=data.get("max_km"),
            max_price=int(max_price * 100) if max_price is not None else None,
            child_age_years=data.get("child_age"),
            available_from=data.get("available_from"),
            available_to=data.get("available_to"),
            sort=data["sort"],
        )


class SupplierBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="organization.name")
    municipality = PlaceSerializer(source="organization.municipality")


class OfferListItemSerializer(_PriceMixin, serializers.ModelSerializer):
    category = CategorySerializer()
    supplier = SupplierBriefSerializer()
    distance_km = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text="From the origin to the supplier's seat, in a straight line; null without an origin.",
    )
    km_zero = serializers.BooleanField(help_text="The supplier's seat is within the km-zero radius of the origin.")
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "title",
            "category",
            "kind",
            "price",
            "price_display",
            "unit",
            "supplier",
            "distance_km",
            "km_zero",
            "thumbnail_url",
            "min_age_months",
            "max_age_months",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="null when the offer has no photo"))
    def get_thumbnail_url(self, offer: Offer) -> str | None:
        first = first_photo(offer)  # attached by SearchResults
        return _photo_url(first, "thumb") if first is not None else None

    def to_representation(self, offer: Offer) -> dict[str, Any]:
        """The fields above, written directly: DRF's generic path (a field object, `get_attribute` and
        nested serializers per value) took half of a search's CPU. The fields stay declared for the
        schema; a test checks that both paths give the same item."""
        categories, _units = result_labels()
        seat = offer.supplier.organization
        distance = offer.distance_km  # type: ignore[attr-defined]
        first = first_photo(offer)  # attached by the search
        return {
            "id": offer.pk,
            "title": offer.title,
            "category": {"code": offer.category, "label": categories.get(offer.category, offer.category)},
            "kind": offer.kind,
            "price": offer.price,
            "price_display": price_text(offer.price),
            "unit": offer.unit,
            "supplier": {
                "id": offer.supplier_id,
                "name": seat.name,
                "municipality": {"istat_code": seat.municipality.istat_code, "name": seat.municipality.name},
            },
            "distance_km": None if distance is None else _KM.to_representation(distance),
            "km_zero": bool(offer.km_zero),  # type: ignore[attr-defined]
            "thumbnail_url": self._thumbnail_url(first.pk) if first is not None else None,
            "min_age_months": offer.min_age_months,
            "max_age_months": offer.max_age_months,
        }

    @cached_property
    def _thumbnail_url(self) -> Callable[[int], str]:
        """_photo_url(photo, "thumb") by photo id, with one reverse() per list rather than one per item."""
        return url_maker("catalogue:photo", "thumb")


_KM = serializers.DecimalField(max_digits=6, decimal_places=1)  # as OfferListItemSerializer.distance_km writes it


class OfferSearchApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[OfferSearchParamsSerializer],
        responses=OfferListItemSerializer(many=True),
        description="Published offers of suppliers that may sell today. Without a sort, nearest first "
        "(when an origin is given), then cheapest.",
    )
    def get(self, request: Request) -> Response:
        params = OfferSearchParamsSerializer(data=request.query_params, context={"user": request.user})
        params.is_valid(raise_exception=True)
        paginator = PageNumberPagination()
        # DRF's paginator needs only len() and slices, which SearchResults gives.
        results = cast("Sequence[Offer]", search_results(params.criteria()))
        page: list[Offer] | None = paginator.paginate_queryset(results, request, view=self)
        return paginator.get_paginated_response(OfferListItemSerializer(page, many=True).data)


class PublicSessionSerializer(serializers.ModelSerializer):
    seats_left = serializers.IntegerField()

    class Meta:
        model = OfferSession
        fields = ["id", "label", "starts_at", "ends_at", "seats_left"]


class SupplierPublicSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organization.name")
    municipality = PlaceSerializer(source="organization.municipality")

    class Meta:
        model = Supplier
        fields = ["id", "name", "description", "municipality", "home_service", "contact_email", "contact_phone"]


class CommitmentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()


class CharterSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="number")
    title = serializers.CharField()
    fund_contribution_percent = serializers.DecimalField(max_digits=4, decimal_places=2)
    commitments = CommitmentSerializer(many=True)


class OfferPublicSerializer(_PriceMixin, serializers.ModelSerializer):
    category = CategorySerializer()
    supplier = SupplierPublicSerializer()
    served_municipalities = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True)
    sessions = serializers.SerializerMethodField()
    cancellation_policy = serializers.SerializerMethodField()
    charter = serializers.SerializerMethodField(help_text="The ethical charter the supplier signed (the one in force).")
    fiscal_buckets = serializers.SerializerMethodField(
        help_text="The welfare buckets that may pay for this category under this year's rules, best first."
    )
    vat_rate = serializers.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        model = Offer
        fields = [
            "id",
            "title",
            "description",
            "category",
            "kind",
            "origin",
            "price",
            "price_display",
            "vat_rate",
            "unit",
            "min_age_months",
            "max_age_months",
            "home_service",
            "capacity",
            "supplier",
            "served_municipalities",
            "photos",
            "sessions",
            "cancellation_policy",
            "charter",
            "fiscal_buckets",
        ]

    @extend_schema_field(PlaceSerializer(many=True))
    def get_served_municipalities(self, offer: Offer) -> Any:
        owner = offer.supplier if offer.whole_area else offer
        places = owner.served_municipalities.all()
        return PlaceSerializer(places, many=True).data

    @extend_schema_field(PublicSessionSerializer(many=True))
    def get_sessions(self, offer: Offer) -> Any:
        return PublicSessionSerializer(upcoming_sessions(offer, now=timezone.now()), many=True).data

    @extend_schema_field(ChoiceOutputSerializer)
    def get_cancellation_policy(self, offer: Offer) -> dict[str, str]:
        return {"code": offer.cancellation_policy, "label": str(CancellationPolicy(offer.cancellation_policy).label)}

    @extend_schema_field(CharterSerializer(allow_null=True))
    def get_charter(self, offer: Offer) -> Any:
        current = charter_current()
        return CharterSerializer(current).data if current is not None else None

    @extend_schema_field(ChoiceOutputSerializer(many=True))
    def get_fiscal_buckets(self, offer: Offer) -> list[dict[str, str]]:
        try:
            codes = category_buckets(offer.category, timezone.localdate())
        except UnknownTaxYear:
            codes = []
        return [{"code": code, "label": str(BUCKET_LABELS.get(code, code))} for code in codes]


class OfferPublicDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=OfferPublicSerializer,
        description="A published offer of a supplier that may sell today; any other offer is not found.",
    )
    def get(self, request: Request, offer_id: int) -> Response:
        return Response(OfferPublicSerializer(offer_get_public(offer_id=offer_id)).data)


# --------------------------------------------------------------------------------------------------
# A supplier's own offers (its staff only)
# --------------------------------------------------------------------------------------------------


def _own_offer(request: Request, supplier_id: int, offer_id: int) -> Offer:
    """One offer of a supplier the caller works for; not found for anybody else."""
    supplier = supplier_get_for_staff(user=request_user(request), supplier_id=supplier_id)
    offer = (
        Offer.objects.filter(supplier=supplier, pk=offer_id)
        .select_related("supplier__organization")
        .prefetch_related("photos", "served_municipalities")
        .first()
    )
    if offer is None:
        raise NotPermitted(_("Offer not found."))
    return offer


class OfferInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OfferKind.choices)
    category = serializers.ChoiceField(
        choices=Category.choices, help_text="One of the categories of the supplier's approved application."
    )
    title = serializers.CharField(max_length=140)
    description = serializers.CharField(max_length=10_000)
    origin = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="For products: where and by whom."
    )
    price = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal("0.01"), help_text='Euro, VAT included, e.g. "12.50".'
    )
    vat_rate = serializers.ChoiceField(choices=VAT_RATES, help_text="Percent.")
    unit = serializers.ChoiceField(choices=Unit.choices)
    cancellation_policy = serializers.ChoiceField(choices=CancellationPolicy.choices)
    min_age_months = serializers.IntegerField(min_value=0, max_value=1200, required=False, allow_null=True)
    max_age_months = serializers.IntegerField(min_value=0, max_value=1200, required=False, allow_null=True)
    home_service = serializers.BooleanField(required=False, default=False)
    capacity = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    whole_area = serializers.BooleanField(required=False, default=True, help_text="Serves the supplier's whole area.")
    served_municipalities = serializers.ListField(
        child=MunicipalityCodeField(slug_field="istat_code", queryset=Municipality.objects.all()),
        required=False,
        default=list,
        max_length=200,
        help_text="ISTAT codes, when whole_area is false: a part of the supplier's area.",
    )


def _offer_data(values: dict[str, Any]) -> OfferData:
    return OfferData(
        kind=values["kind"],
        category=values["category"],
        title=values["title"],
        description=values["description"],
        price=int(values["price"] * 100),
        vat_rate=values["vat_rate"],
        unit=values["unit"],
        cancellation_policy=values["cancellation_policy"],
        origin=values.get("origin", ""),
        min_age_months=values.get("min_age_months"),
        max_age_months=values.get("max_age_months"),
        home_service=values.get("home_service", False),
        capacity=values.get("capacity"),
        whole_area=values.get("whole_area", True),
        served_municipalities=tuple(values.get("served_municipalities", ())),
    )


def _current_values(offer: Offer) -> dict[str, Any]:
    return {
        "kind": offer.kind,
        "category": offer.category,
        "title": offer.title,
        "description": offer.description,
        "price": Decimal(offer.price) / 100,
        "vat_rate": offer.vat_rate,
        "unit": offer.unit,
        "cancellation_policy": offer.cancellation_policy,
        "origin": offer.origin,
        "min_age_months": offer.min_age_months,
        "max_age_months": offer.max_age_months,
        "home_service": offer.home_service,
        "capacity": offer.capacity,
        "whole_area": offer.whole_area,
        "served_municipalities": list(offer.served_municipalities.all()),
    }


class OfferSerializer(_PriceMixin, serializers.ModelSerializer):
    category = CategorySerializer()
    vat_rate = serializers.DecimalField(max_digits=4, decimal_places=2)
    served_municipalities = PlaceSerializer(
        many=True, help_text="Only when whole_area is false; otherwise the supplier's area applies."
    )
    photos = PhotoSerializer(many=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "status",
            "published_at",
            "kind",
            "category",
            "title",
            "description",
            "origin",
            "price",
            "price_display",
            "vat_rate",
            "unit",
            "cancellation_policy",
            "min_age_months",
            "max_age_months",
            "home_service",
            "capacity",
            "whole_area",
            "served_municipalities",
            "photos",
            "created_at",
            "updated_at",
        ]


class SupplierOfferListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(responses=OfferSerializer(many=True), description="Every offer of the supplier, drafts included.")
    def get(self, request: Request, supplier_id: int) -> Response:
        supplier = supplier_get_for_staff(user=request_user(request), supplier_id=supplier_id)
        paginator = PageNumberPagination()
        offers = paginator.paginate_queryset(
            offers_for_supplier(supplier).prefetch_related("served_municipalities"), request, view=self
        )
        return paginator.get_paginated_response(OfferSerializer(offers, many=True).data)

    @extend_schema(
        request=OfferInputSerializer,
        responses={201: OfferSerializer},
        description="Creates a draft; it can be prepared while the application is under review.",
    )
    def post(self, request: Request, supplier_id: int) -> Response:
        user = request_user(request)
        supplier = supplier_get_for_staff(user=user, supplier_id=supplier_id)
        incoming = OfferInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        offer = offer_create(actor=user, supplier=supplier, data=_offer_data(incoming.validated_data))
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class SupplierOfferDetailApi(APIView):
    @extend_schema(responses=OfferSerializer)
    def get(self, request: Request, supplier_id: int, offer_id: int) -> Response:
        return Response(OfferSerializer(_own_offer(request, supplier_id, offer_id)).data)

    @extend_schema(
        request=OfferInputSerializer(partial=True),
        responses=OfferSerializer,
        description="Changes the fields sent; the whole offer is then checked again.",
    )
    def patch(self, request: Request, supplier_id: int, offer_id: int) -> Response:
        offer = _own_offer(request, supplier_id, offer_id)
        incoming = OfferInputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        merged = {**_current_values(offer), **incoming.validated_data}
        updated = offer_update(actor=request_user(request), offer=offer, data=_offer_data(merged))
        return Response(OfferSerializer(_own_offer(request, supplier_id, updated.pk)).data)


class SupplierOfferPublishApi(APIView):
    @extend_schema(
        request=None,
        responses={200: OfferSerializer, 409: CONFLICT_NOT_SELLABLE},
        description="Shows the offer in the catalogue; repeating the call changes nothing.",
    )
    def post(self, request: Request, supplier_id: int, offer_id: int) -> Response:
        offer = _own_offer(request, supplier_id, offer_id)
        offer_publish(actor=request_user(request), offer=offer)
        return Response(OfferSerializer(_own_offer(request, supplier_id, offer_id)).data)


class SupplierOfferWithdrawApi(APIView):
    @extend_schema(
        request=None,
        responses=OfferSerializer,
        description="Hides the offer from the catalogue; nothing is deleted. It can be published again.",
    )
    def post(self, request: Request, supplier_id: int, offer_id: int) -> Response:
        offer = _own_offer(request, supplier_id, offer_id)
        offer_withdraw(actor=request_user(request), offer=offer)
        return Response(OfferSerializer(_own_offer(request, supplier_id, offer_id)).data)


# --------------------------------------------------------------------------------------------------
# Schedule and photos of an offer (its supplier's staff only)
# --------------------------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    seats_left = serializers.IntegerField()

    class Meta:
        model = OfferSession
        fields = ["id", "label", "starts_at", "ends_at", "seats", "seats_taken", "seats_left"]


class SessionInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    starts_at = serializers.DateTimeField(help_text="In the future.")
    ends_at = serializers.DateTimeField(help_text="After the start.")
    seats = serializers.IntegerField(min_value=1, max_value=10_000)


class SessionSeatsSerializer(serializers.Serializer):
    seats = serializers.IntegerField(min_value=1, max_value=10_000, help_text="Not fewer than those already booked.")


def _own_sessions(offer: Offer) -> QuerySet[OfferSession]:
    return OfferSession.objects.filter(offer=offer).order_by("starts_at", "pk")


def _own_session(request: Request, supplier_id: int, offer_id: int, session_id: int) -> OfferSession:
    offer = _own_offer(request, supplier_id, offer_id)
    session = _own_sessions(offer).filter(pk=session_id).first()
    if session is None:
        raise NotPermitted(_("Session not found."))
    session.offer = offer
    return session


class SupplierOfferSessionListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(responses=SessionSerializer(many=True), description="Every session, past ones included.")
    def get(self, request: Request, supplier_id: int, offer_id: int) -> Response:
        offer = _own_offer(request, supplier_id, offer_id)
        paginator = PageNumberPagination()
        sessions = paginator.paginate_queryset(_own_sessions(offer), request, view=self)
        return paginator.get_paginated_response(SessionSerializer(sessions, many=True).data)

    @extend_schema(request=SessionInputSerializer, responses={201: SessionSerializer})
    def post(self, request: Request, supplier_id: int, offer_id: int) -> Response:
        offer = _own_offer(request, supplier_id, offer_id)
        incoming = SessionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        session = session_add(actor=request_user(request), offer=offer, **incoming.validated_data)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SupplierOfferSessionDetailApi(APIView):
    @extend_schema(
        request=SessionSeatsSerializer,
        responses={200: SessionSerializer, 409: OpenApiResponse(description="Fewer seats than those booked.")},
    )
    def patch(self, request: Request, supplier_id: int, offer_id: int, session_id: int) -> Response:
        session = _own_session(request, supplier_id, offer_id, session_id)
        incoming = SessionSeatsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        seats = incoming.validated_data["seats"]
        changed = session_change_seats(actor=request_user(request), session=session, seats=seats)
        return Response(SessionSerializer(changed).data)

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="People have booked the session: it cannot be removed."),
        }
    )
    def delete(self, request: Request, supplier_id: int, offer_id: int, session_id: int) -> Response:
        session = _own_session(request, supplier_id, offer_id, session_id)
        session_remove(actor=request_user(request), session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG or WebP, at most 8 MB; stored re-encoded, without EXIF data.")
    alt_text = serializers.CharField(max_length=200, help_text="What the photo shows, for people who cannot see it.")


class SupplierOfferPhotoListApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer, 409: OpenApiResponse(description="The offer already has 8 photos.")},
    )
    def post(self, request: Request, supplier_id: int, offer_id: int) -> Response:
        offer = _own_offer(request, supplier_id, offer_id)
        incoming = PhotoUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        photo = photo_add(
            actor=request_user(request),
            offer=offer,
            upload=incoming.validated_data["image"],
            alt_text=incoming.validated_data["alt_text"],
        )
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class SupplierOfferPhotoDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, supplier_id: int, offer_id: int, photo_id: int) -> Response:
        offer = _own_offer(request, supplier_id, offer_id)
        photo = OfferPhoto.objects.filter(offer=offer, pk=photo_id).first()
        if photo is None:
            raise NotPermitted(_("Photo not found."))
        photo.offer = offer
        photo_remove(actor=request_user(request), photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------------------------
# Signals: a supplier people would like, or a need no offer covers
# --------------------------------------------------------------------------------------------------


class SignalInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    municipality = MunicipalityCodeField(
        slug_field="istat_code", queryset=Municipality.objects.all(), help_text="ISTAT code of where it is needed."
    )
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True, default="")
    supplier_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Required for supplier_wanted."
    )
    description = serializers.CharField(max_length=5_000, help_text="At least 10 characters.")


class SignalSerializer(serializers.ModelSerializer):
    municipality = PlaceSerializer()

    class Meta:
        model = Signal
        fields = ["id", "kind", "municipality", "category", "supplier_name", "description", "status", "created_at"]


class SignalListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(responses=SignalSerializer(many=True), description="The signals the caller sent, newest first.")
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(signals_of(request_user(request)), request, view=self)
        return paginator.get_paginated_response(SignalSerializer(page, many=True).data)

    @extend_schema(request=SignalInputSerializer, responses={201: SignalSerializer})
    def post(self, request: Request) -> Response:
        incoming = SignalInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        signal = signal_create(actor=request_user(request), **incoming.validated_data)
        return Response(SignalSerializer(signal).data, status=status.HTTP_201_CREATED)


def urls() -> list[Any]:
    from django.urls import path

    offer = "suppliers/<int:supplier_id>/offers/<int:offer_id>/"
    return [
        path("offers/", OfferSearchApi.as_view(), name="offers"),
        path("offers/<int:offer_id>/", OfferPublicDetailApi.as_view(), name="offer-detail"),
        path("suppliers/<int:supplier_id>/offers/", SupplierOfferListApi.as_view(), name="supplier-offers"),
        path(offer, SupplierOfferDetailApi.as_view(), name="supplier-offer-detail"),
        path(f"{offer}publish/", SupplierOfferPublishApi.as_view(), name="supplier-offer-publish"),
        path(f"{offer}withdraw/", SupplierOfferWithdrawApi.as_view(), name="supplier-offer-withdraw"),
        path(f"{offer}sessions/", SupplierOfferSessionListApi.as_view(), name="supplier-offer-sessions"),
        path(
            f"{offer}sessions/<int:session_id>/",
            SupplierOfferSessionDetailApi.as_view(),
            name="supplier-offer-session-detail",
        ),
        path(f"{offer}photos/", SupplierOfferPhotoListApi.as_view(), name="supplier-offer-photos"),
        path(
            f"{offer}photos/<int:photo_id>/", SupplierOfferPhotoDetailApi.as_view(), name="supplier-offer-photo-detail"
        ),
        path("signals/", SignalListApi.as_view(), name="signals"),
    ]
