"""API for buying: the quote and the checkout, the buyer's orders and cancellations, the supplier's
orders, bookings, answers and voucher redemption, the operator's payments to confirm.

Amounts are integer cents in fields named `*_cents`. Every object is fetched scoped to the caller
(an object of somebody else is a 404, as if it did not exist); the services in `conciliare.orders`
check again under their locks and move the money.
"""

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conciliare.accounts.models import User
from conciliare.accounts.rules import is_operator_admin
from conciliare.core.errors import InvalidInput, NotPermitted
from conciliare.core.money import format_euro
from conciliare.core.typing import request_user
from conciliare.fund.models import GRANT_BUCKET, GRANT_BUCKET_LABEL
from conciliare.orders import checkout as buying
from conciliare.orders import fulfilment
from conciliare.orders.models import (
    MAX_QUANTITY,
    Checkout,
    LinePayment,
    LineStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Voucher,
    VoucherStatus,
)
from conciliare.orders.payments import provider_for
from conciliare.orders.vouchers import code_for
from conciliare.plans.models import BUCKETS
from conciliare.suppliers.models import Supplier
from conciliare.suppliers.selectors import supplier_get_for_staff

from .pagination import PageNumberPagination

BUCKET_LABELS = {**dict(BUCKETS), GRANT_BUCKET: GRANT_BUCKET_LABEL}
MAX_ID = 2**31 - 1
MAX_LINES = 50
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_MAX_LENGTH = 128
# Dates outside this range are typing mistakes: refused rather than searched.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

CONFLICT_LINE = OpenApiResponse(
    description="The line or its order is no longer in a state that allows this (e.g. already confirmed)."
)


# --------------------------------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as its own enum component: several choice sets share the field
    name "status" in this API, and drf-spectacular could only name them after a hash."""

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = self.target
        values = list(field.choices)
        description = "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items())
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": values, "description": description},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def _order_status() -> NamedChoiceField:
    return NamedChoiceField(choices=OrderStatus.choices, enum_name="OrderStatusEnum")


def _line_status() -> NamedChoiceField:
    return NamedChoiceField(choices=LineStatus.choices, enum_name="OrderLineStatusEnum")


def _voucher_status() -> NamedChoiceField:
    return NamedChoiceField(choices=VoucherStatus.choices, enum_name="VoucherStatusEnum")


def _payment_method(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=PaymentMethod.choices, enum_name="OrderPaymentMethodEnum", **kwargs)


# --------------------------------------------------------------------------------------------------
# Input helpers
# --------------------------------------------------------------------------------------------------


class StrictIntegerField(serializers.IntegerField):
    """A JSON number without a fractional part: "12", 12.5 and true are refused, not coerced."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


