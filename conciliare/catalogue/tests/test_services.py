"""Writing offers (with every refusal), their sessions, and the signals of what is missing."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conciliare.catalogue.models import Offer, OfferSession, OfferStatus, Signal, SignalKind, SignalStatus
from conciliare.catalogue.search import published_offers
from conciliare.catalogue.services import (
    offer_create,
    offer_publish,
    offer_update,
    offer_withdraw,
    session_add,
    session_change_seats,
    session_remove,
    signal_create,
    signal_handle,
)
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier, offer_data
from conciliare.core.errors import Conflict, InvalidInput, NotPermitted
from conciliare.suppliers.models import SupplierStatus
from conciliare.testing.factories import municipality

pytestmark = pytest.mark.django_db

NOT_VALID = "The offer is not valid."


@pytest.fixture
def supplier(db):
    """Seated in Lovere, serving 15 km around it: Casazza (14.6 km) yes, Predore (15.4 km) no."""
    return make_supplier(categories=["nursery", "summer_camp", "local_food"])


# --- Offers ----------------------------------------------------------------------------------


def test_a_draft_can_be_prepared_while_the_application_is_under_review(cast):
    supplier = make_supplier(status=SupplierStatus.SUBMITTED)
    offer = offer_create(actor=supplier.applied_by, supplier=supplier, data=offer_data(supplier, title="Nido"))
    assert offer.status == OfferStatus.DRAFT and offer.published_at is None
    assert not published_offers().exists()


def test_an_offer_is_stored_with_its_words_and_the_categorys_usual_ages(supplier):
    offer = offer_create(
        actor=supplier.applied_by,
        supplier=supplier,
        data=offer_data(supplier, category="nursery", title="Asilo nido Il Girasole", vat_rate="5.00"),
    )
    offer.refresh_from_db()
    assert (offer.min_age_months, offer.max_age_months) == (3, 36)
    assert offer.vat_rate == Decimal("5.00")
    assert "Asilo nido Il Girasole" in offer.search_text
    assert supplier.organization.name in offer.search_text and "Nursery" in offer.search_text

    narrowed = make_offer(supplier, category="nursery", min_age_months=12, max_age_months=24)
    assert (narrowed.min_age_months, narrowed.max_age_months) == (12, 24)
    food = make_offer(supplier, category="local_food")
    assert (food.min_age_months, food.max_age_months) == (None, None)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": "carer"}, "category", "does not include this category"),
        ({"min_age_months": 24, "max_age_months": 12}, "max_age_months", "not be lower than the minimum age"),
        ({"price": 0}, "price", "more than zero"),
        ({"price": -500}, "price", "more than zero"),
        ({"vat_rate": "7.00"}, "vat_rate", "not a valid choice"),
        ({"unit": "fortnight"}, "unit", "not a valid choice"),
        ({"title": ""}, "title", "cannot be blank"),
        ({"whole_area": False}, "served_municipalities", "List the municipalities this offer serves."),
    ],
)
def test_a_bad_offer_is_refused_with_a_reason_and_nothing_is_saved(supplier, changes, field, message):
    with pytest.raises(InvalidInput) as raised:
        offer_create(actor=supplier.applied_by, supplier=supplier, data=offer_data(supplier, **changes))
    assert raised.value.message == NOT_VALID
    assert field in raised.value.fields and message in " ".join(raised.value.fields[field])
    assert not Offer.objects.exists()


def test_an_offer_serves_only_municipalities_of_the_suppliers_area(supplier):
    outside = (municipality("Casazza"), municipality("Predore"), municipality("Trescore Balneario"))
    with pytest.raises(InvalidInput) as raised:
        make_offer(supplier, whole_area=False, served_municipalities=outside)
    assert raised.value.fields == {"served_municipalities": ["Outside your service area: Predore, Trescore Balneario."]}
    assert not Offer.objects.exists()

    inside = (municipality("Castro"), municipality("Casazza"))
    offer = make_offer(supplier, whole_area=False, served_municipalities=inside)
    assert sorted(m.name for m in offer.served_municipalities.all()) == ["Casazza", "Castro"]
    # Back to the whole area: the list is dropped.
    offer_update(actor=supplier.applied_by, offer=offer, data=offer_data(supplier, title=offer.title))
    assert not offer.served_municipalities.exists()


def test_an_update_is_validated_like_a_creation_and_a_refusal_changes_nothing(supplier):
    offer = make_offer(supplier, category="summer_camp", title="CRE estivo", price=12_000)
    with pytest.raises(InvalidInput) as raised:
        offer_update(actor=supplier.applied_by, offer=offer, data=offer_data(supplier, category="carer", price=1))
    assert set(raised.value.fields) == {"category"}
    offer.refresh_from_db()
    assert (offer.category, offer.price, offer.status) == ("summer_camp", 12_000, OfferStatus.PUBLISHED)

    updated = offer_update(
        actor=supplier.applied_by, offer=offer, data=offer_data(supplier, category="summer_camp", title="CRE al lago")
    )
    assert updated.title == "CRE al lago" and updated.status == OfferStatus.PUBLISHED
    assert "CRE al lago" in Offer.objects.get(pk=offer.pk).search_text


def test_only_the_suppliers_staff_writes_its_offers(cast, supplier):
    offer = make_offer(supplier, title="CRE estivo")
    outsiders = [make_supplier(municipality_name="Sovere").applied_by, cast.operator_olga, cast.hr_bruno]
    for outsider in outsiders:
        with pytest.raises(NotPermitted):
            offer_create(actor=outsider, supplier=supplier, data=offer_data(supplier))
        with pytest.raises(NotPermitted):
            offer_update(actor=outsider, offer=offer, data=offer_data(supplier, title="Rubata"))
        with pytest.raises(NotPermitted):
            offer_publish(actor=outsider, offer=offer)
        with pytest.raises(NotPermitted):
            offer_withdraw(actor=outsider, offer=offer)
    assert list(Offer.objects.values_list("title", "status")) == [("CRE estivo", OfferStatus.PUBLISHED)]


def test_a_withdrawn_offer_leaves_the_catalogue_and_can_come_back(supplier):
    offer = make_offer(supplier)
    first_published = offer.published_at
    withdrawn = offer_withdraw(actor=supplier.applied_by, offer=offer)
    assert withdrawn.status == OfferStatus.WITHDRAWN and not published_offers().exists()

    again = offer_publish(actor=supplier.applied_by, offer=offer)
    assert again.status == OfferStatus.PUBLISHED and again.published_at == first_published
    assert list(published_offers()) == [offer]


# --- Sessions --------------------------------------------------------------------------------


@pytest.fixture
def offer(supplier):
    return make_offer(supplier, category="summer_camp", title="CRE estivo")


def test_a_session_is_dated_in_the_future_with_between_1_and_10000_seats(offer):
    staff, now = offer.supplier.applied_by, timezone.now()
    day = datetime.timedelta(days=1)
    refused = [
        ({"starts_at": now + 2 * day, "ends_at": now + day, "seats": 10}, "ends_at"),
        ({"starts_at": now + 2 * day, "ends_at": now + 2 * day, "seats": 10}, "ends_at"),
        ({"starts_at": now - day, "ends_at": now + day, "seats": 10}, "starts_at"),
        ({"starts_at": now + day, "ends_at": now + 2 * day, "seats": 0}, "seats"),
        ({"starts_at": now + day, "ends_at": now + 2 * day, "seats": 10_001}, "seats"),
    ]
    for fields, field in refused:
        with pytest.raises(InvalidInput) as raised:
            session_add(actor=staff, offer=offer, **fields)
        assert set(raised.value.fields) == {field}, fields
    assert not OfferSession.objects.exists()

    session = session_add(actor=staff, offer=offer, starts_at=now + day, ends_at=now + 2 * day, seats=10_000)
    assert (session.seats, session.seats_taken, session.seats_left) == (10_000, 0, 10_000)
    with pytest.raises(NotPermitted):
        session_add(actor=make_supplier().applied_by, offer=offer, starts_at=now + day, ends_at=now + 2 * day, seats=1)


def test_the_database_refuses_more_seats_taken_than_seats(offer):
    session = make_session(offer, seats=3)
    OfferSession.objects.filter(pk=session.pk).update(seats_taken=3)  # full is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferSession.objects.filter(pk=session.pk).update(seats_taken=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferSession.objects.filter(pk=session.pk).update(seats=2)
    session.refresh_from_db()
    assert (session.seats, session.seats_taken) == (3, 3)


def test_a_booked_session_cannot_be_removed_and_an_unbooked_one_can(offer):
    booked, free = make_session(offer, label="Prima settimana"), make_session(offer, starts_in_days=21)
    OfferSession.objects.filter(pk=booked.pk).update(seats_taken=1)
    with pytest.raises(Conflict, match="People have booked this session"):
        session_remove(actor=offer.supplier.applied_by, session=booked)
    with pytest.raises(NotPermitted):
        session_remove(actor=make_supplier().applied_by, session=free)
    session_remove(actor=offer.supplier.applied_by, session=free)
    assert list(OfferSession.objects.values_list("pk", flat=True)) == [booked.pk]


@pytest.mark.parametrize(
    ("seats", "error"), [(4, Conflict), (0, InvalidInput), (-1, InvalidInput), (10_001, InvalidInput)]
)
def test_seats_cannot_go_below_those_booked_nor_outside_1_to_10000(offer, seats, error):
    session = make_session(offer, seats=10)
    OfferSession.objects.filter(pk=session.pk).update(seats_taken=5)
    with pytest.raises(error):
        session_change_seats(actor=offer.supplier.applied_by, session=session, seats=seats)
    session.refresh_from_db()
    assert session.seats == 10


@pytest.mark.parametrize("seats", [0, 10_001])
def test_an_unbooked_session_gets_the_same_seat_limits_as_a_new_one(offer, seats):
    session = make_session(offer, seats=10)
    with pytest.raises(InvalidInput) as raised:
        session_change_seats(actor=offer.supplier.applied_by, session=session, seats=seats)
    assert raised.value.fields == {"seats": ["Give between 1 and 10,000 seats."]}
    session.refresh_from_db()
    assert session.seats == 10


def test_seats_can_go_down_to_those_booked(offer):
    session = make_session(offer, seats=10)
    OfferSession.objects.filter(pk=session.pk).update(seats_taken=5)
    assert session_change_seats(actor=offer.supplier.applied_by, session=session, seats=5).seats_left == 0
    assert session_change_seats(actor=offer.supplier.applied_by, session=session, seats=40).seats_left == 35


# --- Signals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "complaint", "description": "Vorrei un servizio."}, "kind"),
        (
            {"kind": SignalKind.SUPPLIER_WANTED, "supplier_name": "  ", "description": "La piscina di Lovere."},
            "supplier_name",
        ),
        ({"kind": SignalKind.UNMET_NEED, "description": "  Nido?    "}, "description"),
    ],
)
def test_a_bad_signal_is_refused_with_a_reason(cast, fields, field):
    with pytest.raises(InvalidInput) as raised:
        signal_create(actor=cast.employee_anna, municipality=municipality("Lovere"), **fields)
    assert field in raised.value.fields
    assert not Signal.objects.exists()


def test_people_signal_a_supplier_they_would_like_or_a_need_nothing_covers(cast):
    wanted = signal_create(
        actor=cast.employee_anna,
        kind=SignalKind.SUPPLIER_WANTED,
        municipality=municipality("Lovere"),
        supplier_name="  Piscina comunale di Lovere ",
        category="gym_wellbeing",
        description="  Corsi di nuoto per bambini il sabato.  ",
    )
    assert (wanted.supplier_name, wanted.description, wanted.status, wanted.author) == (
        "Piscina comunale di Lovere",
        "Corsi di nuoto per bambini il sabato.",
        SignalStatus.NEW,
        cast.employee_anna,
    )
    need = signal_create(
        actor=cast.employee_other_ugo,
        kind=SignalKind.UNMET_NEED,
        municipality=municipality("Trescore Balneario"),
        description="Trasporto per mio padre al centro diurno.",
    )
    assert need.supplier_name == "" and need.category == ""


@pytest.mark.parametrize("who", ["employee_anna", "hr_bruno", "supplier_carla", "committee_cesare"])
def test_only_the_operator_handles_a_signal(cast, who):
    signal = signal_create(
        actor=cast.employee_anna,
        kind=SignalKind.UNMET_NEED,
        municipality=municipality("Lovere"),
        description="Manca un doposcuola a Lovere.",
    )
    with pytest.raises(NotPermitted):
        signal_handle(actor=getattr(cast, who), signal=signal, status=SignalStatus.DONE, note="Fatto")
    signal.refresh_from_db()
    assert (signal.status, signal.handled_by) == (SignalStatus.NEW, None)

    with pytest.raises(InvalidInput):
        signal_handle(actor=cast.operator_olga, signal=signal, status="forgotten")
    handled = signal_handle(
        actor=cast.operator_olga, signal=signal, status=SignalStatus.IN_PROGRESS, note="  Contattata la coop.  "
    )
    assert (handled.status, handled.operator_note, handled.handled_by) == (
        SignalStatus.IN_PROGRESS,
        "Contattata la coop.",
        cast.operator_olga,
    )
