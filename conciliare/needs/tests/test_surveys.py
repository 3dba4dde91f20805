"""Survey services (publish, answer once, change until it closes) and the aggregates' group-size rule."""

import dataclasses
import datetime

import pytest
from django.utils import timezone
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conciliare.core.disclosure import MIN_GROUP
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.needs import surveys
from conciliare.needs.models import Survey, SurveyResponse
from conciliare.needs.surveys import AnswerInput, SurveyInput
from conciliare.testing.factories import make_family_member

TODAY = timezone.localdate()
ANSWER = AnswerInput(children_0_3=1, working_pattern="shifts", commute="15_30", errands=("groceries",))


def publish(actor, company=None, *, opens=-1, closes=10) -> Survey:
    return surveys.survey_publish(
        actor=actor,
        data=SurveyInput(
            title="Bisogni di conciliazione 2026",
            introduction="Cinque minuti per dirci cosa serve.",
            opens_on=TODAY + datetime.timedelta(days=opens),
            closes_on=TODAY + datetime.timedelta(days=closes),
            company=company,
        ),
        today=TODAY,
    )


# --- Publishing -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_operator_publishes_for_the_alliance_and_hr_for_its_company(cast):
    alliance = publish(cast.operator_olga)
    assert alliance.company is None and alliance.published_by == cast.operator_olga
    assert publish(cast.hr_bruno, cast.company).company == cast.company


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["employee_anna", "hr_bruno", "monitoring_elena", "supplier_carla", "citizen_franco"])
def test_only_the_operator_publishes_for_the_alliance(cast, who):
    with pytest.raises(NotPermitted):
        publish(getattr(cast, who))


@pytest.mark.django_db
def test_hr_cannot_publish_for_another_company(cast):
    with pytest.raises(NotPermitted):
        publish(cast.hr_bruno, cast.other_company)


@pytest.mark.django_db
def test_dates_must_make_sense(cast):
    with pytest.raises(InvalidInput) as backwards:
        publish(cast.operator_olga, opens=5, closes=2)
    assert "closes_on" in backwards.value.fields
    with pytest.raises(InvalidInput):
        publish(cast.operator_olga, opens=-10, closes=-1)


# --- Answering ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_employee_answers_once_and_changes_the_answer_until_it_closes(cast):
    survey = publish(cast.operator_olga)
    anna = cast.employee_anna
    first = surveys.survey_answer(actor=anna, survey_id=survey.pk, data=ANSWER, today=TODAY)
    assert (first.company, first.municipality) == (cast.company, anna.residence_municipality)
    changed = AnswerInput(children_0_3=2, working_pattern="day", commute="under_15", free_text="Un nido aziendale")
    second = surveys.survey_answer(actor=anna, survey_id=survey.pk, data=changed, today=survey.closes_on)
    assert second.pk == first.pk and SurveyResponse.objects.filter(survey=survey).count() == 1
    second.refresh_from_db()
    assert (second.children_0_3, second.working_pattern, second.errands) == (2, "day", [])
    with pytest.raises(Conflict):
        surveys.survey_answer(
            actor=anna, survey_id=survey.pk, data=ANSWER, today=survey.closes_on + datetime.timedelta(days=1)
        )
    second.refresh_from_db()
    assert second.children_0_3 == 2


@pytest.mark.django_db
def test_who_is_asked(cast):
    alliance = publish(cast.operator_olga)
    anna_company = publish(cast.hr_bruno, cast.company)
    ugo_company = publish(cast.hr_other_ivo, cast.other_company)
    anna = {row.survey for row in surveys.surveys_for_employee(cast.employee_anna, TODAY)}
    assert anna == {alliance, anna_company}
    with pytest.raises(NotPermitted):
        surveys.survey_answer(actor=cast.employee_anna, survey_id=ugo_company.pk, data=ANSWER, today=TODAY)
    # A company outside the alliance is not asked the alliance's survey.
    cast.other_company.alliance_member = False
    cast.other_company.save()
    assert {row.survey for row in surveys.surveys_for_employee(cast.employee_other_ugo, TODAY)} == {ugo_company}
    for outsider in (cast.hr_bruno, cast.citizen_franco, cast.operator_olga):
        with pytest.raises(NotPermitted):
            surveys.survey_answer(actor=outsider, survey_id=alliance.pk, data=ANSWER, today=TODAY)


