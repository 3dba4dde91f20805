"""Thin endpoints: parse input, call one selector or service, render the output."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conciliare.accounts import services
from conciliare.accounts.forms import FamilyMemberForm, ProfileForm
from conciliare.accounts.imports.reading import ImportFileError
from conciliare.accounts.imports.services import (
    employee_import_commit,
    employee_import_discard,
    employee_import_preview,
)
from conciliare.accounts.models import FamilyMember
from conciliare.accounts.selectors import (
    company_get_for_hr,
    employee_import_get_for_hr,
    employee_list_for_hr,
    family_member_get_for_user,
    family_member_list_for_user,
)
from conciliare.core.errors import InvalidInput
from conciliare.core.typing import request_user
from conciliare.territory.selectors import municipality_list

from . import serializers
from .pagination import PageNumberPagination


def _validate_with_form(form: Any) -> Any:
    """The web forms hold the domain checks (codice fiscale vs person, dates...): reuse them."""
    if not form.is_valid():
        raise InvalidInput(_("The data sent is not valid."), fields={k: list(v) for k, v in form.errors.items()})
    return form


class MunicipalityListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PageNumberPagination

    @extend_schema(
        responses=serializers.MunicipalitySerializer(many=True),
        parameters=[
            OpenApiParameter("alliance_only", bool, description="Only the municipalities of the alliance's districts."),
        ],
    )
    def get(self, request: Request) -> Response:
        alliance_only = request.query_params.get("alliance_only", "").lower() in {"1", "true", "yes"}
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(municipality_list(alliance_only=alliance_only), request, view=self)
        return paginator.get_paginated_response(serializers.MunicipalitySerializer(page, many=True).data)


class MeApi(APIView):
    @extend_schema(responses=serializers.ProfileOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(serializers.ProfileOutputSerializer(request_user(request)).data)

    @extend_schema(request=serializers.ProfileInputSerializer, responses=serializers.ProfileOutputSerializer)
    def patch(self, request: Request) -> Response:
        user = request_user(request)
        incoming = serializers.ProfileInputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        current = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "fiscal_code": user.fiscal_code or "",
            "birth_date": user.birth_date,
            "residence_municipality": user.residence_municipality_id,
            "phone": user.phone,
        }
        changes = dict(incoming.validated_data)
        if "residence_municipality" in changes:
            changes["residence_municipality"] = (
                changes["residence_municipality"].pk if changes["residence_municipality"] else None
            )
        form = _validate_with_form(ProfileForm(data={**current, **changes}, instance=user))
        services.profile_update(user=user, data={name: form.cleaned_data[name] for name in form.fields})
        return Response(serializers.ProfileOutputSerializer(user).data)


class FamilyListApi(APIView):
    @extend_schema(responses=serializers.FamilyMemberOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        members = family_member_list_for_user(request_user(request))
        return Response(serializers.FamilyMemberOutputSerializer(members, many=True).data)

    @extend_schema(
        request=serializers.FamilyMemberInputSerializer, responses={201: serializers.FamilyMemberOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        incoming = serializers.FamilyMemberInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        form = _validate_with_form(FamilyMemberForm(data=incoming.validated_data, owner=request_user(request)))
        member = form.save(commit=False)
        member.user = request_user(request)
        services.family_member_save(actor=request_user(request), member=member, request=request._request)
        return Response(serializers.FamilyMemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)


class FamilyDetailApi(APIView):
    def _member(self, request: Request, member_id: int) -> FamilyMember:
        return family_member_get_for_user(user=request_user(request), member_id=member_id)

    @extend_schema(responses=serializers.FamilyMemberOutputSerializer)
    def get(self, request: Request, member_id: int) -> Response:
        return Response(serializers.FamilyMemberOutputSerializer(self._member(request, member_id)).data)

    @extend_schema(request=serializers.FamilyMemberInputSerializer, responses=serializers.FamilyMemberOutputSerializer)
    def patch(self, request: Request, member_id: int) -> Response:
        member = self._member(request, member_id)
        incoming = serializers.FamilyMemberInputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        current = {name: getattr(member, str(name)) for name in serializers.FamilyMemberInputSerializer().fields}
        form = _validate_with_form(
            FamilyMemberForm(data={**current, **incoming.validated_data}, instance=member, owner=request_user(request))
        )
        updated = form.save(commit=False)
        services.family_member_save(actor=request_user(request), member=updated, request=request._request)
        return Response(serializers.FamilyMemberOutputSerializer(updated).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, member_id: int) -> Response:
        services.family_member_delete(
            actor=request_user(request), member=self._member(request, member_id), request=request._request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CompanyEmployeeListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        responses=serializers.EmployeeListSerializer(many=True),
        parameters=[OpenApiParameter("search", str, description="Words matched against name, e-mail, codice fiscale.")],
    )
    def get(self, request: Request, company_id: int) -> Response:
        queryset = employee_list_for_hr(
            user=request_user(request), company_id=company_id, search=request.query_params.get("search", "")[:100]
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(serializers.EmployeeListSerializer(page, many=True).data)


class EmployeeImportCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": serializers.EmployeeImportUploadSerializer},
        responses={201: serializers.EmployeeImportSerializer},
        description="Checks a file and returns the preview. Nothing is imported until the commit call.",
    )
    def post(self, request: Request, company_id: int) -> Response:
        company = company_get_for_hr(user=request_user(request), company_id=company_id)
        incoming = serializers.EmployeeImportUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            created = employee_import_preview(
                company=company, actor=request_user(request), upload=incoming.validated_data["file"]
            )
        except ImportFileError as error:
            raise InvalidInput(error.message, fields={"file": [error.message]}) from error
        return Response(serializers.EmployeeImportSerializer(created).data, status=status.HTTP_201_CREATED)


class EmployeeImportDetailApi(APIView):
    @extend_schema(responses=serializers.EmployeeImportSerializer)
    def get(self, request: Request, company_id: int, import_id: int) -> Response:
        found = employee_import_get_for_hr(user=request_user(request), company_id=company_id, import_id=import_id)
        return Response(serializers.EmployeeImportSerializer(found).data)


class EmployeeImportCommitApi(APIView):
    @extend_schema(
        request=None,
        responses=serializers.EmployeeImportSerializer,
        description="Imports every valid row of the preview at once, or nothing.",
    )
    def post(self, request: Request, company_id: int, import_id: int) -> Response:
        found = employee_import_get_for_hr(user=request_user(request), company_id=company_id, import_id=import_id)
        done = employee_import_commit(employee_import=found, actor=request_user(request))
        return Response(serializers.EmployeeImportSerializer(done).data)


class EmployeeImportDiscardApi(APIView):
    @extend_schema(request=None, responses=serializers.EmployeeImportSerializer)
    def post(self, request: Request, company_id: int, import_id: int) -> Response:
        found = employee_import_get_for_hr(user=request_user(request), company_id=company_id, import_id=import_id)
        return Response(
            serializers.EmployeeImportSerializer(
                employee_import_discard(employee_import=found, actor=request_user(request))
            ).data
        )
