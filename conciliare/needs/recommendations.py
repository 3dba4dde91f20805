"""The "per te" lists of all employees, computed in batch, and kept fresh when something changes.

The batch reads everything in a few big queries (offers once; employees, family members,
wallets and survey answers by slices of user ids), hands the facts to the pure engine
(`matching.recommend`) and writes one RecommendationSet row per employee: on PostgreSQL by COPY
into a temporary table and one upsert per slice, elsewhere by bulk upsert.

A change to a profile, a family member, a survey answer or an offer marks the affected sets
stale (signals.py: a cheap UPDATE) and queues `refresh_stale`; the "per te" page recomputes a
stale or missing set of its reader on the spot. Run `manage.py recommendations_refresh` nightly:
credit spent, a DURC that expires or a plan that ends change lists without any save.
"""

import datetime
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from conciliare.accounts.models import DependentChildrenDeclaration, EmployeeProfile, FamilyMember
from conciliare.catalogue.models import Offer, OfferStatus
from conciliare.fund.models import GRANT_BUCKET, Grant
from conciliare.ledger.models import AccountKind, LedgerAccount
from conciliare.plans import fiscal
from conciliare.plans.models import PlanStatus, WelfarePlan
from conciliare.plans.selectors import FRINGE, fringe_committed
from conciliare.suppliers.eligibility import sellable_q
from conciliare.suppliers.models import Supplier
from conciliare.territory.models import Municipality

from . import matching
from .models import RecommendationSet, SurveyResponse

CHUNK = 5_000  # employees per slice: bounded memory, few round trips


@dataclass(frozen=True)
class RefreshReport:
    employees: int
    items: int
    seconds: float


# --- Reading the facts ----------------------------------------------------------------------------------------------


def offer_index(day: datetime.date, origins: Iterable[int] | None = None) -> matching.OfferIndex:
    """The sellable offers; with `origins`, only those serving one of them: all that the lists of
    employees living or working there can hold, so their lists equal the full index's."""
    suppliers = dict(Supplier.objects.filter(sellable_q(today=day)).values_list("pk", "organization__municipality_id"))
    supplier_areas = Supplier.served_municipalities.through.objects.filter(supplier_id__in=list(suppliers))
    offer_areas = Offer.served_municipalities.through.objects.all()
    if origins is not None:
        places = sorted(set(origins))
        supplier_areas = supplier_areas.filter(municipality_id__in=places)
        offer_areas = offer_areas.filter(municipality_id__in=places)
    served_by_supplier: dict[int, set[int]] = {}
    for supplier_id, place in supplier_areas.values_list("supplier_id", "municipality_id").iterator(chunk_size=20_000):
        served_by_supplier.setdefault(supplier_id, set()).add(place)
    # Every category: a survey's wished-for services may be any of them.
    offers = Offer.objects.filter(status=OfferStatus.PUBLISHED, supplier_id__in=list(suppliers))
    own_areas: dict[int, set[int]] = {}
    if origins is not None:
        # Only offers that can serve one of the origins: the whole area of a supplier serving one, or their own list.
        own = list(offer_areas.values_list("offer_id", "municipality_id"))
        for offer_id, place in own:
            own_areas.setdefault(offer_id, set()).add(place)
        offers = offers.filter(
            Q(whole_area=True, supplier_id__in=list(served_by_supplier)) | Q(whole_area=False, pk__in=list(own_areas))
        )
    else:
        for offer_id, place in offer_areas.filter(offer__whole_area=False).values_list("offer_id", "municipality_id"):
            own_areas.setdefault(offer_id, set()).add(place)
    facts = []
    for pk, supplier_id, category, price, low, high, home, whole in offers.values_list(
        "pk", "supplier_id", "category", "price", "min_age_months", "max_age_months", "home_service", "whole_area"
    ).iterator(chunk_size=5_000):
        serves = served_by_supplier.get(supplier_id, set()) if whole else own_areas.get(pk, set())
        if serves:
            facts.append(
                matching.OfferFacts(pk, category, price, suppliers[supplier_id], frozenset(serves), low, high, home)
            )
    points = {
        pk: (float(lat), float(lon)) for pk, lat, lon in Municipality.objects.values_list("pk", "latitude", "longitude")
    }
    return matching.OfferIndex(facts, matching.km_table(points))


