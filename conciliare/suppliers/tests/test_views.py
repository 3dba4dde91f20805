"""Pages of suppliers and of the operator: applying, reviewing, signing, and who may see what."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from conciliare.accounts.models import MembershipRole, OrganizationRole
from conciliare.catalogue.models import OfferStatus
from conciliare.catalogue.tests.factories import PDF_BYTES, ensure_charter, make_offer, make_supplier
from conciliare.suppliers.models import CharterSignature, CharterVersion, Supplier, SupplierStatus
from conciliare.testing.factories import make_vat_number, municipality

pytestmark = pytest.mark.django_db

VALID_IBAN = "IT60X0542811101000000123456"


@pytest.fixture(autouse=True)
def english(client) -> None:
    client.cookies["django_language"] = "en"  # pages follow the language cookie
    with translation.override("en"):
        yield


def _application(charter: CharterVersion, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Nido Le Formiche",
        "vat_number": make_vat_number(4242),
        "municipality": municipality("Casazza").pk,
        "address": "Via Nazionale 10",
        "description": "Un micronido per 10 bambini.",
        "categories": ["micro_nursery"],
        "iban": VALID_IBAN,
        "contact_name": "Laura Bonomi",
        "contact_email": "laura@formiche.example",
        "contact_phone": "035 123456",
        "area_mode": "radius",
        "service_radius_km": "8",
        "durc_expires_on": (timezone.localdate() + datetime.timedelta(days=120)).isoformat(),
        "durc_document": SimpleUploadedFile("durc.pdf", PDF_BYTES, content_type="application/pdf"),
        "charter_version": charter.number,
    }
    for commitment in charter.commitments.all():
        data[f"commitment_{commitment.pk}"] = "on"
    data.update(overrides)
    return data


def test_a_new_organization_applies_and_signs(cast, login) -> None:
    charter = ensure_charter()
    client = login(cast.citizen_franco)
    response = client.post(reverse("suppliers:apply"), _application(charter), HTTP_USER_AGENT="Firefox test")
    supplier = Supplier.objects.get(organization__name="Nido Le Formiche")
    assert response.status_code == 302
    assert response["Location"] == reverse("suppliers:area", args=[supplier.pk])
    assert supplier.status == SupplierStatus.SUBMITTED
    assert supplier.organization.plays(OrganizationRole.SUPPLIER)
    signature = CharterSignature.objects.get(organization=supplier.organization)
    assert (signature.version, signature.signed_by, signature.ip_address, signature.user_agent) == (
        charter,
        cast.citizen_franco,
        "127.0.0.1",
        "Firefox test",
    )
    assert set(supplier.served_municipalities.values_list("name", flat=True)) >= {"Casazza"}
    page = client.get(reverse("suppliers:area", args=[supplier.pk]))
    assert "The application has not been approved by the operator." in page.content.decode()


def test_an_application_needs_every_commitment_and_a_valid_iban(cast, login) -> None:
    charter = ensure_charter()
    data = _application(charter, iban="IT00X0000000000000000000000")
    data.pop(f"commitment_{charter.commitments.first().pk}")
    response = login(cast.citizen_franco).post(reverse("suppliers:apply"), data)
    assert response.status_code == 400
    assert "This is not a valid IBAN" in response.content.decode()
    assert "Accept every commitment." in response.content.decode()
    assert not Supplier.objects.exists()


def test_an_executable_as_durc_is_refused(cast, login) -> None:
    data = _application(
        ensure_charter(), durc_document=SimpleUploadedFile("durc.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    )
    response = login(cast.citizen_franco).post(reverse("suppliers:apply"), data)
    assert response.status_code == 400
    assert "Only PDF, PNG or JPEG documents are accepted." in response.content.decode()
    assert not Supplier.objects.exists()


def test_a_member_company_applies_as_the_same_organization(cast, login) -> None:
    charter = ensure_charter()
    data = _application(charter, organization=cast.company.pk, name="", vat_number="", municipality="")
    response = login(cast.hr_bruno).post(reverse("suppliers:apply"), data)
    assert response.status_code == 302
    supplier = Supplier.objects.get()
    assert supplier.organization == cast.company
    assert cast.company.plays(OrganizationRole.CLIENT_COMPANY) and cast.company.plays(OrganizationRole.SUPPLIER)


def test_an_hr_manager_cannot_apply_for_another_company(cast, login) -> None:
    data = _application(ensure_charter(), organization=cast.other_company.pk)
    response = login(cast.hr_bruno).post(reverse("suppliers:apply"), data)
    assert response.status_code == 400
    assert not Supplier.objects.filter(organization=cast.other_company).exists()


def test_the_operator_reviews_and_the_supplier_is_told(cast, login, django_capture_on_commit_callbacks) -> None:
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    client = login(cast.operator_olga)
    assert supplier.organization.name in client.get(reverse("suppliers:review_list")).content.decode()
    missing_reason = client.post(reverse("suppliers:review", args=[supplier.pk]), {"decision": "rejected"})
    assert missing_reason.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("suppliers:review", args=[supplier.pk]),
            {"decision": "changes_requested", "reason": "Il DURC allegato è illeggibile."},
        )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.CHANGES_REQUESTED
    assert any("Il DURC allegato è illeggibile." in message.body for message in mail.outbox)
    area = login(supplier.applied_by).get(reverse("suppliers:area", args=[supplier.pk])).content.decode()
    assert "Il DURC allegato è illeggibile." in area


def test_after_a_new_charter_version_the_supplier_signs_again(cast, login) -> None:
    supplier = make_supplier()
    operator = login(cast.operator_olga)
    form = {
        "title": "Carta etica",
        "text": "Testo aggiornato.",
        "fund_contribution_percent": "2.50",
        "commitment_solidarity_fund": "Versare il 2,5% di ogni vendita al Fondo.",
    }
    assert operator.post(reverse("suppliers:charter_new_version"), form).status_code == 302
    new = CharterVersion.objects.order_by("-number").first()
    offer_owner = login(supplier.applied_by)
    area = offer_owner.get(reverse("suppliers:area", args=[supplier.pk])).content.decode()
    assert "The ethical charter in force has not been signed." in area
    refused = offer_owner.post(reverse("suppliers:sign", args=[supplier.pk]), {"charter_version": new.number})
    assert refused.status_code == 302 and not CharterSignature.objects.filter(version=new).exists()
    offer_owner.post(reverse("suppliers:sign", args=[supplier.pk]), {"charter_version": new.number, "accept": "on"})
    assert CharterSignature.objects.filter(version=new, organization=supplier.organization).exists()


ROLES = [
    "employee",
    "hr_manager",
    "supplier_staff",
    "fund_committee",
    "consultant",
    "monitoring",
    "citizen",
]


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_its_staff_and_the_operator_sees_a_supplier(cast, login, client, role) -> None:
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    user = cast.role_users()[role]
    browser = login(user)
    for name in ("suppliers:area", "suppliers:edit", "suppliers:durc", "suppliers:review"):
        assert browser.get(reverse(name, args=[supplier.pk])).status_code == 404, name
    assert browser.get(reverse("suppliers:review_list")).status_code == 404
    assert browser.get(reverse("suppliers:charter_new_version")).status_code == 404
    decision = browser.post(reverse("suppliers:review", args=[supplier.pk]), {"decision": "approved"})
    assert decision.status_code == 404
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.SUBMITTED


def test_the_operator_sees_but_does_not_act_for_the_supplier(cast, login) -> None:
    supplier = make_supplier()
    offer = make_offer(supplier, publish=False)
    operator = login(cast.operator_olga)
    assert operator.get(reverse("suppliers:area", args=[supplier.pk])).status_code == 200
    assert operator.get(reverse("suppliers:durc", args=[supplier.pk])).status_code == 200
    assert operator.get(reverse("suppliers:edit", args=[supplier.pk])).status_code == 404
    publish = operator.post(reverse("catalogue:offer_publish", args=[supplier.pk, offer.pk]))
    assert publish.status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:
    supplier = make_supplier()
    response = client.get(reverse("suppliers:area", args=[supplier.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("suppliers:join")).status_code == 200
    assert client.get(reverse("suppliers:charter")).status_code == 200


def test_the_supplier_staff_sees_its_own_area(login) -> None:
    supplier = make_supplier()
    assert supplier.organization.memberships.filter(role=MembershipRole.SUPPLIER_STAFF).exists()
    page = login(supplier.applied_by).get(reverse("suppliers:area", args=[supplier.pk]))
    assert page.status_code == 200
    assert "You can publish and sell" in page.content.decode()
