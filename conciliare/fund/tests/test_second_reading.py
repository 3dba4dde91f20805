"""What the second reading of the fund found, each fixed and kept fixed here."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conciliare.accounts.models import MembershipRole
from conciliare.catalogue.tests.factories import make_session
from conciliare.ledger.verification import ledger_verify
from conciliare.orders.fulfilment import line_cancel, line_confirm
from conciliare.orders.models import Contribution, ContributionParty, Order, RateKind, WithholdingRate
from conciliare.orders.tests.factories import book, make_family, make_nursery
from conciliare.testing.factories import UserFactory, make_employee, make_member

from ..access import is_committee_member
from ..models import FundApplication, Grant
from ..services import application_withdraw, committee_vote, grant_room, retention_apply
from .factories import fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db


def test_hr_or_operator_appointed_to_the_committee_still_read_nothing(cast, login):
    application = submit(cast.employee_anna)
    committee = cast.operator
    for person in (cast.hr_bruno, cast.operator_olga):
        make_member(person, committee, MembershipRole.FUND_COMMITTEE)
        assert not is_committee_member(person)
        client = login(person)
        assert client.get(reverse("fund:committee_queue")).status_code == 404
        assert client.get(reverse("fund:committee_detail", args=[application.pk])).status_code == 404


def test_a_member_working_in_the_applicants_company_does_not_see_it(cast, login):
    application = submit(cast.employee_anna)
    colleague = make_employee(cast.company, first_name="Collega")
    make_member(colleague, cast.operator, MembershipRole.FUND_COMMITTEE)
    client = login(colleague)
    assert application.reference not in client.get(reverse("fund:committee_queue")).content.decode()
    assert client.get(reverse("fund:committee_detail", args=[application.pk])).status_code == 404
    other = make_member(UserFactory(first_name="Esterno"), cast.operator, MembershipRole.FUND_COMMITTEE)
    assert login(other).get(reverse("fund:committee_detail", args=[application.pk])).status_code == 200


def test_the_applicants_e_mails_do_not_say_what_they_are_about(cast, django_capture_on_commit_callbacks):
    fund_the_fund(100_000)
    application = submit(cast.employee_anna)
    first, second = make_committee(2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        committee_vote(member=first, application_id=application.pk, vote="approve", amount=40_000)
        committee_vote(member=second, application_id=application.pk, vote="approve", amount=40_000)
    sent = [m for m in mail.outbox if cast.employee_anna.email in m.to]
    assert sent
    for message in sent:
        text = (message.subject + message.body).lower()
        assert "fond" not in text and "solidar" not in text and "400" not in text
        assert "/area/" in message.body


def test_a_huge_requested_amount_is_a_400_not_a_500(cast, login):
    client = login(cast.employee_anna)
    response = client.post(
        reverse("fund:apply"),
        {
            "events": ["job_loss"],
            "household_size": "2",
            "isee": "9000",
            "isee_protocol": "INPS-ISEE-2026-1",
            "isee_valid_until": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
            "requested_amount": "99999999999999999999",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assert not FundApplication.objects.exists()


def test_withdrawn_applications_leave_the_committee_and_lose_their_documents(
    cast, login, django_capture_on_commit_callbacks
):
    application = submit(cast.employee_anna)
    document = application.documents.get()
    stored = document.file.name
    storage = document.file.storage
    member = make_committee(1)[0]
    assert login(member).get(reverse("fund:committee_detail", args=[application.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(applicant=cast.employee_anna, application_id=application.pk)
    assert login(member).get(reverse("fund:committee_detail", args=[application.pk])).status_code == 404
    assert not application.documents.exists()
    assert stored and not storage.exists(stored)


def test_the_yearly_room_survives_pseudonymisation(cast):
    fund_the_fund(300_000)
    application = submit(cast.employee_anna)
    first, second = make_committee(2)
    for member in (first, second):
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=150_000)
    FundApplication.objects.filter(pk=application.pk).update(decided_at=timezone.now() - datetime.timedelta(days=800))
    retention_apply()
    assert Grant.objects.get(application=application).beneficiary is None
    later = submit(cast.employee_anna)
    assert grant_room(later) == 0


def test_the_company_pays_its_share_on_its_kept_credit_after_a_late_cancellation():
    today = timezone.localdate()
    WithholdingRate.objects.create(
        kind=RateKind.COMPANY_CONTRIBUTION, percent=Decimal("10.00"), valid_from=datetime.date(today.year, 1, 1)
    )
    family = make_family(fbis=10_000)
    fund_the_fund(10_000)
    application = submit(family.employee)
    for member in make_committee(2):
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=10_000)
    supplier, offer, _session = make_nursery(price=20_000, cancellation_policy="moderate")
    session = make_session(offer, starts_in_days=3)  # inside the free-cancellation period: half back
    book(family, offer, session)
    line = Order.objects.get().lines.get()
    line_confirm(actor=supplier.applied_by, line_id=line.pk)
    line_cancel(actor=family.employee, line_id=line.pk)
    company = Contribution.objects.get(party=ContributionParty.COMPANY)
    assert (company.base, company.amount) == (5_000, 500)  # 10 % of the 50 € of f-bis kept, none of the grant
    assert ledger_verify().clean
