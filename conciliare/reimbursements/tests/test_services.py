"""The state machine and the services that drive it: every legal step, every illegal one refused with
nothing changed, events recorded, e-mails sent after commit."""

import pytest
from django.core import mail

from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.ledger.models import LedgerTransaction
from conciliare.reimbursements.models import (
    ReimbursementEvent,
    ReimbursementReceipt,
    ReimbursementRequest,
    ReimbursementStatus,
    ReviewerKind,
)
from conciliare.reimbursements.services import (
    APPROVE,
    REJECT,
    REQUEST_CHANGES,
    NotAnEmployee,
    reimbursement_policy_set,
    reimbursement_resubmit,
    reimbursement_review,
    reimbursement_withdraw,
)

from .factories import decided, pdf_upload, png_upload, request_details, submit

pytestmark = pytest.mark.django_db

S = ReimbursementStatus


def _snapshot(request: ReimbursementRequest) -> tuple:
    request.refresh_from_db()
    return (
        request.status,
        request.amount,
        request.reason,
        request.decided_at,
        request.ledger_transaction_id,
        ReimbursementEvent.objects.filter(request=request).count(),
        ReimbursementReceipt.objects.filter(request=request).count(),
        LedgerTransaction.objects.count(),
    )


@pytest.fixture
def submitted(cast, plan, sofia):
    return submit(cast.employee_anna, request_details(family_member=sofia))


def _bring_to(state: str, request: ReimbursementRequest, cast) -> ReimbursementRequest:
    if state == S.CHANGES_REQUESTED:
        return decided(request, cast.operator_olga, REQUEST_CHANGES, "Il documento non è leggibile.")
    if state == S.APPROVED:
        return decided(request, cast.operator_olga, APPROVE)
    if state == S.REJECTED:
        return decided(request, cast.operator_olga, REJECT, "Spesa non rimborsabile.")
    if state == S.WITHDRAWN:
        return reimbursement_withdraw(actor=cast.employee_anna, request=request)
    return request


def test_submission_records_the_request_its_document_its_checklist_and_an_event(
    cast, plan, sofia, django_capture_on_commit_callbacks
):
    # Given Anna with this year's plan, when she asks for 120 € of nursery fees for Sofia, with a PDF,
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(cast.employee_anna, request_details(family_member=sofia))

    # then the request waits for review, with the company, the beneficiary and the checklist,
    assert request.status == S.SUBMITTED
    assert request.company == cast.company
    assert request.amount == 12_000
    assert request.beneficiary_name == "Sofia Rossi"
    assert request.beneficiary_fiscal_code == sofia.fiscal_code
    assert {item["id"] for item in request.checklist} >= {"bucket_reimbursable", "addressed_to_employee_or_beneficiary"}
    assert request.flagged is False
    # its document is stored privately, without personal data in its name,
    receipt = request.receipts.get()
    assert receipt.kind == "pdf" and receipt.file.name.startswith(f"reimbursements/{cast.employee_anna.pk}/")
    assert "Rossi" not in receipt.file.name and len(receipt.sha256) == 64
    # an event says who moved it from nothing to submitted,
    event = request.events.get()
    assert (event.actor, event.from_status, event.to_status) == (cast.employee_anna, "", S.SUBMITTED)
    # no money moved yet,
    assert request.ledger_transaction is None
    # and Anna and the operator got an e-mail (after commit).
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([cast.employee_anna.email, cast.operator_olga.email])


def test_nothing_is_sent_when_the_transaction_does_not_commit(cast, plan, sofia, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(cast.employee_anna, request_details(family_member=sofia))
    assert len(callbacks) == 2
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("decision", "reason", "expected"),
    [
        (APPROVE, "", S.APPROVED),
        (REQUEST_CHANGES, "Serve la fattura intestata.", S.CHANGES_REQUESTED),
        (REJECT, "Non è una spesa di istruzione.", S.REJECTED),
    ],
)
def test_the_reviewer_decides_and_the_employee_is_told(
    cast, submitted, decision, reason, expected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = decided(submitted, cast.operator_olga, decision, reason)

    assert result.status == expected
    assert result.decided_by == cast.operator_olga
    assert result.reason == reason
    event = result.events.order_by("pk").last()
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        cast.operator_olga,
        S.SUBMITTED,
        expected,
        reason,
    )
    assert [message.to for message in mail.outbox] == [[cast.employee_anna.email]]


