"""In Chromium, in Italian, on a phone: the demo employee (home in Casazza, a son of two) finds the
nearest nursery week, books it for him and pays it with f-bis credit; the nursery confirms; she
downloads the voucher PDF; its QR code, decoded by zxing-cpp, opens the nursery's redemption page;
the nursery redeems it; the operator's settlement statement shows it net of the 2 % contribution.
"""

import io
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.core.management import call_command
from django.utils import formats, translation

from conciliare.accounts.demo import DEMO_NURSERY, DEMO_PASSWORD, demo_login
from conciliare.accounts.models import User
from conciliare.ledger.verification import ledger_verify
from conciliare.orders.models import Contribution, LinePayment, Order, OrderLine, SettlementStatement, Voucher

from .test_supplier_catalogue import SCREENSHOTS, ensure_charter, it, sign_in, sign_out

OFFER_TITLE = "Nido d'estate: una settimana a luglio"


def italian_euro(cents: int) -> str:
    with translation.override("it"):
        return formats.number_format(Decimal(cents) / 100, decimal_pos=2, use_l10n=True, force_grouping=True)


def qr_payloads(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    found = []
    for page in document:
        image = page.render(scale=3).to_pil()
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


@pytest.fixture
def demo_site(transactional_db, live_server):
    ensure_charter()
    call_command("seed_demo", verbosity=0)
    return live_server.url


@pytest.mark.browser
def test_book_a_nursery_week_pay_with_credit_and_redeem_the_voucher(demo_site, page):
    base = demo_site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    employee = User.objects.get(email=demo_login("employee").email)
    child = employee.family_members.get(first_name="Tommaso")
    assert child.age_on() == 2

    # --- The employee, on her phone, looks for the nearest nursery from home ---------------------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, employee.email, DEMO_PASSWORD)
    page.goto(base + "/offerte/")
    page.select_option("select[name=categoria]", "nursery")
    page.get_by_role("button", name=it("Search"), exact=True).click()
    page.wait_for_url(re.compile(r"/offerte/\?"))
    cards = page.locator("ol.offer-list > li.offer-card")
    first_supplier = cards.first.inner_text()
    assert DEMO_NURSERY in first_supplier  # the nearest nursery to Casazza (Trescore Balneario, 7,9 km)
    page.get_by_role("link", name=OFFER_TITLE).click()
    page.wait_for_url(re.compile(r"/offerte/\d+/$"))

    # --- Books the first July week for Tommaso ----------------------------------------------------------------------
    box = page.locator("#prenota")
    box.locator("select[name=session]").select_option(index=0)
    box.locator("select[name=member]").select_option(label=f"{child.first_name} {child.last_name}")
    box.get_by_role("button", name=it("Add to cart")).click()
    page.wait_for_url(re.compile(r"/carrello/$"))
    row = page.locator("main table tbody tr").first
    assert OFFER_TITLE in row.inner_text()
    assert "f-bis" in row.inner_text()  # paid by the education bucket, not letter f
    assert it("Your welfare credit covers everything: nothing to pay.") in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "buying_cart.png"), full_page=True)
    page.get_by_role("button", name=it("Place the order")).click()
    page.wait_for_url(re.compile(r"/ordini/\d+/$"))
    line = OrderLine.objects.get(order__buyer=employee, title=OFFER_TITLE)
    payment = LinePayment.objects.get(line=line)
    assert payment.bucket == "art51_c2_fbis" and payment.amount == line.amount == 16_500
    assert line.status == "pending"
    sign_out(page)

    # --- The nursery confirms the booking in its area ----------------------------------------------------------------
    nursery_staff = demo_login("supplier_staff").email
    supplier_id = line.order.supplier_id
    orders_path = f"/fornitori/{supplier_id}/ordini/{line.order_id}/"
    sign_in(page, base, nursery_staff, DEMO_PASSWORD, next_path=orders_path)
    page.get_by_role("button", name=it("Confirm"), exact=True).first.click()
    page.wait_for_load_state()
    line.refresh_from_db()
    assert line.status == "confirmed"
    sign_out(page)

    # --- The employee downloads the voucher ---------------------------------------------------------------------------
    sign_in(page, base, employee.email, DEMO_PASSWORD, next_path=f"/ordini/{line.order_id}/")
    page.screenshot(path=str(SCREENSHOTS / "buying_order_confirmed.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=it("Download the voucher (PDF)")).click()
    pdf = open(download_info.value.path(), "rb").read()  # noqa: SIM115 - the browser's temporary file
    assert pdf.startswith(b"%PDF-")
    payloads = qr_payloads(pdf)
    assert len(payloads) == 1, payloads
    scanned = urlsplit(payloads[0])
    assert scanned.path == "/buoni/riscatta/" and "codice=" in scanned.query
    sign_out(page)

    # --- The nursery scans it: the phone opens the address, the page shows the voucher, one tap redeems it ------------
    sign_in(page, base, nursery_staff, DEMO_PASSWORD)
    page.goto(base + scanned.path + "?" + scanned.query)
    page.wait_for_url(re.compile(rf"/fornitori/{supplier_id}/buoni/"))
    assert child.first_name in page.locator("main").inner_text()
    page.locator("section[aria-labelledby=voucher-title] form button[type=submit]").click()
    page.wait_for_load_state()
    voucher = Voucher.objects.get(line=line)
    assert voucher.status == "redeemed"
    page.screenshot(path=str(SCREENSHOTS / "buying_redeemed.png"), full_page=True)
    sign_out(page)

    # --- The operator issues the nursery's statement: the week net of the 2 % contribution -----------------------------
    contribution = Contribution.objects.get(line=line, party="supplier")
    assert contribution.amount == 330
    sign_in(page, base, demo_login("operator_admin").email, DEMO_PASSWORD)
    page.goto(base + "/gestione-rendiconti/")
    page.select_option("select[name=supplier]", str(supplier_id))
    page.get_by_role("button", name=it("Generate the statement")).click()
    page.wait_for_load_state()
    statement = SettlementStatement.objects.get(supplier_id=supplier_id)
    assert statement.items.filter(line=line).exists()
    page.goto(base + f"/rendiconti/{statement.pk}/")
    text = page.locator("main").inner_text()
    assert italian_euro(16_500) in text and italian_euro(330) in text
    page.screenshot(path=str(SCREENSHOTS / "buying_statement.png"), full_page=True)
    assert Order.objects.get(pk=line.order_id).status == "completed"
    assert ledger_verify().clean