@pytest.mark.django_db
def test_a_survey_not_yet_open_cannot_be_answered(cast):
    later = publish(cast.operator_olga, opens=3, closes=10)
    assert surveys.surveys_for_employee(cast.employee_anna, TODAY) == []
    with pytest.raises(NotPermitted):
        surveys.survey_answer(actor=cast.employee_anna, survey_id=later.pk, data=ANSWER, today=TODAY)


@pytest.mark.django_db
def test_bad_answers_are_refused_by_field(cast):
    survey = publish(cast.operator_olga)
    bad = AnswerInput(children_0_3=-1, working_pattern="always", commute="", errands=("x",), preferred_services=("y",))
    with pytest.raises(InvalidInput) as refused:
        surveys.survey_answer(actor=cast.employee_anna, survey_id=survey.pk, data=bad, today=TODAY)
    assert set(refused.value.fields) == {"children_0_3", "working_pattern", "commute", "errands", "preferred_services"}


@pytest.mark.django_db
def test_the_form_starts_from_the_family_profile(cast):
    anna = cast.employee_anna  # Sofia, born in 2023 (the cast's default): a child under 3 or 3 to 6
    make_family_member(anna, first_name="Nonno", relationship="parent", birth_date=TODAY.replace(year=TODAY.year - 80))
    make_family_member(anna, first_name="Marco", birth_date=TODAY.replace(year=TODAY.year - 6), disability=True)
    anna.employee_profile.shift_worker = True
    anna.employee_profile.save()
    initial = surveys.family_prefill(anna, TODAY)
    assert initial["children_6_14"] == 1
    assert initial["children_0_3"] + initial["children_3_6"] == 1
    assert initial["cares_for_elderly"] and initial["cares_for_disabled"]
    assert initial["working_pattern"] == "shifts"


# --- Results --------------------------------------------------------------------------------------------------------


def answer(i: int, company: int = 1, place: int | None = 1, **fields) -> surveys.Answer:
    district = (
        {1: "Alto Sebino", 2: "Alto Sebino", 3: "Val Cavallina", 7: "Val Cavallina"}.get(place) if place else None
    )
    return surveys.Answer(
        respondent=i,
        company=(company, f"Azienda {company}"),
        municipality=(place, f"Comune {place}") if place else None,
        district=district,
        children=fields.pop("children", (0, 0, 0)),
        working_pattern=fields.pop("working_pattern", "day"),
        commute=fields.pop("commute", "under_15"),
        **fields,
    )


def test_fewer_than_five_answers_show_nothing():
    results = surveys.tabulate([answer(i) for i in range(MIN_GROUP - 1)], by_company=True)
    assert results.respondents is None and results.questions == [] and results.breakdowns == []


def test_small_groups_are_merged_and_small_counts_hidden():
    answers = [answer(i, company=1, place=1, children=(1, 0, 0)) for i in range(8)]
    answers += [answer(10 + i, company=1, place=2, elderly=i < 2) for i in range(6)]
    answers += [answer(20 + i, company=2, place=3, wrote=True) for i in range(3)]
    results = surveys.tabulate(answers, by_company=True)
    assert results.respondents == 17
    by_place = next(b for b in results.breakdowns if b.key == "place")
    # Val Cavallina (3 people) is hidden; "other" would then hold 3, so Alto Sebino (14) joins it.
    assert by_place.rows == [] and by_place.other is not None and by_place.other.respondents == 17
    # Under it the municipalities: Comune 3 (3) is hidden, and so Comune 2 (6) joins it.
    nested = by_place.other_nested
    assert [(row.label, row.respondents, row.nested) for row in nested] == [
        ("Comune 1", 8, True),
        (gettext("Other municipalities, merged (groups under 5)"), 9, True),  # in the language of the run
    ]
    children, elderly = 0, 3
    assert [nested[0].indicators[children], nested[1].indicators[children]] == [8, 0]
    assert by_place.other.indicators[children] == by_place.total.indicators[children] == 8
    # Two people care for an elderly relative: hidden in "other", so Comune 1's 0 is hidden too
    # (the total minus it would give the 2 away), and so is the total.
    assert [nested[0].indicators[elderly], nested[1].indicators[elderly]] == [None, None]
    assert by_place.other.indicators[elderly] is None and by_place.total.indicators[elderly] is None
    care = next(q for q in results.questions if q.key == "care")
    assert care.cells == [] and care.other is not None and care.other.people == 17
    by_company = next(b for b in results.breakdowns if b.key == "company")
    assert [(row.label, row.respondents) for row in by_company.rows] == []  # 14 and 3: both merged
    assert by_company.other is not None and by_company.other.respondents == 17
    assert results.free_texts is None  # three wrote one: not even the count is shown


