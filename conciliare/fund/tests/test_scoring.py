"""Scores computed by hand against a scoring table written out here, for each hardship event, each
ISEE band (on and next to every limit, and above the last), household sizes and combinations;
and a new regulation never rescoring what was submitted before it."""

import pytest

from conciliare.testing.factories import make_employee

from ..models import HardshipEvent
from ..regulation import DEFAULT_REGULATION, regulation_in_force, regulation_publish
from ..scoring import score_parts
from .factories import submit

pytestmark = pytest.mark.django_db

E = HardshipEvent
# Distinct points everywhere, so that a part counted twice or in the wrong place shows.
TABLE = {
    "events": {
        E.SERIOUS_ILLNESS: 40,
        E.JOB_LOSS: 35,
        E.BEREAVEMENT: 20,
        E.SINGLE_PARENT: 15,
        E.NON_SELF_SUFFICIENT: 30,
        E.OTHER: 5,
    },
    "isee_bands": [
        {"up_to": 600_000, "points": 30},  # up to 6,000.00 €
        {"up_to": 1_200_000, "points": 20},  # up to 12,000.00 €
        {"up_to": 2_000_000, "points": 10},  # up to 20,000.00 €
    ],
    "household_points_per_member": 4,
    "household_points_max": 10,
}
ABOVE_THE_BANDS = 2_500_000  # admitted (threshold 40,000 €) but in no band: 0 points
ALONE = 1  # a household of one: 0 points


def publish(actor, **changes):
    fields = {
        "isee_threshold": 4_000_000,
        "scoring": TABLE,
        "max_grant_per_year": 150_000,
        "windows": [],
        "approvals_required": 2,
        "grant_validity_months": 12,
        "retention_months": 24,
        "note": "Tabella di prova",
        **changes,
    }
    return regulation_publish(actor=actor, fields=fields)


def apply(applicant, events, *, isee=ABOVE_THE_BANDS, household_size=ALONE):
    extra = {"other_description": "Sfratto esecutivo"} if E.OTHER in events else {}
    return submit(applicant, events=events, isee=isee, household_size=household_size, **extra)


@pytest.fixture
def table(cast):
    return publish(cast.operator_olga)


@pytest.mark.parametrize(
    ("event", "points"),
    [
        (E.SERIOUS_ILLNESS, 40),
        (E.JOB_LOSS, 35),
        (E.BEREAVEMENT, 20),
        (E.SINGLE_PARENT, 15),
        (E.NON_SELF_SUFFICIENT, 30),
        (E.OTHER, 5),
    ],
)
def test_each_hardship_event_alone_scores_its_points(cast, table, event, points):
    # Given a household of one with an ISEE above every band, when only `event` is declared,
    application = apply(cast.employee_anna, [event])

    # then the score is the event's points, and the breakdown says so part by part.
    assert application.score == points
    assert application.score_breakdown == [
        {"part": event, "points": points},
        {"part": "isee", "points": 0},
        {"part": "household", "points": 0},
    ]
    assert application.regulation == table


@pytest.mark.parametrize(
    ("isee", "isee_points"),
    [
        (0, 30),
        (599_999, 30),
        (600_000, 30),  # exactly on the first limit: still the first band
        (600_001, 20),
        (1_200_000, 20),  # exactly on the second limit
        (1_200_001, 10),
        (2_000_000, 10),  # exactly on the last limit
        (2_000_001, 0),  # above the last band
        (4_000_000, 0),  # at the admission threshold, far above the bands
    ],
)
def test_each_isee_band_scores_its_points(cast, table, isee, isee_points):
    # Bereavement alone (20 points), a household of one (0 points).
    application = apply(cast.employee_anna, [E.BEREAVEMENT], isee=isee)

    assert application.score == 20 + isee_points
    assert application.score_breakdown[1] == {"part": "isee", "points": isee_points}


@pytest.mark.parametrize(
    ("household_size", "household_points"),
    [
        (1, 0),  # the applicant alone
        (2, 4),  # one more person: 4 points
        (3, 8),
        (4, 10),  # 3 more people would be 12: capped at 10
        (20, 10),  # the largest household the form takes: still the cap
    ],
)
def test_household_size_adds_points_up_to_the_cap(cast, table, household_size, household_points):
    application = apply(cast.employee_anna, [E.BEREAVEMENT], household_size=household_size)

    assert application.score == 20 + household_points
    assert application.score_breakdown[2] == {"part": "household", "points": household_points}


