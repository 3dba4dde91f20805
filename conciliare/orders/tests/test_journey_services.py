"""The whole life of a booking at service level, with the ledger checked at each step."""

from decimal import Decimal

import pytest

from conciliare.ledger.models import AccountKind, LedgerAccount
from conciliare.ledger.verification import ledger_verify

from ..fulfilment import line_confirm, voucher_redeem
from ..ledger_accounts import supplier_payable_account
from ..models import Contribution, LineStatus, Order, OrderStatus, VoucherStatus
from ..vouchers import code_for
from .factories import book, make_family, make_nursery

pytestmark = pytest.mark.django_db


def test_book_confirm_redeem_moves_money_once():
    family = make_family(fbis=100_000)
    supplier, offer, session = make_nursery(price=25_000)
    made = book(family, offer, session)
    order = Order.objects.get(checkout=made)
    line = order.lines.get()
    assert (order.status, line.status, line.credit_amount, line.own_amount) == (
        OrderStatus.PLACED,
        "pending",
        25_000,
        0,
    )
    family.wallet.refresh_from_db()
    assert (family.wallet.balance, family.wallet.held) == (100_000, 25_000)
    session.refresh_from_db()
    assert session.seats_taken == 1

    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    family.wallet.refresh_from_db()
    assert (family.wallet.balance, family.wallet.held) == (75_000, 0)
    voucher = line.voucher
    assert voucher.status == VoucherStatus.ISSUED

    voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code_for(voucher.token))
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.status, order.status) == (LineStatus.REDEEMED, OrderStatus.COMPLETED)
    payable = supplier_payable_account(supplier)
    contribution = Contribution.objects.get(line=line)
    assert (contribution.percent, contribution.amount) == (Decimal("2.00"), 500)
    assert payable.balance == 25_000 - 500
    assert LedgerAccount.objects.get(kind=AccountKind.SOLIDARITY_FUND).balance == 500
    assert ledger_verify().clean
