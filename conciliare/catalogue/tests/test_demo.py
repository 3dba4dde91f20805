"""The demo catalogue: every demo supplier selling, every category offered, childcare gaps where intended."""

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from schwifty import IBAN

from conciliare.accounts.demo import DEMO_NURSERY, demo_login, seed_demo
from conciliare.accounts.models import MembershipRole, User
from conciliare.catalogue.categories import CATEGORY_INFO, CHILDCARE, Category
from conciliare.catalogue.demo import (
    CATALOGUE,
    DURC_EXPIRING_SUPPLIER,
    KIND_CATEGORIES,
    NO_CHILDCARE,
    durc_pdf,
    seed_demo_catalogue,
    supplier_kinds,
)
from conciliare.catalogue.models import VAT_RATES, Offer, OfferKind, OfferSession, OfferStatus
from conciliare.catalogue.search import SearchCriteria, offer_search
from conciliare.catalogue.services import _search_text
from conciliare.plans.demo import seed_demo_plans
from conciliare.suppliers.eligibility import charter_current, has_signed_current, sellable_suppliers
from conciliare.suppliers.models import CharterSignature, ReviewDecision, Supplier, SupplierReviewEvent
from conciliare.territory.models import Municipality
from conciliare.testing.factories import ensure_territory

from .factories import ensure_charter


