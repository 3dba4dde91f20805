"""The committee's API (/api/v1/fund/): the queue, an application (every reading logged), votes and
requests for documents; for everybody else, every id and the list are the same 404."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token

from conciliare.accounts.models import MembershipRole
from conciliare.api.tests.support import assert_error, json_body
from conciliare.api.tests.test_schemathesis import (  # noqa: F401 - same_connection is a fixture
    CHECKS,
    FUZZ,
    _call_in_savepoint,
    _pin,
    same_connection,
    schema,
)
from conciliare.core.models import AccessLog
from conciliare.ledger import services as ledger
from conciliare.testing.factories import make_employee, make_member

from ..models import ApplicationStatus, CommitteeVote, FundApplication, Grant, HardshipEvent
from ..services import committee_vote
from .factories import fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db

LIST = "/api/v1/fund/applications/"
OUTSIDERS = [
    "hr_bruno",
    "hr_other_ivo",
    "operator_olga",
    "supplier_carla",
    "employee_other_ugo",
    "citizen_franco",
    "consultant_dario",
    "monitoring_elena",
    "employee_anna",  # the applicant herself: her application is on her own pages, not in this API
]


def one(application_id: int, action: str = "") -> str:
    return f"{LIST}{application_id}/{action + '/' if action else ''}"


def post_json(client: Client, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def italian(text: str) -> str:
    """What the API answers in, the site's language, for an English source string."""
    with translation.override("it"):
        return translation.gettext(text)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api(login):
    def _api(user) -> Client:
        client = login(user)
        client.raise_request_exception = False
        return client

    return _api


@pytest.fixture
def world(cast):
    """Anna's application (score 56) and Ugo's (score 94), a fund of 5,000 €, Cesare and Paola on the committee."""
    fund_the_fund(500_000)
    (paola,) = make_committee(1)
    anna = submit(cast.employee_anna, documents=2)
    ugo = submit(
        cast.employee_other_ugo,
        events=[HardshipEvent.SERIOUS_ILLNESS, HardshipEvent.JOB_LOSS],
        isee=500_000,
        household_size=4,
    )
    return {"anna": anna, "ugo": ugo, "cesare": cast.committee_cesare, "paola": paola}


def fund_logs() -> list[tuple]:
    return list(
        AccessLog.objects.filter(object_type__startswith="fund.")
        .order_by("pk")
        .values_list("actor_id", "action", "object_type", "object_id", "subject_user_id")
    )


def state() -> tuple:
    """What a refused call must leave as it was."""
    return (
        list(FundApplication.objects.order_by("pk").values_list("status", "info_request")),
        CommitteeVote.objects.count(),
        Grant.objects.count(),
        ledger.solidarity_fund_account().balance,
    )


# --------------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------------


def test_the_queue_lists_applications_by_score_without_applicant_data(world, api, cast):
    logs = fund_logs()

    response = api(world["cesare"]).get(LIST)

    assert response.status_code == 200
    body = json_body(response)
    assert body["count"] == 2
    first, second = body["results"]
    ugo, anna = world["ugo"], world["anna"]
    assert first == {
        "id": ugo.pk,
        "reference": ugo.reference,
        "submitted_at": first["submitted_at"],
        "status": "submitted",
        "status_display": italian("with the committee"),
        "events": ["job_loss", "serious_illness"],
        "score": 30 + 25 + 30 + 9,
        "approvals": 0,
        "rejections": 0,
        "my_vote": None,
        "granted_cents": None,
    }
    assert (second["id"], second["score"]) == (anna.pk, 56)
    text = response.content.decode()
    for personal in ("Anna", "Rossi", "Ugo", cast.employee_anna.email, "INPS-ISEE", "Assistenza"):
        assert personal not in text
    assert fund_logs() == logs  # the queue shows no application data: nothing to log


def test_the_queue_filters_by_status_and_refuses_an_unknown_one(world, api):
    client = api(world["cesare"])

    assert json_body(client.get(LIST, {"status": "approved"}))["results"] == []
    assert [row["id"] for row in json_body(client.get(LIST, {"status": "submitted"}))["results"]] == [
        world["ugo"].pk,
        world["anna"].pk,
    ]
    error = assert_error(client.get(LIST, {"status": "secret"}), status=400, code="validation_error")
    assert list(error["fields"]) == ["status"]


