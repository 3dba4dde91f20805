"""Acceptance: a supplier without an approved application, without a signature of the current charter
version, or with an expired DURC cannot publish or sell (tested at service level): publishing is refused,
selling is refused, and its offers already published disappear from the catalogue."""

import datetime

import pytest
from django.utils import timezone

from conciliare.catalogue.models import OfferStatus
from conciliare.catalogue.search import SearchCriteria, offer_search, published_offers
from conciliare.catalogue.services import offer_publish
from conciliare.catalogue.tests.factories import ensure_charter, make_offer, make_supplier
from conciliare.core.errors import Conflict
from conciliare.suppliers import charter_v1
from conciliare.suppliers.eligibility import (
    assert_may_sell,
    charter_current,
    has_signed_current,
    sellable_suppliers,
    selling_blockers,
)
from conciliare.suppliers.models import CharterCommitment, CharterSignature, CharterVersion, Supplier, SupplierStatus
from conciliare.suppliers.services import charter_publish
from conciliare.testing.factories import municipality

pytestmark = pytest.mark.django_db

NOT_APPROVED = "The application has not been approved by the operator."
NOT_SIGNED = "The ethical charter in force has not been signed."
DURC_EXPIRED = "The DURC has expired: upload a valid one."

BLOCKED = [
    pytest.param({"status": SupplierStatus.SUBMITTED}, NOT_APPROVED, id="awaiting-review"),
    pytest.param({"status": SupplierStatus.CHANGES_REQUESTED}, NOT_APPROVED, id="changes-requested"),
    pytest.param({"status": SupplierStatus.REJECTED}, NOT_APPROVED, id="rejected"),
    pytest.param({"signed": False}, NOT_SIGNED, id="charter-not-signed"),
    pytest.param({"durc_days": -1}, DURC_EXPIRED, id="durc-expired"),
]


def visible_offers(*, today=None) -> set[int]:
    """Offers the catalogue shows, by both ways in: the plain list and the search (with an origin)."""
    plain = set(published_offers(today).values_list("pk", flat=True))
    searched = {offer.pk for offer in offer_search(SearchCriteria(origin=municipality("Lovere")), today=today)}
    assert plain == searched
    return plain


def test_an_approved_supplier_that_signed_the_charter_with_a_valid_durc_publishes_and_sells(cast):
    supplier = make_supplier()
    assert selling_blockers(supplier) == []
    assert_may_sell(supplier)
    offer = make_offer(supplier)
    assert offer.status == OfferStatus.PUBLISHED and offer.published_at is not None
    assert visible_offers() == {offer.pk}
    assert list(sellable_suppliers()) == [supplier]


@pytest.mark.parametrize(("state", "blocker"), BLOCKED)
def test_a_blocked_supplier_cannot_publish(cast, state, blocker):
    supplier = make_supplier(**state)
    draft = make_offer(supplier, publish=False)  # drafts may be prepared meanwhile

    with pytest.raises(Conflict) as raised:
        offer_publish(actor=supplier.applied_by, offer=draft)
    assert raised.value.message == blocker
    draft.refresh_from_db()
    assert draft.status == OfferStatus.DRAFT and draft.published_at is None
    assert visible_offers() == set()


@pytest.mark.parametrize(("state", "blocker"), BLOCKED)
def test_a_blocked_supplier_cannot_sell(cast, state, blocker):
    supplier = make_supplier(**state)
    assert selling_blockers(supplier) == [blocker]
    with pytest.raises(Conflict, match=blocker):
        assert_may_sell(supplier)
    assert supplier not in sellable_suppliers()


