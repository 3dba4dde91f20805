"""The worker's pages: the fund's page, the guided application, following it, answering, withdrawing,
the documents. Anybody else reaching Anna's application gets the generic 404 and changes nothing."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from conciliare.core.models import AccessLog
from conciliare.ledger.models import LedgerTransaction

from ..forms import parse_euro
from ..models import ApplicationDocument, ApplicationStatus, FundApplication, HardshipEvent
from ..regulation import DEFAULT_REGULATION, regulation_publish
from ..services import committee_request_info, committee_vote
from .factories import PDF_BYTES, fund_the_fund, make_committee, submit

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
GENERIC_404 = "This page does not exist or is not yours to see."
OUTSIDERS = [
    "hr_bruno",
    "operator_olga",
    "supplier_carla",
    "employee_other_ugo",
    "citizen_franco",
    "consultant_dario",
    "monitoring_elena",
    "committee_cesare",  # the committee reads applications from its own pages, never these
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_as(client, login):
    def _as(user):
        client.cookies["django_language"] = "en"
        return login(user)

    return _as


def stored_files(location: Path) -> list[Path]:
    return [path for path in location.rglob("*") if path.is_file()] if location.exists() else []


def pdf(name: str = "isee.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def application_form(**overrides):
    data = {
        "events": [HardshipEvent.SERIOUS_ILLNESS, HardshipEvent.OTHER],
        "other_description": "Mio marito è in cassa integrazione da marzo.",
        "household_size": "3",
        "isee": "12.345,67",
        "isee_protocol": "INPS-ISEE-2026-00001234-00",
        "isee_valid_until": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        "documents": [pdf(), SimpleUploadedFile("certificato.png", PNG_BYTES, content_type="image/png")],
        "needs": ["home_care", "carer"],
        "needs_description": "Assistenza domiciliare per mio padre.",
        "requested_amount": "500",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _state() -> tuple:
    return (
        list(FundApplication.objects.order_by("pk").values_list("pk", "status", "applicant_reply")),
        ApplicationDocument.objects.count(),
        LedgerTransaction.objects.count(),
    )


# --- The fund's page ---------------------------------------------------------------------------------------------


def test_the_fund_page_explains_the_rules_and_offers_to_apply(cast, client_as):
    page = client_as(cast.employee_anna).get(reverse("fund:home"))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-apply="open"' in html
    assert reverse("fund:apply") in html
    assert "€30,000.00" in html  # the ISEE threshold of the regulation in force
    assert "€1,500.00" in html  # the maximum grant a year
    assert "never paid out in cash" in html


def test_a_non_employee_gets_an_explanation_instead_of_the_button(cast, client_as):
    page = client_as(cast.citizen_franco).get(reverse("fund:home"))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-apply="blocked"' in html
    assert "employees of the alliance&#x27;s member companies" in html
    assert reverse("fund:apply") not in html


def test_the_fund_page_lists_the_own_applications_and_grants(cast, client_as):
    fund_the_fund(200_000)
    first, second = make_committee(2)
    application = submit(cast.employee_anna)
    for member in (first, second):
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=40_000)

    html = client_as(cast.employee_anna).get(reverse("fund:home")).content.decode()

    assert application.reference in html
    assert "Approved: grant made" in html
    assert "€400.00" in html


# --- Applying ----------------------------------------------------------------------------------------------------


def test_the_form_shows_the_information_notice_and_asks_explicit_consent(cast, client_as):
    page = client_as(cast.employee_anna).get(reverse("fund:apply"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Cooperativa Gestore" in html  # the data controller: the alliance's operating cooperative
    assert "GDPR art. 9(2)(a)" in html
    assert "For 24 months after the decision" in html  # the regulation's retention period
    assert 'name="consent"' in html
    assert 'type="file"' in html and "multiple" in html
    assert 'value="home_care"' in html


def test_a_worker_applies_through_the_guided_form(cast, client_as, private_storage):
    client = client_as(cast.employee_anna)

    response = client.post(reverse("fund:apply"), application_form())

    application = FundApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("fund:my_application", args=[application.pk])
    assert application.applicant == cast.employee_anna
    assert application.events == ["other", "serious_illness"]
    assert application.isee == 1_234_567
    assert application.household_size == 3
    assert application.requested_amount == 50_000
    assert application.needs == ["carer", "home_care"]
    assert application.status == ApplicationStatus.SUBMITTED
    assert sorted(application.documents.values_list("content_kind", flat=True)) == ["pdf", "png"]
    assert len(stored_files(private_storage)) == 2
    followed = client.get(response["Location"])
    assert application.reference in followed.content.decode()
    assert "is with the committee" in followed.content.decode()


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12.345,67", 1_234_567),
        ("12345,67", 1_234_567),
        ("12345.67", 1_234_567),
        ("12,345.67", 1_234_567),
        ("12.345", 1_234_500),
        ("1.234.567,8", 123_456_780),
        ("€ 800", 80_000),
        ("0", 0),
    ],
)
def test_euro_amounts_are_read_as_italians_and_machines_write_them(typed, cents):
    assert parse_euro(typed) == cents


@pytest.mark.parametrize("typed", ["12,345", "1.2.3", "-5", "12.3456", "abc", "1e3", "12,3,4"])
def test_unreadable_amounts_are_refused(typed):
    with pytest.raises(ValueError):
        parse_euro(typed)


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"other_description": ""}, "Describe the hardship you marked as “other”."),
        ({"consent": None}, "The committee cannot read your application without your explicit consent."),
        ({"events": None}, "This field is required."),
        ({"isee": "dodicimila"}, "Write the amount in euro, for example 12.345,67 or 12345.67."),
        ({"isee": "45.000,00"}, "The fund&#x27;s regulation admits an ISEE up to"),
        ({"household_size": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"isee_valid_until": "2001-01-01"}, "This ISEE attestation has expired"),
    ],
)
def test_a_wrong_application_is_refused_and_nothing_is_stored(
    cast, client_as, private_storage, overrides, field_message
):
    response = client_as(cast.employee_anna).post(reverse("fund:apply"), application_form(**overrides))

    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not FundApplication.objects.exists()
    assert stored_files(private_storage) == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (30 * 1024 * 1024)), "The file is too large"),
        (SimpleUploadedFile("isee.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64), "Only PDF, PNG or JPEG"),
        (
            SimpleUploadedFile("grafico.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
            "Only PDF, PNG or JPEG",
        ),
    ],
    ids=["30MB", "exe-renamed-pdf", "svg"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(cast, client_as, private_storage, upload, message):
    response = client_as(cast.employee_anna).post(
        reverse("fund:apply"), application_form(documents=[pdf("buono.pdf"), upload])
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert upload.name in html  # says which file to replace
    assert not FundApplication.objects.exists()
    assert not ApplicationDocument.objects.exists()
    assert stored_files(private_storage) == []


def test_with_an_application_open_the_form_is_not_offered(cast, client_as):
    application = submit(cast.employee_anna)
    client = client_as(cast.employee_anna)

    page = client.get(reverse("fund:apply"))
    posted = client.post(reverse("fund:apply"), application_form())

    assert page.status_code == 200
    assert "You already have an application with the committee" in page.content.decode()
    assert reverse("fund:my_application", args=[application.pk]) in page.content.decode()
    assert 'name="consent"' not in page.content.decode()
    assert posted.status_code == 409
    assert FundApplication.objects.count() == 1


def test_outside_the_windows_the_form_is_not_offered(cast, client_as):
    opens = timezone.localdate() + datetime.timedelta(days=10)
    regulation_publish(
        actor=cast.operator_olga,
        fields={
            **DEFAULT_REGULATION,
            "windows": [{"opens": opens.isoformat(), "closes": (opens + datetime.timedelta(days=30)).isoformat()}],
        },
    )
    client = client_as(cast.employee_anna)

    page = client.get(reverse("fund:apply"))
    home = client.get(reverse("fund:home"))
    posted = client.post(reverse("fund:apply"), application_form())

    assert page.status_code == 200
    assert f"the next window opens on {opens:%d/%m/%Y}" in page.content.decode()
    assert 'name="consent"' not in page.content.decode()
    assert 'data-apply="blocked"' in home.content.decode()
    assert posted.status_code == 409
    assert not FundApplication.objects.exists()


def test_a_non_employee_cannot_apply(cast, client_as):
    client = client_as(cast.hr_bruno)

    page = client.get(reverse("fund:apply"))
    posted = client.post(reverse("fund:apply"), application_form())

    assert 'name="consent"' not in page.content.decode()
    assert posted.status_code == 409
    assert not FundApplication.objects.exists()


# --- Following the application -----------------------------------------------------------------------------------


def test_the_applicant_sees_what_they_sent_but_not_the_score(cast, client_as):
    application = submit(cast.employee_anna)

    page = client_as(cast.employee_anna).get(reverse("fund:my_application", args=[application.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "INPS-ISEE-2026-00001234" in html
    assert "€10,000.00" in html
    assert "Home care (SAD/ADI)" in html
    assert "Score" not in html and "ISEE band" not in html  # the score is the committee's
    assert AccessLog.objects.filter(
        actor=cast.employee_anna, action="view", object_type="fund.FundApplication", object_id=str(application.pk)
    ).exists()


def test_the_applicant_answers_the_committees_request(cast, client_as):
    (member,) = make_committee(1)
    application = submit(cast.employee_anna)
    committee_request_info(member=member, application_id=application.pk, message="Manca il certificato medico.")
    client = client_as(cast.employee_anna)

    page = client.get(reverse("fund:my_application", args=[application.pk]))
    assert "Manca il certificato medico." in page.content.decode()
    response = client.post(
        reverse("fund:reply", args=[application.pk]), {"reply": "Eccolo.", "documents": [pdf("certificato.pdf")]}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.applicant_reply == "Eccolo."
    assert application.documents.count() == 2


def test_an_empty_or_bad_reply_is_refused(cast, client_as, private_storage):
    (member,) = make_committee(1)
    application = submit(cast.employee_anna)
    committee_request_info(member=member, application_id=application.pk, message="Manca il certificato.")
    client = client_as(cast.employee_anna)
    files_before, state_before = stored_files(private_storage), _state()

    empty = client.post(reverse("fund:reply", args=[application.pk]), {"reply": "  "})
    bad = client.post(
        reverse("fund:reply", args=[application.pk]),
        {"reply": "Ecco", "documents": [SimpleUploadedFile("x.pdf", b"<svg/>")]},
    )

    assert empty.status_code == 400
    assert "Attach a document or write a reply" in empty.content.decode()
    assert bad.status_code == 400
    assert "Only PDF, PNG or JPEG" in bad.content.decode()
    assert _state() == state_before
    assert stored_files(private_storage) == files_before


def test_a_reply_nobody_asked_for_is_refused(cast, client_as):
    application = submit(cast.employee_anna)

    response = client_as(cast.employee_anna).post(reverse("fund:reply", args=[application.pk]), {"reply": "Ciao"})

    assert response.status_code == 409
    assert "The committee has not asked you for anything" in response.content.decode()
    application.refresh_from_db()
    assert application.applicant_reply == ""


def test_the_applicant_withdraws_once(cast, client_as):
    application = submit(cast.employee_anna)
    client = client_as(cast.employee_anna)

    first = client.post(reverse("fund:withdraw", args=[application.pk]), follow=True)
    second = client.post(reverse("fund:withdraw", args=[application.pk]), follow=True)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert "You have withdrawn the application" in first.content.decode()
    assert "Only an application still with the committee can be withdrawn." in second.content.decode()


def test_the_applicant_downloads_their_document_and_it_is_logged(cast, client_as):
    application = submit(cast.employee_anna)
    document = application.documents.get()

    response = client_as(cast.employee_anna).get(reverse("fund:my_document", args=[application.pk, document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert AccessLog.objects.filter(
        actor=cast.employee_anna, action="download", object_type="fund.ApplicationDocument"
    ).exists()


def test_my_welfare_lists_the_own_grants_only(cast, client_as):
    fund_the_fund(200_000)
    first, second = make_committee(2)
    application = submit(cast.employee_anna)
    for member in (first, second):
        committee_vote(member=member, application_id=application.pk, vote="approve", amount=30_000)

    anna_page = client_as(cast.employee_anna).get(reverse("plans:my_welfare")).content.decode()
    ugo_page = client_as(cast.employee_other_ugo).get(reverse("plans:my_welfare")).content.decode()

    assert "Solidarity Fund grants" in anna_page
    assert application.reference in anna_page
    assert "€300.00" in anna_page
    assert "never cash" in anna_page
    assert "Solidarity Fund grants" not in ugo_page
    assert application.reference not in ugo_page


# --- Nobody else --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_reaches_annas_application(cast, client_as, who):
    (member,) = make_committee(1)
    application = submit(cast.employee_anna)
    committee_request_info(member=member, application_id=application.pk, message="Manca il certificato.")
    document = application.documents.get()
    client = client_as(getattr(cast, who))
    before = _state()

    responses = [
        client.get(reverse("fund:my_application", args=[application.pk])),
        client.get(reverse("fund:my_document", args=[application.pk, document.pk])),
        client.post(reverse("fund:reply", args=[application.pk]), {"reply": "intruso"}),
        client.post(reverse("fund:reply", args=[application.pk]), {"reply": ""}),
        client.post(reverse("fund:withdraw", args=[application.pk])),
        client.get(reverse("fund:my_application", args=[application.pk + 1000])),
    ]

    for response in responses:
        assert response.status_code == 404
        html = response.content.decode()
        assert GENERIC_404 in html
        assert application.reference not in html
    assert _state() == before
    home = client.get(reverse("fund:home")).content.decode()
    assert application.reference not in home
    assert not AccessLog.objects.filter(actor=getattr(cast, who), object_type__startswith="fund.").exists()
