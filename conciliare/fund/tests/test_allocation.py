"""A grant at checkout: it pays platform services after the welfare credit the tax rules allow and
before own money; it is not the employer's credit (no company contribution on it); and it is
never cash (no reimbursement from it)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from conciliare.core.errors import InvalidInput
from conciliare.ledger.verification import ledger_verify
from conciliare.orders.fulfilment import line_confirm, voucher_redeem
from conciliare.orders.models import Contribution, ContributionParty, LinePayment, Order, RateKind, WithholdingRate
from conciliare.orders.tests.factories import book, give_credit, make_family, make_nursery
from conciliare.orders.vouchers import code_for
from conciliare.reimbursements.models import ReimbursementRequest
from conciliare.reimbursements.services import RequestDetails, reimbursement_submit

from ..models import GRANT_BUCKET, Grant
from ..services import committee_vote
from .factories import PDF_BYTES, fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db

FBIS = "art51_c2_fbis"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def grant_to(user, amount: int) -> Grant:
    fund_the_fund(amount)
    application = submit(user)
    for member in make_committee(2):
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=amount)
    return Grant.objects.get(application=application)


def paid_by() -> list[tuple[str, int]]:
    return list(LinePayment.objects.order_by("pk").values_list("bucket", "amount"))


def test_a_grant_pays_after_the_tax_buckets_and_before_own_money():
    # Given 100 € of f-bis credit and a 100 € grant, when a 250 € nursery month is booked,
    family = make_family(fbis=10_000)
    grant = grant_to(family.employee, 10_000)
    _supplier, offer, session = make_nursery(price=25_000)

    book(family, offer, session, payment_method="bank_transfer")

    # then f-bis pays first, the grant next, and the buyer's own money only the rest.
    assert paid_by() == [(FBIS, 10_000), (GRANT_BUCKET, 10_000)]
    assert LinePayment.objects.get(bucket=GRANT_BUCKET).wallet == grant.wallet
    order = Order.objects.get()
    assert (order.credit_total, order.own_total) == (20_000, 5_000)
    grant.wallet.refresh_from_db()
    assert (grant.wallet.balance, grant.wallet.held) == (10_000, 10_000)


def test_enough_welfare_credit_leaves_the_grant_untouched():
    family = make_family(fbis=30_000)
    grant = grant_to(family.employee, 10_000)
    _supplier, offer, session = make_nursery(price=25_000)

    book(family, offer, session)

    assert paid_by() == [(FBIS, 25_000)]
    grant.wallet.refresh_from_db()
    assert (grant.wallet.balance, grant.wallet.held) == (10_000, 0)


def test_a_grant_pays_a_service_no_tax_bucket_covers():
    # The grant pays where the employer's credit cannot: here the buyer has no welfare credit at all.
    family = make_family(fbis=0)
    grant_to(family.employee, 30_000)
    _supplier, offer, session = make_nursery(price=25_000)

    book(family, offer, session)

    assert paid_by() == [(GRANT_BUCKET, 25_000)]


def test_no_company_contribution_is_charged_on_grant_credit():
    # Given the company adds 1 per cent on the welfare credit its workers spend,
    today = timezone.localdate()
    WithholdingRate.objects.create(
        kind=RateKind.COMPANY_CONTRIBUTION, percent=Decimal("1.00"), valid_from=datetime.date(today.year, 1, 1)
    )
    family = make_family(fbis=10_000)
    grant_to(family.employee, 15_000)
    supplier, offer, session = make_nursery(price=25_000)
    book(family, offer, session)  # 100 € f-bis + 150 € grant
    line = Order.objects.get().lines.get()

    # when the supplier confirms and redeems the voucher,
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    line.refresh_from_db()
    voucher_redeem(actor=supplier.applied_by, supplier_id=supplier.pk, code=code_for(line.voucher.token))

    # then the company's 1 per cent is on its own 100 € only, while the supplier's 2 per cent is on the price.
    company = Contribution.objects.get(line=line, party=ContributionParty.COMPANY)
    supplier_share = Contribution.objects.get(line=line, party=ContributionParty.SUPPLIER)
    assert (company.base, company.amount) == (10_000, 100)
    assert (supplier_share.base, supplier_share.amount) == (25_000, 500)
    assert ledger_verify().clean


def test_a_grant_cannot_be_reimbursed():
    # A reimbursement turns credit into money for an expense paid elsewhere: a grant is never cash.
    family = make_family(fbis=0)
    grant = grant_to(family.employee, 30_000)
    receipt = SimpleUploadedFile("ricevuta.pdf", PDF_BYTES, content_type="application/pdf")
    details = RequestDetails(
        bucket=GRANT_BUCKET,
        category="nursery",
        amount=10_000,
        expense_date=timezone.localdate(),
        family_member=family.child,
        addressed_to_name=family.employee.full_name,
        names_beneficiary=True,
        names_service=True,
    )

    with pytest.raises(InvalidInput) as refused:
        reimbursement_submit(actor=family.employee, details=details, receipt=receipt)

    assert "bucket" in refused.value.fields
    assert not ReimbursementRequest.objects.exists()
    grant.wallet.refresh_from_db()
    assert (grant.wallet.balance, grant.wallet.held) == (30_000, 0)


def test_a_grant_wallet_is_not_a_reimbursable_bucket_even_beside_welfare_credit():
    # With f-bis credit too, asking for the f-bis bucket uses f-bis only, never the grant.
    family = make_family(fbis=0)
    grant = grant_to(family.employee, 30_000)
    give_credit(family.employee, FBIS, 5_000)
    receipt = SimpleUploadedFile("ricevuta.pdf", PDF_BYTES, content_type="application/pdf")
    details = RequestDetails(
        bucket=FBIS,
        category="nursery",
        amount=10_000,  # more than the f-bis credit, less than f-bis plus the grant
        expense_date=timezone.localdate(),
        family_member=family.child,
        addressed_to_name=family.employee.full_name,
        names_beneficiary=True,
        names_service=True,
    )

    with pytest.raises(InvalidInput, match="available"):
        reimbursement_submit(actor=family.employee, details=details, receipt=receipt)

    assert not ReimbursementRequest.objects.exists()
    grant.wallet.refresh_from_db()
    assert grant.wallet.held == 0