def _active_plan_references(day: datetime.date) -> list[str]:
    plans = WelfarePlan.objects.filter(status=PlanStatus.ACTIVE, starts_on__lte=day, ends_on__gte=day)
    return [f"plan:{pk}" for pk in plans.values_list("pk", flat=True)]


def _by_user(field: str, users: Sequence[int] | tuple[int, int]) -> Q:
    """Rows of the given users: a list of ids, or an inclusive (first, last) range for a slice."""
    if isinstance(users, tuple):
        return Q(**{f"{field}__gte": users[0], f"{field}__lte": users[1]})
    return Q(**{f"{field}__in": list(users)})


def _buckets(users: Sequence[int] | tuple[int, int], day: datetime.date, plans: list[str]) -> dict[int, set[str]]:
    """The buckets each user holds credit in (wallets of active plans, and fund grants still valid)."""
    held: dict[int, set[str]] = {}
    wallets = LedgerAccount.objects.filter(
        _by_user("owner_user_id", users),
        kind=AccountKind.EMPLOYEE_WALLET,
        plan_reference__in=plans,
        balance__gt=F("held"),
    )
    for user_id, bucket in wallets.values_list("owner_user_id", "fiscal_bucket"):
        held.setdefault(user_id, set()).add(bucket)
    grants = Grant.objects.filter(
        _by_user("wallet__owner_user_id", users), expires_on__gte=day, wallet__balance__gt=F("wallet__held")
    )
    for (user_id,) in grants.values_list("wallet__owner_user_id"):
        held.setdefault(user_id, set()).add(GRANT_BUCKET)
    # Credit on a fringe-benefit wallet cannot pay once the year's cap is committed: checkout never
    # goes past it (orders.allocation), so the list must not promise it either.
    for user_id in _fringe_cap_used_up(sorted(user_id for user_id, buckets in held.items() if FRINGE in buckets), day):
        held[user_id].discard(FRINGE)
    return held


def _fringe_cap_used_up(user_ids: list[int], day: datetime.date) -> set[int]:
    """Of these users, those with no fringe-benefit room left this year, counted as the checkout's
    `orders.allocation.fringe_room` counts it (both through `plans.selectors.fringe_committed`:
    spent this year plus what pending holds reserve, against the cap a dependent-children
    declaration raises), for all of them in ONE statement: no count of queries per user."""
    if not user_ids:
        return set()
    try:
        caps = {
            declared: fiscal.fringe_cap(year=day.year, dependent_children_declared=declared)
            for declared in (False, True)
        }
    except fiscal.UnknownTaxYear:  # no rules for the year: no fringe benefit may be promised
        return set(user_ids)
    spent, reserved = fringe_committed(OuterRef("pk"), day.year)
    declared = DependentChildrenDeclaration.objects.filter(
        user=OuterRef("pk"), tax_year=day.year, withdrawn_at__isnull=True
    )
    rows = (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .annotate(
            fringe_spent=spent,
            fringe_reserved=reserved,
            fringe_declared=Exists(declared),
        )
        .values_list("pk", "fringe_spent", "fringe_reserved", "fringe_declared")
    )
    return {pk for pk, spent_, reserved_, dec in rows if caps[bool(dec)] - (-spent_ + reserved_) <= 0}


def held_buckets(user_id: int, day: datetime.date) -> frozenset[str]:
    """What one user's credit can pay from today (the page re-checks stored lists against it)."""
    return frozenset(_buckets([user_id], day, _active_plan_references(day)).get(user_id, set()))


def _families(users: Sequence[int] | tuple[int, int]) -> dict[int, list[matching.Relative]]:
    family: dict[int, list[matching.Relative]] = {}
    rows = (
        FamilyMember.objects.filter(_by_user("user_id", users))
        .order_by("user_id", "birth_date", "pk")
        .values_list("user_id", "first_name", "birth_date", "non_self_sufficient", "disability", "fiscally_dependent")
    )
    for user_id, name, born, nss, disability, dependent in rows:
        family.setdefault(user_id, []).append(matching.Relative(name, born, nss, disability, dependent))
    return family


