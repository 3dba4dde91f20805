"""API for the Solidarity Fund committee: its queue, one application, votes and requests for documents.

Only members of the fund committee reach it (with their second factor, like every staff role).
For anybody else the list and every application id answer 404 with the generic message, exactly
as for an id that does not exist: the API never hints that an application exists. A member never
sees their own application here. Applicant data leave only through the detail, and the selector
writes every such reading to the access log.

Amounts are sent in euro ("250.00", as the other APIs take money in) and returned in cents, in
fields named `*_cents`.
"""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conciliare.core.money import euro_to_cents
from conciliare.core.typing import request_user
from conciliare.fund import access, selectors, services
from conciliare.fund.models import ApplicationStatus, CommitteeVote, FundApplication, HardshipEvent, Vote
from conciliare.fund.scoring import part_label

from .orders import NamedChoiceField
from .pagination import PageNumberPagination

NOT_FOUND = OpenApiResponse(description="No such application for you: it does not exist, or is not yours to see.")
VOTE_CONFLICT = OpenApiResponse(
    description="The application is decided, waits for the applicant's documents, you already voted on it, or the "
    "fund has not enough available for the grant (nothing is recorded)."
)
REQUEST_CONFLICT = OpenApiResponse(description="Only an application with the committee can be asked for documents.")


def _status(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=ApplicationStatus.choices, enum_name="FundApplicationStatusEnum", **kwargs)


def _vote(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=Vote.choices, enum_name="FundVoteEnum", **kwargs)


def _events() -> serializers.ListField:
    return serializers.ListField(
        child=NamedChoiceField(choices=HardshipEvent.choices, enum_name="HardshipEventEnum"),
        help_text="The hardship events declared.",
    )


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


class FundApplicationSummarySerializer(serializers.Serializer):
    """A row of the queue: no applicant data, only what the committee orders and counts by."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="FS-XXXXXXXXXX: names the application without naming the person.")
    submitted_at = serializers.DateTimeField()
    status = _status()
    status_display = serializers.CharField(source="get_status_display")
    events = _events()
    score = serializers.IntegerField(help_text="By the regulation in force when the application was submitted.")
    approvals = serializers.IntegerField()
    rejections = serializers.IntegerField()
    my_vote = serializers.SerializerMethodField(help_text="Your vote; null if you have not voted.")
    granted_cents = serializers.SerializerMethodField(help_text="The grant made; null until approved.")

    @extend_schema_field(_vote(allow_null=True))
    def get_my_vote(self, application: FundApplication) -> str | None:
        return self.context["my_votes"].get(application.pk)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_granted_cents(self, application: FundApplication) -> int | None:
        grant = getattr(application, "grant", None)  # a reverse one-to-one: absent until approved
        return grant.amount if grant is not None else None


class FundScorePartSerializer(serializers.Serializer):
    part = serializers.CharField(help_text='A hardship event, "isee" or "household".')
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    points = serializers.IntegerField()

    def get_label(self, part: dict[str, Any]) -> str:
        return part_label(part["part"])


class FundVoteOutputSerializer(serializers.Serializer):
    member_name = serializers.SerializerMethodField()
    vote = _vote()
    amount_cents = serializers.IntegerField(source="amount", allow_null=True, help_text="null for a rejection.")
    reason = serializers.CharField()
    at = serializers.DateTimeField()

    def get_member_name(self, vote: CommitteeVote) -> str:
        return vote.member.full_name or vote.member.email


class FundDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    kind = serializers.CharField(source="content_kind", help_text="pdf, png or jpeg")
    size = serializers.IntegerField(help_text="bytes")
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField(
        help_text="The committee's download page (signed-in session); every download is logged."
    )

    def get_download_url(self, document: Any) -> str:
        return reverse("fund:committee_document", args=[document.application_id, document.pk])


class FundApplicationDetailSerializer(FundApplicationSummarySerializer):
    applicant_name = serializers.SerializerMethodField()
    regulation_version = serializers.IntegerField(source="regulation.version")
    approvals_required = serializers.IntegerField(source="regulation.approvals_required")
    district = serializers.CharField(source="district.name", allow_null=True)
    event_labels = serializers.ListField(child=serializers.CharField())
    other_description = serializers.CharField()
    household_size = serializers.IntegerField(allow_null=True)
    isee_cents = serializers.IntegerField(source="isee", allow_null=True)
    isee_protocol = serializers.CharField()
    isee_valid_until = serializers.DateField(allow_null=True)
    needs = serializers.ListField(child=serializers.CharField())
    needs_description = serializers.CharField()
    requested_cents = serializers.IntegerField(source="requested_amount", allow_null=True)
    consent_at = serializers.DateTimeField()
    score_breakdown = FundScorePartSerializer(many=True)
    info_request = serializers.CharField(help_text="What the committee asked for, if it did.")
    applicant_reply = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    grant_room_cents = serializers.SerializerMethodField(
        help_text="The most an approval may give: what the regulation still allows this person this year."
    )
    votes = FundVoteOutputSerializer(many=True)
    documents = FundDocumentSerializer(many=True)

    def get_applicant_name(self, application: FundApplication) -> str:
        applicant = application.applicant
        return (applicant.full_name or applicant.email) if applicant is not None else ""

    def get_grant_room_cents(self, application: FundApplication) -> int:
        return services.grant_room(application) if application.is_open else 0


# --------------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------------


class FundQueueParamsSerializer(serializers.Serializer):
    status = _status(required=False, help_text="Only this status; submitted: waiting for votes.")


class FundVoteInputSerializer(serializers.Serializer):
    vote = _vote()
    amount = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text='Euro, e.g. "250.00": required to approve, ignored when rejecting. The grant is the smallest '
        "amount the approving members agreed on.",
    )
    reason = serializers.CharField(
        max_length=services.MAX_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to reject; the applicant reads the reasons of a rejection.",
    )


class FundInfoRequestInputSerializer(serializers.Serializer):
    message = serializers.CharField(
        max_length=services.MAX_TEXT, help_text="Which documents the applicant should add; they read it."
    )


# --------------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------------


def _committee_member(request: Request) -> Any:
    """The caller, if on the committee; otherwise the same 404 as for a missing application."""
    user = request_user(request)
    if not access.is_committee_member(user):
        raise access.not_found()
    return user


def _my_votes(member: Any, applications: list[FundApplication]) -> dict[int, str]:
    votes = CommitteeVote.objects.filter(member=member, application__in=[a.pk for a in applications])
    return dict(votes.values_list("application_id", "vote"))


def _queue(member: Any, status: str = "") -> QuerySet[FundApplication]:
    return selectors.committee_queue(member, status=status).select_related("grant")


def _summary(member: Any, application_id: int) -> Any:
    """The application's row of the queue, as the answer to a vote or a request: no applicant data."""
    application = _queue(member).get(pk=application_id)
    context = {"my_votes": _my_votes(member, [application])}
    return FundApplicationSummarySerializer(application, context=context).data


class FundApplicationListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[FundQueueParamsSerializer],
        responses={200: FundApplicationSummarySerializer(many=True), 404: NOT_FOUND},
        description="Fund committee only: the applications, the highest score first, then the oldest. Your own "
        "application, if you applied, is never here. No applicant data: open one to read it (the reading is logged).",
    )
    def get(self, request: Request) -> Response:
        member = _committee_member(request)
        params = FundQueueParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        queue = _queue(member, params.validated_data.get("status", ""))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queue, request, view=self) or []
        data = FundApplicationSummarySerializer(page, many=True, context={"my_votes": _my_votes(member, page)}).data
        return paginator.get_paginated_response(data)


class FundApplicationDetailApi(APIView):
    @extend_schema(
        responses={200: FundApplicationDetailSerializer, 404: NOT_FOUND},
        description="Fund committee only: the whole application, its score breakdown, votes and documents. Every "
        "reading is written to the access log (who, when, which application).",
    )
    def get(self, request: Request, application_id: int) -> Response:
        member = _committee_member(request)
        application = selectors.application_open_for_committee(
            member=member, application_id=application_id, request=request._request
        )
        context = {"my_votes": _my_votes(member, [application])}
        return Response(FundApplicationDetailSerializer(application, context=context).data)


class FundVoteApi(APIView):
    @extend_schema(
        request=FundVoteInputSerializer,
        responses={201: FundApplicationSummarySerializer, 404: NOT_FOUND, 409: VOTE_CONFLICT},
        description="Fund committee only: approve with an amount, or reject with a reason. Once the regulation's "
        "number of different members agree (two by default) the application is decided; an approval moves the "
        "grant from the fund to the worker's restricted wallet, never past the fund's available balance. One vote "
        "per member.",
    )
    def post(self, request: Request, application_id: int) -> Response:
        member = _committee_member(request)
        incoming = FundVoteInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        amount = euro_to_cents(data["amount"]) if data.get("amount") is not None else None
        services.committee_vote(
            member=member,
            application_id=application_id,
            vote=data["vote"],
            amount=amount,
            reason=data["reason"],
            request=request._request,
        )
        return Response(_summary(member, application_id), status=status.HTTP_201_CREATED)


class FundInfoRequestApi(APIView):
    @extend_schema(
        request=FundInfoRequestInputSerializer,
        responses={201: FundApplicationSummarySerializer, 404: NOT_FOUND, 409: REQUEST_CONFLICT},
        description="Fund committee only: ask the applicant for more documents. The application leaves the vote "
        "until they reply; they are told by e-mail.",
    )
    def post(self, request: Request, application_id: int) -> Response:
        member = _committee_member(request)
        incoming = FundInfoRequestInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.committee_request_info(
            member=member,
            application_id=application_id,
            message=incoming.validated_data["message"],
            request=request._request,
        )
        return Response(_summary(member, application_id), status=status.HTTP_201_CREATED)


def urls() -> list[Any]:
    from django.urls import path

    one = "fund/applications/<int:application_id>/"
    return [
        path("fund/applications/", FundApplicationListApi.as_view(), name="fund-applications"),
        path(one, FundApplicationDetailApi.as_view(), name="fund-application-detail"),
        path(f"{one}votes/", FundVoteApi.as_view(), name="fund-application-votes"),
        path(f"{one}info-requests/", FundInfoRequestApi.as_view(), name="fund-application-info-requests"),
    ]
