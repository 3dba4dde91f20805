"""The territorial gap map and its exports: the alliance's roles only (operator, public bodies, consultants).

Everything shown comes from one place, `gaps.gap_analysis(...).rows(category)`, already under the
group-size rule: the map, the table beside it and the three exports cannot disagree.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from conciliare.accounts.models import MembershipRole
from conciliare.accounts.selectors import membership_roles
from conciliare.catalogue.categories import category_label, grouped_choices
from conciliare.core.typing import AuthenticatedHttpRequest

from . import exports, gaps, svgmap

PARAM = "categoria"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _filename(categories: list[str], extension: str) -> str:
    which = categories[0] if len(categories) == 1 else gaps.ALL_CATEGORIES
    return f"mappa-dei-bisogni-{which}-{timezone.localdate():%Y%m%d}.{extension}"


@login_required
def gap_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    gaps.assert_may_see_gaps(request.user)
    [category] = gaps.chosen_categories(request.GET.get(PARAM))
    analysis = gaps.gap_analysis([category])
    rows = analysis.rows(category)
    query = f"?{PARAM}={category}"
    is_operator = MembershipRole.OPERATOR_ADMIN in membership_roles(request.user)
    return render(
        request,
        "needs/gap_map.html",
        {
            "category": category,
            "category_label": category_label(category),
            "choices": grouped_choices(),
            "rows": exports.shown_rows(rows),
            "map": svgmap.gap_svg(analysis, category, gaps.boundaries()),
            "legend": svgmap.legend(),
            "reach_note": gaps.reach_note(analysis.radius),
            "missing": sum(row.missing for row in rows),
            "is_operator": is_operator,
            # Names of businesses people would like on the platform: the operator recruits them.
            "asked": exports.asked_rows(analysis, category) if is_operator else [],
            "downloads": {
                "csv": reverse("needs:gap_csv") + query,
                "xlsx": reverse("needs:gap_xlsx") + query,
                "pdf": reverse("needs:gap_pdf") + query,
                "csv_all": reverse("needs:gap_csv") + f"?{PARAM}={gaps.ALL_CATEGORIES}",
                "xlsx_all": reverse("needs:gap_xlsx") + f"?{PARAM}={gaps.ALL_CATEGORIES}",
            },
        },
    )


@login_required
def gap_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    gaps.assert_may_see_gaps(request.user)
    categories = gaps.chosen_categories(request.GET.get(PARAM), allow_all=True)
    content = exports.gap_csv(gaps.gap_analysis(categories))
    return _download(content, "text/csv; charset=utf-8", _filename(categories, "csv"))


@login_required
def gap_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    gaps.assert_may_see_gaps(request.user)
    categories = gaps.chosen_categories(request.GET.get(PARAM), allow_all=True)
    content = exports.gap_xlsx(gaps.gap_analysis(categories))
    return _download(content, exports.XLSX_TYPE, _filename(categories, "xlsx"))


@login_required
def gap_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One category: the map, its legend and the table, for the alliance's territorial plan."""
    gaps.assert_may_see_gaps(request.user)
    [category] = gaps.chosen_categories(request.GET.get(PARAM))
    content = exports.gap_pdf(gaps.gap_analysis([category]), category, gaps.boundaries())
    return _download(content, "application/pdf", _filename([category], "pdf"))
