"""The fund's rules at service level: who may apply and when, the committee's votes (two different
members agree, one vote each, reasons for a rejection), requests for documents, withdrawal, the
yearly maximum per person and the fund's balance. On every refusal nothing changes."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation

from conciliare.accounts.models import MembershipRole
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.core.models import AccessLog
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, Entry
from conciliare.ledger.verification import ledger_verify
from conciliare.testing.factories import OrganizationFactory, make_employee, make_member

from ..models import GRANT_BUCKET, ApplicationStatus, CommitteeVote, FundApplication, Grant, HardshipEvent
from ..regulation import DEFAULT_REGULATION, regulation_in_force, regulation_publish
from ..selectors import application_open_for_committee, committee_queue
from ..services import (
    ApplicationInput,
    add_months,
    application_reply,
    application_submit,
    application_withdraw,
    committee_request_info,
    committee_vote,
    grant_room,
)
from .factories import fund_the_fund, make_committee, pdf_document, submit

pytestmark = pytest.mark.django_db


def fund_balance() -> int:
    return ledger.solidarity_fund_account().balance


def snapshot(application: FundApplication) -> tuple:
    """What a refused operation must leave as it was."""
    application.refresh_from_db()
    return (
        application.status,
        application.decided_at,
        application.info_request,
        CommitteeVote.objects.filter(application=application).count(),
        Grant.objects.count(),
        Entry.objects.count(),
        fund_balance(),
    )


def publish(actor, **changes):
    return regulation_publish(actor=actor, fields={**DEFAULT_REGULATION, "note": "prova", **changes})


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the Italian catalogue is checked by make test)."""
    with translation.override("en"):
        yield


@pytest.fixture
def committee():
    return make_committee(3)


@pytest.fixture
def funded():
    fund_the_fund(500_000)


# --------------------------------------------------------------------------------------------------
# Two approvals by different members
# --------------------------------------------------------------------------------------------------


def test_one_approval_decides_nothing_two_make_the_smallest_grant(
    cast, committee, funded, django_capture_on_commit_callbacks
):
    first, second, _third = committee
    application = submit(cast.employee_anna)

    committee_vote(member=first, application_id=application.pk, vote="approve", amount=80_000)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Grant.objects.exists()
    assert fund_balance() == 500_000

    with django_capture_on_commit_callbacks(execute=True):
        committee_vote(member=second, application_id=application.pk, vote="approve", amount=60_000, reason="ok")

    application.refresh_from_db()
    grant = Grant.objects.get(application=application)
    assert application.status == ApplicationStatus.APPROVED and application.decided_at is not None
    assert (grant.amount, grant.beneficiary, grant.returned) == (60_000, cast.employee_anna, 0)
    assert grant.expires_on == add_months(timezone.localdate(), 12)
    assert (grant.events, grant.district) == (application.events, application.district)
    wallet = grant.wallet
    assert (wallet.kind, wallet.owner_user, wallet.fiscal_bucket) == (
        AccountKind.EMPLOYEE_WALLET,
        cast.employee_anna,
        GRANT_BUCKET,
    )
    assert wallet.plan_reference == f"grant:{application.pk}"
    with translation.override("it"):  # ledger names are in the platform's language, whoever votes
        expected = translation.gettext("Solidarity grant %(reference)s") % {"reference": application.reference}
    assert wallet.name == expected  # a reference, never the person
    assert (wallet.balance, fund_balance()) == (60_000, 440_000)
    assert [message.to for message in mail.outbox] == [[cast.employee_anna.email]]
    assert ledger_verify().clean


def test_a_regulation_asking_three_approvals_waits_for_the_third(cast, committee, funded):
    publish(cast.operator_olga, approvals_required=3)
    application = submit(cast.employee_anna)

    for member in committee[:2]:
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=50_000)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    committee_vote(member=committee[2], application_id=application.pk, vote="approve", amount=70_000)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.grant.amount == 50_000


def test_one_member_cannot_approve_twice(cast, committee, funded):
    first = committee[0]
    application = submit(cast.employee_anna)
    committee_vote(member=first, application_id=application.pk, vote="approve", amount=50_000)
    before = snapshot(application)

    for vote, amount, reason in [("approve", 50_000, ""), ("reject", None, "ci ho ripensato")]:
        with pytest.raises(Conflict, match="already voted"):
            committee_vote(member=first, application_id=application.pk, vote=vote, amount=amount, reason=reason)

    assert snapshot(application) == before
    assert application.status == ApplicationStatus.SUBMITTED


