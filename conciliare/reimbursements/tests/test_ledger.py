"""Approval moves exactly the request's amount, once, from the right wallet to the company's payroll payable."""

import datetime

import pytest
from django.utils import timezone

from conciliare.core.errors import Conflict, InsufficientCredit
from conciliare.ledger.models import AccountKind, Entry, LedgerAccount, LedgerTransaction, TransactionKind
from conciliare.ledger.services import account_open, transaction_post, world_account
from conciliare.ledger.verification import ledger_verify
from conciliare.plans.models import WelfarePlan
from conciliare.plans.services import AllowanceInput, plan_activate, plan_create
from conciliare.reimbursements.models import ReimbursementStatus
from conciliare.reimbursements.services import APPROVE, payroll_payable_account

from .factories import decided, request_details, submit

pytestmark = pytest.mark.django_db


def _wallet(user, bucket, plan=None) -> LedgerAccount:
    wallets = LedgerAccount.objects.filter(kind=AccountKind.EMPLOYEE_WALLET, owner_user=user, fiscal_bucket=bucket)
    if plan is not None:
        wallets = wallets.filter(plan_reference=plan.ledger_reference)
    return wallets.get()


def test_an_approved_request_moves_exactly_its_amount(cast, plan, sofia):
    # Given Anna's f-bis wallet with 400 € and a request of 123.45 € for Sofia's nursery,
    wallet = _wallet(cast.employee_anna, "art51_c2_fbis")
    request = submit(cast.employee_anna, request_details(family_member=sofia, amount=12_345))
    transactions_before = LedgerTransaction.objects.count()

    # when the operator approves it,
    approved = decided(request, cast.operator_olga, APPROVE)

    # then one spend of 123.45 € went from the wallet to the company's payroll payable, under the request's key,
    posted = approved.ledger_transaction
    assert LedgerTransaction.objects.count() == transactions_before + 1
    assert posted.kind == TransactionKind.SPEND
    assert posted.idempotency_key == f"reimbursement:{request.pk}:approve"
    assert posted.actor == cast.operator_olga
    payable = payroll_payable_account(cast.company)
    assert payable.kind == AccountKind.PAYROLL_PAYABLE and payable.owner_organization == cast.company
    assert not payable.may_go_negative
    assert sorted((entry.account_id, entry.amount) for entry in Entry.objects.filter(transaction=posted)) == sorted(
        [(wallet.pk, -12_345), (payable.pk, 12_345)]
    )
    wallet.refresh_from_db()
    payable.refresh_from_db()
    assert (wallet.balance, payable.balance) == (40_000 - 12_345, 12_345)
    assert approved.wallet == wallet
    # and the ledger checks out.
    assert ledger_verify().clean


def test_a_second_approval_is_a_conflict_and_posts_nothing(cast, plan, sofia):
    request = submit(cast.employee_anna, request_details(family_member=sofia))
    decided(request, cast.operator_olga, APPROVE)
    count = LedgerTransaction.objects.count()

    with pytest.raises(Conflict):
        decided(request, cast.operator_olga, APPROVE)

    assert LedgerTransaction.objects.count() == count
    assert LedgerTransaction.objects.filter(idempotency_key=f"reimbursement:{request.pk}:approve").count() == 1


def test_refusals_and_withdrawals_move_no_money(cast, plan, sofia):
    count = LedgerTransaction.objects.count()
    first = submit(cast.employee_anna, request_details(family_member=sofia, amount=1_000))
    second = submit(cast.employee_anna, request_details(family_member=sofia, amount=2_000))
    decided(first, cast.operator_olga, "reject", "No.")
    decided(second, cast.operator_olga, "request_changes", "Serve la fattura.")
    assert LedgerTransaction.objects.count() == count
    assert _wallet(cast.employee_anna, "art51_c2_fbis").balance == 40_000


