"""The batch, the single-user refresh and the stale marking, on the database."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conciliare.accounts.models import DependentChildrenDeclaration, Organization, OrganizationRole, User
from conciliare.catalogue.categories import Category
from conciliare.catalogue.models import Offer, OfferStatus
from conciliare.catalogue.services import offer_withdraw
from conciliare.catalogue.tests.factories import make_offer, make_supplier
from conciliare.needs import recommendations
from conciliare.needs.models import RecommendationSet
from conciliare.needs.views_recommendations import suggestions_for
from conciliare.orders.checkout import LineRequest, checkout, quote
from conciliare.orders.tests.factories import give_credit
from conciliare.testing.factories import OrganizationFactory, make_employee, make_family_member, municipality

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def years_ago(years: int, days: int = 40) -> datetime.date:
    return TODAY.replace(year=TODAY.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def territory() -> dict[str, object]:
    """A company at Lovere, one at Trescore Balneario; a nursery and a care cooperative near Lovere,
    a summer camp near Trescore."""
    lovere = OrganizationFactory(name="Tessitura Sebina", roles=[OrganizationRole.CLIENT_COMPANY])
    trescore = OrganizationFactory(
        name="Meccanica Cavallina",
        municipality=municipality("Trescore Balneario"),
        roles=[OrganizationRole.CLIENT_COMPANY],
    )
    nido = make_supplier(
        name="Nido Il Girasole", municipality_name="Lovere", radius_km=10, categories=[Category.NURSERY]
    )
    care = make_supplier(
        name="Cooperativa Assistenza", municipality_name="Sovere", radius_km=10, categories=[Category.HOME_CARE]
    )
    cre = make_supplier(
        name="CRE Cavallina", municipality_name="Trescore Balneario", radius_km=5, categories=[Category.SUMMER_CAMP]
    )
    offers = {
        "nursery": make_offer(nido, category=Category.NURSERY, min_age_months=3, max_age_months=36, price=30_000),
        "nursery_cheap": make_offer(nido, category=Category.NURSERY, price=20_000),
        "home_care": make_offer(care, category=Category.HOME_CARE, price=2_500),
        "summer_camp": make_offer(cre, category=Category.SUMMER_CAMP, price=9_000),
    }
    return {"lovere": lovere, "trescore": trescore, "suppliers": (nido, care, cre), **offers}


def family_at(company: Organization, home: str = "Costa Volpino", **kinds: int) -> User:
    user = make_employee(company, residence_municipality=municipality(home))
    for i in range(kinds.get("toddlers", 0)):
        make_family_member(user, first_name=f"Leo{i}", birth_date=years_ago(1 + i))
    for i in range(kinds.get("pupils", 0)):
        make_family_member(user, first_name=f"Ada{i}", birth_date=years_ago(8 + i))
    for i in range(kinds.get("elders", 0)):
        make_family_member(user, first_name=f"Nonna{i}", relationship="parent", birth_date=years_ago(80 + i))
    return user


def items_of(user: User) -> list[dict]:
    return RecommendationSet.objects.get(user=user).items


@pytest.fixture
def people(territory) -> list[User]:
    lovere, trescore = territory["lovere"], territory["trescore"]
    users = [
        family_at(lovere, toddlers=1),
        family_at(lovere, toddlers=2, elders=1),
        family_at(lovere, home="Trescore Balneario", pupils=1),
        family_at(trescore, home="Trescore Balneario", pupils=2, toddlers=1),
        family_at(trescore, home="Casazza", elders=1),
        family_at(lovere),  # nobody to care for
    ]
    give_credit(users[0], "art51_c2_fbis", 50_000)
    give_credit(users[1], "art51_c2_fter", 50_000)
    return users


def test_the_batch_equals_the_computation_of_each_employee_alone(people):
    report = recommendations.refresh_all()
    assert report.employees == len(people)
    batch = {user.pk: items_of(user) for user in people}
    assert batch[people[0].pk] and batch[people[5].pk] == []
    for user in people:
        RecommendationSet.objects.filter(user=user).delete()
        assert recommendations.refresh_users([user.pk]) == 1
        assert items_of(user) == batch[user.pk], user
    assert report.items == sum(len(items) for items in batch.values())


def test_the_batch_writes_what_the_engine_says(people, territory):
    recommendations.refresh_all()
    toddler_at_lovere, grandmother_family = people[0], people[1]
    [first, second] = items_of(toddler_at_lovere)
    # Both nurseries are at Lovere (2.8 km from Costa Volpino): the cheaper first; f-bis credit pays.
    assert (first["offer"], first["km_home"], first["km_work"]) == (territory["nursery_cheap"].pk, "2.8", "0.0")
    assert second["offer"] == territory["nursery"].pk
    assert first["buckets"] == ["art51_c2_fbis"] and first["payable"]
    # Home care for the grandmother, paid by the f-ter credit; the nurseries for the toddlers are own money.
    by_category = {item["category"]: item for item in items_of(grandmother_family)}
    assert by_category["home_care"]["buckets"] == ["art51_c2_fter"]
    assert by_category["nursery"]["payable"] is False
    # The summer camp near Trescore reaches the pupils who live there, not those at Costa Volpino.
    assert {item["category"] for item in items_of(people[2])} == {"summer_camp"}


def test_people_no_longer_employed_lose_their_set(people):
    recommendations.refresh_all()
    people[0].employee_profile.delete()
    recommendations.refresh_all()
    assert not RecommendationSet.objects.filter(user=people[0]).exists()
    assert RecommendationSet.objects.filter(user=people[1]).exists()


def test_a_new_family_member_marks_the_set_stale_and_reading_it_recomputes(people, territory):
    recommendations.refresh_all()
    nobody = people[5]
    assert items_of(nobody) == []
    make_family_member(nobody, first_name="Bea", birth_date=years_ago(2))
    stored = RecommendationSet.objects.get(user=nobody)
    assert stored.stale and stored.stale_since is not None
    fresh = recommendations.set_for(nobody)
    assert fresh is not None and not fresh.stale
    assert {item["category"] for item in fresh.items} == {"nursery"}


def test_profile_and_survey_changes_mark_stale_but_a_login_does_not(people):
    recommendations.refresh_all()
    user = people[0]
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert not RecommendationSet.objects.get(user=user).stale
    profile = user.employee_profile
    profile.shift_worker = True
    profile.save()
    assert RecommendationSet.objects.get(user=user).stale
    assert not RecommendationSet.objects.get(user=people[1]).stale
    user.residence_municipality = municipality("Sovere")
    RecommendationSet.objects.update(stale=False)
    user.save()
    assert RecommendationSet.objects.get(user=user).stale


def test_an_offer_change_marks_stale_the_employees_of_its_area_only(people, territory):
    recommendations.refresh_all()
    nido = territory["suppliers"][0]
    newer = make_offer(nido, category=Category.NURSERY, price=10_000)
    stale = set(RecommendationSet.objects.filter(stale=True).values_list("user_id", flat=True))
    # The nursery's area is around Lovere: people living or working there, not the Trescore/Casazza family.
    assert stale == {people[0].pk, people[1].pk, people[2].pk, people[5].pk}
    recommendations.refresh_stale()
    assert not RecommendationSet.objects.filter(stale=True).exists()
    assert items_of(people[0])[0]["offer"] == newer.pk


def test_a_withdrawn_offer_is_replaced_when_the_list_is_read(people, territory):
    # Withdrawing is a queryset update (no signal): reading the list notices the missing offer.
    recommendations.refresh_all()
    nido = territory["suppliers"][0]
    offer_withdraw(actor=nido.applied_by, offer=territory["nursery_cheap"])
    spare = make_offer(nido, category=Category.NURSERY, price=40_000, publish=False)
    RecommendationSet.objects.update(stale=False)
    Offer.objects.filter(pk=spare.pk).update(status=OfferStatus.PUBLISHED)
    found = suggestions_for(people[0], "home")
    assert found is not None
    assert [s.offer.pk for s in found.suggestions] == [territory["nursery"].pk, spare.pk]
    assert territory["nursery_cheap"].pk not in {item["offer"] for item in items_of(people[0])}


def test_a_change_during_the_computation_leaves_the_set_stale(people):
    started = timezone.now()
    recommendations.refresh_users([people[0].pk])
    # A change arrives after the data was read but before this (slow) computation is written.
    recommendations.mark_users_stale([people[0].pk])
    recommendations.write_sets([(people[0].pk, "[]")], computed_at=started)
    assert RecommendationSet.objects.get(user=people[0]).stale


def test_the_refresh_runs_after_the_commit(people, django_capture_on_commit_callbacks):
    recommendations.refresh_all()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_family_member(people[5], first_name="Bea", birth_date=years_ago(2))
        make_family_member(people[5], first_name="Ugo", birth_date=years_ago(1))
    assert len(callbacks) == 1  # one queued refresh for the whole transaction
    stored = RecommendationSet.objects.get(user=people[5])
    assert not stored.stale and len(stored.items) == 2


def test_the_command_refreshes_all_or_the_stale_ones(people):
    out = io.StringIO()
    call_command("recommendations_refresh", stdout=out)
    assert out.getvalue().startswith(f"{len(people)} employees")
    recommendations.mark_users_stale([people[0].pk])
    out = io.StringIO()
    call_command("recommendations_refresh", "--stale", stdout=out)
    assert out.getvalue().startswith("1 stale")


def test_the_batch_reads_with_a_constant_number_of_queries(territory):
    def queries(extra: int) -> int:
        for _ in range(extra):
            family_at(territory["lovere"], toddlers=2, elders=1)
        with CaptureQueriesContext(connection) as captured:
            recommendations.refresh_all()
        return len(captured)

    assert queries(2) == queries(8)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_slices_are_written_by_a_second_connection(territory, monkeypatch):
    # The nightly job: one slice is written while the next is computed.
    lovere = territory["lovere"]
    people = [family_at(lovere, toddlers=1), family_at(lovere, elders=1), family_at(lovere, pupils=1, toddlers=1)]
    monkeypatch.setattr(recommendations, "CHUNK", 2)  # two slices, so one is written while the other is computed
    assert not connection.in_atomic_block
    report = recommendations.refresh_all()
    assert report.employees == 3
    threaded = {user.pk: items_of(user) for user in people}
    for user in people:
        recommendations.refresh_users([user.pk])
        assert items_of(user) == threaded[user.pk]
    assert threaded[people[0].pk] and report.items == sum(len(items) for items in threaded.values())


# --- The fringe-benefit cap -----------------------------------------------------------------------------------------

FRINGE = "art51_c3_fringe"


def shift_worker_with_fringe_credit(cents: int) -> tuple[User, Offer]:
    """A shift worker living and working at Lovere with `cents` of fringe-benefit credit, and a
    grocery delivery of 1,000 euros there (the whole year's cap without a declaration)."""
    company = OrganizationFactory(name="Turni Sebini", roles=[OrganizationRole.CLIENT_COMPANY])  # at Lovere
    worker = make_employee(company, residence_municipality=municipality("Lovere"))
    worker.employee_profile.shift_worker = True
    worker.employee_profile.save()
    give_credit(worker, FRINGE, cents)
    shop = make_supplier(name="Spesa a Casa", categories=[Category.GROCERY_DELIVERY, Category.CONCIERGE])
    return worker, make_offer(shop, category=Category.GROCERY_DELIVERY, price=100_000)


def grocery_item(worker: User) -> dict:
    return next(item for item in items_of(worker) if item["category"] == Category.GROCERY_DELIVERY)


def test_fringe_credit_is_not_promised_once_the_years_cap_is_committed():
    worker, basket = shift_worker_with_fringe_credit(150_000)
    recommendations.refresh_all()
    assert grocery_item(worker)["buckets"] == [FRINGE]
    # One basket commits the whole cap: 500 euros stay on the wallet, but checkout would not use them.
    checkout(buyer=worker, requests=[LineRequest(offer_id=basket.pk)], payment_method="none", idempotency_key="cap")
    assert quote(buyer=worker, requests=[LineRequest(offer_id=basket.pk)]).credit == 0
    # The page, reading the stored list against today's credit...
    found = suggestions_for(worker, "home", TODAY)
    assert found is not None
    [grocery] = [s for s in found.suggestions if s.offer.pk == basket.pk]
    assert grocery.buckets == [] and not grocery.payable
    # ...and the batch, for one employee or for all, say "own money".
    recommendations.refresh_users([worker.pk])
    assert grocery_item(worker)["buckets"] == [] and grocery_item(worker)["payable"] is False
    recommendations.refresh_all()
    assert grocery_item(worker)["buckets"] == [] and grocery_item(worker)["payable"] is False


def test_a_dependent_children_declaration_raises_the_cap_the_list_counts_against():
    worker, basket = shift_worker_with_fringe_credit(150_000)
    checkout(buyer=worker, requests=[LineRequest(offer_id=basket.pk)], payment_method="none", idempotency_key="cap")
    DependentChildrenDeclaration.objects.create(user=worker, tax_year=TODAY.year, children=[], statement="s")
    recommendations.refresh_all()
    assert grocery_item(worker)["buckets"] == [FRINGE]  # 2,000 euros of cap: 1,000 left
    assert recommendations.held_buckets(worker.pk, TODAY) == frozenset({FRINGE})


def test_the_fringe_room_of_a_slice_is_read_in_one_query(territory):
    def queries(extra: int) -> int:
        for _ in range(extra):
            user = family_at(territory["lovere"], toddlers=1)
            give_credit(user, FRINGE, 50_000)
        with CaptureQueriesContext(connection) as captured:
            recommendations.refresh_all()
        return len(captured)

    assert queries(2) == queries(8)
