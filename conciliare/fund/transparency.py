"""The fund's public figures: anonymous aggregates that never show a group of fewer than 5 people.

Read from the ledger, the contributions and the grants only, never from the applications: a
grant carries a copy of its events and district for this purpose, and its wallet (ledger)
says whose it is, which is all the counting of distinct people needs. Every count of people
goes through `conciliare.core.disclosure`. A fixed number of aggregate queries, whatever the
size of the fund.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_currency
from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from conciliare.core.disclosure import MIN_GROUP, Disclosed, Group, disclose, merge
from conciliare.core.money import format_euro
from conciliare.ledger import services as ledger
from conciliare.ledger.models import AccountKind, Entry, TransactionKind
from conciliare.orders.models import Contribution, ContributionParty

from .models import Grant, HardshipEvent
from .services import add_months

MONTHS = 12
SEVERAL_EVENTS = "several"
# Contributions of the companies: their share on purchases, their yearly payments, and the residual credit of plans
# whose rule sends it to the fund (an EXPIRY from a plan wallet; grant wallets say "grant:").
PLAN_WALLET_PREFIX = "plan:"
COMPANIES, SUPPLIERS, EMPLOYEES = "companies", "suppliers", "employees"
PARTY_SOURCE = {
    ContributionParty.COMPANY: COMPANIES,
    ContributionParty.SUPPLIER: SUPPLIERS,
    ContributionParty.EMPLOYEE: EMPLOYEES,
}


@dataclass
class Month:
    day: datetime.date  # the first of the month
    companies: int = 0
    suppliers: int = 0
    employees: int | None = 0  # None: fewer than 5 people rounded up this month (counted with others)

    @property
    def shown_total(self) -> int:
        return self.companies + self.suppliers + (self.employees or 0)


@dataclass
class Contributions:
    months: list[Month]
    companies: int
    suppliers: int
    employees: int | None  # None: fewer than 5 people rounded up in the whole period
    employees_merged: int | None  # the round-ups of the months shown together, if any
    merged_months: list[datetime.date] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.companies + self.suppliers + (self.employees or 0)


@dataclass
class TableRow:
    label: str
    people: int
    grants: int
    amount: int


@dataclass
class Table:
    """A disclosed table ready for a page: `total` is None when fewer than 5 people are in it."""

    rows: list[TableRow]
    other: TableRow | None
    total: TableRow | None


@dataclass
class FundFigures:
    as_of: datetime.date
    balance: int
    held: int
    contributions: Contributions
    grants: TableRow | None  # all grants (0 if none); None when 1 to 4 people received one
    by_event: Table
    by_district: Table
    returned: int | None  # unspent credit back to the fund; None when from fewer than 5 people

    @property
    def available(self) -> int:
        return self.balance - self.held

    @property
    def beneficiaries(self) -> int | None:
        return self.grants.people if self.grants else None


def fund_figures(*, today: datetime.date | None = None) -> FundFigures:
    today = today or timezone.localdate()
    fund = ledger.solidarity_fund_account()
    grants = _grant_rows()
    totals = merge(group for _key, group in grants)
    return FundFigures(
        as_of=today,
        balance=fund.balance,
        held=fund.held,
        contributions=contributions_by_month(today=today),
        grants=_table_row("", totals) if totals.people == 0 or totals.people >= MIN_GROUP else None,
        by_event=_table(_by(grants, _event_key), _event_label),
        by_district=_table(_by(grants, lambda grant: grant[1]), _district_label),
        returned=_returned(grants),
    )


def _returned(grants: list[tuple["GrantRow", Group]]) -> int | None:
    """Unspent credit back to the fund: 0 if none came back, hidden if from 1 to 4 people."""
    returned = merge(group for _key, group in grants if group.values["returned"] > 0)
    if returned.people == 0:
        return 0
    return returned.values["returned"] if returned.people >= MIN_GROUP else None


# -- Contributions ---------------------------------------------------------------------------


def months_back(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    first = today.replace(day=1)
    return [add_months(first, offset) for offset in range(1 - count, 1)]


def contributions_by_month(*, today: datetime.date) -> Contributions:
    days = months_back(today)
    months = {day: Month(day) for day in days}
    in_period = {"transaction__effective_date__gte": days[0], "transaction__effective_date__lte": today}
    by_party = (
        Contribution.objects.filter(**in_period)
        .annotate(month=TruncMonth("transaction__effective_date"))
        .values_list("month", "party")
        .annotate(total=Sum("amount"))
    )
    employees: dict[datetime.date, int] = defaultdict(int)
    for month, party, total in by_party:
        if PARTY_SOURCE.get(party) == EMPLOYEES:
            employees[_day(month)] += int(total)
        elif PARTY_SOURCE.get(party) == COMPANIES:
            months[_day(month)].companies += int(total)
        elif PARTY_SOURCE.get(party) == SUPPLIERS:
            months[_day(month)].suppliers += int(total)
    for month, total in _plan_residuals(in_period):
        months[_day(month)].companies += int(total)
    for month, total in _direct_payments(in_period):
        months[_day(month)].companies += int(total)
    merged = _disclose_round_ups(in_period, employees)
    for day, month in months.items():
        month.employees = None if day in merged.other_keys else employees.get(day, 0)
    return Contributions(
        months=list(months.values()),
        companies=sum(month.companies for month in months.values()),
        suppliers=sum(month.suppliers for month in months.values()),
        employees=_round_ups_total(merged),
        employees_merged=int(merged.other.values["amount"]) if merged.other else None,
        merged_months=merged.other_keys if merged.shown else [],
    )


def _plan_residuals(in_period: dict[str, Any]) -> Any:
    from_plan_wallet = Entry.objects.filter(
        transaction=OuterRef("transaction"), account__plan_reference__startswith=PLAN_WALLET_PREFIX
    )
    return (
        Entry.objects.filter(
            account__kind=AccountKind.SOLIDARITY_FUND,
            amount__gt=0,
            transaction__kind=TransactionKind.EXPIRY,
            **in_period,
        )
        .filter(Exists(from_plan_wallet))
        .annotate(month=TruncMonth("transaction__effective_date"))
        .values_list("month")
        .annotate(total=Sum("amount"))
    )


def _direct_payments(in_period: dict[str, Any]) -> Any:
    """Contributions into the fund that no purchase caused: the members' yearly payments that the
    alliance's agreement sets (a CONTRIBUTION transaction with no `Contribution` row naming it)."""
    per_purchase = Contribution.objects.filter(transaction=OuterRef("transaction"))
    return (
        Entry.objects.filter(
            account__kind=AccountKind.SOLIDARITY_FUND,
            amount__gt=0,
            transaction__kind=TransactionKind.CONTRIBUTION,
            **in_period,
        )
        .exclude(Exists(per_purchase))
        .annotate(month=TruncMonth("transaction__effective_date"))
        .values_list("month")
        .annotate(total=Sum("amount"))
    )


