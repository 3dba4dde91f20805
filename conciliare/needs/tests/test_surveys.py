"""Survey services (publish, answer once, change until it closes) and the aggregates' group-size rule."""

import datetime

import pytest
from django.utils import timezone
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
    district = {1: "Alto Sebino", 2: "Alto Sebino", 3: "Val Cavallina"}.get(place) if place else None
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
    by_place = next(b for b in results.breakdowns if b.key == "municipality")
    # Comune 3 (3 people) is hidden; "other" would then hold 3, so the smallest row (Comune 2, 6) joins it.
    assert [(row.label, row.respondents) for row in by_place.rows] == [("Comune 1", 8)]
    assert by_place.other is not None and by_place.other.respondents == 9
    children, elderly = 0, 3
    assert [by_place.rows[0].indicators[children], by_place.other.indicators[children]] == [8, 0]
    assert by_place.total.indicators[children] == 8
    # Two people care for an elderly relative: hidden in "other", so Comune 1's 0 is hidden too
    # (the total minus it would give the 2 away), and so is the total.
    assert [by_place.rows[0].indicators[elderly], by_place.other.indicators[elderly]] == [None, None]
    assert by_place.total.indicators[elderly] is None
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
        st.one_of(st.none(), st.integers(1, 6)),
        st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 2)),
        st.booleans(),
        st.booleans(),
        st.sampled_from(["day", "part_time", "shifts", "nights"]),
        st.booleans(),
    ),
    max_size=60,
)


def _visible_people(results: surveys.Results) -> list[int]:
    numbers = []
    for question in results.questions:
        numbers += [cell.people for cell in question.cells]
        numbers += [question.other.people] if question.other else []
    for breakdown in results.breakdowns:
        for row in [*breakdown.rows, *([breakdown.other] if breakdown.other else []), breakdown.total]:
            numbers.append(row.respondents)
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
        rows_shown = [*breakdown.rows, *([breakdown.other] if breakdown.other else [])]
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
