"""API for reimbursements: the employee asks (multipart, with the receipt) and follows; the reviewer decides.

Amounts are sent in euro ("12.50") and returned in cents. The checklist comes from the rules
engine of the expense's tax year, in the request's language.
"""

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conciliare.accounts.models import FamilyMember
from conciliare.core.money import euro_to_cents
from conciliare.core.typing import request_user
from conciliare.plans.models import BUCKETS
from conciliare.reimbursements.checklist import checklist_from_json
from conciliare.reimbursements.models import ReimbursementRequest, ReimbursementStatus
from conciliare.reimbursements.selectors import (
    category_label,
    reimbursement_get_for_employee,
    reimbursement_get_for_reviewer,
    reimbursement_get_for_viewer,
    reimbursements_for_employee,
    reimbursements_for_reviewer,
)
from conciliare.reimbursements.services import (
    APPROVE,
    REJECT,
    REQUEST_CHANGES,
    RequestDetails,
    reimbursement_resubmit,
    reimbursement_review,
    reimbursement_submit,
    reimbursement_withdraw,
)

from .pagination import PageNumberPagination

SCOPE_MINE = "mine"
SCOPE_REVIEW = "review"
CONFLICT = OpenApiResponse(
    description="The request is no longer in a state that allows this (e.g. already decided), the same expense "
    "was already asked for, or the credit is not enough."
)
NOT_AN_EMPLOYEE = OpenApiResponse(description="Only employees of a member company can ask for a reimbursement.")


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    severity = serializers.ChoiceField(choices=["block", "warning"])
    passed = serializers.BooleanField()
    text = serializers.CharField(help_text="In the request's language (Italian or English).")
    sources = serializers.ListField(child=serializers.CharField(), help_text="Ids of the rules' sources.")


class ReceiptOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="pdf, png or jpeg")
    size = serializers.IntegerField(help_text="bytes")
    uploaded_at = serializers.DateTimeField()


class EventOutputSerializer(serializers.Serializer):
    from_status = serializers.CharField(help_text="Empty for the first submission.")
    to_status = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()


class ReimbursementOutputSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ReimbursementStatus.choices, read_only=True)
    bucket = serializers.ChoiceField(choices=BUCKETS, read_only=True)
    category_label = serializers.SerializerMethodField()
    amount = serializers.IntegerField(read_only=True, help_text="cents")
    employee_name = serializers.SerializerMethodField()
    family_member = serializers.IntegerField(source="family_member_id", allow_null=True, read_only=True)
    company = serializers.IntegerField(source="company_id", read_only=True)
    ledger_transaction = serializers.IntegerField(
        source="ledger_transaction_id", allow_null=True, read_only=True, help_text="Set once approved."
    )
    checklist = serializers.SerializerMethodField()
    receipts = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta:
        model = ReimbursementRequest
        fields = [
            "id",
            "status",
            "bucket",
            "category",
            "category_label",
            "amount",
            "expense_date",
            "employee_name",
            "company",
            "family_member",
            "beneficiary_name",
            "addressed_to_name",
            "addressed_to_fiscal_code",
            "names_beneficiary",
            "names_service",
            "description",
            "flagged",
            "checklist",
            "submitted_at",
            "decided_at",
            "reason",
            "ledger_transaction",
            "receipts",
            "events",
        ]
        read_only_fields = fields

    def get_category_label(self, request: ReimbursementRequest) -> str:
        return category_label(request.category)

    def get_employee_name(self, request: ReimbursementRequest) -> str:
        return request.employee.full_name or request.employee.email

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_checklist(self, request: ReimbursementRequest) -> list[dict[str, Any]]:
        return [
            {
                "id": item.id,
                "severity": item.severity,
                "passed": item.passed,
                "text": item.text,
                "sources": list(item.sources),
            }
            for item in checklist_from_json(request.checklist)
        ]

    @extend_schema_field(ReceiptOutputSerializer(many=True))
    def get_receipts(self, request: ReimbursementRequest) -> list[dict[str, Any]]:
        if not self.context.get("detail"):
            return []
        return ReceiptOutputSerializer(request.receipts.order_by("-uploaded_at", "-pk"), many=True).data  # type: ignore[return-value]

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_events(self, request: ReimbursementRequest) -> list[dict[str, Any]]:
        if not self.context.get("detail"):
            return []
        return EventOutputSerializer(request.events.order_by("at", "pk"), many=True).data  # type: ignore[return-value]


def _detail(request: ReimbursementRequest) -> dict[str, Any]:
    return ReimbursementOutputSerializer(request, context={"detail": True}).data  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------------