# --- The property: nothing under five, ever -------------------------------------------------------------------------

respondents = st.lists(
    st.builds(
        lambda company, place, kids, elderly, disabled, pattern, wrote: (
            company,
            place,
            kids,
            elderly,
            disabled,
            pattern,
            wrote,
        ),
        st.integers(1, 4),
        st.one_of(st.none(), st.integers(1, 7)),
        st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 2)),
        st.booleans(),
        st.booleans(),
        st.sampled_from(["day", "part_time", "shifts", "nights"]),
        st.booleans(),
    ),
    max_size=80,
)


def _visible_people(results: surveys.Results) -> list[int]:
    numbers = []
    for question in results.questions:
        numbers += [cell.people for cell in question.cells]
        numbers += [question.other.people] if question.other else []
    for breakdown in results.breakdowns:
        for head, nested in breakdown.sections:
            numbers += [row.respondents for row in (head, *nested)]
        numbers.append(breakdown.total.respondents)
    return numbers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(respondents)
def test_no_aggregate_shows_a_group_smaller_than_five(rows):
    answers = [
        answer(i, company=company, place=place, children=kids, elderly=e, disabled=d, working_pattern=p, wrote=w)
        for i, (company, place, kids, e, d, p, w) in enumerate(rows)
    ]
    results = surveys.tabulate(answers, by_company=True)
    if len(answers) < MIN_GROUP:
        assert results.respondents is None and not results.questions and not results.breakdowns
        return
    assert all(people >= MIN_GROUP for people in _visible_people(results))
    assert results.free_texts is None or results.free_texts >= MIN_GROUP
    for breakdown in results.breakdowns:
        rows_shown = [head for head, _nested in breakdown.sections]
        assert sum(row.respondents for row in rows_shown) == len(answers)
        for column in range(len(results.indicators)):
            yes = [row.indicators[column] for row in rows_shown]
            people = [row.respondents for row in rows_shown]
            # A shown count, and the rest of its group, are each 0 or at least five.
            for count, group in zip(yes, people, strict=True):
                if count is not None:
                    assert count == 0 or count >= MIN_GROUP
                    assert group - count == 0 or group - count >= MIN_GROUP
            # What the hidden cells hold together is readable from the total: it must obey the same rule.
            total = breakdown.total.indicators[column]
            if total is not None and None in yes:
                hidden_yes = total - sum(c for c in yes if c is not None)
                hidden_people = sum(p for c, p in zip(yes, people, strict=True) if c is None)
                assert hidden_yes == 0 or hidden_yes >= MIN_GROUP
                assert hidden_people - hidden_yes == 0 or hidden_people - hidden_yes >= MIN_GROUP
            if total is not None:
                assert total == 0 or total >= MIN_GROUP


# --- Across tables: nothing under five by difference ----------------------------------------------------------------


def small(number: int) -> bool:
    return 0 < number < MIN_GROUP