@pytest.mark.parametrize(("state", "blocker"), BLOCKED)
def test_offers_already_published_disappear_when_the_supplier_becomes_blocked(cast, state, blocker):
    supplier = make_supplier()
    other = make_supplier(municipality_name="Sovere")
    offer, others_offer = make_offer(supplier), make_offer(other)
    assert visible_offers() == {offer.pk, others_offer.pk}

    if "status" in state:  # e.g. the operator suspends it
        Supplier.objects.filter(pk=supplier.pk).update(status=state["status"])
    elif "signed" in state:  # a signature that no longer counts, as after a new version that it did not sign
        CharterSignature.objects.filter(organization=supplier.organization).delete()
    else:
        Supplier.objects.filter(pk=supplier.pk).update(durc_expires_on=timezone.localdate() - datetime.timedelta(1))
    supplier.refresh_from_db()

    assert visible_offers() == {others_offer.pk}
    with pytest.raises(Conflict, match=blocker):
        assert_may_sell(supplier)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PUBLISHED  # hidden, not changed: it comes back once the supplier is in order


def test_every_blocker_is_listed(cast):
    supplier = make_supplier(status=SupplierStatus.SUBMITTED, signed=False, durc_days=-30)
    assert selling_blockers(supplier) == [NOT_APPROVED, NOT_SIGNED, DURC_EXPIRED]
    with pytest.raises(Conflict) as raised:
        assert_may_sell(supplier)
    assert raised.value.message == f"{NOT_APPROVED} {NOT_SIGNED} {DURC_EXPIRED}"


def test_the_durc_counts_up_to_its_last_day(cast):
    supplier = make_supplier(durc_days=10)
    offer = make_offer(supplier)
    last_day = supplier.durc_expires_on
    day_after = last_day + datetime.timedelta(days=1)

    assert selling_blockers(supplier, today=last_day) == []
    assert visible_offers(today=last_day) == {offer.pk}
    assert selling_blockers(supplier, today=day_after) == [DURC_EXPIRED]
    with pytest.raises(Conflict):
        assert_may_sell(supplier, today=day_after)
    assert visible_offers(today=day_after) == set()
    assert supplier not in sellable_suppliers(today=day_after)


def test_a_new_charter_version_hides_the_offers_until_the_supplier_signs_it(cast):
    supplier = make_supplier()
    offer = make_offer(supplier)
    draft = make_offer(supplier, publish=False)

    version = charter_publish(
        actor=cast.operator_olga,
        title="Carta etica v2",
        text="Nuovo testo.",
        fund_contribution_percent="3.00",
        commitments=[("territory", "Operare sul territorio.")],
    )
    assert not has_signed_current(supplier)
    assert visible_offers() == set()
    with pytest.raises(Conflict, match=NOT_SIGNED):
        offer_publish(actor=supplier.applied_by, offer=draft)

    CharterSignature.objects.create(organization=supplier.organization, version=version, signed_by=supplier.applied_by)
    assert visible_offers() == {offer.pk}
    assert offer_publish(actor=supplier.applied_by, offer=draft).status == OfferStatus.PUBLISHED


def test_a_charter_published_for_a_later_date_is_not_in_force_yet(cast):
    supplier = make_supplier()
    offer = make_offer(supplier)
    current = charter_current()
    CharterVersion.objects.create(
        number=current.number + 1,
        title="Carta etica futura",
        text="…",
        fund_contribution_percent="2.00",
        published_at=timezone.now() + datetime.timedelta(days=7),
    )
    assert charter_current() == current
    assert selling_blockers(supplier) == [] and visible_offers() == {offer.pk}


def test_without_any_charter_nobody_sells(cast):
    supplier = make_supplier()
    offer = make_offer(supplier)
    assert visible_offers() == {offer.pk}
    CharterSignature.objects.all().delete()
    CharterCommitment.objects.all().delete()
    CharterVersion.objects.all().delete()
    assert charter_current() is None and not has_signed_current(supplier)
    assert selling_blockers(supplier) == [NOT_SIGNED]
    assert visible_offers() == set() and not sellable_suppliers().exists()

    # What a transactional test's flush leaves: the shared helper puts version 1 back.
    version = ensure_charter()
    assert (version.number, version.commitments.count()) == (1, len(charter_v1.COMMITMENTS))
    assert charter_current() == version