def test_a_combination_adds_every_part(cast, table):
    # Serious illness 40 + job loss 35 + single parent 15, ISEE 5,000 € (first band, 30),
    # four people (3 more: 12, capped at 10) = 130.
    application = apply(
        cast.employee_anna,
        [E.SINGLE_PARENT, E.SERIOUS_ILLNESS, E.JOB_LOSS],
        isee=500_000,
        household_size=4,
    )

    assert application.score == 130
    assert application.score_breakdown == [
        {"part": E.JOB_LOSS, "points": 35},
        {"part": E.SERIOUS_ILLNESS, "points": 40},
        {"part": E.SINGLE_PARENT, "points": 15},
        {"part": "isee", "points": 30},
        {"part": "household", "points": 10},
    ]


def test_an_event_declared_twice_counts_once(cast, table):
    application = apply(cast.employee_anna, [E.JOB_LOSS, E.JOB_LOSS], isee=1_000_000, household_size=2)

    assert application.score == 35 + 20 + 4
    assert application.events == [E.JOB_LOSS]


def test_every_event_together_with_the_lowest_isee_and_the_cap(cast, table):
    # 40 + 35 + 20 + 15 + 30 + 5 = 145 for the events, 30 for the ISEE, 10 for the household.
    application = apply(cast.employee_anna, list(E.values), isee=0, household_size=6)

    assert application.score == 185


def test_the_first_regulation_scores_as_the_alliance_adopted_it(cast):
    # Version 1 (DEFAULT_REGULATION): serious illness 30, ISEE 10,000 € in the band up to 15,000 € (20),
    # three people (2 more × 3 = 6) = 56.
    application = submit(cast.employee_anna, events=[E.SERIOUS_ILLNESS], isee=1_000_000, household_size=3)

    assert application.regulation.version == 1
    assert application.score == 56
    assert DEFAULT_REGULATION["scoring"]["events"][E.SERIOUS_ILLNESS] == 30  # the table the 56 was computed from


# --------------------------------------------------------------------------------------------------
# A new regulation does not rescore what was submitted before it
# --------------------------------------------------------------------------------------------------


def test_a_new_regulation_keeps_the_score_of_earlier_applications_and_scores_new_ones(cast, table):
    # Given Anna applied under version 1: job loss 35, ISEE 10,000 € (20), two people (4) = 59,
    before = apply(cast.employee_anna, [E.JOB_LOSS], isee=1_000_000, household_size=2)
    assert before.score == 59

    # when the operator publishes version 2, with other points for everything,
    new_table = {
        **TABLE,
        "events": {**TABLE["events"], E.JOB_LOSS: 50},
        "isee_bands": [{"up_to": 1_500_000, "points": 25}],
        "household_points_per_member": 1,
    }
    version_2 = publish(cast.operator_olga, scoring=new_table)

    # then Anna's application keeps version 1, its score and its breakdown,
    before.refresh_from_db()
    assert (before.regulation.version, before.score) == (1, 59)
    assert before.score_breakdown == [
        {"part": E.JOB_LOSS, "points": 35},
        {"part": "isee", "points": 20},
        {"part": "household", "points": 4},
    ]
    # and the same facts submitted now score by version 2: 50 + 25 + 1 = 76.
    marta = make_employee(cast.company, first_name="Marta")
    after = apply(marta, [E.JOB_LOSS], isee=1_000_000, household_size=2)
    assert regulation_in_force() == version_2
    assert (after.regulation.version, after.score) == (2, 76)


def test_score_parts_reads_only_the_table_it_is_given():
    # The pure function: the same facts under two tables, no database.
    facts = {"events": [E.BEREAVEMENT], "isee": 600_000, "household_size": 3}
    first = score_parts(TABLE, **facts)
    second = score_parts({**TABLE, "isee_bands": [{"up_to": 599_999, "points": 99}]}, **facts)

    assert [(p.part, p.points) for p in first] == [(E.BEREAVEMENT, 20), ("isee", 30), ("household", 8)]
    assert [(p.part, p.points) for p in second] == [(E.BEREAVEMENT, 20), ("isee", 0), ("household", 8)]
