"""The public figures: contributions by source and month, grants by event and district, never a
group of fewer than 5 people; the page and its PDF."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conciliare.catalogue.tests.factories import make_supplier
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, LedgerAccount, TransactionKind
from conciliare.orders.models import Checkout, Contribution, ContributionParty, Order
from conciliare.orders.tests.factories import make_company
from conciliare.testing.factories import make_employee, municipality

from ..models import Grant, HardshipEvent
from ..services import add_months, committee_vote, grants_return_expired
from ..transparency import fund_figures
from .factories import fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)
ILLNESS, JOB_LOSS, BEREAVEMENT = HardshipEvent.SERIOUS_ILLNESS, HardshipEvent.JOB_LOSS, HardshipEvent.BEREAVEMENT


def month(offset: int) -> datetime.date:
    """The 10th of the month `offset` months from this one (negative: before)."""
    return add_months(timezone.localdate().replace(day=10), offset)


def contribute(party: str, cents: int, *, day: datetime.date, buyer=None, supplier=None) -> Contribution:
    """A contribution as checkout and payment record it, on `day`."""
    buyer = buyer or make_employee(make_company())
    supplier = supplier or make_supplier()
    key = next(_keys)
    order = Order.objects.create(
        checkout=Checkout.objects.create(buyer=buyer, idempotency_key=f"k{key}", fingerprint="x"),
        buyer=buyer,
        supplier=supplier,
        payment_method="bank_transfer",
        total=10_000,
        credit_total=0,
        own_total=10_000,
        round_up=cents if party == ContributionParty.EMPLOYEE else 0,
    )
    posted = ledger.transaction_post(
        kind=TransactionKind.CONTRIBUTION,
        legs=[(ledger.world_account(), -cents), (ledger.solidarity_fund_account(), cents)],
        idempotency_key=f"test-contribution:{key}",
        effective_date=day,
    )
    return Contribution.objects.create(order=order, party=party, base=10_000, amount=cents, transaction=posted)


def plan_residual(cents: int, *, day: datetime.date, reference: str = "plan:999") -> None:
    """A plan's unused credit that its rule sends to the fund at the plan's end."""
    wallet = LedgerAccount.objects.create(
        kind=AccountKind.EMPLOYEE_WALLET,
        name="residuo",
        owner_user=make_employee(make_company()),
        plan_reference=reference,
        fiscal_bucket="art51_c2_fbis",
    )
    ledger.transaction_post(
        kind=TransactionKind.CREDIT,
        legs=[(ledger.world_account(), -cents), (wallet, cents)],
        idempotency_key=f"test-residual-credit:{next(_keys)}",
    )
    ledger.transaction_post(
        kind=TransactionKind.EXPIRY,
        legs=[(wallet, -cents), (ledger.solidarity_fund_account(), cents)],
        idempotency_key=f"test-residual:{next(_keys)}",
        effective_date=day,
    )


def grant_to(committee, *, events, town: str, amount: int = 50_000):
    applicant = make_employee(make_company(), residence_municipality=municipality(town))
    application = submit(applicant, events=events)
    for member in committee:
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=amount)
    return application.grant


@pytest.fixture
def grants():
    """6 grants for serious illness (Alto Sebino), 5 for job loss (Basso Sebino), 2 for bereavement
    and 1 for two events (Val Cavallina)."""
    fund_the_fund(2_000_000)
    committee = make_committee(2)
    made = [grant_to(committee, events=[ILLNESS], town="Costa Volpino", amount=60_000) for _ in range(6)]
    made += [grant_to(committee, events=[JOB_LOSS], town="Sarnico", amount=40_000) for _ in range(5)]
    made += [grant_to(committee, events=[BEREAVEMENT], town="Trescore Balneario") for _ in range(2)]
    made.append(grant_to(committee, events=[BEREAVEMENT, JOB_LOSS], town="Trescore Balneario"))
    return made


def rows(table):
    return [(row.label, row.people, row.grants, row.amount) for row in table.rows]


def test_grants_by_event_merge_small_groups_and_the_smallest_visible_one(grants):
    figures = fund_figures()
    # Bereavement (2) and "more than one event" (1) cannot stand alone, and 3 would be readable as
    # total minus the rest: job loss (5), the smallest row, joins them.
    assert rows(figures.by_event) == [(str(HardshipEvent.SERIOUS_ILLNESS.label), 6, 6, 360_000)]
    other = figures.by_event.other
    assert (other.people, other.grants, other.amount) == (8, 8, 350_000)
    total = figures.by_event.total
    assert (total.people, total.grants, total.amount) == (14, 14, 710_000)


def test_grants_by_district(grants):
    figures = fund_figures()
    # Val Cavallina has 3: merged with the smallest shown district, Basso Sebino (5).
    assert rows(figures.by_district) == [("Alto Sebino", 6, 6, 360_000)]
    assert (figures.by_district.other.people, figures.by_district.other.amount) == (8, 350_000)


def test_headline_figures(grants):
    figures = fund_figures()
    assert figures.beneficiaries == 14
    assert (figures.grants.grants, figures.grants.amount) == (14, 710_000)
    assert figures.available == 2_000_000 - 710_000
    assert figures.returned == 0  # nobody's grant has expired


def test_unspent_grants_of_fewer_than_five_people_are_not_shown(grants):
    Grant.objects.filter(pk__in=[grant.pk for grant in grants[:2]]).update(returned=1_000)
    assert fund_figures().returned is None


def test_unspent_grants_back_to_the_fund_shown_from_five_people(grants):
    grants_return_expired(today=add_months(timezone.localdate(), 13))
    figures = fund_figures()
    assert figures.returned == 710_000
    assert figures.available == 2_000_000


def test_fewer_than_five_beneficiaries_show_nothing_about_grants():
    fund_the_fund(200_000)
    committee = make_committee(2)
    for _ in range(4):
        grant_to(committee, events=[ILLNESS], town="Lovere")
    figures = fund_figures()
    assert figures.grants is None and figures.beneficiaries is None
    assert figures.by_event.rows == [] and figures.by_event.other is None and figures.by_event.total is None
    assert figures.by_district.total is None


def test_contributions_by_source_and_month():
    supplier = make_supplier()
    contribute(ContributionParty.SUPPLIER, 1_000, day=month(0), supplier=supplier)
    contribute(ContributionParty.SUPPLIER, 700, day=month(-1), supplier=supplier)
    contribute(ContributionParty.COMPANY, 2_000, day=month(-1))
    contribute(ContributionParty.COMPANY, 9_999, day=month(-12))  # 13 months ago: out of the period
    plan_residual(500, day=month(0))
    plan_residual(300, day=month(-2), reference="grant:1")  # a grant's return is not a company's money
    # Round-ups: 6 people this month, 2 last month, 5 two months ago.
    for _ in range(6):
        contribute(ContributionParty.EMPLOYEE, 50, day=month(0))
    for _ in range(2):
        contribute(ContributionParty.EMPLOYEE, 30, day=month(-1))
    for _ in range(5):
        contribute(ContributionParty.EMPLOYEE, 20, day=month(-2))

    contributions = fund_figures().contributions

    by_month = {m.day: (m.companies, m.suppliers, m.employees) for m in contributions.months}
    first = lambda offset: month(offset).replace(day=1)  # noqa: E731
    assert len(contributions.months) == 12
    assert contributions.months[-1].day == first(0)
    assert by_month[first(0)] == (500, 1_000, 300)
    # Last month's 2 people are merged, and with them the smallest month shown (5 people).
    assert by_month[first(-1)] == (2_000, 700, None)
    assert by_month[first(-2)] == (0, 0, None)
    assert first(-12) not in by_month
    assert contributions.merged_months == [first(-2), first(-1)]
    assert contributions.employees_merged == 160
    assert (contributions.companies, contributions.suppliers, contributions.employees) == (2_500, 1_700, 460)
    assert contributions.total == 4_660


def test_the_members_yearly_payments_count_as_companies():
    fund_the_fund(2_500_000)  # a CONTRIBUTION no purchase caused: the members' payment under the agreement
    contribute(ContributionParty.COMPANY, 2_000, day=month(0))

    contributions = fund_figures().contributions

    assert contributions.companies == 2_502_000
    assert contributions.months[-1].companies == 2_502_000


def test_one_person_rounding_up_in_several_months_counts_once():
    buyers = [make_employee(make_company()) for _ in range(3)]
    for offset in (0, -1):
        for buyer in buyers:
            contribute(ContributionParty.EMPLOYEE, 10, day=month(offset), buyer=buyer)
    contributions = fund_figures().contributions
    # 6 round-ups, but by 3 people: nothing about them is shown.
    assert contributions.employees is None
    assert all(m.employees is None for m in contributions.months if m.day >= month(-1).replace(day=1))


def test_the_figures_take_the_same_number_of_queries_whatever_the_size(grants):
    contribute(ContributionParty.SUPPLIER, 1_000, day=month(0))
    with CaptureQueriesContext(connection) as before:
        fund_figures()
    committee = make_committee(2)
    for _ in range(3):
        grant_to(committee, events=[ILLNESS], town="Lovere")
        contribute(ContributionParty.EMPLOYEE, 40, day=month(-3))
        contribute(ContributionParty.COMPANY, 40, day=month(-4))
    with CaptureQueriesContext(connection) as after:
        fund_figures()
    assert len(after) == len(before) <= 6


def _table(html: str, table_id: str) -> str:
    found = re.search(rf'<table class="figures" id="{table_id}">(.*?)</table>', html, re.S)
    assert found, table_id
    return found.group(1)


def test_the_public_page_shows_no_group_under_five(client, grants):
    response = client.get(reverse("fund:transparency"))
    assert response.status_code == 200
    html = response.content.decode()
    by_event, by_district = _table(html, "by-event"), _table(html, "by-district")
    assert "Grave malattia" in by_event or "serious illness" in by_event.lower()
    for hidden in ("Lutto", "bereavement", "Perdita del lavoro", "job loss"):
        assert hidden.lower() not in by_event.lower()
    assert "Alto Sebino" in by_district
    assert "Val Cavallina" not in by_district and "Basso Sebino" not in by_district
    # Every count of people in the tables is 0 or at least 5.
    for table in (by_event, by_district):
        for cells in re.findall(r'<td class="num people">(\d+)</td>', table):
            assert not 1 <= int(cells) <= 4
    counts = re.findall(r'<td class="num people">(\d+)</td>', by_event + by_district)
    assert sorted(int(count) for count in counts) == [6, 6, 8, 8, 14, 14]
    assert "<svg" in html and 'role="img"' in html


def test_the_page_is_public_and_in_italian(client):
    contribute(ContributionParty.SUPPLIER, 1_234, day=month(0))
    response = client.get(reverse("fund:transparency"))
    assert response.status_code == 200
    assert 'lang="it"' in response.content.decode()
    assert "12,34" in response.content.decode()


def test_the_pdf_report(client, grants):
    contribute(ContributionParty.SUPPLIER, 1_000, day=month(0))
    response = client.get(reverse("fund:transparency_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_pdf_report_of_an_empty_fund(client):
    response = client.get(reverse("fund:transparency_pdf"))
    assert response.content.startswith(b"%PDF")


def test_an_empty_fund_shows_zeros_not_hidden_groups(client):
    figures = fund_figures()
    assert (figures.beneficiaries, figures.grants.amount, figures.returned, figures.available) == (0, 0, 0, 0)
    assert figures.contributions.employees == 0
    assert all(month.employees == 0 for month in figures.contributions.months)
    assert client.get(reverse("fund:transparency")).status_code == 200