def _answers(users: Sequence[int] | tuple[int, int]) -> dict[int, matching.SurveyAnswer]:
    """Each user's latest survey answer: the newest says most about the family today."""
    answers: dict[int, matching.SurveyAnswer] = {}
    rows = (
        SurveyResponse.objects.filter(_by_user("respondent_id", users))
        .order_by("respondent_id", "-updated_at", "-pk")
        .values_list(
            "respondent_id",
            "children_0_3",
            "children_3_6",
            "children_6_14",
            "cares_for_elderly",
            "cares_for_disabled",
            "working_pattern",
            "errands",
            "preferred_services",
        )
    )
    for user_id, c03, c36, c614, elderly, disabled, pattern, errands, preferred in rows:
        if user_id not in answers:
            answers[user_id] = matching.SurveyAnswer(
                c03, c36, c614, elderly, disabled, pattern, tuple(errands or ()), tuple(preferred or ())
            )
    return answers


def _profiles() -> Any:
    return (
        EmployeeProfile.objects.filter(user__is_active=True)
        .order_by("user_id")
        .values_list(
            "user_id",
            "user__birth_date",
            "user__residence_municipality_id",
            "workplace_municipality_id",
            "shift_worker",
        )
    )


def _employees(rows: list[tuple[Any, ...]], day: datetime.date, plans: list[str]) -> list[matching.Employee]:
    """The facts of the employees in `rows` (profile tuples ordered by user id), in 3 to 4 queries."""
    if not rows:
        return []
    ids = [row[0] for row in rows]
    users: Sequence[int] | tuple[int, int] = (ids[0], ids[-1]) if len(ids) > 50 else ids
    family, answers, buckets = _families(users), _answers(users), _buckets(users, day, plans)
    return [
        matching.Employee(
            user_id=user_id,
            home=home,
            work=work,
            birth_date=born,
            shift_worker=shifts,
            family=tuple(family.get(user_id, ())),
            survey=answers.get(user_id),
            buckets=frozenset(buckets.get(user_id, ())),
        )
        for user_id, born, home, work, shifts in rows
    ]


def _slices() -> Iterator[list[tuple[Any, ...]]]:
    """Every active employee's profile tuple, by slices in user id order (keyset: no OFFSET)."""
    size, last = CHUNK, 0
    while True:
        rows = list(_profiles().filter(user_id__gt=last)[:size])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


# --- Writing --------------------------------------------------------------------------------------------------------


def write_sets(results: list[tuple[int, str]], *, computed_at: datetime.datetime) -> None:
    """Upserts the sets (each user's items as JSON text, see matching.recommend_json), then leaves
    stale the ones a change marked after `computed_at`: their computation may have read the data
    from before that change."""
    if not results:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_upsert(results, computed_at)
        else:
            RecommendationSet.objects.bulk_create(
                [
                    RecommendationSet(user_id=user_id, items=json.loads(items), computed_at=computed_at, stale=False)
                    for user_id, items in results
                ],
                batch_size=500,
                update_conflicts=True,
                unique_fields=["user"],
                update_fields=["items", "computed_at", "stale"],
            )
        ids = [user_id for user_id, _items in results]
        RecommendationSet.objects.filter(
            _by_user("user_id", (min(ids), max(ids)) if len(ids) > 50 else ids), stale_since__gt=computed_at
        ).update(stale=True)


def _copy_upsert(results: list[tuple[int, str]], computed_at: datetime.datetime) -> None:
    table = RecommendationSet._meta.db_table
    with connection.cursor() as cursor:
        # The session keeps the table; emptied first, as an outer transaction (a test's) may hold old rows.
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS needs_rec_load (user_id bigint, items jsonb)")
        cursor.execute("TRUNCATE needs_rec_load")
        with cursor.cursor.copy("COPY needs_rec_load (user_id, items) FROM STDIN") as copy:
            for user_id, items in results:
                copy.write_row((user_id, items))
        cursor.execute(
            f"INSERT INTO {table} (user_id, items, computed_at, stale) "  # noqa: S608 - our own table name
            "SELECT user_id, items, %s, false FROM needs_rec_load "
            "ON CONFLICT (user_id) DO UPDATE "
            "SET items = EXCLUDED.items, computed_at = EXCLUDED.computed_at, stale = false",
            [computed_at],
        )


