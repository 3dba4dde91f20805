"""The pages: the employee asks and follows, the reviewer decides; every other role gets a 404 and changes nothing;
list pages run a fixed number of queries."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conciliare.core.models import AccessLog
from conciliare.ledger.models import LedgerTransaction
from conciliare.reimbursements.models import (
    ReimbursementEvent,
    ReimbursementPolicy,
    ReimbursementRequest,
    ReimbursementStatus,
    ReviewerKind,
)
from conciliare.reimbursements.services import APPROVE, REQUEST_CHANGES, reimbursement_policy_set

from .factories import decided, pdf_upload, png_upload, request_details, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as(client, login):
    def _as(user):
        client.cookies["django_language"] = "en"
        if user is None:
            client.logout()
            return client
        return login(user)

    return _as


@pytest.fixture
def anna_request(cast, plan, sofia):
    return submit(cast.employee_anna, request_details(family_member=sofia))


def _form(sofia, **overrides):
    data = {
        "expense": "art51_c2_fbis:nursery",
        "family_member": str(sofia.pk),
        "amount": "120.50",  # the page is in English
        "expense_date": request_details().expense_date.isoformat(),
        "addressed_to_name": "Anna Rossi",
        "addressed_to_fiscal_code": "",
        "names_beneficiary": "on",
        "names_service": "on",
        "description": "",
        "action": "submit",
    }
    data.update(overrides)
    return data


def _state() -> tuple:
    return (
        list(ReimbursementRequest.objects.order_by("pk").values_list("pk", "status", "amount")),
        ReimbursementEvent.objects.count(),
        LedgerTransaction.objects.count(),
        ReimbursementPolicy.objects.count(),
    )


# --- The employee -----------------------------------------------------------------------------------------------


def test_the_employee_asks_through_the_form_and_follows_the_request(
    cast, plan, sofia, client_as, django_capture_on_commit_callbacks
):
    client = client_as(cast.employee_anna)

    page = client.get(reverse("reimbursements:create"))
    assert page.status_code == 200
    assert "art51_c2_fbis:nursery" in page.content.decode()
    assert "art51_c2_f:" not in page.content.decode()  # letter f never refunds

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reimbursements:create"), {**_form(sofia), "receipt": pdf_upload()})

    assert response.status_code == 302, response.content.decode()[-3000:]
    request = ReimbursementRequest.objects.get()
    assert response["Location"] == reverse("reimbursements:detail", args=[request.pk])
    assert request.amount == 12_050
    assert request.family_member == sofia
    assert len(mail.outbox) == 2

    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert detail.status_code == 200
    assert "Awaiting review" in body and 'aria-current="step"' in body
    assert "The document is addressed to the worker" in body  # the stored checklist

    listing = client.get(reverse("reimbursements:list"))
    assert f'data-request="{request.pk}"' in listing.content.decode()


def test_the_check_button_shows_the_checklist_and_saves_nothing(cast, plan, sofia, client_as):
    client = client_as(cast.employee_anna)

    response = client.post(
        reverse("reimbursements:create"), _form(sofia, action="check", addressed_to_name="Marco Bianchi")
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-item="addressed_to_employee_or_beneficiary" data-passed="no"' in body
    assert 'data-item="names_service" data-passed="yes"' in body
    assert ReimbursementRequest.objects.count() == 0


def test_a_blocked_request_is_refused_with_the_checklist_and_nothing_saved(cast, plan, client_as):
    client = client_as(cast.employee_anna)

    # f-bis is for family members: asking it for herself is blocked by the rules.
    response = client.post(
        reverse("reimbursements:create"),
        {**_form(cast.employee_anna.family_members.first(), family_member=""), "receipt": pdf_upload()},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-item="service_for_beneficiary" data-passed="no"' in body
    assert "cannot be refunded from this credit" in body
    assert ReimbursementRequest.objects.count() == 0


def test_the_employee_sends_a_better_document(cast, anna_request, sofia, client_as):
    decided(anna_request, cast.operator_olga, REQUEST_CHANGES, "La ricevuta è illeggibile.")
    client = client_as(cast.employee_anna)

    page = client.get(reverse("reimbursements:resubmit", args=[anna_request.pk]))
    assert page.status_code == 200 and "La ricevuta è illeggibile." in page.content.decode()

    response = client.post(
        reverse("reimbursements:resubmit", args=[anna_request.pk]), {**_form(sofia), "receipt": png_upload()}
    )

    assert response.status_code == 302
    anna_request.refresh_from_db()
    assert anna_request.status == ReimbursementStatus.SUBMITTED
    assert anna_request.receipts.count() == 2


def test_the_employee_withdraws(cast, anna_request, client_as):
    response = client_as(cast.employee_anna).post(reverse("reimbursements:withdraw", args=[anna_request.pk]))
    assert response.status_code == 302
    anna_request.refresh_from_db()
    assert anna_request.status == ReimbursementStatus.WITHDRAWN


def test_the_receipt_is_served_privately_to_the_employee_and_logged(cast, anna_request, client_as):
    receipt = anna_request.receipts.get()
    response = client_as(cast.employee_anna).get(reverse("reimbursements:receipt", args=[anna_request.pk, receipt.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.subject_user_id) == (cast.employee_anna, "download", cast.employee_anna.pk)


# --- The reviewer -----------------------------------------------------------------------------------------------


def test_the_operator_reviews_from_the_queue(cast, anna_request, client_as):
    client = client_as(cast.operator_olga)

    queue = client.get(reverse("reimbursements:review_list"))
    assert queue.status_code == 200 and f'data-request="{anna_request.pk}"' in queue.content.decode()
    page = client.get(reverse("reimbursements:review", args=[anna_request.pk]))
    assert page.status_code == 200 and "Record the decision" in page.content.decode()
    receipt = anna_request.receipts.get()
    assert client.get(reverse("reimbursements:receipt", args=[anna_request.pk, receipt.pk])).status_code == 200

    response = client.post(reverse("reimbursements:review", args=[anna_request.pk]), {"decision": APPROVE})

    assert response.status_code == 302
    anna_request.refresh_from_db()
    assert anna_request.status == ReimbursementStatus.APPROVED
    # A second click finds it decided: a message, not an error page, and no second posting.
    count = LedgerTransaction.objects.count()
    again = client.post(reverse("reimbursements:review", args=[anna_request.pk]), {"decision": APPROVE})
    assert again.status_code == 302
    assert LedgerTransaction.objects.count() == count


def test_a_rejection_without_a_reason_is_a_form_error(cast, anna_request, client_as):
    before = _state()
    response = client_as(cast.operator_olga).post(
        reverse("reimbursements:review", args=[anna_request.pk]), {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 400
    assert "A reason is required." in response.content.decode()
    assert _state() == before


def test_queue_filters(cast, anna_request, client_as):
    client = client_as(cast.operator_olga)
    flagged_only = client.get(reverse("reimbursements:review_list"), {"segnalati": "si"})
    assert f'data-request="{anna_request.pk}"' not in flagged_only.content.decode()
    by_company = client.get(reverse("reimbursements:review_list"), {"azienda": cast.company.pk, "stato": "tutti"})
    assert f'data-request="{anna_request.pk}"' in by_company.content.decode()
    other = client.get(reverse("reimbursements:review_list"), {"azienda": cast.other_company.pk})
    assert f'data-request="{anna_request.pk}"' not in other.content.decode()
    nonsense = client.get(reverse("reimbursements:review_list"), {"azienda": "x'; --", "stato": "??", "pagina": "-1"})
    assert nonsense.status_code == 200


def test_hr_chooses_to_review_and_then_reviews(cast, anna_request, client_as):
    client = client_as(cast.hr_bruno)
    assert client.get(reverse("reimbursements:review", args=[anna_request.pk])).status_code == 404

    response = client.post(reverse("reimbursements:policy", args=[cast.company.pk]), {"reviewer": ReviewerKind.HR})

    assert response.status_code == 302
    assert client.get(reverse("reimbursements:review", args=[anna_request.pk])).status_code == 200
    assert (
        client_as(cast.operator_olga).get(reverse("reimbursements:review", args=[anna_request.pk])).status_code == 404
    )


# --- The role matrix --------------------------------------------------------------------------------------------

OUTSIDERS = ["employee_other_ugo", "hr_bruno", "hr_other_ivo", "supplier_carla", "citizen_franco", "committee_cesare"]


@pytest.mark.parametrize("role", [*OUTSIDERS, "operator_olga"])
def test_other_people_cannot_see_or_change_anna_s_request_as_its_owner(cast, anna_request, client_as, role):
    client = client_as(getattr(cast, role))
    before = _state()
    for name in ("detail", "resubmit"):
        assert client.get(reverse(f"reimbursements:{name}", args=[anna_request.pk])).status_code == 404, name
    assert client.post(reverse("reimbursements:withdraw", args=[anna_request.pk])).status_code == 404
    assert (
        client.post(reverse("reimbursements:resubmit", args=[anna_request.pk]), {"receipt": pdf_upload()}).status_code
        == 404
    )
    assert _state() == before


@pytest.mark.parametrize("role", [*OUTSIDERS, "employee_anna"])
def test_only_the_reviewer_sees_the_queue_and_decides(cast, anna_request, client_as, role):
    client = client_as(getattr(cast, role))
    before = _state()
    assert client.get(reverse("reimbursements:review_list")).status_code == 404
    assert client.get(reverse("reimbursements:review", args=[anna_request.pk])).status_code == 404
    assert (
        client.post(reverse("reimbursements:review", args=[anna_request.pk]), {"decision": APPROVE}).status_code == 404
    )
    assert _state() == before


@pytest.mark.parametrize("role", [*OUTSIDERS])
def test_the_receipt_is_not_served_to_anybody_else(cast, anna_request, client_as, role):
    receipt = anna_request.receipts.get()
    response = client_as(getattr(cast, role)).get(reverse("reimbursements:receipt", args=[anna_request.pk, receipt.pk]))
    assert response.status_code == 404
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("role", ["employee_anna", "hr_other_ivo", "operator_olga", "supplier_carla", "citizen_franco"])
def test_only_the_company_s_hr_chooses_the_reviewer(cast, client_as, role):
    client = client_as(getattr(cast, role))
    assert client.get(reverse("reimbursements:policy", args=[cast.company.pk])).status_code == 404
    assert client.post(reverse("reimbursements:policy", args=[cast.company.pk]), {"reviewer": "hr"}).status_code == 404
    assert ReimbursementPolicy.objects.count() == 0


def test_anonymous_people_are_sent_to_sign_in(cast, anna_request, client_as):
    client = client_as(None)
    receipt = anna_request.receipts.get()
    for url in (
        reverse("reimbursements:list"),
        reverse("reimbursements:create"),
        reverse("reimbursements:detail", args=[anna_request.pk]),
        reverse("reimbursements:receipt", args=[anna_request.pk, receipt.pk]),
        reverse("reimbursements:review_list"),
        reverse("reimbursements:review", args=[anna_request.pk]),
        reverse("reimbursements:policy", args=[cast.company.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"], url


def test_hr_reviewing_sees_its_company_only(cast, anna_request, other_plan, client_as):
    ugo_request = submit(
        cast.employee_other_ugo,
        request_details(
            bucket="art51_c2_fter",
            category="home_care",
            family_member=cast.employee_other_ugo.family_members.get(),
            addressed_to_name="Ugo Belotti",
        ),
    )
    reimbursement_policy_set(actor=cast.hr_bruno, company=cast.company, reviewer=ReviewerKind.HR)
    client = client_as(cast.hr_bruno)
    body = client.get(reverse("reimbursements:review_list")).content.decode()
    assert f'data-request="{anna_request.pk}"' in body
    assert f'data-request="{ugo_request.pk}"' not in body
    assert client.get(reverse("reimbursements:review", args=[ugo_request.pk])).status_code == 404
    # The operator still reviews Ugo's company, no longer Anna's.
    operator_body = client_as(cast.operator_olga).get(reverse("reimbursements:review_list")).content.decode()
    assert f'data-request="{ugo_request.pk}"' in operator_body
    assert f'data-request="{anna_request.pk}"' not in operator_body


# --- Query counts -----------------------------------------------------------------------------------------------


def _requests(cast, sofia, count: int) -> None:
    for index in range(count):
        submit(cast.employee_anna, request_details(family_member=sofia, amount=100 + index))


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page_name", ["reimbursements:list", "reimbursements:review_list"])
def test_list_pages_run_the_same_queries_for_2_or_12_rows(cast, plan, sofia, client_as, page_name):
    user = cast.employee_anna if page_name == "reimbursements:list" else cast.operator_olga
    client = client_as(user)
    url = reverse(page_name)
    _requests(cast, sofia, 2)
    with_two = _queries(client, url)
    _requests_more = [
        submit(cast.employee_anna, request_details(family_member=sofia, amount=500 + i)) for i in range(10)
    ]
    assert len(_requests_more) == 10
    assert _queries(client, url) == with_two


def test_the_pages_render_in_italian(cast, anna_request, client, login):
    # Given the default language, every page renders (the messages are translated later by `make messages`).
    client.cookies["django_language"] = "it"
    login(cast.employee_anna)
    for url in (
        reverse("reimbursements:list"),
        reverse("reimbursements:create"),
        reverse("reimbursements:detail", args=[anna_request.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="it">' in response.content.decode()
    login(cast.operator_olga)
    assert client.get(reverse("reimbursements:review", args=[anna_request.pk])).status_code == 200
    login(cast.hr_bruno)
    assert client.get(reverse("reimbursements:policy", args=[cast.company.pk])).status_code == 200
