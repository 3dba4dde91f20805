"""The regulation page: the operator publishes new versions, the committee reads them, nobody
else reaches it; an application keeps the version (and score) it was sent under."""

import pytest
from django.urls import reverse

from ..forms_regulation import RegulationForm
from ..models import FundApplication, FundRegulation, HardshipEvent
from ..regulation import regulation_in_force
from .factories import submit

pytestmark = pytest.mark.django_db

URL = "fund:regulation"


def form_data(**changes):
    """What the operator's browser sends: the prefilled form, as typed in Italian, plus changes."""
    data = {key: value for key, value in RegulationForm.initial_for(regulation_in_force()).items() if value != ""}
    data["note"] = "Soglia ISEE più bassa."
    for band in range(1, 5):
        data.setdefault(f"band_{band}_up_to", "")
        data.setdefault(f"band_{band}_points", "")
    data.update(changes)
    return data


def test_the_operator_sees_the_form_prefilled_from_the_regulation_in_force(cast, login):
    response = login(cast.operator_olga).get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="30.000,00"' in html  # the ISEE threshold of version 1
    assert 'name="event_serious_illness"' in html and 'value="30"' in html
    assert response.context["form"] is not None


def test_publishing_makes_version_two_with_amounts_read_the_italian_way(cast, login):
    response = login(cast.operator_olga).post(
        reverse(URL),
        form_data(
            isee_threshold="25.000,00",
            max_grant_per_year="2000",
            band_1_up_to="8.000",
            windows="01/01/2027 - 31/03/2027\n\n1/9/2027 – 30/9/2027",
            approvals_required="3",
            event_serious_illness="40",
        ),
    )
    assert response.status_code == 302
    latest = regulation_in_force()
    assert latest.version == 2
    assert latest.published_by == cast.operator_olga
    assert latest.isee_threshold == 2_500_000
    assert latest.max_grant_per_year == 200_000
    assert latest.scoring["isee_bands"][0] == {"up_to": 800_000, "points": 30}
    assert len(latest.scoring["isee_bands"]) == 4
    assert latest.scoring["events"][HardshipEvent.SERIOUS_ILLNESS] == 40
    assert latest.windows == [
        {"opens": "2027-01-01", "closes": "2027-03-31"},
        {"opens": "2027-09-01", "closes": "2027-09-30"},
    ]
    assert latest.approvals_required == 3
    assert latest.note == "Soglia ISEE più bassa."


def test_fewer_bands_are_fine(cast, login):
    data = form_data(band_3_up_to="", band_3_points="", band_4_up_to="", band_4_points="")
    assert login(cast.operator_olga).post(reverse(URL), data).status_code == 302
    assert len(regulation_in_force().scoring["isee_bands"]) == 2


def test_an_application_sent_before_keeps_its_version_and_score(cast, login):
    before = submit(cast.employee_anna, events=[HardshipEvent.SERIOUS_ILLNESS], isee=1_000_000, household_size=3)
    assert before.score == 30 + 20 + 6
    login(cast.operator_olga).post(reverse(URL), form_data(event_serious_illness="50", band_2_points="25"))
    assert regulation_in_force().version == 2
    before.refresh_from_db()
    assert (before.regulation.version, before.score) == (1, 56)
    after = submit(cast.employee_other_ugo, events=[HardshipEvent.SERIOUS_ILLNESS], isee=1_000_000, household_size=3)
    assert (after.regulation.version, after.score) == (2, 50 + 25 + 6)


@pytest.mark.parametrize(
    "changes",
    [
        {"isee_threshold": "trentamila"},
        {"isee_threshold": "0"},
        {"isee_threshold": "99999999999999999"},
        {"max_grant_per_year": "12,3456"},
        {"band_2_up_to": "5.000,00"},  # below band 1: bands must go up
        {"band_2_up_to": "8.000,00"},  # the same limit twice
        {"band_3_points": ""},  # a limit without its points
        {"event_job_loss": "-1"},
        {"event_job_loss": "1001"},
        {"approvals_required": "0"},
        {"approvals_required": "10"},
        {"retention_months": "0"},
        {"windows": "dal 1 gennaio"},
        {"windows": "31/03/2027 - 01/01/2027"},
        {"windows": "31/02/2027 - 01/03/2027"},
        {"note": ""},
        {"household_points_max": "tanti"},
    ],
)
def test_invalid_input_shows_the_form_again_and_publishes_nothing(cast, login, changes):
    response = login(cast.operator_olga).post(reverse(URL), form_data(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert FundRegulation.objects.count() == 1


def test_the_committee_reads_the_regulation_but_cannot_publish(cast, login):
    client = login(cast.committee_cesare)
    response = client.get(reverse(URL))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'name="isee_threshold"' not in response.content.decode()
    assert client.post(reverse(URL), form_data()).status_code == 404
    assert FundRegulation.objects.count() == 1


@pytest.mark.parametrize("role", ["employee_anna", "hr_bruno", "supplier_carla", "consultant_dario", "citizen_franco"])
def test_nobody_else_reaches_the_regulation_page(cast, login, role):
    client = login(getattr(cast, role))
    assert client.get(reverse(URL)).status_code == 404
    assert client.post(reverse(URL), form_data()).status_code == 404
    assert FundRegulation.objects.count() == 1


def test_the_version_history_lists_every_version(cast, login):
    client = login(cast.operator_olga)
    client.post(reverse(URL), form_data(note="Seconda versione"))
    client.post(reverse(URL), form_data(note="Terza versione"))
    html = client.get(reverse(URL)).content.decode()
    assert "Seconda versione" in html and "Terza versione" in html
    assert list(FundRegulation.objects.values_list("version", flat=True)) == [3, 2, 1]
    assert FundApplication.objects.count() == 0