class ReimbursementInputSerializer(serializers.Serializer):
    bucket = serializers.ChoiceField(
        choices=BUCKETS, help_text="A bucket that allows refunds: f-bis, f-ter, d-bis, c.3."
    )
    category = serializers.CharField(max_length=40, help_text="A service category of the rules engine, e.g. nursery.")
    amount = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal("0.01"), help_text='Euro paid, e.g. "120.00".'
    )
    expense_date = serializers.DateField()
    family_member = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Id of one of your family members; empty for yourself."
    )
    addressed_to_name = serializers.CharField(max_length=200, help_text="The name the document is addressed to.")
    addressed_to_fiscal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    names_beneficiary = serializers.BooleanField(default=False, help_text="The document names who used the service.")
    names_service = serializers.BooleanField(default=False, help_text="The document describes the service.")
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    receipt = serializers.FileField(help_text="PDF, PNG or JPEG, at most 10 MB; the type is read from the content.")

    def validate_family_member(self, value: int | None) -> FamilyMember | None:
        if value is None:
            return None
        member = FamilyMember.objects.filter(user=self.context["user"], pk=value).first()
        if member is None:
            raise serializers.ValidationError(_("Choose yourself or a member of your family."))
        return member

    def details(self) -> RequestDetails:
        data = self.validated_data
        return RequestDetails(
            bucket=data["bucket"],
            category=data["category"],
            amount=euro_to_cents(data["amount"]),
            expense_date=data["expense_date"],
            family_member=data.get("family_member"),
            addressed_to_name=data["addressed_to_name"],
            addressed_to_fiscal_code=data.get("addressed_to_fiscal_code", ""),
            names_beneficiary=data["names_beneficiary"],
            names_service=data["names_service"],
            description=data.get("description", ""),
        )


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[APPROVE, REQUEST_CHANGES, REJECT])
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to ask for a better document or to reject; the employee reads it.",
    )


# --------------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------------


class ReimbursementListApi(APIView):
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope",
                str,
                enum=[SCOPE_MINE, SCOPE_REVIEW],
                description="mine (default): your own requests. review: the requests you review, oldest first.",
            ),
            OpenApiParameter("status", str, enum=ReimbursementStatus.values, description="Only this status."),
        ],
        responses=ReimbursementOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        wanted = request.query_params.get("status", "")
        if wanted not in ReimbursementStatus.values:
            wanted = ""
        if request.query_params.get("scope") == SCOPE_REVIEW:
            queryset = reimbursements_for_reviewer(user, status=wanted)
        else:
            queryset = reimbursements_for_employee(user)
            if wanted:
                queryset = queryset.filter(status=wanted)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ReimbursementOutputSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ReimbursementInputSerializer},
        responses={201: ReimbursementOutputSerializer, 403: NOT_AN_EMPLOYEE, 409: CONFLICT},
        description="Submits a request with its receipt. Refused (400, nothing saved) when the checklist blocks it; "
        "the blocking items are in error.fields.checklist.",
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        incoming = ReimbursementInputSerializer(data=request.data, context={"user": user})
        incoming.is_valid(raise_exception=True)
        created = reimbursement_submit(
            actor=user,
            details=incoming.details(),
            receipt=incoming.validated_data["receipt"],
            today=timezone.localdate(),
        )
        return Response(_detail(created), status=status.HTTP_201_CREATED)


class ReimbursementDetailApi(APIView):
    @extend_schema(responses=ReimbursementOutputSerializer, description="For the employee who asked and its reviewers.")
    def get(self, request: Request, reimbursement_id: int) -> Response:
        found = reimbursement_get_for_viewer(user=request_user(request), request_id=reimbursement_id)
        return Response(_detail(found))


class ReimbursementResubmitApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ReimbursementInputSerializer},
        responses={200: ReimbursementOutputSerializer, 409: CONFLICT},
        description="After the reviewer asked for a better document: corrected details and a new receipt.",
    )
    def post(self, request: Request, reimbursement_id: int) -> Response:
        user = request_user(request)
        found = reimbursement_get_for_employee(user=user, request_id=reimbursement_id)
        incoming = ReimbursementInputSerializer(data=request.data, context={"user": user})
        incoming.is_valid(raise_exception=True)
        updated = reimbursement_resubmit(
            actor=user,
            request=found,
            details=incoming.details(),
            receipt=incoming.validated_data["receipt"],
            today=timezone.localdate(),
        )
        return Response(_detail(updated))


class ReimbursementWithdrawApi(APIView):
    @extend_schema(request=None, responses={200: ReimbursementOutputSerializer, 409: CONFLICT})
    def post(self, request: Request, reimbursement_id: int) -> Response:
        user = request_user(request)
        found = reimbursement_get_for_employee(user=user, request_id=reimbursement_id)
        return Response(_detail(reimbursement_withdraw(actor=user, request=found)))


class ReimbursementReviewApi(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=ReviewInputSerializer,
        responses={200: ReimbursementOutputSerializer, 409: CONFLICT},
        description="The reviewer (the operator, or the company's HR if the company chose so) approves — the "
        "amount moves from the employee's credit to the company's payroll payable, once — asks for a better "
        "document, or rejects. A second decision on a decided request is a 409.",
    )
    def post(self, request: Request, reimbursement_id: int) -> Response:
        user = request_user(request)
        found = reimbursement_get_for_reviewer(user=user, request_id=reimbursement_id)
        incoming = ReviewInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        decided = reimbursement_review(
            actor=user,
            request=found,
            decision=incoming.validated_data["decision"],
            reason=incoming.validated_data["reason"],
        )
        return Response(_detail(decided))


def urls() -> list[Any]:
    from django.urls import path

    one = "reimbursements/<int:reimbursement_id>/"
    return [
        path("reimbursements/", ReimbursementListApi.as_view(), name="reimbursements"),
        path(one, ReimbursementDetailApi.as_view(), name="reimbursement-detail"),
        path(f"{one}resubmit/", ReimbursementResubmitApi.as_view(), name="reimbursement-resubmit"),
        path(f"{one}withdraw/", ReimbursementWithdrawApi.as_view(), name="reimbursement-withdraw"),
        path(f"{one}review/", ReimbursementReviewApi.as_view(), name="reimbursement-review"),
    ]