def _field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as flat field names, e.g. {"lines.1.quantity": ["…"]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_field_errors(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    fields.update(_field_errors(item, f"{prefix}.{index}"))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def _validated(serializer: serializers.Serializer) -> dict[str, Any]:
    if not serializer.is_valid():
        raise InvalidInput(_("The data sent is not valid."), fields=_field_errors(serializer.errors))
    return dict(serializer.validated_data)


def _check_date(value: datetime.date) -> datetime.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise serializers.ValidationError(_("Give a date between the years 2000 and 2100."))
    return value


# --------------------------------------------------------------------------------------------------
# Shapes shared by several endpoints
# --------------------------------------------------------------------------------------------------


class OrderSupplierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="organization.name")


class BookedSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class CreditShareSerializer(serializers.Serializer):
    bucket = serializers.CharField(help_text="The fiscal bucket of the wallet that pays.")
    bucket_label = serializers.SerializerMethodField()
    amount_cents = serializers.IntegerField(source="amount")

    def get_bucket_label(self, share: Any) -> str:
        return str(BUCKET_LABELS.get(share.bucket, share.bucket))


class BuyerVoucherSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = _voucher_status()
    status_display = serializers.CharField(source="get_status_display")
    code = serializers.SerializerMethodField(
        help_text="The printable code XXXX-XXXX-XXXX-XXXX-TTTT to show the supplier; null once used or cancelled."
    )
    pdf_url = serializers.SerializerMethodField(help_text="The voucher as a PDF with its QR code.")
    beneficiary_name = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    redeemed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_code(self, voucher: Voucher) -> str | None:
        return code_for(voucher.token) if voucher.status == VoucherStatus.ISSUED else None

    def get_pdf_url(self, voucher: Voucher) -> str:
        return reverse("orders:voucher_pdf", args=[voucher.pk])


class SupplierVoucherSerializer(serializers.Serializer):
    """What the supplier sees of a voucher: never its code (the buyer shows it)."""

    id = serializers.IntegerField()
    status = _voucher_status()
    status_display = serializers.CharField(source="get_status_display")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    redeemed_at = serializers.DateTimeField(allow_null=True)


def _voucher_of(line: OrderLine) -> Voucher | None:
    return getattr(line, "voucher", None)  # a reverse one-to-one: absent until the supplier confirms


class _LineBaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    offer = serializers.IntegerField(source="offer_id")
    title = serializers.CharField()
    kind = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    unit_price_cents = serializers.IntegerField(source="unit_price")
    quantity = serializers.IntegerField()
    amount_cents = serializers.IntegerField(source="amount")
    credit_cents = serializers.IntegerField(source="credit_amount", help_text="Paid with welfare credit.")
    own_cents = serializers.IntegerField(source="own_amount", help_text="Paid with the buyer's own money.")
    refunded_cents = serializers.IntegerField(source="refunded", help_text="Given back on cancellation or refusal.")
    status = _line_status()
    status_display = serializers.CharField(source="get_status_display")
    beneficiary_name = serializers.CharField()
    session = BookedSessionSerializer(
        allow_null=True, help_text="The date booked; null for products and open services."
    )
    decline_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class BuyerLineSerializer(_LineBaseSerializer):
    family_member = serializers.IntegerField(source="member_id", allow_null=True, help_text="null: the buyer.")
    credit_by_bucket = CreditShareSerializer(source="payments", many=True)
    voucher = serializers.SerializerMethodField()
    cancellable = serializers.SerializerMethodField(help_text="The buyer may cancel the line now.")
    refund_percent_if_cancelled = serializers.SerializerMethodField(
        help_text="What a cancellation now would give back under the offer's policy; null if not cancellable."
    )

    @extend_schema_field(BuyerVoucherSerializer(allow_null=True))
    def get_voucher(self, line: OrderLine) -> Any:
        voucher = _voucher_of(line)
        return BuyerVoucherSerializer(voucher).data if voucher is not None else None

    def get_cancellable(self, line: OrderLine) -> bool:
        return _cancellable(line)

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=0, max_value=100))
    def get_refund_percent_if_cancelled(self, line: OrderLine) -> int | None:
        if not _cancellable(line):
            return None
        return fulfilment.refund_percent(line, now=timezone.now())


def _cancellable(line: OrderLine) -> bool:
    if line.status == LineStatus.PENDING:
        return True
    if line.status != LineStatus.CONFIRMED or not line.is_service:
        return False
    return line.session is None or line.session.starts_at > timezone.now()


class PaymentInstructionsSerializer(serializers.Serializer):
    payment_method = _payment_method()
    amount_cents = serializers.IntegerField(help_text="Own money plus the round-up, if chosen.")
    reference = serializers.CharField(help_text="Write it in the bank transfer's description.")
    iban = serializers.CharField(
        allow_null=True, help_text="The cooperative's account; null when paying at the supplier."
    )
    holder = serializers.CharField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text="Unpaid orders are released after this moment.")


class _OrderBaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = _order_status()
    status_display = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    payment_method = _payment_method()
    total_cents = serializers.IntegerField(source="total")
    credit_cents = serializers.IntegerField(source="credit_total", help_text="Paid with welfare credit.")
    own_cents = serializers.IntegerField(source="own_total", help_text="Paid with own money.")
    round_up_cents = serializers.IntegerField(source="round_up", help_text="Given to the Solidarity Fund.")
    own_due_cents = serializers.IntegerField(source="own_due", help_text="Own money plus the round-up.")
    payment_due_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)


