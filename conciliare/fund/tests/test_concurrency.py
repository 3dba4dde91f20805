"""Committee votes at the same instant, on PostgreSQL: real threads, each with its own connection,
started together. The fund is never overdrawn, one application gets one grant, a refused vote
leaves no trace, and the ledger stays clean."""

from typing import Any

import pytest
from django.db.models import Sum

from conciliare.accounts.models import OrganizationRole
from conciliare.core.errors import Conflict
from conciliare.ledger import services as ledger
from conciliare.ledger.models import LedgerAccount
from conciliare.testing.concurrency import assert_ledger_clean, run_together
from conciliare.testing.factories import OrganizationFactory, make_employee

from ..models import GRANT_BUCKET, ApplicationStatus, CommitteeVote, FundApplication, Grant
from ..services import committee_vote
from .factories import fund_the_fund, make_committee, submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GRANT = 10_000


def fund() -> LedgerAccount:
    return ledger.solidarity_fund_account()


def workers(count: int) -> list[Any]:
    company = OrganizationFactory(name="Filati Oglio S.p.A.", roles=[OrganizationRole.CLIENT_COMPANY])
    return [make_employee(company, first_name=f"Operaia{index}") for index in range(count)]


def test_ten_second_approvals_at_once_grant_only_what_the_fund_holds():
    # Given ten applications, each approved once already, and a fund holding 3.5 grants,
    first, *seconds = make_committee(11)
    applications = [submit(worker) for worker in workers(10)]
    for application in applications:
        committee_vote(member=first, application_id=application.pk, vote="approve", amount=GRANT)
    fund_the_fund(3 * GRANT + GRANT // 2)

    # when ten different members give the second approval at the same instant,
    def approve(index: int) -> FundApplication:
        return committee_vote(
            member=seconds[index], application_id=applications[index].pk, vote="approve", amount=GRANT
        )

    outcomes = run_together(10, approve)

    # then exactly three grants are made, the fund is never overdrawn,
    made = [o for o in outcomes if isinstance(o, FundApplication)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(made) == 3, outcomes
    assert len(refused) == 7 and all(isinstance(o, Conflict) and "cannot grant" in o.message for o in refused), refused
    account = fund()
    assert (account.balance, account.held) == (GRANT // 2, 0)
    assert Grant.objects.count() == 3
    assert (
        LedgerAccount.objects.filter(fiscal_bucket=GRANT_BUCKET).aggregate(total=Sum("balance"))["total"] == 3 * GRANT
    )
    # and a refused approval is not recorded: those applications still wait with their one vote.
    by_status = dict.fromkeys(ApplicationStatus.values, 0)
    for application in FundApplication.objects.all():
        by_status[application.status] += 1
    assert (by_status["approved"], by_status["submitted"]) == (3, 7)
    assert CommitteeVote.objects.count() == 10 + 3
    waiting = FundApplication.objects.filter(status=ApplicationStatus.SUBMITTED)
    assert not CommitteeVote.objects.filter(application__in=waiting).exclude(member=first).exists()
    assert_ledger_clean()


def test_ten_members_approving_one_application_at_once_make_one_grant():
    # Given one application and a fund with plenty, with the regulation's two approvals,
    members = make_committee(10)
    (worker,) = workers(1)
    application = submit(worker)
    assert application.regulation.approvals_required == 2
    fund_the_fund(100 * GRANT)

    # when ten members approve it at the same instant, each with a different amount,
    def approve(index: int) -> FundApplication:
        return committee_vote(
            member=members[index], application_id=application.pk, vote="approve", amount=GRANT + index * 100
        )

    outcomes = run_together(10, approve)

    # then the first two votes decide, the others are told it is decided, and one grant is made:
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 8 and all(isinstance(o, Conflict) and "already been decided" in o.message for o in refused)
    votes = list(CommitteeVote.objects.filter(application=application))
    assert len(votes) == 2
    grant = Grant.objects.get()
    assert grant.amount == min(vote.amount for vote in votes)
    assert fund().balance == 100 * GRANT - grant.amount
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert LedgerAccount.objects.filter(fiscal_bucket=GRANT_BUCKET).count() == 1
    assert_ledger_clean()
