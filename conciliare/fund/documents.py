"""The fund's public report as a PDF: the same figures and chart as the transparency page.

WeasyPrint renders `fund/pdf/report.html` in the language of the request, with the machine's
DejaVu fonts; nothing is fetched while rendering (the URL fetcher accepts only `data:`), the
chart being inline SVG.
"""

from typing import Any

from django.template.loader import render_to_string

from .transparency import FundFigures, chart


def report_context(figures: FundFigures) -> dict[str, Any]:
    """What the page and the PDF both show."""
    return {"figures": figures, "chart": chart(figures.contributions.months)}


def transparency_pdf(figures: FundFigures) -> bytes:
    import weasyprint  # imported here: loading Pango is slow and only documents need it
    from weasyprint.urls import URLFetcher

    html = render_to_string("fund/pdf/report.html", report_context(figures))
    return weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()  # type: ignore[no-any-return]
