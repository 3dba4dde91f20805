"""The fund's main path at service level: submit, two approvals, a grant that pays a booking."""

import pytest

from conciliare.core.errors import Conflict
from conciliare.ledger import services as ledger
from conciliare.ledger.verification import ledger_verify

from ..models import ApplicationStatus, Grant
from ..services import committee_vote
from .factories import fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db


def test_two_members_make_a_grant_from_the_fund(cast):
    fund_the_fund(100_000)
    first, second = make_committee(2)
    application = submit(cast.employee_anna)
    committee_vote(member=first, application_id=application.pk, vote="approve", amount=60_000)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    with pytest.raises(Conflict):
        committee_vote(member=first, application_id=application.pk, vote="approve", amount=60_000)
    committee_vote(member=second, application_id=application.pk, vote="approve", amount=50_000)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    grant = Grant.objects.get(application=application)
    assert grant.amount == 50_000
    grant.wallet.refresh_from_db()
    assert grant.wallet.balance == 50_000
    assert ledger.solidarity_fund_account().balance == 50_000
    assert ledger_verify().clean