def test_one_approval_and_one_rejection_decide_nothing(cast, committee, funded):
    application = submit(cast.employee_anna)
    committee_vote(member=committee[0], application_id=application.pk, vote="approve", amount=50_000)
    committee_vote(member=committee[1], application_id=application.pk, vote="reject", reason="ISEE non attestato")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Grant.objects.exists()

    committee_vote(member=committee[2], application_id=application.pk, vote="approve", amount=40_000)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.grant.amount == 40_000


# --------------------------------------------------------------------------------------------------
# Rejection
# --------------------------------------------------------------------------------------------------


def test_a_rejection_needs_a_reason_and_nothing_is_recorded_without_it(cast, committee, funded):
    application = submit(cast.employee_anna)
    before = snapshot(application)

    for reason in ["", "   \n"]:
        with pytest.raises(InvalidInput) as refused:
            committee_vote(member=committee[0], application_id=application.pk, vote="reject", reason=reason)
        assert list(refused.value.fields) == ["reason"]

    assert snapshot(application) == before


def test_two_rejections_with_reasons_reject_and_keep_both_reasons(
    cast, committee, funded, django_capture_on_commit_callbacks
):
    application = submit(cast.employee_anna)
    committee_vote(member=committee[0], application_id=application.pk, vote="reject", reason="Reddito oltre la soglia")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        committee_vote(
            member=committee[1], application_id=application.pk, vote="reject", amount=99_999, reason="Documenti assenti"
        )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "Reddito oltre la soglia\nDocumenti assenti"
    assert list(CommitteeVote.objects.filter(application=application).values_list("amount", flat=True)) == [None, None]
    assert not Grant.objects.exists()
    assert fund_balance() == 500_000
    assert [message.to for message in mail.outbox] == [[cast.employee_anna.email]]

    with pytest.raises(Conflict, match="already been decided"):
        committee_vote(member=committee[2], application_id=application.pk, vote="approve", amount=10_000)


# --------------------------------------------------------------------------------------------------
# More documents, withdrawal
# --------------------------------------------------------------------------------------------------


def test_info_request_then_reply_puts_the_application_back_in_the_queue(cast, committee, funded):
    member = committee[0]
    application = submit(cast.employee_anna)

    committee_request_info(member=member, application_id=application.pk, message="Serve il certificato INPS.")
    application.refresh_from_db()
    assert (application.status, application.info_request) == (
        ApplicationStatus.INFO_REQUESTED,
        "Serve il certificato INPS.",
    )
    # While the committee waits, nobody votes and nobody asks again.
    with pytest.raises(Conflict, match="waiting for the applicant"):
        committee_vote(member=committee[1], application_id=application.pk, vote="approve", amount=10_000)
    with pytest.raises(Conflict):
        committee_request_info(member=committee[1], application_id=application.pk, message="Anche il contratto.")
    assert not CommitteeVote.objects.exists()
    assert [a.pk for a in committee_queue(member, status=ApplicationStatus.SUBMITTED)] == []

    application_reply(
        applicant=cast.employee_anna, application_id=application.pk, reply="Allegato.", documents=[pdf_document()]
    )

    application.refresh_from_db()
    assert (application.status, application.applicant_reply) == (ApplicationStatus.SUBMITTED, "Allegato.")
    assert application.documents.count() == 2
    assert [a.pk for a in committee_queue(member, status=ApplicationStatus.SUBMITTED)] == [application.pk]
    committee_vote(member=committee[1], application_id=application.pk, vote="approve", amount=10_000)


def test_an_info_request_needs_a_message_and_a_reply_needs_a_request(cast, committee):
    application = submit(cast.employee_anna)
    before = snapshot(application)

    with pytest.raises(InvalidInput):
        committee_request_info(member=committee[0], application_id=application.pk, message="  ")
    with pytest.raises(InvalidInput):
        committee_request_info(member=committee[0], application_id=application.pk, message="x" * 4001)
    with pytest.raises(Conflict):
        application_reply(applicant=cast.employee_anna, application_id=application.pk, reply="Eccomi", documents=[])

    assert snapshot(application) == before


def test_the_applicant_withdraws_and_the_committee_can_no_longer_vote(cast, committee, funded):
    application = submit(cast.employee_anna)
    committee_vote(member=committee[0], application_id=application.pk, vote="approve", amount=10_000)

    with pytest.raises(NotPermitted):  # somebody else's application does not exist for Ugo
        application_withdraw(applicant=cast.employee_other_ugo, application_id=application.pk)
    application_withdraw(applicant=cast.employee_anna, application_id=application.pk)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN and application.decided_at is not None
    before = snapshot(application)
    with pytest.raises(NotPermitted):  # consent withdrawn: the committee no longer reaches it at all
        committee_vote(member=committee[1], application_id=application.pk, vote="approve", amount=10_000)
    with pytest.raises(Conflict):
        application_withdraw(applicant=cast.employee_anna, application_id=application.pk)
    assert snapshot(application) == before
    # A withdrawn application no longer blocks a new one.
    assert submit(cast.employee_anna).status == ApplicationStatus.SUBMITTED