def test_a_district_minus_its_shown_municipalities_never_gives_a_small_group_away():
    # Lovere 10 (5 with a child under 3) and Bossico 3 (2) in one district; Trescore 10 (5) and
    # Zandobbio 2 (none) in another; Sarnico 7 in a third. Shown side by side, Alto Sebino (13, 7)
    # minus Lovere (10, 5) gave Bossico's 3 respondents and 2 toddlers away.
    towns = [
        ((1, "Lovere"), "Alto Sebino", 10, 5),
        ((2, "Bossico"), "Alto Sebino", 3, 2),
        ((3, "Trescore Balneario"), "Val Cavallina", 10, 5),
        ((4, "Zandobbio"), "Val Cavallina", 2, 0),
        ((5, "Sarnico"), "Basso Sebino", 7, 0),
    ]
    answers = [
        surveys.Answer(0, (1, "Acme"), town, district, (int(k < toddlers), 0, 0), working_pattern="day")
        for town, district, people, toddlers in towns
        for k in range(people)
    ]
    answers = [dataclasses.replace(a, respondent=i) for i, a in enumerate(answers)]
    results = surveys.tabulate(answers, by_company=False)
    [by_place] = results.breakdowns
    # Each district's small municipality would leave one shown municipality alone: both merge,
    # and the district is its only row. The district figures stay.
    assert [(head.label, head.respondents, head.indicators[0], nested) for head, nested in by_place.sections] == [
        ("Alto Sebino", 13, 7, []),
        ("Basso Sebino", 7, 0, []),
        ("Val Cavallina", 12, 5, []),
    ]
    assert_nothing_small_by_difference(answers, results)


def test_a_districts_municipalities_are_nested_with_the_small_ones_merged():
    place = {1: "Lovere", 2: "Bossico", 7: "Zandobbio"}
    answers = [answer(i, place=1, children=(i < 6, 0, 0)) for i in range(12)]
    answers += [answer(20 + i, place=2, children=(i < 5, 0, 0)) for i in range(10)]
    answers += [answer(40 + i, place=3) for i in range(6)]
    answers += [answer(50 + i, place=7, children=(1, 0, 0)) for i in range(2)]
    answers = [
        dataclasses.replace(a, municipality=(a.municipality[0], place.get(a.municipality[0], "Casazza")))
        for a in answers
    ]
    results = surveys.tabulate(answers, by_company=False)
    [by_place] = results.breakdowns
    sections = [(h.label, h.respondents, [(n.label, n.respondents) for n in nested]) for h, nested in by_place.sections]
    # Zandobbio's 2 join Casazza's 6 in Val Cavallina's "other municipalities": Val Cavallina minus
    # nothing shown is nothing at all, and its only row is the district's.
    assert sections == [
        ("Alto Sebino", 22, [("Bossico", 10), ("Lovere", 12)]),
        ("Val Cavallina", 8, []),
    ]
    alto, cavallina = by_place.sections
    # Val Cavallina has 2 toddlers out of 8: hidden. The total (13, known from the questions) minus
    # Alto Sebino (11) would give them away, so Alto Sebino is hidden too; the total minus Lovere (6)
    # and Bossico (5) would as well, so Bossico, the smaller, is hidden: the total minus Lovere
    # leaves 7, Bossico's and Val Cavallina's together.
    assert cavallina[0].indicators[0] is None
    assert [alto[0].indicators[0], *(n.indicators[0] for n in alto[1])] == [None, None, 6]
    assert by_place.total.indicators[0] == 13
    assert_nothing_small_by_difference(answers, results)


def assert_nothing_small_by_difference(answers: list[surveys.Answer], results: surveys.Results) -> None:
    """No count of 1 to 4 people, nor of 1 to 4 people without the property, can be worked out as:
    - a district minus its shown municipalities (for the respondents and for every indicator);
    - the total (known from the questions even where a table hides it) minus the shown rows of a
      table, counting a hidden district's shown municipalities (every table: company, place).
    """
    for breakdown in results.breakdowns:
        assert sum(head.respondents for head, _n in breakdown.sections) == len(answers)
        for head, nested in breakdown.sections:
            assert head.respondents >= MIN_GROUP and not head.nested
            assert all(row.respondents >= MIN_GROUP and row.nested for row in nested)
            assert not nested or sum(row.respondents for row in nested) == head.respondents
            assert len(nested) != 1  # one nested row would just repeat the district
        for column, (_title, test) in enumerate(surveys._indicators()):
            everyone = sum(map(test, answers))
            rest_people, rest_yes, anything_shown = len(answers), everyone, False
            for head, nested in breakdown.sections:
                for row in (head, *nested):
                    value = row.indicators[column]
                    assert value is None or not (small(value) or small(row.respondents - value))
                head_value = head.indicators[column]
                shown = [row for row in nested if row.indicators[column] is not None]
                if head_value is not None and nested:
                    # The district minus its shown municipalities.
                    hidden_yes = head_value - sum(row.indicators[column] or 0 for row in shown)
                    hidden_people = head.respondents - sum(row.respondents for row in shown)
                    assert not small(hidden_yes) and not small(hidden_people - hidden_yes), (head, nested)
                if head_value is not None:
                    rest_people, rest_yes, anything_shown = rest_people - head.respondents, rest_yes - head_value, True
                else:
                    rest_people -= sum(row.respondents for row in shown)
                    rest_yes -= sum(row.indicators[column] or 0 for row in shown)
                    anything_shown |= bool(shown)
            if anything_shown:  # the total minus everything shown
                assert not small(rest_yes) and not small(rest_people - rest_yes), (breakdown.key, column)
            total = breakdown.total.indicators[column]
            assert total is None or total == everyone
    assert_no_table_column_undoes_a_chart(results)


