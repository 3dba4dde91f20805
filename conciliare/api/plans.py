"""API for welfare plans (HR of the company) and wallets (the person's own). Amounts in cents."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conciliare.accounts.models import ContractCategory, EmployeeProfile
from conciliare.accounts.selectors import company_get_for_hr
from conciliare.core.errors import NotPermitted
from conciliare.core.typing import request_user
from conciliare.plans.models import BUCKETS, LegalBasis, ResidualRule, WelfarePlan
from conciliare.plans.selectors import (
    fringe_status_for_user,
    plan_get_for_hr,
    plans_for_hr,
    wallet_entries_for_user,
    wallet_lines_for_user,
)
from conciliare.plans.services import AllowanceInput, bonus_record, plan_activate, plan_create, plan_totals

from .pagination import PageNumberPagination


class AllowanceSerializer(serializers.Serializer):
    category = serializers.CharField(
        allow_blank=True,
        max_length=16,
        help_text=f"Empty for all employees, or one of {', '.join(ContractCategory.values)}.",
    )
    bucket = serializers.ChoiceField(choices=BUCKETS)
    amount = serializers.DecimalField(max_digits=9, decimal_places=2, help_text='Euro per employee, e.g. "300.00".')


class PlanInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    residual_rule = serializers.ChoiceField(choices=ResidualRule.choices)
    graded_on_performance = serializers.BooleanField(default=False)
    allowances = AllowanceSerializer(many=True)


class AllowanceOutputSerializer(serializers.Serializer):
    category = serializers.CharField()
    bucket = serializers.CharField()
    amount = serializers.IntegerField(help_text="cents per employee")


class PlanTotalsSerializer(serializers.Serializer):
    loaded = serializers.IntegerField(help_text="cents")
    spent = serializers.IntegerField(help_text="cents")
    left = serializers.IntegerField(help_text="cents")
    wallets = serializers.IntegerField()


class PlanOutputSerializer(serializers.ModelSerializer):
    allowances = AllowanceOutputSerializer(many=True, read_only=True)
    fully_deductible = serializers.BooleanField(read_only=True)
    totals = serializers.SerializerMethodField()

    class Meta:
        model = WelfarePlan
        fields = [
            "id",
            "name",
            "starts_on",
            "ends_on",
            "legal_basis",
            "residual_rule",
            "graded_on_performance",
            "status",
            "activated_at",
            "fully_deductible",
            "allowances",
            "totals",
        ]

    @extend_schema_field(PlanTotalsSerializer)
    def get_totals(self, plan: WelfarePlan) -> dict[str, int]:
        return plan_totals(plan)


class WalletLineSerializer(serializers.Serializer):
    plan_id = serializers.IntegerField(source="plan.pk")
    plan = serializers.CharField(source="plan.name")
    expires_on = serializers.DateField(source="plan.ends_on")
    bucket = serializers.CharField()
    total = serializers.IntegerField(help_text="cents")
    held = serializers.IntegerField(help_text="cents")
    available = serializers.IntegerField(help_text="cents")


class FringeSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    cap = serializers.IntegerField(help_text="cents")
    used = serializers.IntegerField(help_text="cents")
    left = serializers.IntegerField(help_text="cents")
    declared = serializers.BooleanField(help_text="dependent children declared: the higher cap applies")


class WalletsSerializer(serializers.Serializer):
    wallets = WalletLineSerializer(many=True)
    fringe_benefits = FringeSerializer()


class MovementSerializer(serializers.Serializer):
    date = serializers.DateField(source="transaction.effective_date")
    kind = serializers.CharField(source="transaction.kind")
    memo = serializers.CharField(source="transaction.memo")
    bucket = serializers.CharField(source="account.fiscal_bucket")
    amount = serializers.IntegerField(help_text="cents; negative when spent")


class MyWalletsApi(APIView):
    @extend_schema(responses=WalletsSerializer)
    def get(self, request: Request) -> Response:
        user = request_user(request)
        data = {
            "wallets": wallet_lines_for_user(user),
            "fringe_benefits": fringe_status_for_user(user, today=timezone.localdate()),
        }
        return Response(WalletsSerializer(data).data)


class MyMovementsApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(responses=MovementSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        entries = paginator.paginate_queryset(wallet_entries_for_user(request_user(request)), request, view=self)
        return paginator.get_paginated_response(MovementSerializer(entries, many=True).data)


class CompanyPlanListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(responses=PlanOutputSerializer(many=True))
    def get(self, request: Request, company_id: int) -> Response:
        paginator = PageNumberPagination()
        plans = paginator.paginate_queryset(
            plans_for_hr(user=request_user(request), company_id=company_id).order_by("-starts_on", "pk"),
            request,
            view=self,
        )
        return paginator.get_paginated_response(PlanOutputSerializer(plans, many=True).data)

    @extend_schema(request=PlanInputSerializer, responses={201: PlanOutputSerializer})
    def post(self, request: Request, company_id: int) -> Response:
        company = company_get_for_hr(user=request_user(request), company_id=company_id)
        incoming = PlanInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        plan = plan_create(
            company=company,
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            legal_basis=data["legal_basis"],
            residual_rule=data["residual_rule"],
            graded_on_performance=data["graded_on_performance"],
            allowances=[AllowanceInput(a["category"], a["bucket"], a["amount"]) for a in data["allowances"]],
        )
        return Response(PlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED)


class CompanyPlanDetailApi(APIView):
    @extend_schema(responses=PlanOutputSerializer)
    def get(self, request: Request, company_id: int, plan_id: int) -> Response:
        plan = plan_get_for_hr(user=request_user(request), company_id=company_id, plan_id=plan_id)
        return Response(PlanOutputSerializer(plan).data)


class CompanyPlanActivateApi(APIView):
    @extend_schema(
        request=None,
        responses=PlanOutputSerializer,
        description="Funds the plan and credits every covered employee; repeating the call changes nothing.",
    )
    def post(self, request: Request, company_id: int, plan_id: int) -> Response:
        user = request_user(request)
        plan = plan_get_for_hr(user=user, company_id=company_id, plan_id=plan_id)
        return Response(PlanOutputSerializer(plan_activate(plan=plan, actor=user)).data)


class BonusInputSerializer(serializers.Serializer):
    fiscal_code = serializers.CharField(max_length=16, help_text="Codice fiscale of an employee of the company.")
    gross = serializers.DecimalField(max_digits=9, decimal_places=2, help_text="Gross premium in euro.")
    previous_year_income = serializers.DecimalField(
        max_digits=11, decimal_places=2, help_text="Employment income of the previous year, in euro."
    )


class BonusOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fiscal_code = serializers.CharField(source="user.fiscal_code", allow_null=True)
    gross = serializers.IntegerField(help_text="cents")
    previous_year_income = serializers.IntegerField(help_text="cents")
    converted = serializers.IntegerField(allow_null=True, help_text="cents, once the worker converted")


class CompanyPlanBonusApi(APIView):
    @extend_schema(
        request=BonusInputSerializer,
        responses={201: BonusOutputSerializer},
        description="Records (or updates, until converted) a worker's performance bonus "
        "for a plan with a conversion window.",
    )
    def post(self, request: Request, company_id: int, plan_id: int) -> Response:
        plan = plan_get_for_hr(user=request_user(request), company_id=company_id, plan_id=plan_id)
        incoming = BonusInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        code = incoming.validated_data["fiscal_code"].strip().upper()
        profile = (
            EmployeeProfile.objects.filter(company=plan.company, user__fiscal_code=code).select_related("user").first()
        )
        if profile is None:
            raise NotPermitted(_("No employee of the company has this codice fiscale."))
        bonus = bonus_record(
            plan=plan,
            user=profile.user,
            gross_euro=incoming.validated_data["gross"],
            previous_year_income_euro=incoming.validated_data["previous_year_income"],
        )
        return Response(BonusOutputSerializer(bonus).data, status=status.HTTP_201_CREATED)


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("me/wallets/", MyWalletsApi.as_view(), name="wallets"),
        path("me/wallets/movements/", MyMovementsApi.as_view(), name="wallet-movements"),
        path("companies/<int:company_id>/plans/", CompanyPlanListApi.as_view(), name="plans"),
        path("companies/<int:company_id>/plans/<int:plan_id>/", CompanyPlanDetailApi.as_view(), name="plan-detail"),
        path(
            "companies/<int:company_id>/plans/<int:plan_id>/bonuses/",
            CompanyPlanBonusApi.as_view(),
            name="plan-bonuses",
        ),
        path(
            "companies/<int:company_id>/plans/<int:plan_id>/activate/",
            CompanyPlanActivateApi.as_view(),
            name="plan-activate",
        ),
    ]
