"""The gap analysis on a hand-made territory: four villages on a meridian of Sardinia, far from the real ones.

    Delta    40.30 N   seat of Nido Delta (serves Delta only, no capacity, sessions of 4 and 7 seats)
      |      20.0 km from Charlie
    Charlie  40.12 N   nobody serves it: 5 + survey children
      |      13.3 km from Alfa
    Bravo    40.05 N   served by Nido Alfa (radius 8 km)
      |      5.6 km
    Alfa     40.00 N   seat of Nido Alfa (capacity 6, whole area)

The radius of "within reach" is 10 km.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from conciliare.accounts.models import Organization, OrganizationRole, Relationship, User
from conciliare.catalogue.categories import Category
from conciliare.catalogue.models import Signal, SignalKind, SignalStatus
from conciliare.catalogue.tests.factories import make_offer, make_session, make_supplier
from conciliare.core.errors import InvalidInput, NotPermitted
from conciliare.needs import gaps, svgmap
from conciliare.needs.gaps import AskedSupplier, GapClass, Suggestion
from conciliare.needs.models import Commute, Survey, SurveyResponse, WorkingPattern
from conciliare.suppliers.models import Supplier
from conciliare.territory.models import District, Municipality
from conciliare.testing.factories import OrganizationFactory, UserFactory, make_employee, make_family_member

NURSERY = Category.NURSERY
LATITUDES = {"Alfa": "40.00", "Bravo": "40.05", "Charlie": "40.12", "Delta": "40.30"}
LONGITUDE = 9.0
HALF_SIDE = 0.02  # each village is a square of 0.04 degrees around its centre


def square(lat: float, lon: float, half: float = HALF_SIDE) -> dict[str, object]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def months_ago(months: int, day: datetime.date | None = None) -> datetime.date:
    day = day or timezone.localdate()
    total = day.year * 12 + day.month - 1 - months
    return datetime.date(total // 12, total % 12 + 1, min(day.day, 28))


@dataclass
class Territory:
    district: District
    places: dict[str, Municipality]
    company: Organization
    nido_alfa: Supplier
    nido_delta: Supplier

    def cell(self, analysis: gaps.GapAnalysis, name: str, category: str = NURSERY) -> gaps.GapCell:
        return next(c for c in analysis.cells[category] if c.place.pk == self.places[name].pk)

    def row(self, analysis: gaps.GapAnalysis, name: str, category: str = NURSERY) -> gaps.GapRow:
        return next(r for r in analysis.rows(category) if r.place.pk == self.places[name].pk)


def make_territory() -> Territory:
    district = District.objects.create(code=99, name="Ambito di Prova")
    places = {
        name: Municipality.objects.create(
            istat_code=f"0990{index:02d}",
            name=name,
            district=district,
            province="TT",
            latitude=latitude,
            longitude=str(LONGITUDE),
            population=1000,
            postal_code="09000",
            boundary=square(float(latitude), LONGITUDE),
        )
        for index, (name, latitude) in enumerate(LATITUDES.items(), start=1)
    }
    company = OrganizationFactory(
        name="Fabbrica di Prova S.r.l.", municipality=places["Alfa"], roles=[OrganizationRole.CLIENT_COMPANY]
    )
    nido_alfa = make_supplier(name="Nido Alfa", municipality_name="Alfa", radius_km=8, categories=[NURSERY])
    make_offer(nido_alfa, category=NURSERY, capacity=6)
    make_offer(nido_alfa, category=NURSERY, title="Nido Alfa in bozza", capacity=50, publish=False)
    nido_delta = make_supplier(
        name="Nido Delta", municipality_name="Delta", radius_km=5, categories=[NURSERY, Category.HOME_CARE]
    )
    own_list = make_offer(nido_delta, category=NURSERY, whole_area=False, served_municipalities=(places["Delta"],))
    make_session(own_list, seats=4)
    make_session(own_list, starts_in_days=40, seats=7)
    make_offer(nido_delta, category=Category.HOME_CARE, capacity=30)
    # A nursery that may no longer sell (its DURC expired after publishing) counts for nothing.
    lapsed = make_supplier(name="Nido Scaduto", municipality_name="Charlie", radius_km=3, categories=[NURSERY])
    make_offer(lapsed, category=NURSERY, capacity=100)
    Supplier.objects.filter(pk=lapsed.pk).update(durc_expires_on=timezone.localdate() - datetime.timedelta(days=1))
    return Territory(district, places, company, nido_alfa, nido_delta)


def employee_with_children(territory: Territory, home: str, *ages_in_months: int, **fields: object) -> User:
    employee = make_employee(territory.company, residence_municipality=territory.places[home], **fields)
    for index, months in enumerate(ages_in_months):
        make_family_member(
            employee, first_name=["Sofia", "Marco", "Elena", "Luca"][index], birth_date=months_ago(months)
        )
    return employee


def answer(territory: Territory, employee: User, *, closes_in_days: int = 30, **answers: object) -> SurveyResponse:
    today = timezone.localdate()
    survey = Survey.objects.create(
        title="Bisogni di conciliazione",
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=closes_in_days),
        published_by=UserFactory(),
    )
    fields: dict[str, object] = {"working_pattern": WorkingPattern.DAY, "commute": Commute.UNDER_15} | answers
    return SurveyResponse.objects.create(
        survey=survey,
        respondent=employee,
        company=territory.company,
        municipality=employee.residence_municipality,
        **fields,
    )


@pytest.fixture
def territory(db, settings) -> Territory:
    settings.CONCILIARE_KM_ZERO_RADIUS_KM = 10
    return make_territory()


@pytest.fixture
def populated(territory: Territory) -> Territory:
    """Alfa 7 toddlers, Bravo 12, Charlie 4 + survey answers (6 in all), Delta 3."""
    for _ in range(7):
        employee_with_children(territory, "Alfa", 13)
    # Not a nursery's age: 40 months (pre-school) and 16 years (no band).
    employee_with_children(territory, "Alfa", 40, 16 * 12)
    for _ in range(6):
        employee_with_children(territory, "Bravo", 5, 30)
    for _ in range(4):
        employee_with_children(territory, "Charlie", 20)
    # One child in the profile, "two" in the survey: two, not three.
    answer(territory, employee_with_children(territory, "Charlie", 10), children_0_3=2)
    # One child in the profile, "none" in the survey: the profile's one stays.
    answer(territory, employee_with_children(territory, "Charlie", 24), children_0_3=0)
    for _ in range(3):
        employee_with_children(territory, "Delta", 8)
    return territory


def test_demand_supply_gap_and_class_of_each_village(populated: Territory) -> None:
    analysis = gaps.gap_analysis([NURSERY])
    alfa, bravo, charlie, delta = (populated.cell(analysis, name) for name in LATITUDES)

    assert (alfa.demand, alfa.capacity, alfa.gap, alfa.in_reach, alfa.nearest_km) == (7, 6, 1, True, 0)
    assert (bravo.demand, bravo.capacity, bravo.gap, bravo.in_reach, str(bravo.nearest_km)) == (12, 6, 6, True, "5.6")
    assert (charlie.demand, charlie.capacity, charlie.gap, charlie.in_reach, charlie.nearest_km) == (
        7,
        0,
        7,
        False,
        None,
    )
    # No capacity stated: the largest future session (7 seats), not the sum of the sessions.
    assert (delta.demand, delta.capacity, delta.capacity_unstated, delta.in_reach) == (3, 7, False, True)
    assert [gaps.gap_class(cell) for cell in (alfa, bravo, charlie, delta)] == [
        GapClass.PARTLY_COVERED,
        GapClass.PARTLY_COVERED,
        GapClass.NOT_COVERED,
        GapClass.SERVED,
    ]


def test_the_suppliers_that_could_extend_their_area_nearest_first(populated: Territory) -> None:
    analysis = gaps.gap_analysis([NURSERY])
    charlie = populated.cell(analysis, "Charlie")
    # The lapsed nursery seated in Charlie itself is not suggested: it may not sell.
    assert charlie.suggestions == (
        Suggestion("Nido Alfa", gaps.distance_km((40.12, 9.0), (40.0, 9.0))),
        Suggestion("Nido Delta", gaps.distance_km((40.12, 9.0), (40.30, 9.0))),
    )
    assert [str(s.km) for s in charlie.suggestions] == ["13.3", "20.0"]
    assert populated.cell(analysis, "Bravo").suggestions == ()


def test_what_the_alliance_sees_hides_every_count_under_five(populated: Territory) -> None:
    analysis = gaps.gap_analysis([NURSERY])
    alfa, bravo, charlie, delta = (populated.row(analysis, name) for name in LATITUDES)
    assert (alfa.demand, alfa.gap, alfa.gap_class) == (7, None, GapClass.PARTLY_COVERED)  # gap 1: "fewer than 5"
    assert (bravo.demand, bravo.gap) == (12, 6)
    assert (charlie.demand, charlie.gap, charlie.missing) == (7, 7, True)
    assert [s.supplier for s in charlie.suggestions] == ["Nido Alfa", "Nido Delta"]
    # Three toddlers in Delta: neither the number nor the colour says there is anyone.
    assert (delta.demand, delta.gap, delta.gap_class, delta.capacity) == (None, None, GapClass.SERVED, 7)


def test_a_village_with_nobody_and_one_with_a_few_look_the_same(territory: Territory) -> None:
    nobody = territory.row(gaps.gap_analysis([NURSERY]), "Charlie")
    employee_with_children(territory, "Charlie", 12)
    analysis = gaps.gap_analysis([NURSERY])
    assert territory.cell(analysis, "Charlie").demand == 1
    one = territory.row(analysis, "Charlie")
    assert (one.demand, one.gap, one.gap_class, one.missing) == (None, None, GapClass.NO_SERVICE, True)
    assert one == nobody


def test_categories_of_one_need_share_the_demand_so_none_can_be_subtracted(populated: Territory) -> None:
    # A survey asks for a micro-nursery by name: the whole nursery group gets the household, not one category.
    answer(populated, employee_with_children(populated, "Delta"), preferred_services=[Category.MICRO_NURSERY])
    categories = [NURSERY, Category.MICRO_NURSERY, Category.FAMILY_NURSERY, Category.EARLY_CHILDHOOD_CENTRE]
    analysis = gaps.gap_analysis(categories)
    assert {populated.cell(analysis, "Delta", category).demand for category in categories} == {4}


def test_care_disability_and_shift_needs_from_profiles_and_answers(territory: Territory) -> None:
    today = timezone.localdate()
    first = make_employee(territory.company, residence_municipality=territory.places["Bravo"])
    make_family_member(first, first_name="Pietro", relationship=Relationship.PARENT, birth_date=months_ago(80 * 12))
    make_family_member(
        first, first_name="Rosa", relationship=Relationship.PARENT, birth_date=months_ago(60 * 12), disability=True
    )
    second = make_employee(territory.company, residence_municipality=territory.places["Bravo"])
    make_family_member(
        second,
        first_name="Carla",
        relationship=Relationship.PARENT,
        birth_date=months_ago(70 * 12),
        non_self_sufficient=True,
    )
    # A relative of 74 who manages on their own needs no care.
    make_family_member(second, first_name="Aldo", relationship=Relationship.PARENT, birth_date=months_ago(74 * 12 + 6))
    shifts = make_employee(territory.company, residence_municipality=territory.places["Bravo"])
    shifts.employee_profile.shift_worker = True
    shifts.employee_profile.save()
    # Shifts in the profile and nights in the survey: the employee once. Care in the survey, nobody in the profile: one.
    answer(territory, shifts, working_pattern=WorkingPattern.NIGHTS, cares_for_elderly=True, errands=["groceries"])
    errands_only = make_employee(territory.company, residence_municipality=territory.places["Bravo"])
    answer(
        territory, errands_only, errands=["pharmacy", "not-an-errand", {"odd": 1}], preferred_services=[{"odd": 1}, 7]
    )
    demand = gaps.demand_by_place(today)
    bravo = territory.places["Bravo"].pk
    assert demand[bravo, gaps.CARE] == 3  # Pietro (80), Carla (not self-sufficient), the shift worker's answer
    assert demand[bravo, gaps.DISABILITY] == 1  # Rosa
    assert demand[bravo, gaps.EVERYDAY] == 2  # the shift worker, the one with errands
    analysis = gaps.gap_analysis([Category.CARER, Category.CONCIERGE, Category.GROCERY_DELIVERY])
    assert territory.cell(analysis, "Bravo", Category.CARER).demand == 3
    assert territory.cell(analysis, "Bravo", Category.GROCERY_DELIVERY).demand == 2


def test_only_the_latest_answer_of_a_person_counts(territory: Territory) -> None:
    employee = employee_with_children(territory, "Alfa")
    answer(territory, employee, closes_in_days=5, children_0_3=3)
    answer(territory, employee, closes_in_days=60, children_0_3=1)
    assert gaps.demand_by_place(timezone.localdate())[territory.places["Alfa"].pk, gaps.INFANTS] == 1


def test_inactive_employees_count_for_nothing(territory: Territory) -> None:
    gone = employee_with_children(territory, "Alfa", 12)
    answer(territory, gone, children_0_3=2)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    assert (territory.places["Alfa"].pk, gaps.INFANTS) not in gaps.demand_by_place(timezone.localdate())


def test_home_service_from_far_away_is_within_reach(territory: Territory) -> None:
    far = make_supplier(
        name="Tate a Domicilio", municipality_name="Delta", radius_km=40, categories=[Category.BABYSITTER]
    )
    make_offer(far, category=Category.BABYSITTER, home_service=True, capacity=2)
    analysis = gaps.gap_analysis([Category.BABYSITTER])
    alfa = territory.cell(analysis, "Alfa", Category.BABYSITTER)
    assert (alfa.in_reach, str(alfa.nearest_km), alfa.capacity, alfa.suggestions) == (True, "33.4", 2, ())


def test_open_signals_count_distinct_people_by_kind(territory: Territory) -> None:
    charlie = territory.places["Charlie"]
    people = [UserFactory() for _ in range(6)]
    for person in people[:5]:
        Signal.objects.create(
            kind=SignalKind.SUPPLIER_WANTED,
            author=person,
            municipality=charlie,
            category=NURSERY,
            supplier_name="Nido Bello",
            description="Vicino a casa",
        )
    # The same person twice, a handled signal, another category: none adds a person.
    Signal.objects.create(
        kind=SignalKind.SUPPLIER_WANTED,
        author=people[0],
        municipality=charlie,
        category=NURSERY,
        supplier_name="Nido Brutto",
        description="Anche questo",
    )
    Signal.objects.create(
        kind=SignalKind.SUPPLIER_WANTED,
        author=people[5],
        municipality=charlie,
        category=NURSERY,
        supplier_name="Nido Chiuso",
        description="Già visto",
        status=SignalStatus.DONE,
    )
    Signal.objects.create(
        kind=SignalKind.UNMET_NEED,
        author=people[5],
        municipality=charlie,
        category=Category.CARER,
        description="Badante",
    )
    for person in people[:2]:
        Signal.objects.create(
            kind=SignalKind.UNMET_NEED,
            author=person,
            municipality=charlie,
            category=NURSERY,
            description="Orari lunghi",
        )
    analysis = gaps.gap_analysis([NURSERY])
    cell, row = territory.cell(analysis, "Charlie"), territory.row(analysis, "Charlie")
    assert (cell.signals_supplier, cell.signals_need) == (5, 2)
    assert (row.signals_supplier, row.signals_need, row.signals) == (5, None, 5)


def _signal(author: User, place: Municipality, kind: str, category: str = "", name: str = "", **fields: object) -> None:
    Signal.objects.create(
        kind=kind,
        author=author,
        municipality=place,
        category=category,
        supplier_name=name,
        description="Vicino a casa",
        **fields,
    )


def test_no_count_of_people_of_either_kind_gives_a_hidden_kind_away(territory: Territory) -> None:
    # Six ask for a supplier, two others signal an unmet need: "8 people sent a signal" next to 6 and
    # "fewer than 5" would say that 2 signalled an unmet need. The marker says 6, as the table.
    charlie = territory.places["Charlie"]
    for person in [UserFactory() for _ in range(6)]:
        _signal(person, charlie, SignalKind.SUPPLIER_WANTED, NURSERY, "Nido Bello")
    for person in [UserFactory() for _ in range(2)]:
        _signal(person, charlie, SignalKind.UNMET_NEED, NURSERY)
    analysis = gaps.gap_analysis([NURSERY])
    cell, row = territory.cell(analysis, "Charlie"), territory.row(analysis, "Charlie")
    assert (cell.signals_supplier, cell.signals_need) == (6, 2)
    assert (row.signals_supplier, row.signals_need, row.signals) == (6, None, 6)
    with translation.override("en"):
        text = gaps.describe(row)
        markup = str(svgmap.gap_svg(analysis, NURSERY, gaps.boundaries()))
    assert "asking for a supplier: 6; signalling an unmet need: fewer than 5" in text
    assert "8" not in text
    assert ">6</text>" in markup and ">8</text>" not in markup and ": 8" not in markup


def test_signals_with_no_category_count_apart_and_the_names_asked_for(territory: Territory) -> None:
    charlie, bravo = territory.places["Charlie"], territory.places["Bravo"]
    outside = Municipality.objects.filter(district__isnull=True).first()
    assert outside is not None
    people = [UserFactory() for _ in range(7)]
    # Five people signal with no category in Charlie, one in Bravo.
    for person in people[:3]:
        _signal(person, charlie, SignalKind.UNMET_NEED)
    _signal(people[3], charlie, SignalKind.SUPPLIER_WANTED, name="Asilo Girotondo")
    _signal(people[4], charlie, SignalKind.SUPPLIER_WANTED, name="  asilo   girotondo ")
    _signal(people[4], charlie, SignalKind.UNMET_NEED)  # the same person again: still five
    _signal(people[5], bravo, SignalKind.UNMET_NEED)
    # Nido Bello asked for by five people (one of them twice, with another spelling), for nurseries.
    for person in people[:5]:
        _signal(person, charlie, SignalKind.SUPPLIER_WANTED, NURSERY, "Nido Bello")
    _signal(people[0], charlie, SignalKind.SUPPLIER_WANTED, NURSERY, "NIDO BELLO")
    _signal(people[6], bravo, SignalKind.SUPPLIER_WANTED, NURSERY, "=Tate & Co")
    # Not on the nurseries' board: another category, a closed signal, a municipality outside the districts.
    _signal(people[6], charlie, SignalKind.SUPPLIER_WANTED, Category.CARER, "Badanti Srl")
    _signal(people[5], charlie, SignalKind.SUPPLIER_WANTED, NURSERY, "Nido Chiuso", status=SignalStatus.DONE)
    _signal(people[5], outside, SignalKind.SUPPLIER_WANTED, NURSERY, "Nido Lontano")
    analysis = gaps.gap_analysis([NURSERY])
    assert territory.cell(analysis, "Charlie").signals_any == 5
    assert territory.row(analysis, "Charlie").signals_any == 5
    assert territory.cell(analysis, "Bravo").signals_any == 1
    assert territory.row(analysis, "Bravo").signals_any is None
    assert territory.row(analysis, "Alfa").signals_any is None
    place = {name: gaps.Place(p.pk, p.istat_code, p.name, "Ambito di Prova", (float(p.latitude), float(p.longitude)))
             for name, p in territory.places.items()}  # fmt: skip
    assert analysis.asked_suppliers(NURSERY) == [
        AskedSupplier(place["Bravo"], "=Tate & Co", NURSERY, None),
        AskedSupplier(place["Charlie"], "Nido Bello", NURSERY, 5),
        AskedSupplier(place["Charlie"], "Asilo Girotondo", "", None),
    ]


def test_the_number_of_queries_does_not_grow_with_the_territory(territory: Territory) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            gaps.gap_analysis([NURSERY, Category.HOME_CARE])
        return len(captured.captured_queries)

    employee_with_children(territory, "Alfa", 12)
    before = count()
    for index in range(5):
        Municipality.objects.create(
            istat_code=f"0991{index:02d}",
            name=f"Borgo {index}",
            district=territory.district,
            province="TT",
            latitude="40.20",
            longitude=f"{9.1 + index / 100:.2f}",
            population=10,
            postal_code="09000",
            boundary=square(40.2, 9.1 + index / 100),
        )
        employee_with_children(territory, "Bravo", 6, 30)
        _signal(UserFactory(), territory.places["Bravo"], SignalKind.SUPPLIER_WANTED, NURSERY, f"Nido {index}")
        _signal(UserFactory(), territory.places["Bravo"], SignalKind.SUPPLIER_WANTED, name=f"Altro {index}")
        supplier = make_supplier(name=f"Nido {index}", municipality_name="Charlie", radius_km=8, categories=[NURSERY])
        make_session(make_offer(supplier, category=NURSERY), seats=3)
    assert count() == before


def test_access_is_for_the_alliance_roles_only(cast) -> None:
    allowed = {"operator_admin", "monitoring", "consultant"}
    for role, user in cast.role_users().items():
        assert gaps.may_see_gaps(user) is (role in allowed), role
        if role not in allowed:
            with pytest.raises(NotPermitted):
                gaps.assert_may_see_gaps(user)


def test_the_category_asked_for() -> None:
    assert gaps.chosen_categories(None) == [NURSERY]
    assert gaps.chosen_categories(" home_care ") == [Category.HOME_CARE]
    assert gaps.chosen_categories("tutte", allow_all=True) == list(Category.values)
    for wrong in ("tutte", "asilo", "nursery'--"):
        with pytest.raises(InvalidInput):
            gaps.chosen_categories(wrong)


def test_age_in_months() -> None:
    day = datetime.date(2026, 3, 15)
    assert gaps.months_old(datetime.date(2025, 3, 15), day) == 12
    assert gaps.months_old(datetime.date(2025, 3, 16), day) == 11
    assert gaps.months_old(datetime.date(2023, 3, 15), day) == 36


def test_a_child_on_a_band_boundary_counts_once_and_up_to_fifteen(territory: Territory) -> None:
    # 35 months: nursery; exactly 36: pre-school only; 71: pre-school; exactly 72: school only;
    # 169 and 179 months (14 years and some months): still school, as the recommendations; 180: none.
    for months in (35, 36, 71, 72, 169, 179, 180):
        employee_with_children(territory, "Bravo", months)
    demand = gaps.demand_by_place(timezone.localdate())
    bravo = territory.places["Bravo"].pk
    assert (demand[bravo, gaps.INFANTS], demand[bravo, gaps.PRESCHOOL], demand[bravo, gaps.SCHOOL]) == (1, 2, 3)
    # A newborn is in the nurseries' band too (the recommendations give it one); not yet born: nowhere.
    baby = employee_with_children(territory, "Alfa", 0)
    make_family_member(baby, first_name="Nascituro", birth_date=timezone.localdate() + datetime.timedelta(days=40))
    assert gaps.demand_by_place(timezone.localdate())[territory.places["Alfa"].pk, gaps.INFANTS] == 1
