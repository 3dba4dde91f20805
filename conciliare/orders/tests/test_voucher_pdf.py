"""The voucher PDF: what it says, its QR code (decoded from the rendered page), and who may download it."""

from urllib.parse import parse_qs, urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.urls import reverse

from conciliare.catalogue.tests.factories import make_supplier
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..fulfilment import line_cancel, line_confirm
from ..models import LineStatus, Order, VoucherStatus
from ..vouchers import code_for, token_from
from .factories import book, make_family, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_client(client):  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def confirmed(db):  # type: ignore[no-untyped-def]
    """A two-year-old booked into a nursery week, confirmed by the supplier: the voucher exists."""
    family = make_family(fbis=100_000)
    supplier, offer, session = make_nursery(price=25_000, title="Settimana al nido Girotondo")
    order = Order.objects.get(checkout=book(family, offer, session))
    line = order.lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    line.refresh_from_db()
    return family, supplier, order, line, line.voucher


def _pdf_text_and_qr(content: bytes) -> tuple[str, list[str]]:
    document = pdfium.PdfDocument(content)
    page = document[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=3).to_pil()
    return text, [found.text for found in zxingcpp.read_barcodes(image)]


def test_the_buyer_downloads_the_voucher_and_its_qr_code_redeems_it(english_client, confirmed, settings) -> None:
    settings.CONCILIARE_BASE_URL = "https://welfare.example.it"
    family, supplier, order, line, voucher = confirmed
    english_client.force_login(family.employee)

    response = english_client.get(reverse("orders:voucher_pdf", args=[voucher.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text, codes = _pdf_text_and_qr(response.content)
    code = code_for(voucher.token)
    normalized = " ".join(text.split())
    for expected in (
        "Welfare service voucher",
        voucher.beneficiary_name,
        "Settimana al nido Girotondo",
        supplier.organization.name,
        code,
        order.reference,
        "€250.00",
        "3-bis",
        "not be converted into cash",
    ):
        assert expected in normalized, expected
    assert len(codes) == 1
    scanned = urlsplit(codes[0])
    assert (scanned.scheme, scanned.netloc, scanned.path) == ("https", "welfare.example.it", "/buoni/riscatta/")
    assert token_from(parse_qs(scanned.query)["codice"][0]) == voucher.token

    # The supplier's phone opens the scanned address: it lands on the redemption page with the code.
    english_client.force_login(supplier.applied_by)
    landing = english_client.get(codes[0].removeprefix("https://welfare.example.it"))
    assert landing.status_code == 302
    assert landing["Location"].startswith(reverse("orders:redeem", args=[supplier.pk]))
    check = english_client.get(landing["Location"])
    assert check.status_code == 200
    assert voucher.beneficiary_name in check.content.decode()
    redeemed = english_client.post(reverse("orders:redeem", args=[supplier.pk]), {"code": codes[0]})
    assert redeemed.status_code == 302
    voucher.refresh_from_db()
    line.refresh_from_db()
    assert (voucher.status, line.status) == (VoucherStatus.REDEEMED, LineStatus.REDEEMED)
    assert ledger_verify().clean


def test_the_supplier_staff_may_download_it_too(english_client, confirmed) -> None:
    family, supplier, order, line, voucher = confirmed
    english_client.force_login(supplier.applied_by)
    response = english_client.get(reverse("orders:voucher_pdf", args=[voucher.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_nobody_else_gets_the_voucher(english_client, confirmed) -> None:
    family, supplier, order, line, voucher = confirmed
    url = reverse("orders:voucher_pdf", args=[voucher.pk])
    company = family.employee.employee_profile.company
    others = {
        "other employee": make_family(company=company).employee,
        "hr of the buyer's company": make_member(UserFactory(), company, "hr_manager"),
        "operator": make_member(UserFactory(), OrganizationFactory(), "operator_admin"),
        "citizen": UserFactory(),
        "staff of another supplier": make_supplier().applied_by,
    }
    for role, user in others.items():
        english_client.force_login(user)
        assert english_client.get(url).status_code == 404, role
    english_client.logout()
    anonymous = english_client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_a_cancelled_booking_has_no_voucher_to_print(english_client, confirmed) -> None:
    family, supplier, order, line, voucher = confirmed
    line_cancel(actor=family.employee, line_id=line.pk)
    english_client.force_login(family.employee)
    assert english_client.get(reverse("orders:voucher_pdf", args=[voucher.pk])).status_code == 404
    assert english_client.get(reverse("orders:voucher_pdf", args=[999_999])).status_code == 404
