from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import catalogue, plans, views
from . import fund as fund_api
from . import needs_gaps as needs_gaps_api
from . import needs_recommendations as needs_recommendations_api
from . import orders as orders_api
from . import reimbursements as reimbursements_api

v1 = [
    path("municipalities/", views.MunicipalityListApi.as_view(), name="municipalities"),
    path("me/", views.MeApi.as_view(), name="me"),
    path("me/family/", views.FamilyListApi.as_view(), name="family-list"),
    path("me/family/<int:member_id>/", views.FamilyDetailApi.as_view(), name="family-detail"),
    path("companies/<int:company_id>/employees/", views.CompanyEmployeeListApi.as_view(), name="employees"),
    path("companies/<int:company_id>/employee-imports/", views.EmployeeImportCreateApi.as_view(), name="import-create"),
    path(
        "companies/<int:company_id>/employee-imports/<int:import_id>/",
        views.EmployeeImportDetailApi.as_view(),
        name="import-detail",
    ),
    path(
        "companies/<int:company_id>/employee-imports/<int:import_id>/commit/",
        views.EmployeeImportCommitApi.as_view(),
        name="import-commit",
    ),
    path(
        "companies/<int:company_id>/employee-imports/<int:import_id>/discard/",
        views.EmployeeImportDiscardApi.as_view(),
        name="import-discard",
    ),
    *plans.urls(),
    *catalogue.urls(),
    *orders_api.urls(),
    *reimbursements_api.urls(),
    *fund_api.urls(),
    *needs_gaps_api.urls(),
    *needs_recommendations_api.urls(),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *[path(f"v1/{p.pattern}", p.callback, name=f"api-{p.name}") for p in v1],
]
