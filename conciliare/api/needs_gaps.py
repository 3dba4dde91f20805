"""API of the territorial gap analysis: the figures of the gap map, for the alliance's roles.

Operator, public bodies (monitoring) and consultants only; anybody else gets 404, as for a page that
does not exist. The figures are the ones the map and its exports show, under the same group-size
rule: a count of people under 5 (zero included) is null, never the number.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conciliare.catalogue.categories import Category, category_label
from conciliare.core.disclosure import MIN_GROUP
from conciliare.needs import gaps
from conciliare.needs.gaps import GapClass, GapRow

PEOPLE = "People; null when fewer than 5 (zero included), so that no small group can be recognised."
CLASSES = [
    GapClass.NOT_COVERED,
    GapClass.NO_SERVICE,
    GapClass.PARTLY_COVERED,
    GapClass.COVERED,
    GapClass.SERVED,
]


def _people(help_text: str = PEOPLE, **kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text=help_text, **kwargs)


class GapParamsSerializer(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, help_text=f"The category; {gaps.DEFAULT_CATEGORY} when missing."
    )


class SuggestedSupplierSerializer(serializers.Serializer):
    name = serializers.CharField(source="supplier")
    km = serializers.DecimalField(max_digits=6, decimal_places=1, help_text="From its seat to the municipality.")


class GapMunicipalitySerializer(serializers.Serializer):
    istat_code = serializers.CharField(source="place.istat_code")
    name = serializers.CharField(source="place.name")
    district = serializers.CharField(source="place.district")
    demand = _people("People who need the category; null when fewer than 5 (zero included).")
    capacity = serializers.IntegerField(help_text="Places of the published offers serving the municipality.")
    capacity_unstated = serializers.BooleanField(help_text="An offer serving it states no capacity.")
    gap = _people("People without a place; null when the demand is not shown or the gap is 1 to 4.")
    gap_class = serializers.ChoiceField(choices=[(code, code) for code in CLASSES])
    gap_class_label = serializers.SerializerMethodField()
    service_within_reach = serializers.BooleanField(source="in_reach")
    nearest_service_km = serializers.DecimalField(source="nearest_km", max_digits=6, decimal_places=1, allow_null=True)
    suggested_suppliers = SuggestedSupplierSerializer(source="suggestions", many=True)
    signals_supplier_wanted = _people(source="signals_supplier")
    signals_unmet_need = _people(source="signals_need")
    signals_without_category = _people(
        "People whose open signals in the municipality name no category (the same for every category); "
        "null when fewer than 5 (zero included).",
        source="signals_any",
    )

    def get_gap_class_label(self, row: GapRow) -> str:
        return str(gaps.CLASS_LABELS[row.gap_class])


class GapTableSerializer(serializers.Serializer):
    category = serializers.CharField()
    category_label = serializers.CharField()
    km_zero_radius = serializers.DecimalField(max_digits=5, decimal_places=1)
    min_group = serializers.IntegerField(help_text="Counts of people under this are null.")
    municipalities = GapMunicipalitySerializer(many=True)


class GapTableApi(APIView):
    @extend_schema(
        parameters=[GapParamsSerializer],
        responses={200: GapTableSerializer, 404: OpenApiResponse(description="Not one of the alliance's roles.")},
        description="Demand, places and gap of one category in each municipality of the three districts, with "
        "the suppliers that could extend their area where no service is within reach and the signals "
        "people sent. The operator, public bodies (monitoring) and consultants only.",
    )
    def get(self, request: Request) -> Response:
        gaps.assert_may_see_gaps(request.user)
        params = GapParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        category = params.validated_data.get("category") or gaps.DEFAULT_CATEGORY
        analysis = gaps.gap_analysis([category])
        payload = {
            "category": category,
            "category_label": str(category_label(category)),
            "km_zero_radius": analysis.radius,
            "min_group": MIN_GROUP,
            "municipalities": analysis.rows(category),
        }
        return Response(GapTableSerializer(payload).data)


def urls() -> list[Any]:
    from django.urls import path

    return [path("needs/gaps/", GapTableApi.as_view(), name="needs-gaps")]
