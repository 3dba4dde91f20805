"""The operator's pages of the fund: its money movements, the export of the access log, the regulation.

The operator sees the fund's money, never who applied: movements carry dates, kinds, amounts and
memos (which name orders and grant references), and the access log names the committee members
who read applications but not the applicants acting on their own. Anyone else gets the generic
404; committee members may read the regulation, not publish it.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from conciliare.accounts.rules import is_operator_admin
from conciliare.core.errors import ApplicationError
from conciliare.core.forms import form_add_service_errors
from conciliare.core.models import AccessLog
from conciliare.core.money import cents_to_euro
from conciliare.core.services import client_ip
from conciliare.core.typing import AuthenticatedHttpRequest
from conciliare.ledger import services as ledger
from conciliare.ledger.models import Entry

from . import access
from .forms_regulation import RegulationForm
from .models import FundRegulation, HardshipEvent
from .regulation import regulation_in_force, regulation_publish
from .scoring import part_label
from .selectors import fund_access_log, fund_entries

PER_PAGE = 50
CSV_BOM = "\ufeff"
EXPORT_OBJECT_TYPE = "fund.AccessLogExport"


def _operator_only(user: Any) -> None:
    if not is_operator_admin(user):
        raise access.not_found()


class _Echo:
    """A file-like object for csv.writer that hands each row back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_response(rows: Iterable[list[Any]], filename: str) -> StreamingHttpResponse:
    """UTF-8 with a BOM and `;` between fields, as Excel in Italian opens it; streamed, since the
    fund's movements grow with every purchase."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")

    def lines() -> Iterator[str]:
        yield CSV_BOM
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _comma(cents: int) -> str:
    return str(cents_to_euro(cents)).replace(".", ",")


# -- Movements ---------------------------------------------------------------------------------


@login_required
@require_GET
def movements(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    _operator_only(request.user)
    if request.GET.get("formato") == "csv":
        return _movements_csv()
    fund = ledger.solidarity_fund_account()
    page = Paginator(fund_entries(), PER_PAGE).get_page(request.GET.get("pagina"))
    for entry in page:
        entry.money_in, entry.money_out = max(entry.amount, 0), max(-entry.amount, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "fund/operator_movements.html",
        {"fund": fund, "available": fund.balance - fund.held, "page": page},
    )


def _movements_csv() -> StreamingHttpResponse:
    def rows() -> Iterator[list[Any]]:
        yield [_("Date"), _("Kind"), _("In (EUR)"), _("Out (EUR)"), _("Memo"), _("Transaction")]
        entry: Entry
        for entry in fund_entries().iterator(chunk_size=2000):
            posted = entry.transaction
            yield [
                posted.effective_date.strftime("%d/%m/%Y"),
                posted.get_kind_display(),
                _comma(entry.amount) if entry.amount > 0 else "",
                _comma(-entry.amount) if entry.amount < 0 else "",
                posted.memo,
                posted.pk,
            ]

    return _csv_response(rows(), f"fondo-movimenti-{timezone.localdate():%Y-%m-%d}.csv")


# -- Access log --------------------------------------------------------------------------------


@login_required
@require_GET
def access_log_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """Who read which application or document, when, from where. Exporting is itself logged
    (before the file is written, so that the file shows it too)."""
    _operator_only(request.user)
    AccessLog.objects.create(
        actor=request.user,
        action=AccessLog.Action.EXPORT,
        object_type=EXPORT_OBJECT_TYPE,
        object_id="csv",
        ip_address=client_ip(request),
    )
    return _csv_response(_access_rows(), f"fondo-registro-accessi-{timezone.localdate():%Y-%m-%d}.csv")


def _access_rows() -> Iterator[list[Any]]:
    yield [
        _("When"),
        _("Who"),
        _("E-mail"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Detail"),
        _("IP address"),
    ]
    log = fund_access_log() | AccessLog.objects.filter(object_type=EXPORT_OBJECT_TYPE)
    row: AccessLog
    for row in log.select_related("actor").order_by("-at", "-pk").iterator(chunk_size=2000):
        # The applicant's own rows were marked when written (see access.is_applicants_own): the operator
        # learns who read applications, not who applied, so those rows name nobody and keep no IP address.
        hidden = row.object_type != EXPORT_OBJECT_TYPE and access.is_applicants_own(row)
        yield [
            timezone.localtime(row.at).strftime("%d/%m/%Y %H:%M:%S"),
            _("the applicant (not named)") if hidden else row.actor.get_full_name() or row.actor.email,
            "" if hidden else row.actor.email,
            row.get_action_display(),
            row.object_type,
            row.object_id,
            row.detail,
            "" if hidden or row.ip_address is None else row.ip_address,
        ]


# -- Regulation ----------------------------------------------------------------------------------


@login_required
def regulation(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The regulation in force and its versions; the operator publishes a new version here."""
    can_publish = bool(is_operator_admin(request.user))
    if not can_publish and not access.is_committee_member(request.user):
        raise access.not_found()
    if request.method not in ("GET", "HEAD", "POST") or (request.method == "POST" and not can_publish):
        raise access.not_found()
    current = regulation_in_force()
    form = RegulationForm(initial=RegulationForm.initial_for(current)) if can_publish else None
    status = 200
    if request.method == "POST":
        form = RegulationForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                published = regulation_publish(actor=request.user, fields=form.regulation_fields())
            except ApplicationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(version)s of the regulation is in force; applications already sent keep theirs.")
                    % {"version": published.version},
                )
                return redirect("fund:regulation")
    return render(
        request,
        "fund/regulation.html",
        {
            "current": current,
            "windows": [
                {key: datetime.date.fromisoformat(window[key]) for key in ("opens", "closes")}
                for window in current.windows
            ],
            "event_points": [
                (part_label(code), current.scoring["events"].get(code, 0)) for code in HardshipEvent.values
            ],
            "versions": FundRegulation.objects.select_related("published_by").order_by("-version"),
            "form": form,
        },
        status=status,
    )