def test_the_queue_shows_my_vote_and_the_counts(world, api):
    anna = world["anna"]
    post_json(api(world["paola"]), one(anna.pk, "votes"), {"vote": "reject", "reason": "ISEE scaduto"})

    rows = {row["id"]: row for row in json_body(api(world["cesare"]).get(LIST))["results"]}
    assert (rows[anna.pk]["rejections"], rows[anna.pk]["my_vote"]) == (1, None)
    rows = {row["id"]: row for row in json_body(api(world["paola"]).get(LIST))["results"]}
    assert (rows[anna.pk]["rejections"], rows[anna.pk]["my_vote"]) == (1, "reject")


def test_the_queue_costs_the_same_queries_whatever_its_length(world, api, cast):
    client = api(world["cesare"])
    with CaptureQueriesContext(connection) as two:
        assert json_body(client.get(LIST))["count"] == 2
    for index in range(3):
        submit(make_employee(cast.company, first_name=f"Collega{index}"))
        committee_vote(
            member=world["paola"], application_id=FundApplication.objects.latest("pk").pk, vote="approve", amount=1_000
        )

    with CaptureQueriesContext(connection) as five:
        assert json_body(client.get(LIST))["count"] == 5

    assert len(five) == len(two)


def test_a_members_own_application_is_not_in_their_queue_and_is_a_404(cast, api):
    rita = make_employee(cast.company, first_name="Rita")
    make_member(rita, cast.operator, MembershipRole.FUND_COMMITTEE)
    own = submit(rita)
    client = api(rita)

    assert json_body(client.get(LIST))["results"] == []
    assert_error(client.get(one(own.pk)), status=404, code="not_found")
    assert_error(
        post_json(client, one(own.pk, "votes"), {"vote": "approve", "amount": "10.00"}), status=404, code="not_found"
    )
    assert not CommitteeVote.objects.exists()


# --------------------------------------------------------------------------------------------------
# One application: everything, and the reading logged
# --------------------------------------------------------------------------------------------------


def test_the_detail_has_the_whole_application_and_its_reading_is_logged(world, api, cast):
    anna = world["anna"]
    cesare = world["cesare"]

    response = api(cesare).get(one(anna.pk))

    assert response.status_code == 200
    body = json_body(response)
    assert body["applicant_name"] == "Anna Rossi"
    assert (body["reference"], body["score"], body["regulation_version"], body["approvals_required"]) == (
        anna.reference,
        56,
        1,
        2,
    )
    assert body["score_breakdown"] == [
        {"part": "serious_illness", "label": italian("serious illness or disability in the household"), "points": 30},
        {"part": "isee", "label": italian("ISEE band"), "points": 20},
        {"part": "household", "label": italian("household size"), "points": 6},
    ]
    assert (body["isee_cents"], body["household_size"], body["isee_protocol"]) == (
        1_000_000,
        3,
        "INPS-ISEE-2026-00001234",
    )
    assert body["needs_description"] == "Assistenza domiciliare per mio padre."
    assert body["grant_room_cents"] == 150_000
    assert body["votes"] == [] and body["my_vote"] is None
    documents = body["documents"]
    assert [d["id"] for d in documents] == list(anna.documents.order_by("pk").values_list("pk", flat=True))
    assert documents[0]["download_url"] == f"/comitato/domande/{anna.pk}/documenti/{documents[0]['id']}/"
    assert (documents[0]["kind"], documents[0]["name"]) == ("pdf", "certificato.pdf")
    # Logged: who, what, which application, and never whose.
    assert fund_logs()[-1] == (cesare.pk, "view", "fund.FundApplication", str(anna.pk), None)
    log = AccessLog.objects.filter(object_type="fund.FundApplication").latest("pk")
    assert log.ip_address == "127.0.0.1"


def test_every_reading_is_logged_once(world, api):
    anna = world["anna"]
    before = len(fund_logs())
    client = api(world["paola"])

    for _ in range(3):
        assert client.get(one(anna.pk)).status_code == 200

    readings = [row for row in fund_logs()[before:] if row[1] == "view"]
    assert readings == [(world["paola"].pk, "view", "fund.FundApplication", str(anna.pk), None)] * 3


# --------------------------------------------------------------------------------------------------
# Votes
# --------------------------------------------------------------------------------------------------


