from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .loading import ATTRIBUTION
from .selectors import district_list_with_totals, municipality_list


def overview(request: HttpRequest) -> HttpResponse:
    districts: list[Any] = list(district_list_with_totals())
    largest = max((d.population_total or 0 for d in districts), default=0) or 1
    for district in districts:
        district.share_percent = round(100 * (district.population_total or 0) / largest)
    return render(
        request,
        "territory/overview.html",
        {
            "districts": districts,
            "municipalities": municipality_list(alliance_only=True),
            "attribution": ATTRIBUTION,
            "population_total": sum(d.population_total or 0 for d in districts),
        },
    )
