import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from conciliare.ledger.models import LedgerTransaction
from conciliare.ledger.verification import ledger_verify
from conciliare.plans.services import plan_activate, plan_create

from .conftest import PLAN_2026, allowance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_activation_submitted_by_five_requests_at_once_credits_once(cast, staff):
    plan = plan_create(company=cast.company, allowances=[allowance("operai", "art51_c2_f", "300.00")], **PLAN_2026)
    barrier = threading.Barrier(5)

    def activate(_index):
        try:
            barrier.wait()
            return plan_activate(plan=plan, actor=cast.hr_bruno).status
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(activate, range(5)))

    assert outcomes == ["active"] * 5
    assert LedgerTransaction.objects.filter(kind="credit").count() == 1
    assert ledger_verify().clean
