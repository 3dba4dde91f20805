"""The fund's figures for everyone, signed in or not: a page and its PDF.

Only anonymous aggregates (see transparency.py), so there is nothing to check about who asks.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import documents
from .transparency import fund_figures


@require_safe
def transparency(request: HttpRequest) -> HttpResponse:
    return render(request, "fund/transparency.html", documents.report_context(fund_figures()))


@require_safe
def transparency_pdf(request: HttpRequest) -> HttpResponse:
    figures = fund_figures()
    response = HttpResponse(documents.transparency_pdf(figures), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="fondo-di-solidarieta-{figures.as_of:%Y-%m-%d}.pdf"'
    return response
