"""Figures for the role-aware home. Aggregates only: no person is listed here."""

from typing import Any

from django.db.models import Count, Q

from conciliare.territory.models import District

from .models import EmployeeImport, EmployeeProfile, Organization, OrganizationRole, User


def hr_company_cards(companies: list[Organization]) -> list[dict[str, Any]]:
    counts = dict(
        EmployeeProfile.objects.filter(company__in=companies)
        .values_list("company")
        .annotate(total=Count("pk"))
        .values_list("company", "total")
    )
    imports: dict[int, EmployeeImport] = {}
    for item in EmployeeImport.objects.filter(company__in=companies).order_by("company_id", "-created_at"):
        imports.setdefault(item.company_id, item)
    return [{"company": c, "employees": counts.get(c.pk, 0), "last_import": imports.get(c.pk)} for c in companies]


def operator_overview() -> dict[str, Any]:
    role_counts = dict(
        Organization.objects.values_list("roles__role")
        .annotate(total=Count("pk", distinct=True))
        .values_list("roles__role", "total")
    )
    return {
        "role_counts": [(label, role_counts.get(value, 0)) for value, label in OrganizationRole.choices],
        "people": User.objects.count(),
        "employees": EmployeeProfile.objects.count(),
        "citizens": User.objects.filter(memberships__isnull=True).count(),
    }


def district_reach() -> list[dict[str, Any]]:
    """Employees and member organizations per district (by workplace and seat)."""
    districts = District.objects.annotate(
        employees=Count("municipalities__employeeprofile_workplace", distinct=True),
        organizations=Count(
            "municipalities__organizations",
            filter=Q(municipalities__organizations__alliance_member=True),
            distinct=True,
        ),
    ).order_by("code")
    return [{"district": d, "employees": d.employees, "organizations": d.organizations} for d in districts]


def client_companies_overview() -> list[Any]:
    return list(
        Organization.objects.filter(roles__role=OrganizationRole.CLIENT_COMPANY)
        .annotate(employee_total=Count("employees", distinct=True))
        .select_related("municipality")
        .order_by("name")
        .values("name", "municipality__name", "employee_total")
    )
