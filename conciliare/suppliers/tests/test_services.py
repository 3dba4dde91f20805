"""Applying, being reviewed, and signing the ethical charter: the services, with every refusal."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conciliare.accounts.models import Membership, MembershipRole, Organization, OrganizationRole
from conciliare.catalogue.tests.factories import IBAN, PDF_BYTES, ensure_charter, make_supplier
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.suppliers.eligibility import charter_current, has_signed_current, selling_blockers
from conciliare.suppliers.models import (
    CharterCommitment,
    CharterSignature,
    CharterVersion,
    ReviewDecision,
    ServiceAreaMode,
    Supplier,
    SupplierReviewEvent,
    SupplierStatus,
)
from conciliare.suppliers.services import (
    Origin,
    ServiceArea,
    SupplierDetails,
    charter_publish,
    charter_sign,
    supplier_apply,
    supplier_review,
    supplier_update,
)
from conciliare.testing.factories import UserFactory, make_vat_number, municipality

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
NEW_VAT = make_vat_number(7_000_001)
# Lovere and the municipalities whose centre is within 3 km of its centre (see territory/data/comuni.csv).
WITHIN_3_KM_OF_LOVERE = {"Lovere", "Castro", "Pianico", "Bossico", "Costa Volpino", "Sovere"}


def details(**changes) -> SupplierDetails:
    fields = {
        "iban": IBAN,
        "contact_name": "Carla Bonetti",
        "contact_email": "nido@girasole.example.it",
        "contact_phone": "035 983 1122",
        "home_service": False,
        "categories": ("nursery", "micro_nursery", "nursery"),
        "durc_expires_on": TODAY() + datetime.timedelta(days=120),
        "area": ServiceArea(mode=ServiceAreaMode.RADIUS, radius_km=3),
        "description": "Asilo nido sul lago.",
    }
    return SupplierDetails(**{**fields, **changes})


def durc_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("durc-2026.pdf", PDF_BYTES, content_type="application/pdf")


def apply(actor, *, version: int = 1, organization=None, vat_number: str = NEW_VAT, **changes) -> Supplier:
    new_organization = (
        None
        if organization is not None
        else {"name": "Asilo Nido Il Melograno", "vat_number": vat_number, "municipality": municipality("Lovere")}
    )
    return supplier_apply(
        actor=actor,
        details=details(**changes),
        durc_document=durc_upload(),
        charter_version=version,
        origin=Origin(ip_address="203.0.113.7", user_agent=FIREFOX),
        organization=organization,
        new_organization=new_organization,
    )


def publish_version_2(actor):
    return charter_publish(
        actor=actor,
        title="Carta etica, seconda edizione",
        text="Testo aggiornato della Carta.",
        fund_contribution_percent="2.50",
        commitments=[
            ("solidarity_fund", "Versare il 2,5% di ogni vendita."),
            ("employment", "Solo contratti regolari."),
        ],
    )


@pytest.fixture
def charter(db):
    return ensure_charter()


# --- Applying ------------------------------------------------------------------------------


def test_someone_applies_for_a_new_organization_and_signs_the_charter_read(cast, charter):
    applicant = UserFactory(first_name="Giulia")
    before = timezone.now()
    supplier = apply(applicant)

    organization = supplier.organization
    assert organization.vat_number == NEW_VAT and organization.name == "Asilo Nido Il Melograno"
    assert list(organization.roles.values_list("role", flat=True)) == [OrganizationRole.SUPPLIER]
    assert not organization.alliance_member
    assert Membership.objects.filter(user=applicant, organization=organization, role="supplier_staff").exists()
    assert supplier.status == SupplierStatus.SUBMITTED and supplier.applied_by == applicant
    assert supplier.categories == ["micro_nursery", "nursery"]
    assert supplier.service_radius_km == 3
    assert {m.name for m in supplier.served_municipalities.all()} == WITHIN_3_KM_OF_LOVERE
    with supplier.durc_document.open("rb") as stored:
        assert stored.read() == PDF_BYTES

    signature = CharterSignature.objects.get(organization=organization)
    assert signature.version == charter and signature.signed_by == applicant
    assert signature.ip_address == "203.0.113.7" and signature.user_agent == FIREFOX
    assert before <= signature.signed_at <= timezone.now()
    assert list(supplier.review_events.values_list("decision", "actor")) == [(ReviewDecision.SUBMITTED, applicant.pk)]
    # Signed and with a valid DURC, but not approved yet: it may not sell.
    assert selling_blockers(supplier) == ["The application has not been approved by the operator."]


def test_a_client_company_applies_through_its_hr_manager_as_the_same_organization(cast, charter):
    supplier = apply(cast.hr_bruno, organization=cast.company)

    assert supplier.organization == cast.company
    assert Organization.objects.filter(vat_number=cast.company.vat_number).count() == 1
    assert set(cast.company.roles.values_list("role", flat=True)) == {
        OrganizationRole.CLIENT_COMPANY,
        OrganizationRole.SUPPLIER,
    }
    assert set(cast.hr_bruno.memberships.filter(organization=cast.company).values_list("role", flat=True)) == {
        MembershipRole.HR_MANAGER,
        MembershipRole.SUPPLIER_STAFF,
    }
    # The seat is the company's (Lovere): the radius is measured from there.
    assert {m.name for m in supplier.served_municipalities.all()} == WITHIN_3_KM_OF_LOVERE
    with pytest.raises(Conflict, match="already applied"):
        apply(cast.hr_bruno, organization=cast.company)


@pytest.mark.parametrize("who", ["employee_anna", "hr_other_ivo", "supplier_carla", "operator_olga"])
def test_only_the_companys_hr_manager_applies_for_it(cast, charter, who):
    with pytest.raises(NotPermitted):
        apply(getattr(cast, who), organization=cast.company)
    assert not Supplier.objects.exists()
    assert not cast.company.roles.filter(role=OrganizationRole.SUPPLIER).exists()


@pytest.mark.parametrize("written", ["plain", "with IT and spaces"])
def test_a_partita_iva_already_registered_is_refused_and_nothing_is_created(cast, charter, written):
    vat_number = cast.company.vat_number
    if written != "plain":
        vat_number = f"IT {vat_number[:5]} {vat_number[5:]}"
    organizations = Organization.objects.count()

    with pytest.raises(InvalidInput) as raised:
        apply(UserFactory(), vat_number=vat_number)

    assert raised.value.message.startswith("This partita IVA is already registered")
    assert raised.value.fields == {"vat_number": ["Already registered."]}
    assert Organization.objects.count() == organizations
    assert not Supplier.objects.exists() and not CharterSignature.objects.exists()


def test_an_application_that_signs_a_superseded_charter_version_is_refused(cast, charter):
    publish_version_2(cast.operator_olga)

    with pytest.raises(Conflict, match="new version of the ethical charter"):
        apply(UserFactory(), version=1)
    assert not Supplier.objects.exists() and not Organization.objects.filter(vat_number=NEW_VAT).exists()

    assert apply(UserFactory(), version=2).organization.charter_signatures.get().version.number == 2


def test_nobody_can_apply_before_a_charter_is_published(cast, charter):
    CharterCommitment.objects.all().delete()
    CharterVersion.objects.all().delete()
    with pytest.raises(Conflict, match="has not published the ethical charter"):
        apply(UserFactory())
    assert not Supplier.objects.exists()


def test_an_expired_durc_is_refused_and_one_expiring_today_is_accepted(cast, charter):
    with pytest.raises(InvalidInput) as raised:
        apply(UserFactory(), durc_expires_on=TODAY() - datetime.timedelta(days=1))
    assert raised.value.fields == {"durc_expires_on": ["The DURC has already expired."]}
    assert not Supplier.objects.exists() and not Organization.objects.filter(vat_number=NEW_VAT).exists()

    assert apply(UserFactory(), durc_expires_on=TODAY()).durc_expires_on == TODAY()


def test_the_service_area_is_a_radius_or_a_list_that_always_includes_the_seat(cast, charter):
    with pytest.raises(InvalidInput) as raised:
        apply(UserFactory(), area=ServiceArea(mode=ServiceAreaMode.RADIUS, radius_km=None))
    assert "service_radius_km" in raised.value.fields
    with pytest.raises(InvalidInput) as raised:
        apply(UserFactory(), area=ServiceArea(mode=ServiceAreaMode.MUNICIPALITIES))
    assert "served_municipalities" in raised.value.fields
    assert not Supplier.objects.exists()

    listed = (municipality("Rogno"), municipality("Castro"))
    supplier = apply(UserFactory(), area=ServiceArea(mode=ServiceAreaMode.MUNICIPALITIES, municipalities=listed))
    assert supplier.service_radius_km is None
    assert sorted(m.name for m in supplier.served_municipalities.all()) == ["Castro", "Lovere", "Rogno"]

    # The same rules when the supplier changes its data later; a refusal changes nothing.
    with pytest.raises(InvalidInput) as raised:
        supplier_update(
            actor=supplier.applied_by,
            supplier=supplier,
            details=details(area=ServiceArea(mode=ServiceAreaMode.RADIUS), contact_phone="000"),
        )
    assert "service_radius_km" in raised.value.fields
    supplier.refresh_from_db()
    assert supplier.area_mode == ServiceAreaMode.MUNICIPALITIES and supplier.contact_phone == "035 983 1122"
    supplier_update(
        actor=supplier.applied_by,
        supplier=supplier,
        details=details(area=ServiceArea(mode=ServiceAreaMode.RADIUS, radius_km=3)),
    )
    assert {m.name for m in supplier.served_municipalities.all()} == WITHIN_3_KM_OF_LOVERE


# --- Review --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr_bruno", "supplier_carla", "committee_cesare", "monitoring_elena"])
def test_only_the_operator_reviews_an_application(cast, who):
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    with pytest.raises(NotPermitted):
        supplier_review(actor=getattr(cast, who), supplier=supplier, decision=ReviewDecision.APPROVED)
    with pytest.raises(NotPermitted):  # not even its own staff
        supplier_review(actor=supplier.applied_by, supplier=supplier, decision=ReviewDecision.APPROVED)
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.SUBMITTED and not supplier.review_events.exists()


@pytest.mark.parametrize("decision", [ReviewDecision.CHANGES_REQUESTED, ReviewDecision.REJECTED])
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_asking_for_changes_or_rejecting_needs_a_reason(cast, decision, reason):
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    with pytest.raises(InvalidInput) as raised:
        supplier_review(actor=cast.operator_olga, supplier=supplier, decision=decision, reason=reason)
    assert raised.value.fields == {"reason": ["A reason is required."]}
    supplier.refresh_from_db()
    assert supplier.status == SupplierStatus.SUBMITTED


def test_an_unknown_decision_is_refused(cast):
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    with pytest.raises(InvalidInput, match="Unknown decision"):
        supplier_review(actor=cast.operator_olga, supplier=supplier, decision="submitted")


@pytest.mark.parametrize(
    ("decision", "reason", "status"),
    [
        (ReviewDecision.APPROVED, "", SupplierStatus.APPROVED),
        (ReviewDecision.CHANGES_REQUESTED, "  Il DURC allegato è illeggibile.  ", SupplierStatus.CHANGES_REQUESTED),
        (ReviewDecision.REJECTED, "Sede fuori dal territorio dell'Alleanza.", SupplierStatus.REJECTED),
    ],
)
def test_a_decision_moves_the_application_once_and_is_recorded(cast, decision, reason, status):
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    decided = supplier_review(actor=cast.operator_olga, supplier=supplier, decision=decision, reason=reason)

    assert decided.status == status and decided.decided_at is not None
    assert Supplier.objects.get(pk=supplier.pk).status == status
    event = supplier.review_events.get()
    assert (event.actor, event.decision, event.reason) == (cast.operator_olga, decision, reason.strip())
    # Decided: no second decision until the supplier resubmits.
    with pytest.raises(Conflict, match="not awaiting review"):
        supplier_review(actor=cast.operator_olga, supplier=supplier, decision=ReviewDecision.APPROVED)
    assert Supplier.objects.get(pk=supplier.pk).status == status


@pytest.mark.parametrize("first", [ReviewDecision.CHANGES_REQUESTED, ReviewDecision.REJECTED])
def test_after_changes_or_a_rejection_the_supplier_resubmits_and_can_be_approved(cast, first):
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    supplier_review(actor=cast.operator_olga, supplier=supplier, decision=first, reason="Manca l'IBAN corretto.")
    first_submission = Supplier.objects.get(pk=supplier.pk).submitted_at

    updated = supplier_update(
        actor=supplier.applied_by, supplier=supplier, details=details(iban="IT02L1234512345123456789012")
    )
    assert updated.status == SupplierStatus.SUBMITTED and updated.iban == "IT02L1234512345123456789012"
    assert updated.submitted_at > first_submission

    approved = supplier_review(actor=cast.operator_olga, supplier=supplier, decision=ReviewDecision.APPROVED)
    assert approved.status == SupplierStatus.APPROVED
    assert list(SupplierReviewEvent.objects.filter(supplier=supplier).order_by("pk").values_list("decision")) == [
        (first,),
        (ReviewDecision.SUBMITTED,),
        (ReviewDecision.APPROVED,),
    ]


def test_an_approved_supplier_renews_its_durc_without_a_new_review(cast):
    supplier = make_supplier(durc_days=3)
    later = TODAY() + datetime.timedelta(days=200)
    updated = supplier_update(
        actor=supplier.applied_by,
        supplier=supplier,
        details=details(durc_expires_on=later, area=ServiceArea(mode=ServiceAreaMode.RADIUS, radius_km=15)),
        durc_document=durc_upload(),
    )
    assert updated.status == SupplierStatus.APPROVED and updated.durc_expires_on == later
    assert list(supplier.review_events.values_list("decision", flat=True)) == [ReviewDecision.DURC_RENEWED]
    with pytest.raises(InvalidInput, match="already expired"):
        supplier_update(
            actor=supplier.applied_by,
            supplier=supplier,
            details=details(durc_expires_on=TODAY() - datetime.timedelta(days=1)),
        )
    assert Supplier.objects.get(pk=supplier.pk).durc_expires_on == later


# --- E-mails, after the transaction commits ------------------------------------------------


def test_the_operators_are_told_of_an_application_after_it_commits(
    cast, charter, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        supplier = apply(UserFactory())
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert [message.to for message in mailoutbox] == [[cast.operator_olga.email]]
    body = mailoutbox[0].body
    assert "Asilo Nido Il Melograno" in body and "Lovere" in body
    assert reverse("suppliers:review", args=[supplier.pk]) in body


def test_no_email_leaves_when_the_application_is_rolled_back(cast, charter, django_capture_on_commit_callbacks):
    class Later(Exception):
        pass

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Later), transaction.atomic():
        apply(UserFactory())
        raise Later
    assert callbacks == []
    assert not Supplier.objects.exists()


@pytest.mark.parametrize(
    "decision", [ReviewDecision.APPROVED, ReviewDecision.CHANGES_REQUESTED, ReviewDecision.REJECTED]
)
def test_the_supplier_is_told_of_the_decision_with_its_reason(
    cast, decision, django_capture_on_commit_callbacks, mailoutbox
):
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    reason = "" if decision == ReviewDecision.APPROVED else "Carichi un DURC in corso di validità."
    with django_capture_on_commit_callbacks(execute=True):
        supplier_review(actor=cast.operator_olga, supplier=supplier, decision=decision, reason=reason)
        assert mailoutbox == []
    assert sorted(address for message in mailoutbox for address in message.to) == sorted(
        [supplier.contact_email, supplier.applied_by.email]
    )
    body = mailoutbox[0].body
    assert reverse("suppliers:area", args=[supplier.pk]) in body
    assert (reason in body) if reason else ("Carichi" not in body)


def test_a_resubmission_tells_the_operators_again(cast, django_capture_on_commit_callbacks, mailoutbox):
    supplier = make_supplier(status=SupplierStatus.CHANGES_REQUESTED)
    with django_capture_on_commit_callbacks(execute=True):
        supplier_update(actor=supplier.applied_by, supplier=supplier, details=details())
    assert [message.to for message in mailoutbox] == [[cast.operator_olga.email]]


# --- The ethical charter -------------------------------------------------------------------


def test_only_the_operator_publishes_a_charter_version_with_its_commitments(cast, charter):
    for who in ("hr_bruno", "supplier_carla", "committee_cesare"):
        with pytest.raises(NotPermitted):
            publish_version_2(getattr(cast, who))
    with pytest.raises(InvalidInput, match="commitments"):
        charter_publish(
            actor=cast.operator_olga, title="Senza impegni", text="…", fund_contribution_percent="2", commitments=[]
        )
    assert charter_current() == charter

    version = publish_version_2(cast.operator_olga)
    assert version.number == charter.number + 1 and version.published_by == cast.operator_olga
    assert charter_current() == version
    assert list(version.commitments.values_list("position", "kind")) == [(0, "solidarity_fund"), (1, "employment")]
    assert publish_version_2(cast.operator_olga).number == charter.number + 2


def test_a_new_charter_version_stops_suppliers_that_signed_only_the_old_one_until_they_sign_again(
    cast, django_capture_on_commit_callbacks, mailoutbox
):
    supplier = make_supplier()
    assert selling_blockers(supplier) == []

    with django_capture_on_commit_callbacks(execute=True):
        version = publish_version_2(cast.operator_olga)
    assert not has_signed_current(supplier)
    assert selling_blockers(supplier) == ["The ethical charter in force has not been signed."]
    # Every supplier's staff is told (Carla's organization has not applied yet, but she is staff too).
    assert sorted(address for message in mailoutbox for address in message.to) == sorted(
        [supplier.applied_by.email, cast.supplier_carla.email]
    )

    with pytest.raises(Conflict, match="new version"):
        charter_sign(actor=supplier.applied_by, supplier=supplier, charter_version=1, origin=Origin())
    assert not has_signed_current(supplier)

    signature = charter_sign(
        actor=supplier.applied_by,
        supplier=supplier,
        charter_version=version.number,
        origin=Origin(ip_address="2001:db8::42", user_agent="x" * 400),
    )
    assert signature.version == version and signature.signed_by == supplier.applied_by
    assert signature.ip_address == "2001:db8::42" and signature.user_agent == "x" * 300
    assert selling_blockers(supplier) == []
    assert supplier.organization.charter_signatures.count() == 2  # the old signature stays on record


def test_signing_twice_is_harmless_and_keeps_the_first_signature(cast):
    supplier = make_supplier(signed=False)
    version = ensure_charter()
    colleague = UserFactory()
    Membership.objects.create(user=colleague, organization=supplier.organization, role="supplier_staff")

    first = charter_sign(
        actor=supplier.applied_by,
        supplier=supplier,
        charter_version=version.number,
        origin=Origin(ip_address="198.51.100.1", user_agent=FIREFOX),
    )
    again = charter_sign(
        actor=colleague, supplier=supplier, charter_version=version.number, origin=Origin(ip_address="198.51.100.2")
    )
    assert again.pk == first.pk
    stored = CharterSignature.objects.get(organization=supplier.organization)
    assert (stored.signed_by, stored.ip_address, stored.user_agent, stored.signed_at) == (
        supplier.applied_by,
        "198.51.100.1",
        FIREFOX,
        first.signed_at,
    )


@pytest.mark.parametrize("who", ["hr_bruno", "operator_olga", "supplier_carla"])
def test_only_the_suppliers_own_staff_signs_for_it(cast, who):
    supplier = make_supplier(signed=False)
    with pytest.raises(NotPermitted):
        charter_sign(
            actor=getattr(cast, who), supplier=supplier, charter_version=ensure_charter().number, origin=Origin()
        )
    assert not CharterSignature.objects.filter(organization=supplier.organization).exists()