def test_two_approvals_through_the_api_make_the_grant(world, api, cast):
    anna = world["anna"]

    first = post_json(api(world["cesare"]), one(anna.pk, "votes"), {"vote": "approve", "amount": "250.00"})
    assert first.status_code == 201
    assert (json_body(first)["approvals"], json_body(first)["my_vote"], json_body(first)["status"]) == (
        1,
        "approve",
        "submitted",
    )

    second = post_json(
        api(world["paola"]), one(anna.pk, "votes"), {"vote": "approve", "amount": "200.00", "reason": "Concordo"}
    )
    assert second.status_code == 201
    body = json_body(second)
    assert (body["status"], body["approvals"], body["granted_cents"]) == ("approved", 2, 20_000)
    assert "applicant_name" not in body  # the answer to a vote carries no applicant data
    grant = Grant.objects.get()
    assert (grant.amount, grant.beneficiary) == (20_000, cast.employee_anna)
    assert ledger.solidarity_fund_account().balance == 480_000

    # A decided application takes no more votes.
    (third,) = make_committee(1)
    assert_error(
        post_json(api(third), one(anna.pk, "votes"), {"vote": "approve", "amount": "10.00"}),
        status=409,
        code="conflict",
    )


def test_a_member_votes_once(world, api):
    anna = world["anna"]
    client = api(world["cesare"])
    post_json(client, one(anna.pk, "votes"), {"vote": "approve", "amount": "100.00"})
    before = state()

    again = post_json(client, one(anna.pk, "votes"), {"vote": "reject", "reason": "Ci ho ripensato"})

    assert_error(again, status=409, code="conflict")
    assert state() == before


def test_a_grant_the_fund_cannot_afford_is_a_409_and_the_vote_is_not_recorded(cast, api):
    fund_the_fund(10_000)
    application = submit(cast.employee_anna)
    (paola,) = make_committee(1)
    post_json(api(cast.committee_cesare), one(application.pk, "votes"), {"vote": "approve", "amount": "150.00"})
    before = state()

    response = post_json(api(paola), one(application.pk, "votes"), {"vote": "approve", "amount": "150.00"})

    error = assert_error(response, status=409, code="conflict")
    assert "100,00" in error["message"]  # what the fund has available
    assert state() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"vote": "approve", "amount": "0"}, "amount"),
        ({"vote": "approve", "amount": "0.00"}, "amount"),
        ({"vote": "approve", "amount": "-50.00"}, "amount"),
        ({"vote": "approve", "amount": True}, "amount"),
        ({"vote": "approve", "amount": "12.345"}, "amount"),
        ({"vote": "approve", "amount": "NaN"}, "amount"),
        ({"vote": "approve", "amount": "Infinity"}, "amount"),
        ({"vote": "approve", "amount": "dieci"}, "amount"),
        ({"vote": "approve"}, "amount"),  # approving needs an amount
        ({"vote": "approve", "amount": None}, "amount"),
        ({"vote": "approve", "amount": "1500.01"}, "amount"),  # over the yearly maximum per person
        ({"vote": "reject"}, "reason"),  # rejecting needs a reason
        ({"vote": "reject", "reason": "   "}, "reason"),
        ({"vote": "maybe", "amount": "10.00"}, "vote"),
        ({"amount": "10.00"}, "vote"),
        ({"vote": "approve", "amount": "10.00", "reason": "x" * 4001}, "reason"),
        ({"vote": "reject", "reason": "nul\x00byte"}, "reason"),
    ],
)
def test_bad_votes_are_400_with_the_field_and_change_nothing(world, api, data, field):
    anna = world["anna"]
    before = state()
    logs = fund_logs()

    response = post_json(api(world["cesare"]), one(anna.pk, "votes"), data)

    error = assert_error(response, status=400, code="validation_error")
    assert field in error["fields"], error
    assert state() == before
    assert fund_logs() == logs


def test_a_vote_sent_as_a_form_works_too(world, api):
    response = api(world["cesare"]).post(one(world["anna"].pk, "votes"), {"vote": "approve", "amount": "80.50"})

    assert response.status_code == 201
    assert CommitteeVote.objects.get().amount == 8_050


# --------------------------------------------------------------------------------------------------
# Requests for documents
# --------------------------------------------------------------------------------------------------


def test_an_info_request_takes_the_application_out_of_the_vote(world, api):
    anna = world["anna"]
    client = api(world["cesare"])

    response = post_json(client, one(anna.pk, "info-requests"), {"message": "Serve il certificato medico."})

    assert response.status_code == 201
    assert json_body(response)["status"] == "info_requested"
    anna.refresh_from_db()
    assert (anna.status, anna.info_request) == (ApplicationStatus.INFO_REQUESTED, "Serve il certificato medico.")
    assert_error(
        post_json(api(world["paola"]), one(anna.pk, "votes"), {"vote": "approve", "amount": "10.00"}),
        status=409,
        code="conflict",
    )
    assert_error(post_json(client, one(anna.pk, "info-requests"), {"message": "Ancora"}), status=409, code="conflict")


