"""API of the "per te" suggestions: the requesting employee's own, never anybody else's.

There is no id in the path: the list is always the signed-in person's. Someone who is not an
employee gets 404, as for a page that does not exist. Prices are cents, distances km with one
decimal (strings, as Decimal), buckets the rules engine's codes.
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conciliare.core.errors import NotPermitted
from conciliare.core.typing import request_user
from conciliare.needs import matching
from conciliare.needs.views_recommendations import suggestions_for


class RecommendationParamsSerializer(serializers.Serializer):
    origin = serializers.ChoiceField(
        choices=[(matching.HOME, "home"), (matching.WORK, "work")],
        required=False,
        default=matching.HOME,
        help_text="Where distances are measured from and the list is sorted by; work when no home is known.",
    )


class BucketSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class SuggestionSerializer(serializers.Serializer):
    offer = serializers.IntegerField(source="offer.pk")
    title = serializers.CharField(source="offer.title")
    supplier = serializers.CharField(source="offer.supplier.organization.name")
    category = serializers.CharField(source="offer.category")
    category_label = serializers.CharField()
    group = serializers.CharField(help_text="The need it answers: children, care, everyday, wellbeing...")
    price = serializers.IntegerField(source="offer.price", help_text="cents")
    fit = serializers.IntegerField(help_text="3: from the family profile, 2: from the survey, 1: a wished service.")
    km = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True, help_text="From the origin.")
    km_home = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    km_work = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why, in the request's language.")
    buckets = serializers.SerializerMethodField(help_text="The credit that pays, best first; empty: own money.")
    payable = serializers.BooleanField(help_text="False: the employee's credit cannot pay; own money.")

    def get_buckets(self, suggestion: Any) -> list[dict[str, str]]:
        return [{"code": code, "label": label} for code, label in suggestion.buckets]


class RecommendationsSerializer(serializers.Serializer):
    origin = serializers.ChoiceField(choices=[matching.HOME, matching.WORK])
    computed_at = serializers.DateTimeField(allow_null=True)
    suggestions = SuggestionSerializer(many=True)


class MyRecommendationsApi(APIView):
    @extend_schema(
        parameters=[RecommendationParamsSerializer],
        responses={
            200: RecommendationsSerializer,
            400: OpenApiResponse(description="An origin other than home or work."),
            404: OpenApiResponse(description="The requesting person is not an employee."),
        },
    )
    def get(self, request: Request) -> Response:
        params = RecommendationParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = suggestions_for(request_user(request), params.validated_data["origin"])
        if found is None:
            raise NotPermitted(_("Suggestions are for the employees of member companies."))
        return Response(RecommendationsSerializer(found).data)


def urls() -> list[Any]:
    from django.urls import path

    return [path("me/recommendations/", MyRecommendationsApi.as_view(), name="my-recommendations")]
