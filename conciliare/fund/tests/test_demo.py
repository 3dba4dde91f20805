"""The fund's demo: past grants made through the services, applications waiting, a second committee member."""

import pytest

from conciliare.accounts.demo import DEMO_PASSWORD, seed_demo
from conciliare.accounts.models import User
from conciliare.fund.access import is_committee_member
from conciliare.ledger import services as ledger
from conciliare.ledger.verification import ledger_verify

from ..demo import ENDOWMENT, PAST_CASES, SECOND_COMMITTEE_EMAIL, seed_demo_fund
from ..models import ApplicationStatus, FundApplication, Grant

pytestmark = pytest.mark.django_db


def test_the_demo_fund_has_history_and_a_queue_and_runs_once(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    seed_demo()

    assert seed_demo_fund() == len(PAST_CASES)
    assert seed_demo_fund() == 0

    granted = sum(Grant.objects.values_list("amount", flat=True))
    assert ledger.solidarity_fund_account().balance == ENDOWMENT - granted
    statuses = sorted(
        FundApplication.objects.exclude(status=ApplicationStatus.APPROVED).values_list("status", flat=True)
    )
    assert statuses == ["info_requested", "submitted", "submitted"]
    assert not FundApplication.objects.filter(applicant__email="dipendente@demo.conciliare.it").exists()
    second = User.objects.get(email=SECOND_COMMITTEE_EMAIL)
    assert second.check_password(DEMO_PASSWORD) and is_committee_member(second)
    assert ledger_verify().clean