def test_a_better_document_resubmits_the_same_request_and_keeps_the_old_document(cast, submitted, sofia):
    decided(submitted, cast.operator_olga, REQUEST_CHANGES, "La ricevuta non indica il servizio.")

    result = reimbursement_resubmit(
        actor=cast.employee_anna,
        request=submitted,
        details=request_details(family_member=sofia, amount=11_500),
        receipt=png_upload(),
    )

    assert result.status == S.SUBMITTED
    assert result.amount == 11_500
    assert [receipt.kind for receipt in result.receipts.order_by("pk")] == ["pdf", "png"]
    assert [(e.from_status, e.to_status) for e in result.events.order_by("pk")] == [
        ("", S.SUBMITTED),
        (S.SUBMITTED, S.CHANGES_REQUESTED),
        (S.CHANGES_REQUESTED, S.SUBMITTED),
    ]


def test_a_resubmission_needs_a_new_document(cast, submitted, sofia):
    decided(submitted, cast.operator_olga, REQUEST_CHANGES, "La ricevuta non indica il servizio.")
    before = _snapshot(submitted)

    with pytest.raises(InvalidInput) as refused:
        reimbursement_resubmit(
            actor=cast.employee_anna, request=submitted, details=request_details(family_member=sofia), receipt=None
        )

    assert "receipt" in refused.value.fields
    assert _snapshot(submitted) == before


# Every action from every state: the legal ones are above; all the others are refused and change nothing.
ACTIONS = ["approve", "request_changes", "reject", "resubmit", "withdraw"]
LEGAL = {
    (S.SUBMITTED, "approve"),
    (S.SUBMITTED, "request_changes"),
    (S.SUBMITTED, "reject"),
    (S.SUBMITTED, "withdraw"),
    (S.CHANGES_REQUESTED, "resubmit"),
    (S.CHANGES_REQUESTED, "withdraw"),
}
ILLEGAL = [(state, action) for state in S.values for action in ACTIONS if (state, action) not in LEGAL]


def _act(action: str, request: ReimbursementRequest, cast, sofia) -> None:
    if action in ("approve", "request_changes", "reject"):
        reimbursement_review(actor=cast.operator_olga, request=request, decision=action, reason="Motivo.")
    elif action == "resubmit":
        reimbursement_resubmit(
            actor=cast.employee_anna,
            request=request,
            details=request_details(family_member=sofia, amount=9_000),
            receipt=pdf_upload(),
        )
    else:
        reimbursement_withdraw(actor=cast.employee_anna, request=request)


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(cast, submitted, sofia, state, action):
    request = _bring_to(state, submitted, cast)
    before = _snapshot(request)

    with pytest.raises(Conflict):
        _act(action, request, cast, sofia)

    assert _snapshot(request) == before


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL))
def test_every_legal_transition_goes_where_the_diagram_says(cast, submitted, sofia, state, action):
    request = _bring_to(state, submitted, cast)
    _act(action, request, cast, sofia)
    request.refresh_from_db()
    expected = {
        "approve": S.APPROVED,
        "request_changes": S.CHANGES_REQUESTED,
        "reject": S.REJECTED,
        "resubmit": S.SUBMITTED,
        "withdraw": S.WITHDRAWN,
    }[action]
    assert request.status == expected


def test_a_refusal_needs_a_reason(cast, submitted):
    before = _snapshot(submitted)
    for decision in (REQUEST_CHANGES, REJECT):
        with pytest.raises(InvalidInput) as refused:
            decided(submitted, cast.operator_olga, decision, "   ")
        assert "reason" in refused.value.fields
    with pytest.raises(InvalidInput):
        decided(submitted, cast.operator_olga, "pay_twice")
    assert _snapshot(submitted) == before


# --- Who may review -----------------------------------------------------------------------------------------------


