"""Retention: after the regulation's period the documents are deleted (rows and files) and the
application pseudonymised, while every ledger figure stays as it was; before it nothing changes;
running it again changes nothing more."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from conciliare.ledger import services as ledger
from conciliare.ledger.models import Entry, LedgerAccount
from conciliare.ledger.verification import ledger_verify

from ..models import ApplicationDocument, ApplicationStatus, CommitteeVote, FundApplication, Grant, HardshipEvent
from ..services import add_months, application_reply, committee_request_info, committee_vote, retention_apply
from .factories import fund_the_fund, make_committee, pdf_document, submit

pytestmark = pytest.mark.django_db


def stored_files(location: Path) -> list[Path]:
    return sorted(path for path in location.rglob("*") if path.is_file())


def ledger_figures() -> tuple:
    """Every balance, every hold and the number of entries: what retention must never touch."""
    balances = dict(LedgerAccount.objects.values_list("pk", "balance"))
    held = dict(LedgerAccount.objects.values_list("pk", "held"))
    return (ledger.solidarity_fund_account().balance, balances, held, Entry.objects.count())


def at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def decided(cast, private_storage, django_capture_on_commit_callbacks):
    """Anna's application approved (a grant of 400 €) after a request for documents, Ugo's rejected;
    both with documents, texts and reasons."""
    fund_the_fund(200_000)
    first, second = make_committee(2)
    with django_capture_on_commit_callbacks(execute=True):
        anna = submit(
            cast.employee_anna,
            events=[HardshipEvent.OTHER],
            other_description="Sfratto per morosità incolpevole",
            documents=2,
            requested_amount=50_000,
        )
        committee_request_info(member=first, application_id=anna.pk, message="Manca l'attestazione ISEE.")
        application_reply(
            applicant=cast.employee_anna, application_id=anna.pk, reply="Ecco l'ISEE", documents=[pdf_document()]
        )
        committee_vote(member=first, application_id=anna.pk, vote="approve", amount=40_000, reason="Grave disagio")
        committee_vote(member=second, application_id=anna.pk, vote="approve", amount=45_000, reason="Concordo")
        ugo = submit(cast.employee_other_ugo)
        for member in (first, second):
            committee_vote(member=member, application_id=ugo.pk, vote="reject", reason="Reddito documentato alto")
    return {"anna": anna, "ugo": ugo}


def test_before_the_retention_period_nothing_changes(
    cast, decided, private_storage, django_capture_on_commit_callbacks
):
    anna = decided["anna"]
    anna.refresh_from_db()
    last_day_kept = add_months(timezone.localtime(anna.decided_at).date(), 24) - datetime.timedelta(days=1)
    files = stored_files(private_storage)
    assert len(files) == 4
    figures = ledger_figures()

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            retention_apply(now=timezone.make_aware(datetime.datetime.combine(last_day_kept, datetime.time(23, 59))))
            == 0
        )

    anna.refresh_from_db()
    assert anna.applicant == cast.employee_anna and anna.pseudonymised_at is None
    assert anna.other_description == "Sfratto per morosità incolpevole"
    assert ApplicationDocument.objects.count() == 4
    assert stored_files(private_storage) == files
    assert Grant.objects.get().beneficiary == cast.employee_anna
    assert ledger_figures() == figures


def test_after_the_retention_period_documents_go_and_applications_are_pseudonymised(
    cast, decided, private_storage, django_capture_on_commit_callbacks
):
    anna, ugo = decided["anna"], decided["ugo"]
    anna.refresh_from_db()
    grant = Grant.objects.get()
    # Anna spent nothing yet; her grant wallet and the fund keep what they hold.
    figures = ledger_figures()
    reference, score, events, district = anna.reference, anna.score, anna.events, anna.district
    due = at_noon(add_months(timezone.localtime(anna.decided_at).date(), 24))

    with django_capture_on_commit_callbacks(execute=True):
        done = retention_apply(now=due)

    # Both decided applications are done: documents gone, rows and files,
    assert done == 2
    assert not ApplicationDocument.objects.exists()
    assert stored_files(private_storage) == []
    # the applications no longer name anybody nor keep what they told,
    for application in (anna, ugo):
        application.refresh_from_db()
        assert application.applicant is None
        assert application.pseudonymised_at == due
        assert (application.isee, application.isee_valid_until, application.household_size) == (None, None, None)
        assert application.requested_amount is None
        for text in (
            "other_description",
            "needs_description",
            "isee_protocol",
            "info_request",
            "applicant_reply",
            "decision_reason",
        ):
            assert getattr(application, text) == "", text
    assert set(CommitteeVote.objects.values_list("reason", flat=True)) == {""}
    # while what the anonymous figures need stays,
    assert (anna.reference, anna.score, anna.events, anna.district) == (reference, score, events, district)
    assert anna.status == ApplicationStatus.APPROVED
    grant.refresh_from_db()
    assert grant.beneficiary is None
    assert (grant.amount, grant.events) == (40_000, ["other"])
    # and the ledger is untouched: fund balance, every wallet, every entry.
    assert ledger_figures() == figures
    assert ledger_verify().clean


def test_retention_runs_twice_without_changing_anything_more(
    cast, decided, private_storage, django_capture_on_commit_callbacks
):
    anna = decided["anna"]
    anna.refresh_from_db()
    due = at_noon(add_months(timezone.localtime(anna.decided_at).date(), 24))
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_apply(now=due) == 2
    rows = list(FundApplication.objects.order_by("pk").values())
    figures = ledger_figures()

    with django_capture_on_commit_callbacks(execute=True):
        assert retention_apply(now=due + datetime.timedelta(days=400)) == 0

    assert list(FundApplication.objects.order_by("pk").values()) == rows  # not even pseudonymised_at moves
    assert ledger_figures() == figures


def test_an_open_application_is_never_pseudonymised(cast, private_storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(cast.employee_anna)

        assert retention_apply(now=timezone.now() + datetime.timedelta(days=3650)) == 0

    application.refresh_from_db()
    assert application.applicant == cast.employee_anna
    assert len(stored_files(private_storage)) == 1


def test_the_daily_command_applies_retention_and_says_what_it_did(cast, decided, private_storage, settings):
    # Given the decisions are older than the retention period (moved back in time),
    FundApplication.objects.update(decided_at=timezone.now() - datetime.timedelta(days=2 * 366 + 1))
    out = io.StringIO()

    # when the daily command runs (the immediate task backend runs the job at once),
    call_command("fund_daily", stdout=out)

    # then it reports the two applications pseudonymised and nothing returned.
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("fund_daily queued")
    assert lines[1:] == ["grant_cents_returned: 0", "applications_pseudonymised: 2"]
    assert FundApplication.objects.filter(applicant__isnull=True).count() == 2