class _Writer:
    """Writes one slice while the next is computed: PostgreSQL parses and stores the JSON on one
    core while Python ranks on the other (the thread waits on the socket without the GIL).

    Only on PostgreSQL and outside a transaction: a thread has its own connection, which could not
    see rows of an open transaction (a test's). Elsewhere the slices are written in turn.
    """

    def __init__(self) -> None:
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.pool = ThreadPoolExecutor(max_workers=1) if self.threaded else None
        self.pending: Future[None] | None = None

    def write(self, results: list[tuple[int, str]], computed_at: datetime.datetime) -> None:
        if self.pool is None:
            write_sets(results, computed_at=computed_at)
            return
        if self.pending is not None:
            self.pending.result()  # at most one slice waits: bounded memory; a failure surfaces here
        self.pending = self.pool.submit(write_sets, results, computed_at=computed_at)

    def __enter__(self) -> "_Writer":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is None:
            return
        try:
            if self.pending is not None and exc[0] is None:
                self.pending.result()
        finally:
            self.pool.submit(connections.close_all).result()  # the thread's own connection
            self.pool.shutdown()


# --- Jobs -----------------------------------------------------------------------------------------------------------


def refresh_all(day: datetime.date | None = None) -> RefreshReport:
    """Every active employee's set; the sets of people no longer employed are removed."""
    started = time.perf_counter()
    computed_at = timezone.now()
    day = day or timezone.localdate()
    index = offer_index(day)
    plans = _active_plan_references(day)
    employees = items = 0
    with _Writer() as writer:
        for rows in _slices():
            results = []
            for employee in _employees(rows, day, plans):
                text, count = matching.recommend_json(employee, index, day)
                results.append((employee.user_id, text))
                items += count
            writer.write(results, computed_at)
            employees += len(results)
    RecommendationSet.objects.exclude(
        user_id__in=EmployeeProfile.objects.filter(user__is_active=True).values("user_id")
    ).delete()
    return RefreshReport(employees=employees, items=items, seconds=time.perf_counter() - started)


def refresh_users(user_ids: Iterable[int], day: datetime.date | None = None) -> int:
    """The sets of these users (those still employed), with an index of only their municipalities' offers."""
    computed_at = timezone.now()
    day = day or timezone.localdate()
    wanted = sorted(set(user_ids))
    done = 0
    for start in range(0, len(wanted), CHUNK):
        rows = list(_profiles().filter(user_id__in=wanted[start : start + CHUNK]))
        if not rows:
            continue  # nobody still employed: no index to build
        employees = _employees(rows, day, _active_plan_references(day))
        origins = {place for e in employees for place in (e.home, e.work) if place is not None}
        index = offer_index(day, origins)
        write_sets([(e.user_id, matching.recommend_json(e, index, day)[0]) for e in employees], computed_at=computed_at)
        done += len(employees)
    RecommendationSet.objects.filter(user_id__in=wanted).exclude(
        user_id__in=EmployeeProfile.objects.filter(user__is_active=True).values("user_id")
    ).delete()
    return done


def refresh_stale(day: datetime.date | None = None) -> int:
    """The sets a change marked stale."""
    return refresh_users(RecommendationSet.objects.filter(stale=True).values_list("user_id", flat=True), day)


def set_for(user: Any, day: datetime.date | None = None) -> RecommendationSet | None:
    """The user's set, recomputed first when stale or missing; None for someone who is not an employee."""
    found = RecommendationSet.objects.filter(user=user).first()
    if found is None or found.stale:
        refresh_users([user.pk], day)
        found = RecommendationSet.objects.filter(user=user).first()
    return found


# --- Marking stale --------------------------------------------------------------------------------------------------


def mark_users_stale(user_ids: Iterable[int]) -> int:
    return RecommendationSet.objects.filter(user_id__in=list(user_ids)).update(stale=True, stale_since=timezone.now())


def mark_places_stale(municipality_ids: "Iterable[int] | QuerySet[Any]") -> int:
    """The sets of the employees who live or work in these municipalities (an offer serving them changed).
    A queryset of ids stays a subquery: one UPDATE in all."""
    places = municipality_ids if isinstance(municipality_ids, QuerySet) else list(municipality_ids)
    return RecommendationSet.objects.filter(
        Q(user__residence_municipality_id__in=places) | Q(user__employee_profile__workplace_municipality_id__in=places)
    ).update(stale=True, stale_since=timezone.now())


def mark_company_stale(company_id: int) -> int:
    """The sets of a company's employees (a plan changed: new or ended credit)."""
    return RecommendationSet.objects.filter(user__employee_profile__company_id=company_id).update(
        stale=True, stale_since=timezone.now()
    )
