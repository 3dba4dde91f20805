"""Reviewers clicking "approve" at the same moment move money once, within the credit and the cap (real row locks)."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from conciliare.core.errors import Conflict
from conciliare.ledger.models import LedgerTransaction
from conciliare.ledger.verification import ledger_verify
from conciliare.plans.services import AllowanceInput, plan_activate, plan_create
from conciliare.reimbursements.models import ReimbursementRequest, ReimbursementStatus
from conciliare.reimbursements.services import APPROVE, reimbursement_review

from .factories import request_details, submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_parallel_approvals_post_once(cast, plan, sofia):
    request = submit(cast.employee_anna, request_details(family_member=sofia, amount=12_345))
    barrier = threading.Barrier(10)

    def approve(_index: int) -> str:
        try:
            barrier.wait()
            reimbursement_review(actor=cast.operator_olga, request=request, decision=APPROVE)
            return "approved"
        except Conflict:
            return "conflict"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = sorted(pool.map(approve, range(10)))

    assert outcomes == ["approved"] + ["conflict"] * 9
    request.refresh_from_db()
    assert request.status == ReimbursementStatus.APPROVED
    assert LedgerTransaction.objects.filter(idempotency_key=f"reimbursement:{request.pk}:approve").count() == 1
    assert LedgerTransaction.objects.filter(kind="spend").count() == 1
    assert request.events.filter(to_status=ReimbursementStatus.APPROVED).count() == 1
    assert ledger_verify().clean


def test_parallel_approvals_of_two_requests_never_overdraw_the_wallet(cast, plan, sofia):
    # Two requests of 300 € and 250 € against 400 € of credit, approved at the same moment: one passes.
    first = submit(cast.employee_anna, request_details(family_member=sofia, amount=30_000))
    second = submit(cast.employee_anna, request_details(family_member=sofia, amount=25_000))
    barrier = threading.Barrier(2)

    def approve(request: ReimbursementRequest) -> str:
        try:
            barrier.wait()
            reimbursement_review(actor=cast.operator_olga, request=request, decision=APPROVE)
            return "approved"
        except Conflict:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(approve, [first, second]))

    assert outcomes == ["approved", "refused"]
    assert LedgerTransaction.objects.filter(kind="spend").count() == 1
    assert ledger_verify().clean


def test_parallel_fringe_approvals_never_pass_the_cap_together(cast, today):
    # Fringe requests of 600 € and 590 €, 3,000 € of credit but a 1,000 € cap, approved at the same moment: one passes.
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
    first = submit(cast.employee_anna, request_details(amount=60_000, **utilities))
    second = submit(cast.employee_anna, request_details(amount=59_000, **utilities))
    barrier = threading.Barrier(2)

    def approve(request: ReimbursementRequest) -> str:
        try:
            barrier.wait()
            reimbursement_review(actor=cast.operator_olga, request=request, decision=APPROVE)
            return "approved"
        except Conflict:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(approve, [first, second]))

    assert outcomes == ["approved", "refused"]
    assert LedgerTransaction.objects.filter(kind="spend").count() == 1
    assert ledger_verify().clean
