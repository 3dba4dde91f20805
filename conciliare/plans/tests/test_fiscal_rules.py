"""The rules engine against worked cases; each case cites its source (ids from the rules files)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from conciliare.plans import fiscal
from conciliare.plans.fiscal import EMPLOYEE, FAMILY, Beneficiary

D = datetime.date
ROME = ZoneInfo("Europe/Rome")
UTC = datetime.UTC


def child(born: D, **extra) -> Beneficiary:
    return Beneficiary(kind=FAMILY, birth_date=born, fiscally_dependent=True, **extra)


def buckets(category: str, who: Beneficiary, day: D) -> list[str]:
    return [option.bucket for option in fiscal.payable_buckets(category=category, beneficiary=who, day=day)]


# (case, source ids, callable returning the actual value, expected value)
CASES = [
    # Fringe-benefit cap (TUIR art. 51 c.3; L. 207/2024 for 2025-2027)
    (
        "cap 2026, no children, exactly 1,000.00 stays exempt",
        "T1 T2 T3",
        lambda: (
            fiscal.fringe_assess(year=2026, used=90_000, amount=10_000, dependent_children_declared=False).within_cap
        ),
        True,
    ),
    (
        "cap 2026, no children, 1,000.01 makes the whole amount taxable",
        "T1 T6",
        lambda: (
            fiscal.fringe_assess(year=2026, used=90_000, amount=10_001, dependent_children_declared=False).within_cap
        ),
        False,
    ),
    (
        "cap 2026 with declared dependent children is 2,000.00",
        "T1 T4 T5",
        lambda: fiscal.fringe_cap(year=2026, dependent_children_declared=True),
        200_000,
    ),
    (
        "cap with children, exactly 2,000.00 stays exempt",
        "T1 T5",
        lambda: (
            fiscal.fringe_assess(year=2026, used=150_000, amount=50_000, dependent_children_declared=True).within_cap
        ),
        True,
    ),
    (
        "cap with children, 2,000.01 is over",
        "T1 T5",
        lambda: (
            fiscal.fringe_assess(year=2026, used=150_000, amount=50_001, dependent_children_declared=True).within_cap
        ),
        False,
    ),
    (
        "without the self-declaration the cap stays 1,000.00",
        "T4 T5",
        lambda: fiscal.fringe_cap(year=2026, dependent_children_declared=False),
        100_000,
    ),
    (
        "cap 2025 is also 1,000.00",
        "T1 T2",
        lambda: fiscal.fringe_cap(year=2025, dependent_children_declared=False),
        100_000,
    ),
    (
        "left this year after 350.00 used",
        "T1",
        lambda: fiscal.fringe_assess(year=2026, used=35_000, amount=0, dependent_children_declared=False).left,
        65_000,
    ),
    # Letter f versus f-bis: reimbursement (TUIR art. 51 c.2)
    (
        "letter f pays services, never a cash reimbursement",
        "T16 T32",
        lambda: fiscal.may_reimburse(bucket="art51_c2_f", year=2026),
        False,
    ),
    (
        "letter f-bis may reimburse education expenses of family members",
        "T26 T28 T32",
        lambda: fiscal.may_reimburse(bucket="art51_c2_fbis", year=2026),
        True,
    ),
    (
        "a nursery for a 2-year-old child: f-bis first, then f",
        "T26 T32",
        lambda: buckets("nursery", child(D(2024, 3, 1)), D(2026, 5, 4)),
        ["art51_c2_fbis", "art51_c2_f"],
    ),
    (
        "f-bis is for family members, not for the employee",
        "T26 T32",
        lambda: buckets("after_school", Beneficiary(kind=EMPLOYEE), D(2026, 5, 4)),
        ["art51_c2_f"],
    ),
    (
        "f-bis family members need not be dependants",
        "T28",
        lambda: buckets("summer_camp", Beneficiary(kind=FAMILY, birth_date=D(2015, 1, 1)), D(2026, 7, 1)),
        ["art51_c2_fbis", "art51_c2_f"],
    ),
    # f-ter: elderly at 75, or certified non-self-sufficient
    (
        "f-ter: a parent aged 74 is not yet elderly",
        "T30 T31",
        lambda: buckets("home_care", Beneficiary(kind=FAMILY, birth_date=D(1952, 5, 5)), D(2026, 5, 4)),
        ["art51_c2_f"],
    ),
    (
        "f-ter: the same parent the day they turn 75",
        "T30 T31",
        lambda: buckets("home_care", Beneficiary(kind=FAMILY, birth_date=D(1951, 5, 4)), D(2026, 5, 4)),
        ["art51_c2_fter", "art51_c2_f"],
    ),
    (
        "f-ter: aged 60 but certified non-self-sufficient",
        "T30",
        lambda: buckets(
            "day_centre_disabled",
            Beneficiary(kind=FAMILY, birth_date=D(1966, 1, 1), non_self_sufficient=True),
            D(2026, 5, 4),
        ),
        ["art51_c2_fter", "art51_c2_f"],
    ),
    ("f-ter may reimburse", "T30 T31", lambda: fiscal.may_reimburse(bucket="art51_c2_fter", year=2026), True),
    # d-bis, f-quater, fringe categories
    (
        "d-bis: transport pass of a fiscally dependent child",
        "T43",
        lambda: buckets("public_transport_pass", child(D(2010, 1, 1)), D(2026, 9, 1)),
        ["art51_c2_dbis"],
    ),
    (
        "d-bis: not for a relative who is not dependent",
        "T43",
        lambda: buckets("public_transport_pass", Beneficiary(kind=FAMILY, birth_date=D(1980, 1, 1)), D(2026, 9, 1)),
        [],
    ),
    (
        "f-quater: long-term-care cover for the employee",
        "T41",
        lambda: buckets("long_term_care_cover", Beneficiary(kind=EMPLOYEE), D(2026, 1, 15)),
        ["art51_c2_fquater"],
    ),
    (
        "grocery delivery is a fringe benefit",
        "T1 T3",
        lambda: buckets("grocery_delivery", Beneficiary(kind=EMPLOYEE), D(2026, 1, 15)),
        ["art51_c3_fringe"],
    ),
    (
        "an unknown category is payable by no bucket",
        "T16",
        lambda: buckets("casino", Beneficiary(kind=EMPLOYEE), D(2026, 1, 15)),
        [],
    ),
    (
        "main-home rent is reimbursable inside the fringe cap",
        "T1 T3",
        lambda: "main_home_rent" in fiscal.rules_for(2026)["fringe_benefits"]["reimbursable_expenses"],
        True,
    ),
    # Performance bonus (L. 208/2015 c.182-190)
    (
        "premium 2025: 1,000.00 gross nets 862.70 in cash at 5 %",
        "T9 T10",
        lambda: fiscal.bonus_compare(year=2025, gross=100_000, previous_year_income=3_000_000).cash_net,
        86_270,
    ),
    (
        "premium 2026: 1,000.00 gross nets 899.02 in cash at 1 %",
        "T9 T10",
        lambda: fiscal.bonus_compare(year=2026, gross=100_000, previous_year_income=3_000_000).cash_net,
        89_902,
    ),
    (
        "premium converted into welfare keeps the full 1,000.00",
        "T12 T13",
        lambda: fiscal.bonus_compare(year=2026, gross=100_000, previous_year_income=3_000_000).welfare_value,
        100_000,
    ),
    (
        "income limit: exactly 80,000.00 last year is eligible",
        "T9 T12",
        lambda: fiscal.bonus_compare(year=2026, gross=100_000, previous_year_income=8_000_000).eligible,
        True,
    ),
    (
        "income limit: 80,000.01 last year is not",
        "T9 T12",
        lambda: fiscal.bonus_compare(year=2026, gross=100_000, previous_year_income=8_000_001).eligible,
        False,
    ),
    (
        "premium cap 2025 is 3,000.00",
        "T11 T12",
        lambda: fiscal.bonus_compare(year=2025, gross=300_001, previous_year_income=0).eligible,
        False,
    ),
    (
        "premium cap 2026 is 5,000.00",
        "T11",
        lambda: fiscal.bonus_compare(year=2026, gross=500_000, previous_year_income=0).eligible,
        True,
    ),
    # Tax year in Rome's time
    (
        "31 Dec 2025 23:59 in Rome is tax year 2025",
        "TUIR",
        lambda: fiscal.tax_year_of(datetime.datetime(2025, 12, 31, 23, 59, tzinfo=ROME)),
        2025,
    ),
    (
        "1 Jan 2026 00:01 in Rome (still 2025 in UTC) is tax year 2026",
        "TUIR",
        lambda: fiscal.tax_year_of(datetime.datetime(2025, 12, 31, 23, 1, tzinfo=UTC)),
        2026,
    ),
    # Meal vouchers
    ("electronic meal vouchers: 8.00 a day in 2025", "S9", lambda: fiscal.meal_voucher_daily_exempt(year=2025), 800),
    (
        "electronic meal vouchers: 10.00 a day from 2026",
        "S33",
        lambda: fiscal.meal_voucher_daily_exempt(year=2026),
        1_000,
    ),
    (
        "paper meal vouchers: 4.00 a day",
        "S9",
        lambda: fiscal.meal_voucher_daily_exempt(year=2026, electronic=False),
        400,
    ),
]


@pytest.mark.parametrize(("case", "sources", "actual", "expected"), CASES, ids=[c[0] for c in CASES])
def test_worked_case(case, sources, actual, expected):
    for source in sources.split():
        assert source in fiscal.rules_for(2026)["sources"], f"{case}: unknown source {source}"
    assert actual() == expected, case


def test_there_are_at_least_25_worked_cases_each_with_a_source():
    assert len(CASES) >= 25 and all(sources for _case, sources, _a, _e in CASES)


def test_every_rule_of_every_year_names_known_sources():
    for year in fiscal.available_years():
        rules = fiscal.rules_for(year)
        cited = [s for rule in rules["buckets"].values() for s in rule["sources"]]
        cited += (
            rules["fringe_benefits"]["sources"] + rules["performance_bonus"]["sources"] + rules["vouchers"]["sources"]
        )
        cited += rules["meal_vouchers"]["sources"] + rules["category_sources"]
        assert set(cited) <= set(rules["sources"]), year
        assert all(bucket in rules["buckets"] for buckets in rules["categories"].values() for bucket in buckets)
    assert fiscal.available_years()[:3] == [2025, 2026, 2027]


def test_a_year_without_rules_is_a_clear_error():
    with pytest.raises(fiscal.UnknownTaxYear):
        fiscal.rules_for(1999)


def test_naive_datetimes_are_refused_for_the_tax_year():
    with pytest.raises(ValueError):
        fiscal.tax_year_of(datetime.datetime(2026, 1, 1))


def test_negative_amounts_are_refused():
    with pytest.raises(fiscal.ApplicationError):
        fiscal.fringe_assess(year=2026, used=-1, amount=0, dependent_children_declared=False)
    with pytest.raises(fiscal.ApplicationError):
        fiscal.bonus_compare(year=2026, gross=0, previous_year_income=0)


def test_an_ineligible_premium_pays_no_substitute_tax_and_welfare_still_keeps_it_whole():
    comparison = fiscal.bonus_compare(year=2026, gross=100_000, previous_year_income=9_000_000)
    assert (comparison.eligible, comparison.substitute_tax, comparison.contributions) == (False, 0, 9_190)
    assert comparison.welfare_advantage == 100_000 - comparison.cash_net