def test_one_open_application_per_person(cast):
    submit(cast.employee_anna)

    with pytest.raises(Conflict, match="already have an application"):
        submit(cast.employee_anna)

    assert FundApplication.objects.count() == 1


# --------------------------------------------------------------------------------------------------
# Money: the yearly maximum per person, the fund's balance
# --------------------------------------------------------------------------------------------------


def test_grants_to_one_person_never_pass_the_yearly_maximum(cast, committee, funded):
    first, second, _third = committee
    maximum = regulation_in_force().max_grant_per_year  # 1,500.00 €
    application = submit(cast.employee_anna)
    assert grant_room(application) == maximum

    with pytest.raises(InvalidInput) as refused:
        committee_vote(member=first, application_id=application.pk, vote="approve", amount=maximum + 1)
    assert "1.500,00" in refused.value.fields["amount"][0]
    assert not CommitteeVote.objects.exists()

    for member in (first, second):
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=100_000)

    # Later the same year Anna applies again: only 500.00 € are left for her.
    again = submit(cast.employee_anna, events=[HardshipEvent.JOB_LOSS])
    assert grant_room(again) == maximum - 100_000
    before = snapshot(again)
    with pytest.raises(InvalidInput) as refused:
        committee_vote(member=first, application_id=again.pk, vote="approve", amount=maximum - 100_000 + 1)
    assert "500,00" in refused.value.fields["amount"][0]
    assert snapshot(again) == before

    for member in (first, second):
        committee_vote(member=member, application_id=again.pk, vote="approve", amount=maximum - 100_000)
    assert grant_room(again) == 0
    assert sum(Grant.objects.filter(beneficiary=cast.employee_anna).values_list("amount", flat=True)) == maximum


def test_a_grant_larger_than_the_fund_is_refused_and_the_second_vote_is_not_recorded(cast, committee):
    fund_the_fund(30_000)
    application = submit(cast.employee_anna)
    committee_vote(member=committee[0], application_id=application.pk, vote="approve", amount=50_000)
    before = snapshot(application)

    with pytest.raises(Conflict, match="cannot grant"):
        committee_vote(member=committee[1], application_id=application.pk, vote="approve", amount=40_000)

    assert snapshot(application) == before
    assert fund_balance() == 30_000
    assert CommitteeVote.objects.filter(member=committee[1]).count() == 0
    # Once contributions bring enough, the same member's vote goes through.
    fund_the_fund(20_000)
    committee_vote(member=committee[1], application_id=application.pk, vote="approve", amount=40_000)
    assert fund_balance() == 10_000
    assert ledger_verify().clean


# --------------------------------------------------------------------------------------------------
# Who may apply, and when
# --------------------------------------------------------------------------------------------------


def test_a_closed_window_is_refused_with_the_date_of_the_next_one(cast):
    today = timezone.localdate()
    upcoming = today + datetime.timedelta(days=10)
    publish(
        cast.operator_olga,
        windows=[
            {
                "opens": (today - datetime.timedelta(days=60)).isoformat(),
                "closes": (today - datetime.timedelta(days=1)).isoformat(),
            },
            {
                "opens": (today + datetime.timedelta(days=90)).isoformat(),
                "closes": (today + datetime.timedelta(days=120)).isoformat(),
            },
            {"opens": upcoming.isoformat(), "closes": (today + datetime.timedelta(days=40)).isoformat()},
        ],
    )

    with pytest.raises(Conflict) as refused:
        submit(cast.employee_anna)

    assert upcoming.strftime("%d/%m/%Y") in refused.value.message
    assert not FundApplication.objects.exists()


def test_no_window_left_is_refused_and_an_open_window_admits(cast):
    today = timezone.localdate()
    past = {
        "opens": (today - datetime.timedelta(days=60)).isoformat(),
        "closes": (today - datetime.timedelta(days=1)).isoformat(),
    }
    publish(cast.operator_olga, windows=[past])
    with pytest.raises(Conflict, match="closed now"):
        submit(cast.employee_anna)
    assert not FundApplication.objects.exists()

    current = {"opens": today.isoformat(), "closes": today.isoformat()}
    publish(cast.operator_olga, windows=[past, current])
    assert submit(cast.employee_anna).status == ApplicationStatus.SUBMITTED


