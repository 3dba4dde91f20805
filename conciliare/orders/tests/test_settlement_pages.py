"""Settlement pages: the operator's list and actions, the statement for the operator and the
supplier's staff (page, PDF, CSV), who may see what, and constant query counts."""

import datetime
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conciliare.catalogue.tests.factories import make_supplier
from conciliare.ledger import services as ledger
from conciliare.ledger.models import LedgerTransaction, TransactionKind
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..fulfilment import line_confirm, voucher_redeem
from ..ledger_accounts import supplier_payable_account
from ..models import Order, SettlementStatement, StatementStatus
from ..settlement import statement_generate
from ..vouchers import code_for
from .factories import book, make_family, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_client(client):  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def operator():  # type: ignore[no-untyped-def]
    return make_member(UserFactory(), OrganizationFactory(), "operator_admin")


@pytest.fixture
def redeemed(db):  # type: ignore[no-untyped-def]
    family = make_family(fbis=100_000)
    supplier, offer, session = make_nursery(price=25_000, title="Settimana al nido Girotondo")
    order = Order.objects.get(checkout=book(family, offer, session))
    line = order.lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    line.refresh_from_db()
    voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code_for(line.voucher.token))
    return family, supplier, order, line


@pytest.fixture
def statement(redeemed, operator):  # type: ignore[no-untyped-def]
    family, supplier, order, line = redeemed
    return statement_generate(actor=operator, supplier=supplier, period_end=timezone.localdate())


def test_the_operator_generates_a_statement_now(english_client, redeemed, operator) -> None:
    family, supplier, order, line = redeemed
    english_client.force_login(operator)
    url = reverse("orders:statements")
    assert english_client.get(url).status_code == 200

    made = english_client.post(
        url, {"action": "generate", "supplier": supplier.pk, "period_end": timezone.localdate().isoformat()}
    )

    statement = SettlementStatement.objects.get()
    assert made.status_code == 302
    assert made["Location"] == reverse("orders:statement", args=[statement.pk])
    assert statement.net == 24_500
    again = english_client.post(
        url, {"action": "generate", "supplier": supplier.pk, "period_end": timezone.localdate().isoformat()}
    )
    assert again.status_code == 409
    assert "Nothing to settle for" in again.content.decode()
    bad = english_client.post(url, {"action": "generate", "supplier": "x", "period_end": "31/02/2026"})
    assert bad.status_code == 400
    assert english_client.post(url, {"action": "what"}).status_code == 400
    monthly = english_client.post(url, {"action": "monthly"}, follow=True)
    assert "Nothing to settle up to the end of last month." in monthly.content.decode()
    assert SettlementStatement.objects.count() == 1

    other = make_supplier()
    ledger.transaction_post(
        kind=TransactionKind.TRANSFER,
        legs=[(ledger.world_account(), -1_000), (supplier_payable_account(other), 1_000)],
        idempotency_key="test:last-month",
        effective_date=timezone.localdate().replace(day=1) - datetime.timedelta(days=1),
    )
    monthly = english_client.post(url, {"action": "monthly"}, follow=True)
    assert "1 statement issued for" in monthly.content.decode()
    assert SettlementStatement.objects.get(supplier=other).created_by == operator


def test_the_list_filters_by_supplier_and_status(english_client, statement, operator) -> None:
    other = make_supplier(name="Ludoteca Arcobaleno")
    ledger.transaction_post(
        kind=TransactionKind.TRANSFER,
        legs=[(ledger.world_account(), -1_000), (supplier_payable_account(other), 1_000)],
        idempotency_key="test:adjust",
    )
    other_statement = statement_generate(actor=operator, supplier=other, period_end=timezone.localdate())
    english_client.force_login(operator)
    url = reverse("orders:statements")

    everything = english_client.get(url).content.decode()
    one_supplier = english_client.get(url, {"fornitore": other.pk}).content.decode()
    paid_only = english_client.get(url, {"stato": "paid"}).content.decode()
    nonsense = english_client.get(url, {"fornitore": "abc", "stato": "nope", "pagina": "zz"})
    superscript = english_client.get(url, {"fornitore": "²"})  # a digit to str.isdigit(), not to int()

    assert statement.reference in everything and other_statement.reference in everything
    assert other_statement.reference in one_supplier and statement.reference not in one_supplier
    assert statement.reference not in paid_only and "No statement here." in paid_only
    assert nonsense.status_code == 200
    assert superscript.status_code == 200
    assert statement.reference in superscript.content.decode()