def test_the_earliest_ending_plan_with_enough_credit_pays(cast, plan, sofia, today):
    # Given, beside this year's plan (400 € of f-bis, ends 31 December), a plan ending on 30 December with
    # 50 € of f-bis for Anna,
    early = WelfarePlan.objects.create(
        company=cast.company,
        name="Piano scuola",
        starts_on=datetime.date(today.year, 1, 1),
        ends_on=datetime.date(today.year, 12, 30),
        legal_basis="agreement",
        residual_rule="carry_over",
        status="active",
        activated_at=timezone.now(),
    )
    early_wallet = account_open(
        kind=AccountKind.EMPLOYEE_WALLET,
        name="Anna · Piano scuola · f-bis",
        owner_user=cast.employee_anna,
        plan_reference=early.ledger_reference,
        fiscal_bucket="art51_c2_fbis",
    )
    transaction_post(
        kind=TransactionKind.CREDIT,
        legs=[(world_account(), -5_000), (early_wallet, 5_000)],
        idempotency_key="test:early-plan",
    )
    small = submit(cast.employee_anna, request_details(family_member=sofia, amount=3_000))
    large = submit(cast.employee_anna, request_details(family_member=sofia, amount=8_000))

    # then the earlier-ending plan pays what it can cover, the later one the rest.
    assert decided(small, cast.operator_olga, APPROVE).wallet == early_wallet
    assert decided(large, cast.operator_olga, APPROVE).wallet == _wallet(cast.employee_anna, "art51_c2_fbis", plan)
    early_wallet.refresh_from_db()
    assert early_wallet.balance == 2_000
    assert _wallet(cast.employee_anna, "art51_c2_fbis", plan).balance == 32_000
    assert ledger_verify().clean


def test_not_enough_credit_at_approval_is_refused_and_changes_nothing(cast, plan, sofia):
    # Given requests of 300 € and 290 € against 400 € of f-bis credit (each fitted when it was sent),
    first = submit(cast.employee_anna, request_details(family_member=sofia, amount=30_000))
    second = submit(cast.employee_anna, request_details(family_member=sofia, amount=29_000))
    decided(first, cast.operator_olga, APPROVE)
    count = LedgerTransaction.objects.count()

    # when the second is approved, the operator is told the credit is short, and nothing moves.
    with pytest.raises(InsufficientCredit) as refused:
        decided(second, cast.operator_olga, APPROVE)

    assert "100,00" in refused.value.message
    second.refresh_from_db()
    assert second.status == ReimbursementStatus.SUBMITTED
    assert LedgerTransaction.objects.count() == count
    assert ledger_verify().clean


def test_fringe_approval_over_the_cap_is_refused(cast, today):
    # Given a plan with 3,000 € of fringe credit (more than the 1,000 € cap without declared children),
    created = plan_create(
        company=cast.company,
        name="Piano fringe",
        starts_on=datetime.date(today.year, 1, 1),
        ends_on=datetime.date(today.year, 12, 31),
        legal_basis="regulation",
        residual_rule="carry_over",
        allowances=[AllowanceInput(category="", bucket="art51_c3_fringe", amount_euro="3000.00")],
    )
    plan_activate(plan=created, actor=cast.hr_bruno)
    utilities = {"bucket": "art51_c3_fringe", "category": "utilities"}
    first = submit(cast.employee_anna, request_details(amount=90_000, **utilities))
    second = submit(cast.employee_anna, request_details(amount=20_000, **utilities))
    decided(first, cast.operator_olga, APPROVE)
    count = LedgerTransaction.objects.count()

    # when the second would take the year's fringe benefits to 1,100 €,
    with pytest.raises(Conflict) as refused:
        decided(second, cast.operator_olga, APPROVE)

    # then it is refused and nothing moves.
    assert "cap" in refused.value.message
    assert LedgerTransaction.objects.count() == count
    second.refresh_from_db()
    assert second.status == ReimbursementStatus.SUBMITTED