def _round_ups_total(merged: Disclosed[datetime.date]) -> int | None:
    if merged.total is not None:
        return int(merged.total.values["amount"])
    return None if merged.other_keys else 0  # hidden if 1 to 4 people rounded up; 0 if nobody did


def _disclose_round_ups(in_period: dict[str, Any], amounts: dict[datetime.date, int]) -> Disclosed[datetime.date]:
    """A month's round-ups are shown on their own only if at least 5 people made them; one person
    rounding up in several months counts once when months are put together."""
    people: dict[datetime.date, set[int]] = defaultdict(set)
    pairs = (
        Contribution.objects.filter(party=ContributionParty.EMPLOYEE, **in_period)
        .annotate(month=TruncMonth("transaction__effective_date"))
        .values_list("month", "order__buyer_id")
        .order_by()  # no default ordering in the SELECT: DISTINCT is on the pairs alone
        .distinct()
    )
    for month, buyer_id in pairs:
        people[_day(month)].add(buyer_id)
    return disclose({day: Group.of(people[day], amount=amount) for day, amount in sorted(amounts.items())})


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# -- Grants ------------------------------------------------------------------------------------

GrantRow = tuple[list[str], str | None]  # its events, its district's name


def _grant_rows() -> list[tuple[GrantRow, Group]]:
    """Each grant's events and district, and a group of one person: its wallet's owner."""
    rows = Grant.objects.values_list("events", "district__name", "wallet__owner_user_id", "amount", "returned")
    return [
        ((events, district), Group.of([owner_id], grants=1, amount=amount, returned=returned))
        for events, district, owner_id, amount, returned in rows
    ]


