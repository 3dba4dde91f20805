"""The demo's reimbursements: made through the services, in several states, once."""

import pytest

from conciliare.accounts.demo import seed_demo
from conciliare.catalogue.demo import seed_demo_catalogue
from conciliare.ledger.verification import ledger_verify
from conciliare.plans.demo import seed_demo_plans
from conciliare.reimbursements.demo import receipt_pdf, seed_demo_reimbursements
from conciliare.reimbursements.models import ReimbursementRequest

pytestmark = pytest.mark.django_db


def test_the_demo_has_requests_in_several_states_and_runs_once():
    seed_demo()
    seed_demo_plans()
    seed_demo_catalogue()

    assert seed_demo_reimbursements() == 4
    assert seed_demo_reimbursements() == 0

    states = sorted(ReimbursementRequest.objects.values_list("status", flat=True))
    assert states == ["approved", "changes_requested", "rejected", "submitted"]
    flagged = ReimbursementRequest.objects.get(status="submitted")
    assert flagged.flagged and flagged.addressed_to_name == "Marco Bianchi"
    assert ReimbursementRequest.objects.get(status="approved").ledger_transaction is not None
    assert ledger_verify().clean


def test_the_demo_receipts_are_pdfs():
    document = receipt_pdf(["Ricevuta n. 1", "Importo: 10,00 euro (IVA)"])
    assert document.startswith(b"%PDF-1.4") and document.rstrip().endswith(b"%%EOF")
    assert b"startxref" in document
