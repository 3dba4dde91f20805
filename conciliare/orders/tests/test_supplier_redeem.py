"""Redeeming a voucher from the supplier's area: typed or scanned codes, and every refusal."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conciliare.catalogue.tests.factories import make_supplier
from conciliare.ledger.models import LedgerTransaction
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_member

from ..documents import redemption_url
from ..fulfilment import line_cancel, line_confirm
from ..models import LineStatus, Order, Voucher, VoucherStatus
from ..vouchers import code_for
from .factories import book, make_family, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_client(client):  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def confirmed(db):  # type: ignore[no-untyped-def]
    family = make_family(fbis=100_000)
    supplier, offer, session = make_nursery(price=25_000, title="Settimana al nido Girotondo")
    order = Order.objects.get(checkout=book(family, offer, session))
    line = order.lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    line.refresh_from_db()
    return family, supplier, line, line.voucher


def _state(voucher: Voucher) -> tuple[Any, ...]:
    voucher.refresh_from_db()
    return voucher.status, voucher.line.status, LedgerTransaction.objects.count()


def _redeem(client: Any, supplier: Any, code: str) -> Any:
    return client.post(reverse("orders:redeem", args=[supplier.pk]), {"code": code})


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: code.replace("-", ""),
        lambda code: " " + code.replace("-", " ").lower() + " ",
        lambda code: redemption_url(code),
    ],
    ids=["printed", "lowercase", "without dashes", "spaces", "scanned address"],
)
def test_a_typed_or_scanned_code_redeems_the_voucher(english_client, confirmed, typed) -> None:
    family, supplier, line, voucher = confirmed
    english_client.force_login(supplier.applied_by)

    response = _redeem(english_client, supplier, typed(code_for(voucher.token)))

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:redeem", args=[supplier.pk])
    voucher.refresh_from_db()
    line.refresh_from_db()
    assert (voucher.status, line.status, voucher.redeemed_by) == (
        VoucherStatus.REDEEMED,
        LineStatus.REDEEMED,
        supplier.applied_by,
    )
    page = english_client.get(response["Location"]).content.decode()
    assert "Voucher redeemed: Settimana al nido Girotondo" in page
    assert ledger_verify().clean


def test_the_page_shows_the_voucher_before_redeeming(english_client, confirmed) -> None:
    family, supplier, line, voucher = confirmed
    english_client.force_login(supplier.applied_by)
    url = reverse("orders:redeem", args=[supplier.pk])

    empty = english_client.get(url)
    shown = english_client.get(url, {"codice": code_for(voucher.token).lower()})

    assert empty.status_code == 200
    assert shown.status_code == 200
    page = shown.content.decode()
    assert voucher.beneficiary_name in page
    assert "Settimana al nido Girotondo" in page
    assert f'value="{code_for(voucher.token)}"' in page  # the hidden field of the confirmation form
    assert "Redeem the voucher" in page
    assert _state(voucher)[0] == VoucherStatus.ISSUED  # looking changes nothing


def test_a_tampered_code_is_refused_and_nothing_changes(english_client, confirmed) -> None:
    family, supplier, line, voucher = confirmed
    english_client.force_login(supplier.applied_by)
    code = code_for(voucher.token)
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    before = _state(voucher)

    posted = _redeem(english_client, supplier, tampered)
    looked = english_client.get(reverse("orders:redeem", args=[supplier.pk]), {"codice": tampered})
    nonsense = _redeem(english_client, supplier, "hello")

    for response in (posted, looked, nonsense):
        assert response.status_code == 400
        assert "This is not a valid voucher code" in response.content.decode()
    assert _state(voucher) == before


def test_a_voucher_of_another_supplier_is_not_found(english_client, confirmed) -> None:
    family, supplier, line, voucher = confirmed
    other = make_supplier()
    english_client.force_login(other.applied_by)
    before = _state(voucher)

    own_page = _redeem(english_client, other, code_for(voucher.token))
    their_page = _redeem(english_client, supplier, code_for(voucher.token))

    assert own_page.status_code == 404
    assert "No voucher has this code." in own_page.content.decode()
    assert their_page.status_code == 404
    assert _state(voucher) == before


def test_a_second_redemption_is_refused_with_when(english_client, confirmed) -> None:
    family, supplier, line, voucher = confirmed
    english_client.force_login(supplier.applied_by)
    assert _redeem(english_client, supplier, code_for(voucher.token)).status_code == 302
    before = _state(voucher)

    again = _redeem(english_client, supplier, code_for(voucher.token))
    looked = english_client.get(reverse("orders:redeem", args=[supplier.pk]), {"codice": code_for(voucher.token)})

    assert again.status_code == 409
    when = timezone.localtime(voucher.redeemed_at).strftime("%d/%m/%Y %H:%M")
    assert f"This voucher was already used on {when}." in again.content.decode()
    assert f"This voucher was already used on {when}." in looked.content.decode()
    assert "Redeem the voucher" not in looked.content.decode()
    assert _state(voucher) == before


def test_cancelled_and_expired_vouchers_are_refused(english_client, confirmed) -> None:
    family, supplier, line, voucher = confirmed
    english_client.force_login(supplier.applied_by)
    Voucher.objects.filter(pk=voucher.pk).update(
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    expired = _redeem(english_client, supplier, code_for(voucher.token))
    assert expired.status_code == 409
    assert "This voucher expired on" in expired.content.decode()

    Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() + datetime.timedelta(days=10))
    line_cancel(actor=family.employee, line_id=line.pk)
    before = _state(voucher)
    cancelled = _redeem(english_client, supplier, code_for(voucher.token))
    assert cancelled.status_code == 409
    assert "This voucher was cancelled." in cancelled.content.decode()
    assert _state(voucher) == before


def test_only_the_suppliers_staff_reach_the_redemption_page(english_client, confirmed) -> None:
    family, supplier, line, voucher = confirmed
    url = reverse("orders:redeem", args=[supplier.pk])
    company = family.employee.employee_profile.company
    others = {
        "buyer": family.employee,
        "other employee": make_family(company=company).employee,
        "hr": make_member(UserFactory(), company, "hr_manager"),
        "operator": make_member(UserFactory(), OrganizationFactory(), "operator_admin"),
        "citizen": UserFactory(),
        "staff of another supplier": make_supplier().applied_by,
    }
    before = _state(voucher)
    for role, user in others.items():
        english_client.force_login(user)
        assert english_client.get(url).status_code == 404, role
        assert _redeem(english_client, supplier, code_for(voucher.token)).status_code == 404, role
    english_client.logout()
    assert english_client.get(url).status_code == 302
    assert _redeem(english_client, supplier, code_for(voucher.token)).status_code == 302
    assert _state(voucher) == before


def test_the_scanned_address_leads_to_the_right_supplier(english_client, confirmed) -> None:
    family, supplier, line, voucher = confirmed
    code = code_for(voucher.token)
    scan = reverse("orders:redeem_scan") + f"?codice={code}"

    anonymous = english_client.get(scan)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert "next=" in anonymous["Location"]

    english_client.force_login(UserFactory())
    assert english_client.get(scan).status_code == 404
    english_client.force_login(family.employee)
    assert english_client.get(scan).status_code == 404

    # Staff of two suppliers: the one whose voucher it is; with a bad code, a choice.
    staff = supplier.applied_by
    other = make_supplier()
    make_member(staff, other.organization, "supplier_staff")
    english_client.force_login(staff)
    landing = english_client.get(scan)
    assert landing.status_code == 302
    assert landing["Location"] == reverse("orders:redeem", args=[supplier.pk]) + f"?codice={code}"
    choice = english_client.get(reverse("orders:redeem_scan") + "?codice=NOPE")
    assert choice.status_code == 200
    page = choice.content.decode()
    assert reverse("orders:redeem", args=[supplier.pk]) in page
    assert reverse("orders:redeem", args=[other.pk]) in page
    assert _state(voucher)[0] == VoucherStatus.ISSUED