def _event_key(grant: GrantRow) -> str:
    # One grant, one row: several events in one household form their own row, so that rows
    # never overlap (a grant counted twice could be subtracted out of the other).
    events = grant[0]
    return events[0] if len(events) == 1 else SEVERAL_EVENTS


def _by(grants: list[tuple[GrantRow, Group]], key: Callable[[GrantRow], Hashable]) -> dict[Hashable, Group]:
    cells: dict[Hashable, list[Group]] = defaultdict(list)
    for grant, group in grants:
        cells[key(grant)].append(group)
    return {cell: merge(groups) for cell, groups in cells.items()}


def _table(cells: dict[Hashable, Group], label: Callable[[Any], str]) -> Table:
    disclosed = disclose(cells)
    rows = sorted((_table_row(label(row.key), row.group) for row in disclosed.rows), key=lambda row: -row.people)
    return Table(
        rows=rows,
        other=_table_row(_("Other (groups under 5 people)"), disclosed.other) if disclosed.other else None,
        total=_table_row(_("Total"), disclosed.total) if disclosed.total else None,
    )


def _table_row(label: str, group: Group) -> TableRow:
    values = group.values
    return TableRow(label=label, people=group.people, grants=values.get("grants", 0), amount=values.get("amount", 0))


def _event_label(key: str) -> str:
    if key == SEVERAL_EVENTS:
        return _("more than one event")
    return str(dict(HardshipEvent.choices).get(key, key))


def _district_label(name: str | None) -> str:
    return name or _("district not known")


# -- The chart ---------------------------------------------------------------------------------
# Geometry only: the template draws it as inline SVG (page and PDF alike, no script, no asset).

COLOURS = {COMPANIES: "#1b6e3a", SUPPLIERS: "#b35c00", EMPLOYEES: "#2f5f8a"}
CHART_WIDTH, CHART_HEIGHT = 640, 260
PLOT_LEFT, PLOT_TOP, PLOT_BOTTOM = 76, 12, 220


@dataclass
class Segment:
    source: str
    colour: str
    y: float
    height: float
    amount: int


@dataclass
class Bar:
    day: datetime.date
    x: float
    centre: float
    segments: list[Segment]


@dataclass
class Chart:
    width: int
    height: int
    left: int
    right: int
    baseline: int
    bar_width: float
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, amount)


def _nice_top(cents: int) -> int:
    """The top of the scale in whole euro: 1, 2 or 5 times a power of ten, at or above the highest bar."""
    euro = max((cents + 99) // 100, 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= euro:
                return step * factor
        step *= 10


def _tick(cents: int) -> str:
    """Whole euro when it is a whole amount ("12.500 €"): the axis has little room."""
    locale = to_locale(get_language() or "it")
    if cents % 100:
        return format_euro(cents, locale=locale)
    return str(format_currency(cents // 100, "EUR", format="#,##0\xa0¤", locale=locale, currency_digits=False))


def chart(months: list[Month]) -> Chart:
    top = _nice_top(max((month.shown_total for month in months), default=0))
    plot_height = PLOT_BOTTOM - PLOT_TOP
    slot = (CHART_WIDTH - PLOT_LEFT - 8) / max(len(months), 1)
    bar_width = round(slot * 0.62, 1)
    bars = []
    for index, month in enumerate(months):
        x = round(PLOT_LEFT + index * slot + (slot - bar_width) / 2, 1)
        y = float(PLOT_BOTTOM)
        segments = []
        for source, amount in (
            (COMPANIES, month.companies),
            (SUPPLIERS, month.suppliers),
            (EMPLOYEES, month.employees),
        ):
            if not amount:
                continue
            height = round(amount / (top * 100) * plot_height, 1)
            y = round(y - height, 1)
            segments.append(Segment(source=source, colour=COLOURS[source], y=y, height=height, amount=amount))
        bars.append(Bar(day=month.day, x=x, centre=round(x + bar_width / 2, 1), segments=segments))
    ticks = [(round(PLOT_BOTTOM - plot_height * share / 4, 1), _tick(top * 100 * share // 4)) for share in range(5)]
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=PLOT_LEFT,
        right=CHART_WIDTH - 8,
        baseline=PLOT_BOTTOM,
        bar_width=bar_width,
        bars=bars,
        ticks=ticks,
    )