class BuyerOrderSerializer(_OrderBaseSerializer):
    supplier = OrderSupplierSerializer()
    payment_instructions = serializers.SerializerMethodField(help_text="Only while the order awaits payment.")
    lines = BuyerLineSerializer(many=True)

    @extend_schema_field(PaymentInstructionsSerializer(allow_null=True))
    def get_payment_instructions(self, order: Order) -> Any:
        if order.status != OrderStatus.AWAITING_PAYMENT:
            return None
        given = provider_for(order.payment_method).instructions(order)
        instructions = {
            "payment_method": given.method,
            "amount_cents": given.amount,
            "reference": given.reference,
            "iban": given.iban or None,
            "holder": given.holder or None,
            "due_at": given.due_at,
        }
        return PaymentInstructionsSerializer(instructions).data


class OrderEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    line = serializers.IntegerField(source="line_id", allow_null=True, help_text="null: the whole order.")
    from_status = serializers.CharField(help_text="Empty when the order was placed.")
    to_status = serializers.CharField()
    note = serializers.CharField()


class BuyerOrderDetailSerializer(BuyerOrderSerializer):
    events = OrderEventSerializer(many=True)


class SupplierLineSerializer(_LineBaseSerializer):
    order = serializers.IntegerField(source="order_id")
    order_reference = serializers.CharField(source="order.reference")
    voucher = serializers.SerializerMethodField()

    @extend_schema_field(SupplierVoucherSerializer(allow_null=True))
    def get_voucher(self, line: OrderLine) -> Any:
        voucher = _voucher_of(line)
        return SupplierVoucherSerializer(voucher).data if voucher is not None else None


class SupplierOrderSerializer(_OrderBaseSerializer):
    buyer_name = serializers.CharField(source="buyer.full_name")
    lines = SupplierLineSerializer(many=True)


# --------------------------------------------------------------------------------------------------
# Scoped reads: a fixed number of queries whatever the number of orders
# --------------------------------------------------------------------------------------------------


def _lines_queryset() -> QuerySet[OrderLine]:
    return OrderLine.objects.select_related("session", "voucher", "offer").prefetch_related(
        Prefetch("payments", queryset=LinePayment.objects.order_by("pk"))
    )


def _orders_with_lines(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("supplier__organization", "buyer").prefetch_related(
        Prefetch("lines", queryset=_lines_queryset())
    )


def _buyer_orders(user: User) -> QuerySet[Order]:
    return _orders_with_lines(Order.objects.filter(buyer=user)).order_by("-created_at", "-pk")


def _buyer_order(user: User, order_id: int) -> Order:
    order = (
        _buyer_orders(user)
        .prefetch_related(Prefetch("events", queryset=OrderEvent.objects.order_by("at", "pk")))
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotPermitted(_("Order not found."))
    return order


def _supplier_line(supplier: Supplier, line_id: int) -> OrderLine:
    line = (
        OrderLine.objects.select_related("order", "session", "voucher")
        .filter(pk=line_id, order__supplier=supplier)
        .first()
    )
    if line is None:
        raise NotPermitted(_("Order not found."))
    return line


def _assert_operator(user: User) -> None:
    if not is_operator_admin(user):
        raise NotPermitted(_("Page not found."))


# --------------------------------------------------------------------------------------------------
# Quote and checkout (the buyer)
# --------------------------------------------------------------------------------------------------


class CheckoutLineInputSerializer(serializers.Serializer):
    offer = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="A published offer.")
    session = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        required=False,
        default=None,
        help_text="The date booked; required for a service with dates, null otherwise.",
    )
    family_member = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        required=False,
        default=None,
        help_text="One of the buyer's family members; null: the buyer.",
    )
    quantity = StrictIntegerField(
        min_value=1, max_value=MAX_QUANTITY, required=False, default=1, help_text="1 for a booked date."
    )


class QuoteInputSerializer(serializers.Serializer):
    lines: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=CheckoutLineInputSerializer(), allow_empty=False, max_length=MAX_LINES, help_text="At most 50 lines."
    )
    round_up = serializers.BooleanField(
        required=False, default=False, help_text="Round own money up to the whole euro for the Solidarity Fund."
    )


class CheckoutInputSerializer(QuoteInputSerializer):
    payment_method = _payment_method(
        required=False,
        default=PaymentMethod.NONE,
        help_text="How to pay what credit does not cover; ignored (none) when credit covers everything.",
    )