def test_by_default_the_operator_reviews_and_hr_may_not(cast, submitted):
    before = _snapshot(submitted)
    for outsider in (cast.hr_bruno, cast.hr_other_ivo, cast.supplier_carla, cast.citizen_franco, cast.employee_anna):
        with pytest.raises(NotPermitted):
            decided(submitted, outsider, APPROVE)
    assert _snapshot(submitted) == before


def test_when_the_company_chooses_hr_its_hr_reviews_and_the_operator_no_longer(cast, submitted):
    reimbursement_policy_set(actor=cast.hr_bruno, company=cast.company, reviewer=ReviewerKind.HR)
    before = _snapshot(submitted)
    for outsider in (cast.operator_olga, cast.hr_other_ivo, cast.employee_anna):
        with pytest.raises(NotPermitted):
            decided(submitted, outsider, APPROVE)
    assert _snapshot(submitted) == before

    assert decided(submitted, cast.hr_bruno, APPROVE).status == S.APPROVED


def test_an_hr_reviewer_never_decides_on_their_own_request(cast, plan):
    from conciliare.testing.factories import make_employee, make_member

    # Given Bruno's colleague Marta, who is both an employee and HR of the company that chose HR review,
    marta = make_member(
        make_employee(cast.company, first_name="Marta", last_name="Cortesi"), cast.company, "hr_manager"
    )
    from conciliare.plans.services import plan_enrol_new_employees

    plan_enrol_new_employees(plan=plan, actor=cast.hr_bruno)
    reimbursement_policy_set(actor=cast.hr_bruno, company=cast.company, reviewer=ReviewerKind.HR)
    own = submit(
        marta,
        request_details(bucket="art51_c2_dbis", category="public_transport_pass", addressed_to_name="Marta Cortesi"),
    )

    with pytest.raises(NotPermitted):
        decided(own, marta, APPROVE)
    assert decided(own, cast.hr_bruno, APPROVE).status == S.APPROVED


def test_only_hr_of_the_company_chooses_the_reviewer(cast):
    for outsider in (cast.hr_other_ivo, cast.operator_olga, cast.employee_anna):
        with pytest.raises(NotPermitted):
            reimbursement_policy_set(actor=outsider, company=cast.company, reviewer=ReviewerKind.HR)
    with pytest.raises(InvalidInput):
        reimbursement_policy_set(actor=cast.hr_bruno, company=cast.company, reviewer="nobody")
    assert not hasattr(cast.company, "reimbursement_policy") or cast.company.reimbursement_policy is None


def test_only_employees_ask(cast, plan):
    for outsider in (cast.citizen_franco, cast.supplier_carla, cast.operator_olga, cast.hr_bruno):
        with pytest.raises(NotAnEmployee):
            submit(outsider, request_details(addressed_to_name=outsider.full_name))
    assert ReimbursementRequest.objects.count() == 0


def test_only_the_employee_withdraws_or_resubmits(cast, submitted, other_plan, sofia):
    decided(submitted, cast.operator_olga, REQUEST_CHANGES, "Serve un documento migliore.")
    before = _snapshot(submitted)
    with pytest.raises(NotPermitted):
        reimbursement_withdraw(actor=cast.employee_other_ugo, request=submitted)
    with pytest.raises(NotPermitted):
        reimbursement_resubmit(
            actor=cast.employee_other_ugo, request=submitted, details=request_details(), receipt=pdf_upload()
        )
    assert _snapshot(submitted) == before


def test_the_same_expense_or_the_same_document_cannot_be_asked_twice(cast, submitted, sofia):
    before = ReimbursementRequest.objects.count()
    with pytest.raises(Conflict):  # double submit: the same expense again
        submit(cast.employee_anna, request_details(family_member=sofia))
    document = pdf_upload(content=b"%PDF-1.4\n% the same document\n%%EOF\n")
    submit(cast.employee_anna, request_details(family_member=sofia, amount=5_000), receipt=document)
    with pytest.raises(Conflict):  # the same document for another amount
        submit(
            cast.employee_anna,
            request_details(family_member=sofia, amount=7_000),
            receipt=pdf_upload(content=b"%PDF-1.4\n% the same document\n%%EOF\n"),
        )
    assert ReimbursementRequest.objects.count() == before + 1