# Each table column, with the chart (question key, option positions) that counts the same people.
COLUMN_SOURCES = {0: ("children", {0}), 1: ("children", {1}), 2: ("children", {2}), 3: ("care", {0})}
COLUMN_SOURCES |= {4: ("care", {1}), 5: ("working_pattern", {2, 3})}  # rotating shifts, nights or weekends


def assert_no_table_column_undoes_a_chart(results: surveys.Results) -> None:
    """A chart merges small answers, and maybe a larger one with them, into "other": a table column
    counting an answer the chart merged would give the small ones away as "other" minus the column.
    So a column shows figures only where its chart shows its answers each in a cell of their own."""
    charts = {question.key: question for question in results.questions}
    labels = {key: {cell.label for cell in question.cells} for key, question in charts.items()}
    for column, (key, options) in COLUMN_SOURCES.items():
        assert len(charts[key].shown_options) == len(labels[key])
        if options <= charts[key].shown_options:
            continue
        for breakdown in results.breakdowns:
            rows = [*breakdown.rows, *breakdown.other_nested, breakdown.total]
            rows += [breakdown.other] if breakdown.other is not None else []
            assert all(row.indicators[column] is None for row in rows), (key, breakdown.key)


@pytest.mark.parametrize(
    ("groups", "column"),
    [
        # 20 daytime, 10 part time, 3 rotating shifts, 11 nights: the chart merges shifts (3) with
        # part time (10) into "other" 13; a column "shifts, nights or weekends" of 14 next to "nights
        # 11" would give the 3 away.
        (
            [
                (20, {"working_pattern": "day"}),
                (10, {"working_pattern": "part_time"}),
                (3, {"working_pattern": "shifts"}),
                (11, {"working_pattern": "nights"}),
            ],
            5,
        ),
        # 10 care for an elderly relative, 3 for a disabled one, 20 neither: "other" 13 minus an
        # "elderly" column of 10 would give the 3 away.
        ([(10, {"elderly": True}), (3, {"disabled": True}), (20, {})], 3),
    ],
)
def test_a_table_column_never_gives_away_what_a_chart_merged(groups, column):
    answers, number = [], 0
    for count, fields in groups:
        for _ in range(count):
            number += 1
            answers.append(answer(number, **fields))
    results = surveys.tabulate(answers, by_company=False)
    key = COLUMN_SOURCES[column][0]
    assert next(q for q in results.questions if q.key == key).other.people == 13
    assert all(row.indicators[column] is None for b in results.breakdowns for row in [*b.rows, b.total])
    assert_no_table_column_undoes_a_chart(results)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(respondents)
def test_no_small_group_can_be_worked_out_across_rows_and_tables(rows):
    answers = [
        answer(i, company=company, place=place, children=kids, elderly=e, disabled=d, working_pattern=p, wrote=w)
        for i, (company, place, kids, e, d, p, w) in enumerate(rows)
    ]
    results = surveys.tabulate(answers, by_company=True)
    if results.respondents is not None:
        assert {b.key for b in results.breakdowns} == {"company", "place"}
        assert_nothing_small_by_difference(answers, results)
