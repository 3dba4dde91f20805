from django.db.models import Count, QuerySet, Sum

from .models import District, Municipality


def district_list_with_totals() -> QuerySet[District]:
    return District.objects.annotate(
        municipality_count=Count("municipalities"), population_total=Sum("municipalities__population")
    ).order_by("code")


def municipality_list(*, alliance_only: bool = False) -> QuerySet[Municipality]:
    queryset = Municipality.objects.select_related("district").order_by("name")
    if alliance_only:
        queryset = queryset.filter(district__isnull=False)
    return queryset


def municipality_find(term: str) -> Municipality | None:
    """Finds a municipality by ISTAT code or by name, ignoring case and spaces."""
    term = " ".join(term.split())
    if not term:
        return None
    if term.isdigit():
        return Municipality.objects.filter(istat_code=term.zfill(6)).first()
    return Municipality.objects.filter(name__iexact=term).first()