def test_an_isee_above_the_threshold_is_refused_and_one_on_it_admitted(cast):
    threshold = regulation_in_force().isee_threshold

    with pytest.raises(InvalidInput) as refused:
        submit(cast.employee_anna, isee=threshold + 1)

    assert list(refused.value.fields) == ["isee"]
    assert "30.000,00" in refused.value.fields["isee"][0]
    assert not FundApplication.objects.exists()
    assert submit(cast.employee_anna, isee=threshold).isee == threshold


def test_only_employees_of_member_companies_may_apply(cast):
    outsider_company = OrganizationFactory(name="Fonderia Esterna", alliance_member=False)
    outsider = make_employee(outsider_company, first_name="Gino")

    for person in (cast.citizen_franco, cast.hr_bruno, cast.supplier_carla, cast.committee_cesare, outsider):
        with pytest.raises(InvalidInput, match="Only employees"):
            submit(person)

    assert not FundApplication.objects.exists()


def test_an_application_without_consent_or_events_is_refused_field_by_field(cast):
    data = ApplicationInput(events=[], household_size=0, isee=-1, consent=False)

    with pytest.raises(InvalidInput) as refused:
        application_submit(applicant=cast.employee_anna, data=data, documents=[])

    assert set(refused.value.fields) == {"events", "household_size", "isee", "consent"}
    assert not FundApplication.objects.exists()


# --------------------------------------------------------------------------------------------------
# A member's own application
# --------------------------------------------------------------------------------------------------


def test_a_committee_member_never_acts_on_their_own_application(cast, committee, funded):
    # Given Rita, a worker of a member company who also sits on the committee, applied,
    rita = make_employee(cast.company, first_name="Rita")
    make_member(rita, cast.operator, MembershipRole.FUND_COMMITTEE)
    own = submit(rita)
    before = snapshot(own)
    logged = AccessLog.objects.count()

    # then as committee she neither sees, votes on nor asks about it: it does not exist for her,
    for act in (
        lambda: committee_vote(member=rita, application_id=own.pk, vote="approve", amount=10_000),
        lambda: committee_vote(member=rita, application_id=own.pk, vote="reject", reason="no"),
        lambda: committee_request_info(member=rita, application_id=own.pk, message="altro"),
        lambda: application_open_for_committee(member=rita, application_id=own.pk),
    ):
        with pytest.raises(NotPermitted):
            act()
    assert own.pk not in [a.pk for a in committee_queue(rita)]
    assert snapshot(own) == before
    assert AccessLog.objects.count() == logged

    # while the other members decide it as any other.
    for member in committee[:2]:
        committee_vote(member=member, application_id=own.pk, vote="approve", amount=10_000)
    own.refresh_from_db()
    assert own.status == ApplicationStatus.APPROVED


@pytest.mark.parametrize("who", ["hr_bruno", "operator_olga", "supplier_carla", "employee_other_ugo", "citizen_franco"])
def test_nobody_outside_the_committee_acts_and_the_answer_is_the_same_as_for_no_application(cast, who, funded):
    application = submit(cast.employee_anna)
    before = snapshot(application)
    outsider = getattr(cast, who)

    messages = set()
    for application_id in (application.pk, application.pk + 1000):
        for act in (
            lambda i=application_id: committee_vote(member=outsider, application_id=i, vote="approve", amount=10_000),
            lambda i=application_id: committee_request_info(member=outsider, application_id=i, message="documenti"),
            lambda i=application_id: application_open_for_committee(member=outsider, application_id=i),
        ):
            with pytest.raises(NotPermitted) as refused:
                act()
            messages.add(refused.value.message)
    with pytest.raises(NotPermitted):
        committee_queue(outsider)

    assert len(messages) == 1
    assert snapshot(application) == before


# --------------------------------------------------------------------------------------------------
# Bad input: a 400 and nothing changed
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vote", "amount"),
    [
        ("approve", 0),
        ("approve", -5_000),
        ("approve", True),
        ("approve", None),
        ("approve", 125.5),
        ("approve", "10000"),
        ("maybe", 10_000),
        ("", 10_000),
        ("APPROVE", 10_000),
    ],
)
def test_bad_votes_are_invalid_input_and_change_nothing(cast, committee, funded, vote, amount):
    application = submit(cast.employee_anna)
    committee_vote(member=committee[0], application_id=application.pk, vote="approve", amount=10_000)
    before = snapshot(application)
    logged = AccessLog.objects.count()

    with pytest.raises(InvalidInput):
        committee_vote(member=committee[1], application_id=application.pk, vote=vote, amount=amount, reason="x")

    assert snapshot(application) == before
    assert AccessLog.objects.count() == logged