@dataclass(frozen=True)
class Seeded:
    offers: int
    storage: Path  # where the DURC documents went (tests get a storage of their own from conftest)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The whole demo (people, plan, catalogue) once for the module, rolled back at its end.

    Each test still runs in its own savepoint, so what a test writes is undone before the next one.
    """
    location = tmp_path_factory.mktemp("demo-private")
    storages = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages), transaction.atomic():
        ensure_territory()
        ensure_charter()  # the seeder signs the charter in force; a flushed database has none
        seed_demo()
        seed_demo_plans()
        offers = seed_demo_catalogue()
        yield Seeded(offers, location)
        transaction.set_rollback(True)


# --- The data, without a database ----------------------------------------------------------------------------------


def test_every_demo_supplier_has_its_catalogue() -> None:
    kinds = supplier_kinds()
    assert len(kinds) >= 40
    assert {spec.name for spec in CATALOGUE} == set(kinds)
    assert len(CATALOGUE) == len({spec.name for spec in CATALOGUE})
    for spec in CATALOGUE:
        assert set(spec.categories) & set(KIND_CATEGORIES[kinds[spec.name]]), spec.name


def test_offers_are_plausible() -> None:
    offered = Counter(offer.category for spec in CATALOGUE for offer in spec.offers)
    assert set(offered) == set(Category.values)
    assert all(count >= 2 for count in offered.values()), offered
    for spec in CATALOGUE:
        assert 2 <= len(spec.offers) <= 4, spec.name
        assert len({offer.title for offer in spec.offers}) == len(spec.offers), spec.name
        for offer in spec.offers:
            assert offer.vat in VAT_RATES and offer.price > 0, offer.title
            assert len(offer.title) <= 140
            if offer.ages:
                assert offer.ages[0] <= offer.ages[1], offer.title
            product = (offer.kind or (OfferKind.PRODUCT if CATEGORY_INFO[offer.category].product else "")) == "product"
            if product and offer.category in (Category.LOCAL_FOOD, Category.CRAFT_PRODUCTS):
                assert offer.origin, offer.title
            for session in offer.sessions:
                assert session.starts_at < session.ends_at and session.seats > 0
                assert session.starts_at.year == 2027 and len(session.label) <= 120
            if offer.category in (Category.SUMMER_CAMP, Category.BABY_SUMMER_CAMP):
                assert offer.sessions, offer.title
                assert all(6 <= s.starts_at.month <= 8 for s in offer.sessions), offer.title


def test_durc_document_is_a_readable_pdf() -> None:
    data = durc_pdf(title="Documento Unico di Regolarità Contributiva", lines=["Scadenza validità: 31/03/2027 (a)"])
    document = pypdfium2.PdfDocument(data)
    assert len(document) == 1
    text = document[0].get_textpage().get_text_range()
    assert "Regolarità" in text and "31/03/2027 (a)" in text


# --- Written ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_demo_supplier_is_approved_and_may_sell(seeded: Seeded) -> None:
    suppliers = Supplier.objects.select_related("organization", "applied_by")
    assert suppliers.count() == len(CATALOGUE) >= 40
    assert sellable_suppliers().count() == suppliers.count()
    current = charter_current()
    operator = User.objects.get(email=demo_login(MembershipRole.OPERATOR_ADMIN).email)
    today = timezone.localdate()
    for supplier in suppliers:
        assert has_signed_current(supplier, current), supplier
        assert IBAN(supplier.iban).country_code == "IT"
        assert supplier.served_municipalities.filter(pk=supplier.organization.municipality_id).exists()
        assert supplier.submitted_at < supplier.decided_at < timezone.now()
        history = list(supplier.review_events.order_by("at").values_list("decision", "actor_id"))
        assert history == [(ReviewDecision.SUBMITTED, supplier.applied_by_id), (ReviewDecision.APPROVED, operator.pk)]
        days_left = (supplier.durc_expires_on - today).days
        if supplier.organization.name == DURC_EXPIRING_SUPPLIER:
            assert 0 < days_left <= 30
        else:
            assert days_left >= 60 and supplier.durc_expires_on.year >= 2027
    for supplier in suppliers[:3]:
        document = pypdfium2.PdfDocument((seeded.storage / supplier.durc_document.name).read_bytes())
        assert supplier.organization.name in document[0].get_textpage().get_text_range()
    assert CharterSignature.objects.filter(version=current).count() == len(CATALOGUE)
    assert SupplierReviewEvent.objects.count() == 2 * len(CATALOGUE)


@pytest.mark.django_db
def test_the_demo_supplier_login_has_its_offers(seeded: Seeded) -> None:
    user = User.objects.get(email=demo_login(MembershipRole.SUPPLIER_STAFF).email)
    supplier = Supplier.objects.get(organization__memberships__user=user)
    assert supplier.organization.name == DEMO_NURSERY
    assert supplier.applied_by == user and supplier.contact_email == user.email
    offers = supplier.offers.filter(status=OfferStatus.PUBLISHED)
    assert offers.count() >= 2
    assert set(offers.values_list("category", flat=True)) <= set(supplier.categories)
    others = Supplier.objects.exclude(pk=supplier.pk)
    assert set(others.values_list("applied_by__email", flat=True)) == {demo_login(MembershipRole.OPERATOR_ADMIN).email}


@pytest.mark.django_db
def test_every_category_has_published_offers(seeded: Seeded) -> None:
    assert seeded.offers == Offer.objects.count() >= 2 * len(CATALOGUE)
    assert not Offer.objects.exclude(status=OfferStatus.PUBLISHED).exists()
    for category in Category.values:
        assert offer_search(SearchCriteria(category=category)).count() >= 2, category


@pytest.mark.django_db
def test_the_high_villages_have_no_childcare_but_other_offers(seeded: Seeded) -> None:
    for name in NO_CHILDCARE:
        village = Municipality.objects.get(name=name)
        for category in CHILDCARE:
            assert not offer_search(SearchCriteria(serves=village, category=category)).exists(), (name, category)
        assert offer_search(SearchCriteria(serves=village, category=Category.HOME_CARE)).exists(), name
    # The gap is the data's, not the search's: the valley floor has childcare of every kind nearby.
    trescore = Municipality.objects.get(name="Trescore Balneario")
    for category in (Category.NURSERY, Category.EARLY_CHILDHOOD_CENTRE):
        assert offer_search(SearchCriteria(serves=trescore, category=category)).exists(), category


@pytest.mark.django_db
def test_offers_cover_the_whole_territory(seeded: Seeded) -> None:
    for municipality in Municipality.objects.filter(district__isnull=False):
        served = offer_search(SearchCriteria(serves=municipality))
        assert served.count() >= 20, municipality.name
        assert len(set(served.values_list("category", flat=True))) >= 10, municipality.name
    seats = {
        offer.supplier.organization.municipality_id for offer in Offer.objects.select_related("supplier__organization")
    }
    assert len(seats) >= 40


@pytest.mark.django_db
def test_offers_are_findable_and_scheduled(seeded: Seeded) -> None:
    offer = Offer.objects.select_related("supplier__organization").get(title__startswith="Formaggella")
    assert offer.search_text == _search_text(offer)
    assert offer.vat_rate == Decimal("4.00") and offer.kind == OfferKind.PRODUCT and offer.origin
    found = offer_search(SearchCriteria(words="formaggella"))
    assert offer in found
    nursery = Offer.objects.filter(category=Category.NURSERY).first()
    assert nursery.min_age_months is not None and nursery.max_age_months is not None
    july = SearchCriteria(
        category=Category.SUMMER_CAMP,
        available_from=datetime.date(2027, 7, 12),
        available_to=datetime.date(2027, 7, 16),
        child_age_years=8,
    )
    assert offer_search(july).count() >= 2
    assert OfferSession.objects.filter(offer__category=Category.GYM_WELLBEING).count() >= 20
    assert not OfferSession.objects.filter(seats_taken__gt=0).exists()
    # Some offers serve only part of their supplier's area.
    partial = Offer.objects.filter(whole_area=False)
    assert partial.exists()
    for offer in partial:
        own = set(offer.served_municipalities.values_list("pk", flat=True))
        assert own and own <= set(offer.supplier.served_municipalities.values_list("pk", flat=True))


@pytest.mark.django_db
def test_seeding_again_does_nothing(seeded: Seeded) -> None:
    counts = (Supplier.objects.count(), Offer.objects.count(), OfferSession.objects.count())
    assert seed_demo_catalogue() == 0
    assert (Supplier.objects.count(), Offer.objects.count(), OfferSession.objects.count()) == counts
