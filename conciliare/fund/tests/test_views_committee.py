"""The committee's pages: the queue, reading an application (logged), voting, asking for documents.
Every refusal is a 4xx that changes nothing; anyone outside the committee gets the generic 404."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conciliare.accounts.models import MembershipRole
from conciliare.core.models import AccessLog
from conciliare.ledger import services as ledger
from conciliare.ledger.models import LedgerTransaction
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import make_employee, make_member

from ..models import ApplicationStatus, CommitteeVote, FundApplication, Grant, HardshipEvent
from ..notifications import committee_emails
from ..services import committee_request_info, committee_vote
from .factories import PDF_BYTES, fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db

GENERIC_404 = "This page does not exist or is not yours to see."
OUTSIDERS = [
    "hr_bruno",
    "operator_olga",
    "supplier_carla",
    "employee_other_ugo",
    "citizen_franco",
    "consultant_dario",
    "monitoring_elena",
    "employee_anna",  # the applicant herself: her own pages, never the committee's
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_as(client, login):
    def _as(user):
        client.cookies["django_language"] = "en"
        return login(user)

    return _as


@pytest.fixture
def members(cast):
    """Cesare and a second member of the committee."""
    return [cast.committee_cesare, *make_committee(1)]


@pytest.fixture
def anna_application(cast):
    return submit(cast.employee_anna, events=[HardshipEvent.SERIOUS_ILLNESS, HardshipEvent.JOB_LOSS])


def _state() -> tuple:
    return (
        list(FundApplication.objects.order_by("pk").values_list("pk", "status", "info_request")),
        list(CommitteeVote.objects.order_by("pk").values_list("pk", "vote", "amount")),
        Grant.objects.count(),
        LedgerTransaction.objects.count(),
    )


def _approve(client, application, amount="400,00"):
    return client.post(
        reverse("fund:committee_vote", args=[application.pk]), {"vote": "approve", "amount": amount, "reason": ""}
    )


# --- The queue ----------------------------------------------------------------------------------------------------


def test_the_queue_lists_applications_by_score_then_date_without_names(cast, client_as, members, anna_application):
    ugo_application = submit(cast.employee_other_ugo, events=[HardshipEvent.BEREAVEMENT], isee=2_500_000)
    committee_vote(member=members[1], application_id=anna_application.pk, vote="approve", amount=10_000)

    page = client_as(members[0]).get(reverse("fund:committee_queue"))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(anna_application.reference) < html.index(ugo_application.reference)  # 30+25+20+6 > 20+5+6
    assert str(anna_application.score) in html
    assert "Serious illness or disability in the household" in html or "serious illness" in html
    assert "1 of 2" in html  # approvals so far
    assert "to vote" in html
    assert "Rossi" not in html and "Tessitura" not in html  # the queue names references, not people


def test_the_queue_filters_by_status(cast, client_as, members, anna_application):
    ugo_application = submit(cast.employee_other_ugo)
    committee_request_info(member=members[1], application_id=ugo_application.pk, message="Manca l'ISEE.")
    client = client_as(members[0])

    waiting = client.get(reverse("fund:committee_queue"), {"stato": "info_requested"}).content.decode()
    default = client.get(reverse("fund:committee_queue")).content.decode()
    everything = client.get(reverse("fund:committee_queue"), {"stato": "tutti"}).content.decode()

    assert ugo_application.reference in waiting and anna_application.reference not in waiting
    assert anna_application.reference in default and ugo_application.reference not in default
    assert anna_application.reference in everything and ugo_application.reference in everything


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("fund:committee_queue"), {"stato": "tutti"})
    assert response.status_code == 200
    return len(queries)


def test_the_queue_runs_the_same_queries_for_3_or_30_applications(cast, client_as, members):
    client = client_as(members[0])
    workers = [make_employee(cast.company, first_name=f"Lavoratore{n}") for n in range(30)]
    for worker in workers[:3]:
        submit(worker)
    with_three = _queue_queries(client)
    for worker in workers[3:]:
        submit(worker)
    committee_vote(member=members[0], application_id=FundApplication.objects.first().pk, vote="reject", reason="No")

    assert _queue_queries(client) == with_three


# --- Reading an application ---------------------------------------------------------------------------------------


def test_a_member_reads_everything_and_the_opening_is_logged(cast, client_as, members, anna_application):
    fund_the_fund(80_000)
    member = members[0]

    page = client_as(member).get(reverse("fund:committee_detail", args=[anna_application.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Anna Rossi" in html and "Tessitura Sebina" in html
    assert "INPS-ISEE-2026-00001234" in html
    assert "€10,000.00" in html  # ISEE
    assert "ISEE band" in html and "Household size" in html  # the breakdown, part by part
    assert "Scored by regulation version 1." in html
    assert 'data-room="150000"' in html
    assert 'data-fund="80000"' in html
    assert reverse("fund:committee_document", args=[anna_application.pk, anna_application.documents.get().pk]) in html
    log = AccessLog.objects.get(actor=member, object_type="fund.FundApplication")
    assert (log.action, log.object_id, log.subject_user_id) == ("view", str(anna_application.pk), None)


def test_a_member_downloads_a_document_and_it_is_logged(cast, client_as, members, anna_application):
    document = anna_application.documents.get()

    response = client_as(members[0]).get(reverse("fund:committee_document", args=[anna_application.pk, document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Cache-Control"] == "private, no-store"
    log = AccessLog.objects.get(actor=members[0], object_type="fund.ApplicationDocument")
    assert (log.action, log.object_id, log.subject_user_id) == ("download", str(document.pk), None)


# --- Deciding -----------------------------------------------------------------------------------------------------


def test_two_members_approve_through_the_pages_and_the_grant_is_credited(cast, client_as, members, anna_application):
    fund_the_fund(100_000)
    first, second = members

    after_first = _approve(client_as(first), anna_application, "500,00")
    anna_application.refresh_from_db()
    assert after_first.status_code == 302
    assert anna_application.status == ApplicationStatus.SUBMITTED
    after_second = client_as(second).post(
        reverse("fund:committee_vote", args=[anna_application.pk]),
        {"vote": "approve", "amount": "400.00", "reason": "Situazione grave."},
        follow=True,
    )

    anna_application.refresh_from_db()
    grant = Grant.objects.get(application=anna_application)
    grant.wallet.refresh_from_db()
    assert anna_application.status == ApplicationStatus.APPROVED
    assert grant.amount == 40_000  # the smallest amount approved
    assert grant.wallet.owner_user == cast.employee_anna
    assert grant.wallet.balance == 40_000
    assert ledger.solidarity_fund_account().balance == 60_000
    assert ledger_verify().clean
    assert "a grant of €400.00 has been credited" in after_second.content.decode()


def test_a_member_cannot_vote_twice(cast, client_as, members, anna_application):
    fund_the_fund(100_000)
    client = client_as(members[0])
    _approve(client, anna_application)
    before = _state()

    again = _approve(client, anna_application)

    assert again.status_code == 409
    assert "You have already voted on this application." in again.content.decode()
    assert _state() == before
    assert CommitteeVote.objects.filter(member=members[0]).count() == 1


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        # The services format euro the Italian way, whatever the page's language.
        ({"vote": "approve", "amount": "2.000,00"}, 400, "at most 1.500,00 € more this year"),
        ({"vote": "approve", "amount": ""}, 400, "Approve with a positive amount."),
        ({"vote": "approve", "amount": "0"}, 400, "Approve with a positive amount."),
        ({"vote": "approve", "amount": "tanti"}, 400, "Write the amount in euro"),
        ({"vote": "reject", "reason": "  "}, 400, "Give the reason for rejecting."),
        ({"vote": "abstain"}, 400, "Select a valid choice. abstain is not one of the available choices."),
        ({}, 400, "This field is required."),
    ],
)
def test_a_wrong_vote_is_refused_and_changes_nothing(cast, client_as, members, anna_application, data, status, message):
    fund_the_fund(500_000)
    before = _state()

    response = client_as(members[0]).post(reverse("fund:committee_vote", args=[anna_application.pk]), data)

    assert response.status_code == status
    assert message in response.content.decode()
    assert _state() == before


def test_the_fund_is_never_overdrawn(cast, client_as, members, anna_application):
    fund_the_fund(30_000)
    _approve(client_as(members[0]), anna_application, "400,00")
    before = _state()

    response = _approve(client_as(members[1]), anna_application, "400,00")

    assert response.status_code == 409
    assert "The fund has 300,00 € available" in response.content.decode()
    assert _state() == before
    assert ledger.solidarity_fund_account().balance == 30_000


def test_two_rejections_decide_and_later_votes_are_refused(cast, client_as, members, anna_application):
    third = make_committee(1)[0]
    for member in members:
        response = client_as(member).post(
            reverse("fund:committee_vote", args=[anna_application.pk]),
            {"vote": "reject", "reason": "ISEE non coerente."},
        )
        assert response.status_code == 302
    anna_application.refresh_from_db()
    assert anna_application.status == ApplicationStatus.REJECTED
    before = _state()

    late = _approve(client_as(third), anna_application)

    assert late.status_code == 409
    assert "This application has already been decided." in late.content.decode()
    assert _state() == before


def test_a_member_asks_for_more_documents(cast, client_as, members, anna_application):
    client = client_as(members[0])

    asked = client.post(
        reverse("fund:committee_request", args=[anna_application.pk]), {"message": "Serve il certificato medico."}
    )
    empty = client.post(reverse("fund:committee_request", args=[anna_application.pk]), {"message": " "})
    twice = client.post(reverse("fund:committee_request", args=[anna_application.pk]), {"message": "Ancora."})
    vote_meanwhile = _approve(client_as(members[1]), anna_application)

    anna_application.refresh_from_db()
    assert asked.status_code == 302
    assert anna_application.status == ApplicationStatus.INFO_REQUESTED
    assert anna_application.info_request == "Serve il certificato medico."
    assert empty.status_code == 400
    assert twice.status_code == 409
    assert vote_meanwhile.status_code == 409
    assert "waiting for the applicant" in vote_meanwhile.content.decode()
    assert not CommitteeVote.objects.exists()


# --- Nobody else --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_outside_the_committee_reaches_its_pages(cast, client_as, anna_application, who):
    fund_the_fund(100_000)
    document = anna_application.documents.get()
    client = client_as(getattr(cast, who))
    before = _state()

    responses = [
        client.get(reverse("fund:committee_queue")),
        client.get(reverse("fund:committee_queue"), {"stato": "tutti"}),
        client.get(reverse("fund:committee_detail", args=[anna_application.pk])),
        client.get(reverse("fund:committee_document", args=[anna_application.pk, document.pk])),
        client.post(reverse("fund:committee_vote", args=[anna_application.pk]), {"vote": "approve", "amount": "1"}),
        client.post(reverse("fund:committee_vote", args=[anna_application.pk]), {"vote": "nonsense"}),
        client.post(reverse("fund:committee_request", args=[anna_application.pk]), {"message": "Dammi tutto."}),
        client.post(reverse("fund:committee_request", args=[anna_application.pk]), {"message": ""}),
    ]

    for response in responses:
        assert response.status_code == 404
        html = response.content.decode()
        assert GENERIC_404 in html
        assert anna_application.reference not in html
    assert _state() == before
    assert (
        not AccessLog.objects.filter(actor=getattr(cast, who), object_type__startswith="fund.")
        .exclude(
            action="create"  # Anna's own submission
        )
        .exists()
    )


def test_an_unknown_application_looks_like_a_forbidden_one(cast, client_as, members, anna_application):
    client = client_as(members[0])

    missing = client.get(reverse("fund:committee_detail", args=[anna_application.pk + 1000]))
    wrong_document = client.get(
        reverse("fund:committee_document", args=[anna_application.pk, anna_application.documents.get().pk + 1000])
    )

    assert missing.status_code == wrong_document.status_code == 404
    assert GENERIC_404 in missing.content.decode()


def test_a_member_who_applied_never_sees_their_own_application(cast, client_as, members):
    make_member(cast.employee_anna, cast.operator, MembershipRole.FUND_COMMITTEE)
    own = submit(cast.employee_anna)
    other = submit(cast.employee_other_ugo)
    client = client_as(cast.employee_anna)
    before = _state()

    queue = client.get(reverse("fund:committee_queue"), {"stato": "tutti"}).content.decode()
    refused = [
        client.get(reverse("fund:committee_detail", args=[own.pk])),
        client.get(reverse("fund:committee_document", args=[own.pk, own.documents.get().pk])),
        _approve(client, own),
        client.post(reverse("fund:committee_request", args=[own.pk]), {"message": "Io stessa."}),
    ]

    assert other.reference in queue and own.reference not in queue
    assert [response.status_code for response in refused] == [404, 404, 404, 404]
    assert _state() == before
    assert client.get(reverse("fund:committee_detail", args=[other.pk])).status_code == 200


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_console_staff_never_sit_on_the_committee(cast, client_as, members, anna_application, flag):
    """Separation of duties: whoever can use the console could appoint themselves; a membership is not enough."""
    staff = make_committee(1)[0]
    setattr(staff, flag, True)
    staff.save(update_fields=[flag])
    client = client_as(staff)
    before = _state()

    refused = [
        client.get(reverse("fund:committee_queue")),
        client.get(reverse("fund:committee_detail", args=[anna_application.pk])),
        client.get(reverse("fund:committee_document", args=[anna_application.pk, anna_application.documents.get().pk])),
        _approve(client, anna_application),
        client.post(reverse("fund:committee_request", args=[anna_application.pk]), {"message": "Io."}),
    ]

    assert [response.status_code for response in refused] == [404, 404, 404, 404, 404]
    assert all(GENERIC_404 in response.content.decode() for response in refused)
    assert _state() == before
    assert not AccessLog.objects.filter(actor=staff).exists()
    assert staff.email not in committee_emails()
    assert {member.email for member in members} <= set(committee_emails())


def test_console_staff_are_not_e_mailed_about_new_applications(cast, members, django_capture_on_commit_callbacks):
    staff = make_committee(1)[0]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        submit(cast.employee_other_ugo)

    recipients = {address for message in mail.outbox for address in message.to}
    assert staff.email not in recipients
    assert members[1].email in recipients
