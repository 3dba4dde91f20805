"""Privacy outside the fund's own pages: the HR of the worker's company, the operator's console
(/gestione/) and the order pages learn nothing of an application or a grant.

The HR test is differential: every page and API answer HR can reach is fetched before anybody of
the company applied and again after an application was approved, its grant spent in part and a
colleague's application sent back for documents. The two must be the same, byte for byte (CSRF
tokens aside): HR cannot even tell that an application exists."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from conciliare.accounts.models import User
from conciliare.core.models import AccessLog
from conciliare.core.money import format_euro
from conciliare.ledger.admin import PRIVATE_BUCKETS
from conciliare.ledger.models import Entry, Hold, LedgerTransaction
from conciliare.orders.fulfilment import line_confirm, payment_confirm
from conciliare.orders.models import Order
from conciliare.orders.tests.factories import Family, active_plan, book, make_nursery
from conciliare.testing.factories import make_employee, make_family_member

from ..access import not_found
from ..models import GRANT_BUCKET, GRANT_BUCKET_LABEL, FundApplication, Grant
from ..services import application_reply, committee_request_info, committee_vote
from .factories import fund_the_fund, make_committee, pdf_document, submit

pytestmark = pytest.mark.django_db

GRANT = 43_217  # an amount found nowhere else on the pages
PRICE = 50_000  # the nursery month: the grant pays 432.17 €, own money the rest, by bank transfer


@pytest.fixture
def as_user(login):
    def _as(user) -> Client:
        client = login(user)
        client.raise_request_exception = False
        return client

    return _as


def hardship_story(cast) -> dict:
    """Anna applies and gets a grant, spends part of it on a nursery month; Marta applies and is asked
    for documents, replies, is asked again."""
    fund_the_fund(100_000)
    first, second = make_committee(2)
    anna = submit(cast.employee_anna, documents=2)
    for member in (first, second):
        committee_vote(member=member, application_id=anna.pk, vote="approve", amount=GRANT, reason="Grave disagio")
    grant = Grant.objects.get(application=anna)
    child = make_family_member(cast.employee_anna, first_name="Leo", birth_date=_two_years_ago())
    supplier, offer, session = make_nursery(price=PRICE)
    book(Family(cast.employee_anna, child, None), offer, session, payment_method="bank_transfer")
    marta_user = User.objects.filter(first_name="Marta", employee_profile__company=cast.company).first()
    marta_user = marta_user or make_employee(cast.company, first_name="Marta", last_name="Gatti")
    marta = submit(marta_user)
    committee_request_info(member=first, application_id=marta.pk, message="Serve il certificato.")
    application_reply(applicant=marta_user, application_id=marta.pk, reply="Allegato", documents=[pdf_document()])
    committee_request_info(member=second, application_id=marta.pk, message="Manca la firma.")
    return {"anna": anna, "marta": marta, "grant": grant, "supplier": supplier, "order": Order.objects.get()}


def _two_years_ago() -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - 2) - datetime.timedelta(days=30)


def telltales(story: dict) -> list[str]:
    """Strings that would give an application or a grant away, in both languages."""
    words = [story["grant"].wallet.name, GRANT_BUCKET, format_euro(GRANT), format_euro(GRANT, locale="en")]
    for application in (story["anna"], story["marta"]):
        words += [application.reference, application.pseudonym]
    for language in ("it", "en"):
        with translation.override(language):
            words += [str(GRANT_BUCKET_LABEL), gettext("Solidarity grant %(reference)s") % {"reference": ""}]
    return [word.strip() for word in words if word.strip()]


CSRF = re.compile(r'(csrfmiddlewaretoken" value=|csrf-token" content=|csrftoken=)"?[^"\s;]+')


def normalised(response) -> tuple[int, str]:
    return response.status_code, CSRF.sub(r"\1…", response.content.decode())


def hr_views(cast) -> list[str]:
    company, plan = cast.company.pk, active_plan(cast.company).pk
    return [
        "/area/",
        f"/aziende/{company}/persone/",
        f"/aziende/{company}/persone/?q=Rossi",
        f"/aziende/{company}/persone/?q=Marta",
        f"/aziende/{company}/piani/",
        f"/aziende/{company}/piani/{plan}/",
        f"/aziende/{company}/rimborsi/",
        "/gestione-rimborsi/",
        f"/api/v1/companies/{company}/employees/",
        f"/api/v1/companies/{company}/plans/",
        f"/api/v1/companies/{company}/plans/{plan}/",
    ]


# --------------------------------------------------------------------------------------------------
# HR of the worker's company
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hr", ["hr_bruno", "hr_other_ivo"])
def test_hr_pages_are_the_same_before_and_after_applications_and_a_grant(cast, as_user, hr):
    make_employee(cast.company, first_name="Marta", last_name="Gatti")
    views = hr_views(cast)
    client = as_user(getattr(cast, hr))
    before = {url: normalised(client.get(url)) for url in views}
    assert before["/area/"][0] == 200
    if hr == "hr_bruno":  # Bruno reaches his company's pages: the comparison is not of two 404s
        assert all(before[url][0] == 200 for url in views if "/aziende/" in url or "/companies/" in url)
        assert "Rossi" in before[views[1]][1] and "Gatti" in before[views[3]][1]  # the pages are about them

    story = hardship_story(cast)
    after = {url: normalised(client.get(url)) for url in views}

    for url in views:
        assert after[url] == before[url], url
        for word in telltales(story):
            assert word not in after[url][1], (url, word)


def test_hr_finds_no_fund_page_or_api_for_any_id(cast, as_user):
    story = hardship_story(cast)
    client = as_user(cast.hr_bruno)
    anna, document = story["anna"], story["anna"].documents.first()
    with translation.override("it"):  # the pages speak the platform's language
        generic_404 = str(not_found().message)

    for url in [
        f"/comitato/domande/{anna.pk}/",
        f"/comitato/domande/{anna.pk}/documenti/{document.pk}/",
        f"/fondo/domande/{anna.pk}/",
        f"/fondo/domande/{anna.pk}/documenti/{document.pk}/",
        f"/api/v1/fund/applications/{anna.pk}/",
        "/api/v1/fund/applications/",
        "/gestione-fondo/",
        "/gestione-fondo/registro-accessi.csv",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert generic_404 in response.content.decode(), url
        assert anna.reference.encode() not in response.content, url


# --------------------------------------------------------------------------------------------------
# The operator's console
# --------------------------------------------------------------------------------------------------


def test_the_console_has_no_fund_application_model(cast, as_user):
    hardship_story(cast)
    client = as_user(cast.operator_olga)

    index = client.get("/gestione/")

    assert index.status_code == 200
    html = index.content.decode()
    for model in ("fundapplication", "applicationdocument", "committeevote", "fundregulation", "/gestione/fund/"):
        assert model not in html.lower(), model
    for url in ("/gestione/fund/fundapplication/", "/gestione/fund/grant/", "/gestione/fund/applicationdocument/"):
        assert client.get(url).status_code == 404, url


def test_the_console_lists_and_finds_no_grant_wallet(cast, as_user):
    story = hardship_story(cast)
    wallet = story["grant"].wallet
    client = as_user(cast.operator_olga)

    listing = client.get("/gestione/ledger/ledgeraccount/")
    by_email = client.get("/gestione/ledger/ledgeraccount/", {"q": cast.employee_anna.email})
    by_name = client.get("/gestione/ledger/ledgeraccount/", {"q": "Solidarity grant"})
    by_bucket = client.get("/gestione/ledger/ledgeraccount/", {"q": story["anna"].reference})
    change = client.get(f"/gestione/ledger/ledgeraccount/{wallet.pk}/change/")

    for response in (listing, by_email, by_name, by_bucket):
        assert response.status_code == 200
        html = response.content.decode()
        assert wallet.name not in html
        assert f"/gestione/ledger/ledgeraccount/{wallet.pk}/change/" not in html
    assert "Solidarity Fund" in listing.content.decode() or "Fondo" in listing.content.decode()  # the fund is there
    assert change.status_code == 302  # "does not exist", back to the console's index
    assert PRIVATE_BUCKETS == (GRANT_BUCKET,)


def test_the_console_shows_the_grant_as_a_fund_movement_but_never_its_spending(cast, as_user):
    story = hardship_story(cast)
    wallet = story["grant"].wallet
    order = story["order"]
    # The own money arrives and the nursery confirms: the hold on the grant is captured, a real spending.
    payment_confirm(actor=cast.operator_olga, order_id=order.pk)
    line_confirm(actor=story["supplier"].applied_by, line_id=order.lines.get().pk)
    client = as_user(cast.operator_olga)
    touching = set(Entry.objects.filter(account=wallet).values_list("transaction_id", flat=True))
    grant_transaction = story["grant"].transaction_id
    spending = touching - {grant_transaction}
    holds = list(Hold.objects.filter(account=wallet).values_list("pk", flat=True))
    assert spending  # the capture moved the grant's money to the supplier's side
    assert holds  # the booking's hold on the grant, now captured
    wallet.refresh_from_db()
    assert wallet.balance == 0 and wallet.held == 0  # the whole grant went on the nursery month

    transactions = client.get("/gestione/ledger/ledgertransaction/", {"q": story["order"].reference}).content.decode()
    hold_list = client.get("/gestione/ledger/hold/").content.decode()

    for transaction_id in spending:
        assert f"/ledgertransaction/{transaction_id}/change/" not in transactions
        assert client.get(f"/gestione/ledger/ledgertransaction/{transaction_id}/change/").status_code == 302
    for hold_id in holds:
        assert f"/gestione/ledger/hold/{hold_id}/change/" not in hold_list
        assert client.get(f"/gestione/ledger/hold/{hold_id}/change/").status_code == 302
    # The grant itself is a movement of the fund: shown, by its reference, without the person.
    grant_page = client.get(f"/gestione/ledger/ledgertransaction/{grant_transaction}/change/")
    assert grant_page.status_code == 200
    html = grant_page.content.decode()
    assert story["anna"].reference in html
    for personal in (cast.employee_anna.email, cast.employee_anna.get_full_name(), cast.employee_anna.fiscal_code):
        assert personal not in html
    assert LedgerTransaction.objects.filter(pk__in=spending).count() == len(spending)  # hidden, not gone


def test_the_console_access_log_has_no_fund_rows_and_fund_rows_name_no_subject(cast, as_user):
    story = hardship_story(cast)
    client = as_user(cast.operator_olga)
    fund_rows = AccessLog.objects.filter(object_type__startswith="fund.")
    assert fund_rows.exists()

    assert not fund_rows.exclude(subject_user_id=None).exists()
    listing = client.get("/gestione/core/accesslog/").content.decode()
    by_email = client.get("/gestione/core/accesslog/", {"q": cast.employee_anna.email}).content.decode()
    by_id = client.get("/gestione/core/accesslog/", {"q": str(story["anna"].pk)}).content.decode()
    for html in (listing, by_email, by_id):
        assert "fund.FundApplication" not in html
        assert "fund.ApplicationDocument" not in html
    for row in fund_rows[:3]:
        assert client.get(f"/gestione/core/accesslog/{row.pk}/change/").status_code == 302


def test_order_pages_do_not_tell_that_a_grant_paid(cast, as_user):
    story = hardship_story(cast)
    order, supplier = story["order"], story["supplier"]
    words = [w for w in telltales(story) if w not in (format_euro(GRANT), format_euro(GRANT, locale="en"))]
    line = order.lines.get()

    pages = {
        "operator payments": as_user(cast.operator_olga).get("/gestione-ordini/pagamenti/"),
        "console order": as_user(cast.operator_olga).get(f"/gestione/orders/order/{order.pk}/change/"),
        "console line": as_user(cast.operator_olga).get(f"/gestione/orders/orderline/{line.pk}/change/"),
    }
    staff = as_user(supplier.applied_by)
    pages["supplier orders"] = staff.get(f"/fornitori/{supplier.pk}/ordini/")
    pages["supplier order"] = staff.get(f"/fornitori/{supplier.pk}/ordini/{order.pk}/")

    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert order.reference in html, name  # the page is about this order
        for word in words:
            assert word not in html, (name, word)
    # The operator's list of payments to confirm says what own money is due, not what paid the rest.
    assert format_euro(GRANT) not in pages["operator payments"].content.decode()


def test_the_story_really_has_two_applications_and_a_spent_grant(cast):
    # A check of the story the tests above rely on: two applications of the HR's company, a grant in use.
    story = hardship_story(cast)
    assert FundApplication.objects.filter(applicant__employee_profile__company=cast.company).count() == 2
    wallet = story["grant"].wallet
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.held) == (GRANT, GRANT)  # held by the booking until the supplier answers