def _requests(values: dict[str, Any]) -> list[buying.LineRequest]:
    return [
        buying.LineRequest(
            offer_id=line["offer"],
            session_id=line["session"],
            member_id=line["family_member"],
            quantity=line["quantity"],
        )
        for line in values["lines"]
    ]


class QuoteLineSerializer(serializers.Serializer):
    offer = serializers.IntegerField()
    session = serializers.IntegerField(allow_null=True)
    family_member = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField()
    title = serializers.CharField()
    supplier = OrderSupplierSerializer()
    beneficiary_name = serializers.CharField()
    amount_cents = serializers.IntegerField()
    credit_cents = serializers.IntegerField()
    own_cents = serializers.IntegerField()
    credit_by_bucket = CreditShareSerializer(many=True)


class QuoteSerializer(serializers.Serializer):
    lines = QuoteLineSerializer(many=True)
    total_cents = serializers.IntegerField()
    credit_cents = serializers.IntegerField(help_text="Welfare credit that would be held.")
    own_cents = serializers.IntegerField(help_text="Own money to pay.")
    round_up_cents = serializers.IntegerField(help_text="Only when round_up was asked; per supplier's order.")
    own_due_cents = serializers.IntegerField(help_text="Own money plus the round-up.")
    payment_needed = serializers.BooleanField(help_text="A payment method other than none must be chosen.")
    fringe_cap_cents = serializers.IntegerField(help_text="This year's fringe-benefit cap.")
    fringe_left_before_cents = serializers.IntegerField()
    fringe_left_after_cents = serializers.IntegerField()


def _quote_data(buyer: User, made: buying.Quote, *, round_up: bool) -> dict[str, Any]:
    lines = []
    for planned in made.lines:
        if planned.member is not None:
            name = f"{planned.member.first_name} {planned.member.last_name}"
        else:
            name = buyer.full_name or buyer.email
        lines.append(
            {
                "offer": planned.offer.pk,
                "session": planned.session.pk if planned.session is not None else None,
                "family_member": planned.member.pk if planned.member is not None else None,
                "quantity": planned.request.quantity,
                "title": planned.offer.title,
                "supplier": planned.offer.supplier,
                "beneficiary_name": name,
                "amount_cents": planned.plan.amount,
                "credit_cents": planned.plan.credit,
                "own_cents": planned.plan.own,
                "credit_by_bucket": planned.plan.shares,
            }
        )
    rounded = sum(buying.round_up_of(own) for own in made.own_by_supplier().values() if own) if round_up else 0
    return {
        "lines": lines,
        "total_cents": made.total,
        "credit_cents": made.credit,
        "own_cents": made.own,
        "round_up_cents": rounded,
        "own_due_cents": made.own + rounded,
        "payment_needed": made.own > 0,
        "fringe_cap_cents": made.fringe_cap,
        "fringe_left_before_cents": made.fringe_left_before,
        "fringe_left_after_cents": made.fringe_left_after,
    }


class CheckoutQuoteApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=QuoteInputSerializer,
        responses={200: QuoteSerializer, 409: OpenApiResponse(description="The same person twice on one date.")},
        description="How a checkout of these lines would be paid: welfare credit by bucket and own money, per "
        "line, and the fringe-benefit room before and after. Nothing is held or booked.",
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        values = _validated(QuoteInputSerializer(data=request.data))
        made = buying.quote(buyer=user, requests=_requests(values))
        return Response(QuoteSerializer(_quote_data(user, made, round_up=values["round_up"])).data)


class CheckoutResultSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField()
    orders = BuyerOrderSerializer(many=True, help_text="One order per supplier.")


def _idempotency_key(request: Request) -> str:
    key = str(request.headers.get(IDEMPOTENCY_HEADER, "")).strip()
    message = ""
    if not key:
        message = _(
            "Send an Idempotency-Key header: a random text that identifies this checkout, so that a retry "
            "does not buy twice."
        )
    elif len(key) > IDEMPOTENCY_MAX_LENGTH:
        message = _("The Idempotency-Key header must be at most %(max)s characters long.") % {
            "max": IDEMPOTENCY_MAX_LENGTH
        }
    elif any(not " " <= char <= "~" for char in key):
        message = _("The Idempotency-Key header may contain only printable ASCII characters.")
    if message:
        raise InvalidInput(message, fields={"idempotency_key": [message]})
    return key


class CheckoutApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=CheckoutInputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="A random text (at most 128 printable ASCII characters) chosen by the client for this "
                "checkout. Sending the same key with the same body again returns the same orders (200) instead of "
                "buying twice; the same key with a different body is refused (409 idempotency_conflict).",
            )
        ],
        responses={
            201: CheckoutResultSerializer,
            200: OpenApiResponse(CheckoutResultSerializer, description="The key was already used with this body."),
            409: OpenApiResponse(
                description="No places left, somebody already booked, or the key was used for a different body."
            ),
        },
        description="Places one order per supplier: credit is held on the buyer's wallets and places are "
        "reserved until the supplier answers. Own money is paid by bank transfer or at the supplier.",
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        key = _idempotency_key(request)
        values = _validated(CheckoutInputSerializer(data=request.data))
        seen = Checkout.objects.filter(buyer=user, idempotency_key=key).exists()
        made = buying.checkout(
            buyer=user,
            requests=_requests(values),
            payment_method=values["payment_method"],
            idempotency_key=key,
            round_up=values["round_up"],
        )
        orders = _orders_with_lines(Order.objects.filter(checkout=made)).order_by("pk")
        body = CheckoutResultSerializer({"idempotency_key": key, "orders": orders}).data
        return Response(body, status=status.HTTP_200_OK if seen else status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------------
# The buyer's orders
# --------------------------------------------------------------------------------------------------


class OrderListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        responses=BuyerOrderSerializer(many=True),
        description="The caller's orders, newest first, with their lines, vouchers and payment instructions.",
    )
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(_buyer_orders(request_user(request)), request, view=self)
        return paginator.get_paginated_response(BuyerOrderSerializer(page, many=True).data)


class OrderDetailApi(APIView):
    @extend_schema(responses=BuyerOrderDetailSerializer, description="One of the caller's orders, with its history.")
    def get(self, request: Request, order_id: int) -> Response:
        return Response(BuyerOrderDetailSerializer(_buyer_order(request_user(request), order_id)).data)


class LineCancellationSerializer(serializers.Serializer):
    message = serializers.CharField()
    refunded_cents = serializers.IntegerField(
        help_text="Credit released or given back to the wallets plus own money given back, under the offer's policy."
    )
    order = BuyerOrderSerializer()


class OrderLineCancelApi(APIView):
    @extend_schema(
        request=None,
        responses={200: LineCancellationSerializer, 409: CONFLICT_LINE},
        description="Cancels a line of the caller's order. Before the supplier confirms, everything is given back; "
        "afterwards the offer's cancellation policy decides how much.",
    )
    def post(self, request: Request, order_id: int, line_id: int) -> Response:
        user = request_user(request)
        if not OrderLine.objects.filter(pk=line_id, order_id=order_id, order__buyer=user).exists():
            raise NotPermitted(_("Order not found."))
        line = fulfilment.line_cancel(actor=user, line_id=line_id)
        order = _buyer_orders(user).get(pk=order_id)
        body = {
            "message": _("Cancelled: %(amount)s given back.")
            % {"amount": format_euro(line.refunded, locale=to_locale(get_language() or "it"))},
            "refunded_cents": line.refunded,
            "order": order,
        }
        return Response(LineCancellationSerializer(body).data)


# --------------------------------------------------------------------------------------------------
# The supplier: orders, bookings, answers, vouchers
# --------------------------------------------------------------------------------------------------


class SupplierOrderParamsSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, required=False, help_text="Only orders in this state."
    )


class SupplierOrderListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[SupplierOrderParamsSerializer],
        responses=SupplierOrderSerializer(many=True),
        description="The supplier's orders, newest first. Orders awaiting payment are listed too: they reach "
        "the supplier for an answer once paid.",
    )
    def get(self, request: Request, supplier_id: int) -> Response:
        supplier = supplier_get_for_staff(user=request_user(request), supplier_id=supplier_id)
        params = _validated(SupplierOrderParamsSerializer(data=request.query_params))
        orders = _orders_with_lines(Order.objects.filter(supplier=supplier)).order_by("-created_at", "-pk")
        if params.get("status"):
            orders = orders.filter(status=params["status"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(SupplierOrderSerializer(page, many=True).data)


class BookingParamsSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text="Sessions starting on this day or later.")
    date_to = serializers.DateField(required=False, help_text="Sessions starting on this day or earlier.")
    status = serializers.ChoiceField(
        choices=LineStatus.choices,
        required=False,
        help_text="Only lines in this state; by default pending, confirmed and redeemed ones.",
    )

    def validate_date_from(self, value: datetime.date) -> datetime.date:
        return _check_date(value)

    def validate_date_to(self, value: datetime.date) -> datetime.date:
        return _check_date(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError({"date_to": [_("The end must not come before the start.")]})
        return attrs


class SupplierBookingListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[BookingParamsSerializer],
        responses=SupplierLineSerializer(many=True),
        description="Booked dates of the supplier's services, earliest first, with who comes.",
    )
    def get(self, request: Request, supplier_id: int) -> Response:
        supplier = supplier_get_for_staff(user=request_user(request), supplier_id=supplier_id)
        params = _validated(BookingParamsSerializer(data=request.query_params))
        lines = (
            OrderLine.objects.select_related("order", "session", "voucher")
            .filter(order__supplier=supplier, session__isnull=False)
            .order_by("session__starts_at", "pk")
        )
        if params.get("status"):
            lines = lines.filter(status=params["status"])
        else:
            lines = lines.filter(status__in=[LineStatus.PENDING, LineStatus.CONFIRMED, LineStatus.REDEEMED])
        if params.get("date_from"):
            lines = lines.filter(session__starts_at__date__gte=params["date_from"])
        if params.get("date_to"):
            lines = lines.filter(session__starts_at__date__lte=params["date_to"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(lines, request, view=self)
        return paginator.get_paginated_response(SupplierLineSerializer(page, many=True).data)


def _supplier_line_response(supplier: Supplier, line_id: int) -> Response:
    return Response(SupplierLineSerializer(_supplier_line(supplier, line_id)).data)


class SupplierLineConfirmApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SupplierLineSerializer, 409: CONFLICT_LINE},
        description="Accepts the line: the held credit is taken and a service gets its voucher.",
    )
    def post(self, request: Request, supplier_id: int, line_id: int) -> Response:
        user = request_user(request)
        supplier = supplier_get_for_staff(user=user, supplier_id=supplier_id)
        _supplier_line(supplier, line_id)
        fulfilment.line_confirm(actor=user, line_id=line_id)
        return _supplier_line_response(supplier, line_id)


class LineDeclineInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Told to the buyer.")


class SupplierLineDeclineApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=LineDeclineInputSerializer,
        responses={200: SupplierLineSerializer, 409: CONFLICT_LINE},
        description="Refuses the line: the credit and the place are given back.",
    )
    def post(self, request: Request, supplier_id: int, line_id: int) -> Response:
        user = request_user(request)
        supplier = supplier_get_for_staff(user=user, supplier_id=supplier_id)
        _supplier_line(supplier, line_id)
        values = _validated(LineDeclineInputSerializer(data=request.data))
        fulfilment.line_decline(actor=user, line_id=line_id, reason=values["reason"])
        return _supplier_line_response(supplier, line_id)


class SupplierLineDeliverApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SupplierLineSerializer, 409: CONFLICT_LINE},
        description="Records that a confirmed product was delivered: its amount becomes payable to the supplier.",
    )
    def post(self, request: Request, supplier_id: int, line_id: int) -> Response:
        user = request_user(request)
        supplier = supplier_get_for_staff(user=user, supplier_id=supplier_id)
        _supplier_line(supplier, line_id)
        fulfilment.line_deliver(actor=user, line_id=line_id)
        return _supplier_line_response(supplier, line_id)


class VoucherRedeemInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=500, help_text="The code as printed (XXXX-XXXX-XXXX-XXXX-TTTT) or the address in the QR code."
    )


class VoucherRedeemedSerializer(serializers.Serializer):
    voucher = SupplierVoucherSerializer()
    line = SupplierLineSerializer()


class SupplierVoucherRedeemApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=VoucherRedeemInputSerializer,
        responses={
            200: VoucherRedeemedSerializer,
            409: OpenApiResponse(description="Already used, cancelled, not yet valid or expired."),
        },
        description="Uses a voucher once, for the whole service; its amount becomes payable to the supplier. "
        "A mistyped or forged code is a 400; a voucher of another supplier is a 404.",
    )
    def post(self, request: Request, supplier_id: int) -> Response:
        user = request_user(request)
        supplier = supplier_get_for_staff(user=user, supplier_id=supplier_id)
        values = _validated(VoucherRedeemInputSerializer(data=request.data))
        voucher = fulfilment.voucher_redeem(actor=user, supplier_id=supplier.pk, code=values["code"])
        line = _supplier_line(supplier, voucher.line_id)
        return Response(VoucherRedeemedSerializer({"voucher": line.voucher, "line": line}).data)


# --------------------------------------------------------------------------------------------------
# The operator: payments to confirm
# --------------------------------------------------------------------------------------------------


class OrderBuyerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    email = serializers.EmailField()


class PendingPaymentSerializer(_OrderBaseSerializer):
    buyer = OrderBuyerSerializer()
    supplier = OrderSupplierSerializer()


class PendingPaymentParamsSerializer(serializers.Serializer):
    payment_method = serializers.ChoiceField(
        choices=[PaymentMethod.BANK_TRANSFER, PaymentMethod.AT_SUPPLIER], required=False
    )


class PaymentListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[PendingPaymentParamsSerializer],
        responses=PendingPaymentSerializer(many=True),
        description="Operators only: orders waiting for own money, the earliest deadline first.",
    )
    def get(self, request: Request) -> Response:
        _assert_operator(request_user(request))
        params = _validated(PendingPaymentParamsSerializer(data=request.query_params))
        orders = (
            Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT)
            .select_related("buyer", "supplier__organization")
            .prefetch_related("lines")  # own_due adds up the lines still wanted
            .order_by("payment_due_at", "pk")
        )
        if params.get("payment_method"):
            orders = orders.filter(payment_method=params["payment_method"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(PendingPaymentSerializer(page, many=True).data)


class PaymentConfirmApi(APIView):
    @extend_schema(
        request=None,
        responses={
            200: PendingPaymentSerializer,
            409: OpenApiResponse(description="The order is not waiting for payment."),
        },
        description="Operators only: the own money arrived (bank transfer) or the supplier collected it; the order "
        "goes to the supplier.",
    )
    def post(self, request: Request, order_id: int) -> Response:
        user = request_user(request)
        _assert_operator(user)
        if not Order.objects.filter(pk=order_id).exists():
            raise NotPermitted(_("Order not found."))
        fulfilment.payment_confirm(actor=user, order_id=order_id)
        order = Order.objects.select_related("buyer", "supplier__organization").get(pk=order_id)
        return Response(PendingPaymentSerializer(order).data)


def urls() -> list[Any]:
    from django.urls import path

    supplier = "suppliers/<int:supplier_id>/"
    line = f"{supplier}lines/<int:line_id>/"
    return [
        path("checkout/", CheckoutApi.as_view(), name="checkout"),
        path("checkout/quote/", CheckoutQuoteApi.as_view(), name="checkout-quote"),
        path("orders/", OrderListApi.as_view(), name="orders"),
        path("orders/<int:order_id>/", OrderDetailApi.as_view(), name="order-detail"),
        path(
            "orders/<int:order_id>/lines/<int:line_id>/cancel/", OrderLineCancelApi.as_view(), name="order-line-cancel"
        ),
        path(f"{supplier}orders/", SupplierOrderListApi.as_view(), name="supplier-orders"),
        path(f"{supplier}bookings/", SupplierBookingListApi.as_view(), name="supplier-bookings"),
        path(f"{line}confirm/", SupplierLineConfirmApi.as_view(), name="supplier-line-confirm"),
        path(f"{line}decline/", SupplierLineDeclineApi.as_view(), name="supplier-line-decline"),
        path(f"{line}deliver/", SupplierLineDeliverApi.as_view(), name="supplier-line-deliver"),
        path(f"{supplier}vouchers/redeem/", SupplierVoucherRedeemApi.as_view(), name="supplier-voucher-redeem"),
        path("payments/", PaymentListApi.as_view(), name="payments"),
        path("payments/<int:order_id>/confirm/", PaymentConfirmApi.as_view(), name="payment-confirm"),
    ]