@pytest.mark.parametrize("data", [{}, {"message": ""}, {"message": "   "}, {"message": "x" * 4001}])
def test_a_bad_info_request_is_400_and_changes_nothing(world, api, data):
    before = state()

    response = post_json(api(world["cesare"]), one(world["anna"].pk, "info-requests"), data)

    assert "message" in assert_error(response, status=400, code="validation_error")["fields"]
    assert state() == before


# --------------------------------------------------------------------------------------------------
# Everybody else: the same 404 for every id, nothing changed, nothing logged
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_outside_the_committee_reaches_anything(world, api, cast, who):
    client = api(getattr(cast, who))
    before = state()
    logs = fund_logs()
    existing, missing = world["anna"].pk, world["anna"].pk + 10_000

    listing = client.get(LIST)
    assert listing.status_code in (403, 404)
    bodies = set()
    for application_id in (existing, missing):
        calls = [
            client.get(one(application_id)),
            post_json(client, one(application_id, "votes"), {"vote": "approve", "amount": "10.00"}),
            post_json(client, one(application_id, "votes"), {"vote": "nonsense"}),
            post_json(client, one(application_id, "info-requests"), {"message": "Documenti"}),
        ]
        for response in calls:
            assert_error(response, status=404, code="not_found")
            bodies.add(response.content)
    assert len(bodies) == 1  # an existing application answers exactly as a missing one
    assert json_body(listing) == json.loads(bodies.pop())
    assert state() == before
    assert fund_logs() == logs


def test_anonymous_callers_get_401(world):
    client = Client(raise_request_exception=False)

    assert_error(client.get(LIST), status=401, code="not_authenticated")
    assert_error(client.get(one(world["anna"].pk)), status=401, code="not_authenticated")


def test_a_committee_member_without_a_second_factor_is_refused(world, api, settings):
    settings.CONCILIARE_MFA_REQUIRED = True
    logs = fund_logs()

    assert_error(api(world["cesare"]).get(one(world["anna"].pk)), status=403, code="mfa_required")
    assert_error(api(world["cesare"]).get(LIST), status=403, code="mfa_required")
    assert fund_logs() == logs


def test_a_committee_member_with_a_token_is_served(world):
    token = Token.objects.create(user=world["cesare"])

    response = Client().get(one(world["anna"].pk), HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200


# --------------------------------------------------------------------------------------------------
# The schema, and the fuzzing of the fund's operations as a committee member
# --------------------------------------------------------------------------------------------------


def test_the_fund_operations_are_in_the_schema_with_their_errors():
    paths = schema.raw_schema["paths"]

    assert set(paths[LIST]) == {"get"}
    assert set(paths["/api/v1/fund/applications/{application_id}/"]) == {"get"}
    for action, conflict in (("votes", True), ("info-requests", True)):
        operation = paths[f"/api/v1/fund/applications/{{application_id}}/{action}/"]["post"]
        assert {"201", "400", "401", "403", "404"} <= set(operation["responses"])
        assert ("409" in operation["responses"]) is conflict
    vote_input = schema.raw_schema["components"]["schemas"]["FundVoteInputRequest"]
    assert vote_input["properties"]["amount"]["type"] == "string"  # euro, as the other APIs take money


@pytest.fixture
def fuzz_application(cast) -> FundApplication:
    fund_the_fund(500_000)
    return submit(cast.employee_anna)


@schema.include(path_regex=r"^/api/v1/fund/").parametrize()
@hypothesis_settings(FUZZ, max_examples=40)
@pytest.mark.django_db
@pytest.mark.usefixtures("same_connection")
def test_fund_api_as_a_committee_member(case, cast, fuzz_application):
    # Given a committee member with a token and a funded fund, ids pointing at a real application
    # (each generated request runs in a savepoint rolled back after it),
    token = Token.objects.get_or_create(user=cast.committee_cesare)[0]
    _pin(case, {"application_id": fuzz_application.pk})

    # when any generated request is sent, it is not a server error and conforms to the schema.
    response = _call_in_savepoint(case, headers={"Authorization": f"Token {token.key}"})

    case.validate_response(response, checks=CHECKS)