def test_statement_page_pdf_and_csv(english_client, statement, redeemed) -> None:
    family, supplier, order, line = redeemed
    english_client.force_login(supplier.applied_by)

    page = english_client.get(reverse("orders:statement", args=[statement.pk]))
    pdf = english_client.get(reverse("orders:statement_pdf", args=[statement.pk]))
    csv = english_client.get(reverse("orders:statement_csv", args=[statement.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    for expected in (statement.reference, order.reference, line.beneficiary_name, "Settimana al nido Girotondo"):
        assert expected in html
    assert "Mark as paid" not in html  # only the operator pays
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(pdfium.PdfDocument(pdf.content)[0].get_textpage().get_text_range().split())
    for expected in (statement.reference, supplier.organization.name, line.beneficiary_name, order.reference):
        assert expected in text
    assert "€245.00" in text and "€250.00" in text
    assert csv.status_code == 200
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in csv["Content-Disposition"]
    assert csv.content.startswith(b"\xef\xbb\xbf")
    rows = [row.split(";") for row in csv.content.decode("utf-8-sig").splitlines()]
    assert rows[0][:2] == ["Statement", statement.reference]
    assert rows[2] == ["Date", "Order", "Beneficiary", "Service or product", "Kind", "Amount (EUR)"]
    day = timezone.localdate().strftime("%d/%m/%Y")
    what = [day, order.reference, line.beneficiary_name, "Settimana al nido Girotondo"]
    assert [*what, "service", "250,00"] in rows
    assert [*what, "Solidarity Fund contribution", "-5,00"] in rows
    assert ["", "", "", "", "Net payable", "245,00"] in rows


def test_the_operator_marks_it_paid_once(english_client, statement, operator, redeemed) -> None:
    family, supplier, order, line = redeemed
    url = reverse("orders:statement_paid", args=[statement.pk])
    english_client.force_login(supplier.applied_by)
    assert english_client.post(url).status_code == 404
    english_client.force_login(operator)
    assert "Mark as paid" in english_client.get(reverse("orders:statement", args=[statement.pk])).content.decode()
    assert english_client.get(url).status_code == 405

    first = english_client.post(url)
    second = english_client.post(url, follow=True)  # the double click

    assert first.status_code == 302
    assert first["Location"] == reverse("orders:statement", args=[statement.pk])
    assert "This statement was already marked as paid on" in second.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID
    assert LedgerTransaction.objects.filter(kind=TransactionKind.SETTLEMENT).count() == 1
    assert supplier_payable_account(supplier).balance == 0
    assert ledger_verify().clean


def test_nobody_else_sees_statements(english_client, statement, redeemed, operator) -> None:
    family, supplier, order, line = redeemed
    company = family.employee.employee_profile.company
    others = {
        "buyer": family.employee,
        "other employee": make_family(company=company).employee,
        "hr": make_member(UserFactory(), company, "hr_manager"),
        "citizen": UserFactory(),
        "staff of another supplier": make_supplier().applied_by,
    }
    readable = [
        reverse("orders:statement", args=[statement.pk]),
        reverse("orders:statement_pdf", args=[statement.pk]),
        reverse("orders:statement_csv", args=[statement.pk]),
        reverse("orders:supplier_statements", args=[supplier.pk]),
    ]
    operator_only = reverse("orders:statements")
    for role, user in others.items():
        english_client.force_login(user)
        for url in [*readable, operator_only]:
            assert english_client.get(url).status_code == 404, (role, url)
        assert english_client.post(operator_only, {"action": "monthly"}).status_code == 404, role
        assert english_client.post(reverse("orders:statement_paid", args=[statement.pk])).status_code == 404, role
    english_client.force_login(supplier.applied_by)
    assert english_client.get(operator_only).status_code == 404
    # the supplier's own staff read the statement but cannot mark it paid
    assert english_client.post(reverse("orders:statement_paid", args=[statement.pk])).status_code == 404
    for url in readable:
        assert english_client.get(url).status_code == 200, url
    english_client.force_login(operator)
    for url in readable:
        assert english_client.get(url).status_code == 200, url
    english_client.logout()
    for url in readable:
        assert english_client.get(url).status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ISSUED
    assert SettlementStatement.objects.count() == 1


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _another_statement(operator: Any, cents: int, key: str) -> SettlementStatement:
    supplier = make_supplier()
    ledger.transaction_post(
        kind=TransactionKind.TRANSFER,
        legs=[(ledger.world_account(), -cents), (supplier_payable_account(supplier), cents)],
        idempotency_key=key,
    )
    return statement_generate(actor=operator, supplier=supplier, period_end=timezone.localdate())


def test_list_and_detail_pages_make_a_constant_number_of_queries(english_client, statement, operator, redeemed) -> None:
    family, supplier, order, line = redeemed
    english_client.force_login(operator)
    pages = [
        reverse("orders:statements"),
        reverse("orders:supplier_statements", args=[supplier.pk]),
        reverse("orders:statement", args=[statement.pk]),
    ]
    before = [_queries(english_client, url) for url in pages]

    for index in range(3):
        _another_statement(operator, 1_000 + index, f"test:more:{index}")
    for index in range(3):  # more movements and a second statement for the same supplier
        ledger.transaction_post(
            kind=TransactionKind.TRANSFER,
            legs=[(ledger.world_account(), -100), (supplier_payable_account(supplier), 100)],
            idempotency_key=f"test:same:{index}",
        )
    bigger = statement_generate(actor=operator, supplier=supplier, period_end=timezone.localdate())
    pages[2] = reverse("orders:statement", args=[bigger.pk])

    assert [_queries(english_client, url) for url in pages] == before
