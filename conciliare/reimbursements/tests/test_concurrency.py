"""Ten reviewers clicking "approve" at the same moment post once (PostgreSQL: real row locks)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from conciliare.core.errors import Conflict
from conciliare.ledger.models import LedgerTransaction
from conciliare.ledger.verification import ledger_verify
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
