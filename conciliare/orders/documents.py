"""Documents of buying: the voucher (PDF with a QR code) and the settlement statement (PDF, CSV).

PDFs are WeasyPrint renderings of templates in `orders/pdf/`, in the language of the
request, with the DejaVu fonts of the machine. Nothing is downloaded while rendering: the
URL fetcher accepts only `data:` addresses (the QR code is an inline SVG made by segno).
"""

import csv
import io
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from conciliare.core.money import cents_to_euro, format_euro

from .models import SettlementStatement, StatementItem, Voucher
from .settlement import item_kind_label
from .vouchers import code_for

CSV_BOM = "\ufeff"


def _locale() -> str:
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def _day(day: Any) -> str:
    return format_date(day, "d MMMM y", locale=_locale()) if day else ""


def _render_pdf(template: str, context: dict[str, Any]) -> bytes:
    import weasyprint  # imported here: loading Pango is slow and only documents need it
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    return weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()  # type: ignore[no-any-return]


# -- Voucher -------------------------------------------------------------------------------------


def redemption_url(code: str) -> str:
    """What the QR code carries: the supplier's phone opens it and lands on the redemption page."""
    base = str(getattr(settings, "CONCILIARE_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}{reverse('orders:redeem_scan')}?{urlencode({'codice': code})}"


def qr_data_uri(text: str) -> str:
    import segno

    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2))


def voucher_pdf(voucher: Voucher) -> bytes:
    """Expects `voucher` with line, its session and order, and the supplier's organization loaded."""
    line = voucher.line
    order = line.order
    organization = order.supplier.organization
    code = code_for(voucher.token)
    session = line.session
    zone = timezone.get_current_timezone()
    context = {
        "voucher": voucher,
        "line": line,
        "order": order,
        "organization": organization,
        "code": code,
        "qr": qr_data_uri(redemption_url(code)),
        "amount": format_euro(line.amount, locale=_locale()),
        "valid_from": _day(voucher.valid_from),
        "valid_until": _day(voucher.valid_until),
        "session_from": _day(session.starts_at.astimezone(zone).date()) if session else "",
        "session_until": _day(session.ends_at.astimezone(zone).date()) if session else "",
        "session_label": session.label if session else "",
        "issued": _day(timezone.localtime(voucher.issued_at).date()),
        "holder": getattr(settings, "CONCILIARE_TRANSFER_HOLDER", ""),
    }
    return _render_pdf("orders/pdf/voucher.html", context)


# -- Statement -----------------------------------------------------------------------------------


def _item_rows(items: list[StatementItem]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        line = item.line
        rows.append(
            {
                "day": item.entry.transaction.effective_date,
                "order": line.order.reference if line is not None else "",
                "beneficiary": line.beneficiary_name if line is not None else "",
                "what": line.title if line is not None else item.entry.transaction.memo,
                "kind": item_kind_label(item.kind),
                "amount": item.amount,
            }
        )
    return rows


def statement_rows(items: Any) -> list[dict[str, Any]]:
    """Date, order, beneficiary, service and amount of each item (pages, PDF and CSV alike)."""
    return _item_rows(list(items))


def statement_pdf(statement: SettlementStatement, items: Any) -> bytes:
    organization = statement.supplier.organization
    rows = [
        {**row, "day": row["day"].strftime("%d/%m/%Y"), "amount": format_euro(row["amount"], locale=_locale())}
        for row in _item_rows(list(items))
    ]
    money = {
        field: format_euro(getattr(statement, field), locale=_locale())
        for field in ("gross", "contributions", "fees", "adjustments", "net")
    }
    context = {
        "statement": statement,
        "organization": organization,
        "supplier": statement.supplier,
        "rows": rows,
        "money": money,
        "period_start": _day(statement.period_start),
        "period_end": _day(statement.period_end),
        "issued": _day(timezone.localtime(statement.created_at).date()),
        "paid": _day(timezone.localtime(statement.paid_at).date()) if statement.paid_at else "",
        "holder": getattr(settings, "CONCILIARE_TRANSFER_HOLDER", ""),
    }
    return _render_pdf("orders/pdf/statement.html", context)


def _comma(cents: int) -> str:
    """1234567 → '12345,67': what Excel in Italian reads as a number (no thousands separator)."""
    return str(cents_to_euro(cents)).replace(".", ",")


def statement_csv(statement: SettlementStatement, items: Any) -> bytes:
    """UTF-8 with a BOM and `;` between fields, as Excel in Italian opens it without asking."""
    out = io.StringIO()
    out.write(CSV_BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Statement"),
            statement.reference,
            statement.supplier.organization.name,
            statement.period_start.strftime("%d/%m/%Y"),
            statement.period_end.strftime("%d/%m/%Y"),
            statement.get_status_display(),
        ]
    )
    writer.writerow([])
    writer.writerow([_("Date"), _("Order"), _("Beneficiary"), _("Service or product"), _("Kind"), _("Amount (EUR)")])
    for row in _item_rows(list(items)):
        writer.writerow(
            [
                row["day"].strftime("%d/%m/%Y"),
                row["order"],
                row["beneficiary"],
                row["what"],
                row["kind"],
                _comma(row["amount"]),
            ]
        )
    writer.writerow([])
    totals = [
        (_("Services and products"), statement.gross),
        (_("Solidarity Fund contributions"), -statement.contributions),
        (_("Platform fees"), -statement.fees),
        (_("Other movements"), statement.adjustments),
        (_("Net payable"), statement.net),
    ]
    for label, cents in totals:
        writer.writerow(["", "", "", "", label, _comma(cents)])
    return out.getvalue().encode("utf-8")
