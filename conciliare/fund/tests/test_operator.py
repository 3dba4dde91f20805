"""The operator's pages: the fund's movements (money, no people), the access log export (who read
what, never who applied), and the 404 for everyone else."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from conciliare.accounts.models import MembershipRole
from conciliare.core.models import AccessLog
from conciliare.testing.factories import make_employee, make_member

from .. import views_operator
from ..models import ApplicationDocument
from ..selectors import application_of, application_open_for_committee, document_for_committee, document_of
from ..services import application_withdraw, committee_vote, retention_apply
from .factories import fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db

OPERATOR_PAGES = ["fund:operator_movements", "fund:access_log_export"]


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response)), delimiter=";"))


@pytest.fixture
def granted(cast):
    """Anna applied; two committee members read her application and approved 500 euro."""
    fund_the_fund(100_000)
    first, second = make_committee(2)
    application = submit(cast.employee_anna)
    document = ApplicationDocument.objects.get(application=application)
    application_open_for_committee(member=first, application_id=application.pk)
    document_for_committee(member=first, application_id=application.pk, document_id=document.pk)
    committee_vote(member=first, application_id=application.pk, vote="approve", amount=50_000)
    committee_vote(member=second, application_id=application.pk, vote="approve", amount=50_000)
    application.refresh_from_db()
    return application, first, second


def personal_data_of(user) -> list[str]:
    return [user.first_name, user.last_name, user.email, user.fiscal_code]


@pytest.mark.parametrize("name", OPERATOR_PAGES)
@pytest.mark.parametrize(
    "role", ["employee_anna", "hr_bruno", "supplier_carla", "committee_cesare", "monitoring_elena", "citizen_franco"]
)
def test_only_the_operator_reaches_the_fund_pages(cast, login, name, role):
    response = login(getattr(cast, role)).get(reverse(name))
    assert response.status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 0


@pytest.mark.parametrize("name", OPERATOR_PAGES)
def test_signed_out_people_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_movements_show_the_money_and_no_person(cast, login, granted):
    application, _first, _second = granted
    response = login(cast.operator_olga).get(reverse("fund:operator_movements"))
    assert response.status_code == 200
    html = response.content.decode()
    assert application.reference in html
    assert "1.000,00" in html and "500,00" in html  # in, and the grant out; the balance is 500 too
    for value in personal_data_of(cast.employee_anna):
        assert value not in html


def test_movements_are_paginated(cast, login, monkeypatch):
    for _ in range(3):
        fund_the_fund(1_000)
    monkeypatch.setattr(views_operator, "PER_PAGE", 2)
    client = login(cast.operator_olga)
    assert client.get(reverse("fund:operator_movements")).context["page"].paginator.num_pages == 2
    assert len(client.get(reverse("fund:operator_movements") + "?pagina=2").context["page"].object_list) == 1
    assert client.get(reverse("fund:operator_movements") + "?pagina=abc").status_code == 200


def test_movements_csv_has_every_entry_and_no_person(cast, login, granted):
    application, _first, _second = granted
    response = login(cast.operator_olga).get(reverse("fund:operator_movements") + "?formato=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert len(rows) == 3  # the header, the money in, the grant out
    grant_row = next(row for row in rows if application.reference in row[4])
    assert grant_row[2:4] == ["", "500,00"]
    text = body(response)
    for value in personal_data_of(cast.employee_anna):
        assert value not in text


def test_the_access_log_export_names_the_committee_not_the_applicant(cast, login, granted):
    application, first, _second = granted
    response = login(cast.operator_olga).get(reverse("fund:access_log_export"))
    assert response.status_code == 200
    rows = csv_rows(response)
    header, lines = rows[0], rows[1:]
    assert len(header) == 8
    opened = [row for row in lines if row[2] == first.email and row[4] == "fund.FundApplication"]
    assert any(row[5] == str(application.pk) and row[3] in ("viewed", "visualizzato") for row in opened)
    assert any(row[2] == first.email and row[4] == "fund.ApplicationDocument" for row in lines)
    # Anna's submission is there, but not her name, e-mail or address.
    created = [row for row in lines if row[3] in ("created", "creato")]
    assert len(created) == 1 and created[0][2] == "" and created[0][7] == ""
    text = body(response)
    for value in personal_data_of(cast.employee_anna):
        assert value not in text


def test_the_export_is_logged_and_shows_in_the_next_export(cast, login, granted):
    client = login(cast.operator_olga)
    body(client.get(reverse("fund:access_log_export"), REMOTE_ADDR="10.1.2.3"))
    exported = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert exported.actor == cast.operator_olga
    assert exported.object_type == "fund.AccessLogExport"
    assert exported.ip_address == "10.1.2.3"
    rows = csv_rows(client.get(reverse("fund:access_log_export")))
    exports = [row for row in rows if row[4] == "fund.AccessLogExport"]
    assert len(exports) == 2
    assert {row[2] for row in exports} == {cast.operator_olga.email}


def test_a_committee_member_reading_their_own_application_is_not_named(cast, login):
    member_who_applied = make_member(
        make_employee(cast.company, first_name="Gianluca", last_name="Pedrocchi"),
        cast.operator,
        MembershipRole.FUND_COMMITTEE,
    )
    application = submit(member_who_applied)
    application_of(applicant=member_who_applied, application_id=application.pk)
    text = body(login(cast.operator_olga).get(reverse("fund:access_log_export")))
    assert member_who_applied.email not in text
    assert member_who_applied.last_name not in text


@pytest.mark.parametrize("retention", [False, True], ids=["withdrawn", "withdrawn_then_pseudonymised"])
def test_a_member_who_applied_stays_unnamed_after_withdrawing(cast, login, retention):
    """Whose reading it was is written with the row: deleting the documents (withdrawal) and emptying
    the application (retention) later must not let the export name the applicant."""
    member_who_applied = make_member(
        make_employee(cast.company, first_name="Gianluca", last_name="Pedrocchi"),
        cast.operator,
        MembershipRole.FUND_COMMITTEE,
    )
    application = submit(member_who_applied)
    document = ApplicationDocument.objects.get(application=application)
    application_of(applicant=member_who_applied, application_id=application.pk)
    document_of(applicant=member_who_applied, application_id=application.pk, document_id=document.pk)
    application_withdraw(applicant=member_who_applied, application_id=application.pk)
    if retention:
        assert retention_apply(now=timezone.now() + datetime.timedelta(days=3660)) == 1
    assert not ApplicationDocument.objects.filter(pk=document.pk).exists()

    rows = csv_rows(login(cast.operator_olga).get(reverse("fund:access_log_export")))

    own = [row for row in rows[1:] if row[4] != "fund.AccessLogExport"]
    # created, viewed, downloaded, withdrawn: all hers, none naming her
    assert sorted((row[4], row[5]) for row in own) == [
        ("fund.ApplicationDocument", str(document.pk)),
        *[("fund.FundApplication", str(application.pk))] * 3,
    ]
    assert all(row[2] == "" and row[7] == "" for row in own)
    text = "\n".join(";".join(row) for row in rows)
    assert member_who_applied.email not in text
    assert member_who_applied.last_name not in text


def test_the_export_is_not_a_page_for_writing(cast, login):
    response = login(cast.operator_olga).post(reverse("fund:access_log_export"))
    assert response.status_code == 405
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()
