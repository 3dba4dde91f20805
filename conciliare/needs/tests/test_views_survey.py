"""The survey pages: who sees what, answering once, changing, read-only after closing, results."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from conciliare.needs.models import Survey, SurveyResponse
from conciliare.testing.factories import make_employee, municipality

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ANSWER = {
    "children_0_3": "1",
    "children_3_6": "0",
    "children_6_14": "0",
    "working_pattern": "shifts",
    "commute": "15_30",
    "errands": ["groceries", "pharmacy"],
    "preferred_services": ["nursery"],
    "free_text": "Un nido aperto fino alle 19",
}


def make_survey(publisher, company=None, *, opens=-1, closes=10) -> Survey:
    return Survey.objects.create(
        title="Bisogni 2026",
        company=company,
        opens_on=TODAY + datetime.timedelta(days=opens),
        closes_on=TODAY + datetime.timedelta(days=closes),
        published_by=publisher,
    )


def respond(survey, user, **fields) -> SurveyResponse:
    defaults = {"working_pattern": "day", "commute": "under_15"}
    return SurveyResponse.objects.create(
        survey=survey,
        respondent=user,
        company=user.employee_profile.company,
        municipality=user.residence_municipality,
        **{**defaults, **fields},
    )


def test_the_operator_publishes_from_the_page(cast, login):
    client = login(cast.operator_olga)
    assert client.get("/bisogni/questionari/nuovo/").status_code == 200
    data = {
        "audience": "alliance",
        "title": "Conciliazione 2026",
        "introduction": "",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
    }
    response = client.post("/bisogni/questionari/nuovo/", data)
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.company is None and survey.published_by == cast.operator_olga
    bad = client.post("/bisogni/questionari/nuovo/", {**data, "closes_on": "2000-01-01"})
    assert bad.status_code == 400 and Survey.objects.count() == 1


def test_hr_publishes_only_for_its_company(cast, login):
    client = login(cast.hr_bruno)
    form = client.get("/bisogni/questionari/nuovo/").context["form"]
    assert [value for value, _label in form.fields["audience"].choices] == [str(cast.company.pk)]
    data = {"audience": str(cast.company.pk), "title": "Noi", "opens_on": TODAY, "closes_on": TODAY}
    assert client.post("/bisogni/questionari/nuovo/", data).status_code == 302
    assert Survey.objects.get().company == cast.company
    foreign = {**data, "audience": str(cast.other_company.pk)}
    assert client.post("/bisogni/questionari/nuovo/", foreign).status_code == 400


@pytest.mark.parametrize("who", ["employee_anna", "supplier_carla", "citizen_franco", "monitoring_elena"])
def test_others_cannot_publish(cast, login, who):
    assert login(getattr(cast, who)).get("/bisogni/questionari/nuovo/").status_code == 404


def test_an_employee_answers_sees_the_answer_and_changes_it(cast, login):
    survey = make_survey(cast.operator_olga)
    client = login(cast.employee_anna)
    listing = client.get("/bisogni/questionari/")
    assert [row.survey for row in listing.context["to_answer"]] == [survey]
    page = client.get(f"/bisogni/questionari/{survey.pk}/")
    assert page.status_code == 200 and page.context["prefilled"]
    assert page.context["form"].initial["children_0_3"] + page.context["form"].initial["children_3_6"] == 1  # Sofia
    assert client.post(f"/bisogni/questionari/{survey.pk}/", ANSWER).status_code == 302
    saved = SurveyResponse.objects.get(survey=survey, respondent=cast.employee_anna)
    assert saved.errands == ["groceries", "pharmacy"] and saved.company == cast.company
    again = client.get(f"/bisogni/questionari/{survey.pk}/")
    assert not again.context["prefilled"] and again.context["form"].initial["working_pattern"] == "shifts"
    client.post(f"/bisogni/questionari/{survey.pk}/", {**ANSWER, "working_pattern": "day", "errands": []})
    saved.refresh_from_db()
    assert (saved.working_pattern, saved.errands) == ("day", [])
    assert SurveyResponse.objects.count() == 1
    bad = client.post(f"/bisogni/questionari/{survey.pk}/", {**ANSWER, "children_0_3": "-3"})
    assert bad.status_code == 400


def test_after_closing_the_answer_is_read_only(cast, login):
    survey = make_survey(cast.operator_olga, opens=-20, closes=-1)
    respond(survey, cast.employee_anna, children_0_3=1, free_text="Solo mio")
    client = login(cast.employee_anna)
    page = client.get(f"/bisogni/questionari/{survey.pk}/")
    assert page.status_code == 200 and "form" not in page.context
    assert "Solo mio" in page.content.decode()
    client.cookies["django_language"] = "en"
    late = client.post(f"/bisogni/questionari/{survey.pk}/", {**ANSWER, "children_0_3": "3"})
    with translation.override("en"):
        closed = date_format(survey.closes_on, "SHORT_DATE_FORMAT")
    assert late.status_code == 409
    assert f"This survey closed on {closed}: answers can no longer change." in late.content.decode()
    assert "form" not in late.context
    saved = SurveyResponse.objects.get()
    assert (saved.children_0_3, saved.working_pattern, saved.free_text) == (1, "day", "Solo mio")


def test_a_late_first_answer_is_refused_and_nothing_is_stored(cast, login):
    survey = make_survey(cast.operator_olga, opens=-20, closes=-1)
    client = login(cast.employee_anna)
    client.cookies["django_language"] = "en"
    for data in (ANSWER, {}):  # a complete answer, or an empty one: the survey is closed either way
        late = client.post(f"/bisogni/questionari/{survey.pk}/", data)
        assert late.status_code == 409 and "answers can no longer change" in late.content.decode()
    assert not SurveyResponse.objects.exists()


def test_an_empty_answer_shows_the_required_fields_and_changes_nothing(cast, login):
    survey = make_survey(cast.operator_olga)
    respond(survey, cast.employee_anna, children_0_3=2, free_text="Prima")
    client = login(cast.employee_anna)
    client.cookies["django_language"] = "en"
    empty = client.post(f"/bisogni/questionari/{survey.pk}/", {})
    assert empty.status_code == 400
    form = empty.context["form"]
    assert form.is_bound
    assert {"children_0_3", "children_3_6", "children_6_14", "working_pattern", "commute"} <= set(form.errors)
    assert "This field is required." in empty.content.decode()
    saved = SurveyResponse.objects.get()
    assert (saved.children_0_3, saved.free_text) == (2, "Prima")


def test_an_empty_publication_shows_the_required_fields_and_publishes_nothing(cast, login):
    client = login(cast.operator_olga)
    client.cookies["django_language"] = "en"
    empty = client.post("/bisogni/questionari/nuovo/", {})
    assert empty.status_code == 400
    form = empty.context["form"]
    assert form.is_bound and {"audience", "title", "opens_on", "closes_on"} <= set(form.errors)
    assert "This field is required." in empty.content.decode()
    assert not Survey.objects.exists()


def test_a_survey_that_does_not_concern_you_is_404(cast, login):
    other = make_survey(cast.hr_other_ivo, cast.other_company)
    for who in (cast.employee_anna, cast.hr_bruno, cast.citizen_franco):
        assert login(who).get(f"/bisogni/questionari/{other.pk}/").status_code == 404
    assert login(cast.employee_anna).get("/bisogni/questionari/999999/").status_code == 404


def test_people_with_nothing_to_do_get_an_explanation(cast, login):
    page = login(cast.citizen_franco).get("/bisogni/questionari/")
    assert page.status_code == 200 and not page.context["is_employee"] and not page.context["readable"]


# --- Results: who may read them -------------------------------------------------------------------------------------

ALLIANCE_READERS = {"operator_olga", "monitoring_elena", "consultant_dario"}
EVERYONE = [
    "employee_anna",
    "employee_other_ugo",
    "hr_bruno",
    "hr_other_ivo",
    "supplier_carla",
    "operator_olga",
    "committee_cesare",
    "consultant_dario",
    "monitoring_elena",
    "citizen_franco",
]


@pytest.mark.parametrize("who", EVERYONE)
def test_who_reads_the_alliance_survey(cast, login, who):
    survey = make_survey(cast.operator_olga)
    status = login(getattr(cast, who)).get(f"/bisogni/questionari/{survey.pk}/risultati/").status_code
    assert status == (200 if who in ALLIANCE_READERS else 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_who_reads_a_company_survey(cast, login, who):
    survey = make_survey(cast.hr_bruno, cast.company)
    status = login(getattr(cast, who)).get(f"/bisogni/questionari/{survey.pk}/risultati/").status_code
    assert status == (200 if who == "hr_bruno" else 404)


def _respondents(cast, survey, count: int) -> None:
    for i in range(count):
        person = make_employee(cast.company, residence_municipality=municipality("Lovere" if i % 2 else "Sovere"))
        respond(survey, person, children_0_3=i % 2, free_text=f"SEGRETO-{i}", errands=["groceries"])


def test_results_show_aggregates_and_never_a_free_text(cast, login):
    survey = make_survey(cast.operator_olga)
    _respondents(cast, survey, 12)
    page = login(cast.operator_olga).get(f"/bisogni/questionari/{survey.pk}/risultati/")
    html = page.content.decode()
    assert page.context["results"].respondents == 12
    assert "SEGRETO" not in html
    assert "<svg" in html and "<table" in html
    assert page.context["results"].free_texts == 12


def test_results_nest_the_municipalities_under_their_district(cast, login):
    survey = make_survey(cast.operator_olga)
    _respondents(cast, survey, 12)  # 6 at Lovere, each with a child under 3, and 6 at Sovere
    page = login(cast.operator_olga).get(f"/bisogni/questionari/{survey.pk}/risultati/")
    [by_place] = [b for b in page.context["results"].breakdowns if b.key == "place"]
    [(district, towns)] = by_place.sections
    assert (district.label, district.respondents, district.indicators[0]) == ("Alto Sebino", 12, 6)
    assert [(town.label, town.respondents, town.indicators[0]) for town in towns] == [
        ("Lovere", 6, 6),
        ("Sovere", 6, 0),
    ]
    html = page.content.decode()
    assert '<th scope="rowgroup">Alto Sebino</th>' in html
    assert html.count("<tbody>") >= 2  # one per district (and one per table before it)


def test_a_few_answers_show_nothing(cast, login):
    survey = make_survey(cast.operator_olga)
    _respondents(cast, survey, 4)
    page = login(cast.operator_olga).get(f"/bisogni/questionari/{survey.pk}/risultati/")
    assert page.context["results"].respondents is None
    assert "<svg" not in page.content.decode()


def test_the_results_page_runs_the_same_queries_for_6_or_30_answers(cast, login):
    survey = make_survey(cast.operator_olga)
    client = login(cast.operator_olga)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/bisogni/questionari/{survey.pk}/risultati/").status_code == 200
        return len(captured)

    _respondents(cast, survey, 6)
    few = queries()
    _respondents(cast, survey, 24)
    assert queries() == few


def test_the_list_runs_the_same_queries_for_few_or_many_surveys(cast, login):
    client = login(cast.employee_anna)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/bisogni/questionari/").status_code == 200
        return len(captured)

    make_survey(cast.operator_olga)
    few = queries()
    for _ in range(6):
        respond(make_survey(cast.operator_olga), cast.employee_anna)
    assert queries() == few


@pytest.mark.parametrize("who", ["employee_anna", "hr_bruno"])
def test_the_list_of_company_surveys_runs_the_same_queries_for_one_or_nine(cast, login, who):
    # Each card and row names the survey's company: read with the surveys, not once per survey.
    client = login(getattr(cast, who))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/bisogni/questionari/").status_code == 200
        return len(captured)

    respond(make_survey(cast.hr_bruno, cast.company), cast.employee_anna)
    one = queries()
    for i in range(8):
        survey = make_survey(cast.hr_bruno, cast.company)
        if i % 2:
            respond(survey, cast.employee_anna)
    assert queries() == one
    page = client.get("/bisogni/questionari/").content.decode()
    assert page.count(cast.company.name) >= 9


def test_a_company_survey_page_names_the_company(cast, login):
    survey = make_survey(cast.hr_bruno, cast.company)
    page = login(cast.employee_anna).get(f"/bisogni/questionari/{survey.pk}/")
    assert page.status_code == 200 and cast.company.name in page.content.decode()
