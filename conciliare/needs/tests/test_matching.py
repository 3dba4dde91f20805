"""The recommendation engine on hand-made facts: no database, every figure computed by hand.

Municipalities are plain ids: HOME = 1, WORK = 2, ELSEWHERE = 3; seats of suppliers 10, 11, 12.
Distances (tenths of a km) are given per (origin, seat) pair in KM.
"""

import datetime

from conciliare.catalogue.categories import Category
from conciliare.fund.models import GRANT_BUCKET
from conciliare.needs import matching
from conciliare.needs.matching import Employee, OfferFacts, OfferIndex, Relative, SurveyAnswer

DAY = datetime.date(2026, 6, 15)
HOME, WORK, ELSEWHERE = 1, 2, 3
NEAR_HOME, NEAR_WORK, FAR = 10, 11, 12
KM = {
    (HOME, NEAR_HOME): 34,  # 3.4 km
    (HOME, NEAR_WORK): 200,
    (HOME, FAR): 450,
    (WORK, NEAR_HOME): 210,
    (WORK, NEAR_WORK): 12,
    (WORK, FAR): 300,
}
FBIS, F, FTER, FRINGE = "art51_c2_fbis", "art51_c2_f", "art51_c2_fter", "art51_c3_fringe"
BOTH = frozenset({HOME, WORK})
_ids = iter(range(1, 10_000))


def offer(category: str, seat: int = NEAR_HOME, serves: frozenset[int] = BOTH, **fields: object) -> OfferFacts:
    return OfferFacts(
        id=next(_ids), category=category, price=fields.pop("price", 10_000), seat=seat, serves=serves, **fields
    )  # type: ignore[arg-type]


def index(*offers: OfferFacts) -> OfferIndex:
    return OfferIndex(offers, lambda a, b: KM.get((a, b)))


def born(years: int, months: int = 0, days: int = 0) -> datetime.date:
    """The birth date of someone exactly `years` years, `months` months and `days` days old on DAY."""
    year, month = DAY.year - years, DAY.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, DAY.day) - datetime.timedelta(days=days)


def employee(*family: Relative, **fields: object) -> Employee:
    fields.setdefault("buckets", frozenset({FBIS, F, FTER, FRINGE}))
    return Employee(user_id=1, home=fields.pop("home", HOME), work=fields.pop("work", WORK), family=family, **fields)  # type: ignore[arg-type]


def child(years: int, months: int = 0, name: str = "Tommaso", **fields: object) -> Relative:
    return Relative(name, born(years, months), **fields)  # type: ignore[arg-type]


def categories(items: list[dict]) -> set[str]:
    return {item["category"] for item in items}


EVERY_CHILD_OFFER = [
    *(offer(category) for category in matching.BAND_CATEGORIES[matching.BAND_0_3]),
    *(offer(category) for category in matching.BAND_CATEGORIES[matching.BAND_3_6]),
    *(offer(category) for category in matching.BAND_CATEGORIES[matching.BAND_6_14]),
]


# --- Age bands ------------------------------------------------------------------------------------------------------


def test_a_child_of_two_gets_nurseries_with_the_reason_and_the_distance():
    nursery = offer(Category.NURSERY, min_age_months=3, max_age_months=36)
    [item] = matching.recommend(employee(child(2, 2)), index(nursery), DAY)
    assert item == {
        "offer": nursery.id,
        "category": "nursery",
        "fit": matching.FIT_PROFILE,
        "km_home": "3.4",
        "km_work": "21.0",
        "reasons": [{"kind": "child", "name": "Tommaso", "age": 2, "months": 26}],
        "buckets": [FBIS, F],
        "payable": True,
    }


def test_a_child_of_exactly_three_is_in_the_3_to_6_band_not_in_the_nurseries():
    # 36 months is still inside the nursery's usual range (3 to 36), but the band decides the category.
    items = matching.recommend(employee(child(3)), index(*EVERY_CHILD_OFFER), DAY)
    assert categories(items) == {"pre_school", "baby_summer_camp"}


def test_a_day_before_three_the_child_is_in_the_nurseries():
    young = Relative("Tommaso", born(3) + datetime.timedelta(days=1))
    items = matching.recommend(employee(young), index(*EVERY_CHILD_OFFER), DAY)
    assert categories(items) == set(matching.BAND_CATEGORIES[matching.BAND_0_3])


def test_a_child_of_exactly_six_is_in_the_6_to_14_band():
    items = matching.recommend(employee(child(6)), index(*EVERY_CHILD_OFFER), DAY)
    assert categories(items) == {"summer_camp", "after_school", "school_canteen"}


def test_a_child_of_exactly_fourteen_still_fits_the_usual_range_one_month_later_not():
    assert categories(matching.recommend(employee(child(14)), index(*EVERY_CHILD_OFFER), DAY)) == {
        "summer_camp",
        "after_school",
        "school_canteen",
    }  # 168 months: the usual ranges end at 168
    assert matching.recommend(employee(child(14, 1)), index(*EVERY_CHILD_OFFER), DAY) == []
    # An offer that takes teenagers up to 15 still fits at 14 and one month.
    wider = offer(Category.SUMMER_CAMP, max_age_months=15 * 12)
    [item] = matching.recommend(employee(child(14, 1)), index(*EVERY_CHILD_OFFER, wider), DAY)
    assert item["offer"] == wider.id
    assert matching.recommend(employee(child(15)), index(*EVERY_CHILD_OFFER, wider), DAY) == []


def test_an_offer_with_a_narrower_age_range_is_left_out_for_a_younger_child():
    usual = offer(Category.NURSERY, seat=FAR)
    from_one_year = offer(Category.NURSERY, seat=NEAR_HOME, min_age_months=12, max_age_months=36)
    items = matching.recommend(employee(child(0, 8)), index(usual, from_one_year), DAY)
    assert [item["offer"] for item in items] == [usual.id]
    older = matching.recommend(employee(child(1, 6)), index(usual, from_one_year), DAY)
    assert [item["offer"] for item in older] == [from_one_year.id, usual.id]  # nearest first


def test_a_baby_under_three_months_gets_no_nursery_yet():
    assert matching.recommend(employee(child(0, 2)), index(offer(Category.NURSERY)), DAY) == []


# --- Relatives ------------------------------------------------------------------------------------------------------

CARE = [offer(category) for category in matching.CARE_CATEGORIES] + [offer(Category.DAY_CENTRE_DISABLED)]


def test_a_relative_of_75_needs_care_paid_by_f_ter():
    grandmother = Relative("Maria", born(75), fiscally_dependent=False)
    items = matching.recommend(employee(grandmother), index(*CARE), DAY)
    assert categories(items) == set(matching.CARE_CATEGORIES)
    assert {tuple(item["buckets"]) for item in items} == {(FTER, F)}
    assert items[0]["reasons"] == [{"kind": "relative", "name": "Maria", "age": 75, "nss": False}]


def test_a_relative_of_74_needs_nothing_unless_not_self_sufficient():
    assert (
        matching.recommend(employee(Relative("Maria", born(75) + datetime.timedelta(days=1))), index(*CARE), DAY) == []
    )
    frail = Relative("Maria", born(74), non_self_sufficient=True)
    items = matching.recommend(employee(frail), index(*CARE), DAY)
    assert categories(items) == set(matching.CARE_CATEGORIES)
    assert all(item["buckets"] == [FTER, F] for item in items)
    assert items[0]["reasons"][0]["nss"] is True


def test_a_relative_with_disability_under_75_cannot_be_paid_by_f_ter():
    # The f-ter rule asks for 75 years or non-self-sufficiency: a disability alone does not open it.
    uncle = Relative("Gino", born(60), disability=True)
    only_fter = employee(uncle, buckets=frozenset({FTER}))
    [item] = matching.recommend(only_fter, index(*CARE), DAY)
    assert item["category"] == "day_centre_disabled"
    assert item["buckets"] == [] and item["payable"] is False
    with_f = matching.recommend(employee(uncle, buckets=frozenset({FTER, F})), index(*CARE), DAY)
    assert with_f[0]["buckets"] == [F]


# --- The employee's own needs ---------------------------------------------------------------------------------------

EVERYDAY = [offer(Category.CONCIERGE), offer(Category.GROCERY_DELIVERY, home_service=True)]


def test_a_shift_worker_gets_the_concierge_and_grocery_delivery_paid_as_fringe_benefits():
    items = matching.recommend(employee(shift_worker=True), index(*EVERYDAY), DAY)
    assert categories(items) == {"concierge", "grocery_delivery"}
    assert all(item["buckets"] == [FRINGE] and item["reasons"] == [{"kind": "shifts"}] for item in items)


def test_an_offer_the_buckets_cannot_pay_is_flagged_own_money_never_payable():
    # Nurseries are paid by f-bis or f; this employee holds only fringe and f-ter credit.
    items = matching.recommend(
        employee(child(1, 6), buckets=frozenset({FRINGE, FTER})), index(offer(Category.NURSERY)), DAY
    )
    assert [(item["buckets"], item["payable"]) for item in items] == [([], False)]
    # Without any credit at all the same: suggested, but as own money.
    bare = matching.recommend(employee(child(1, 6), buckets=frozenset()), index(offer(Category.NURSERY)), DAY)
    assert bare[0]["payable"] is False


def test_a_fund_grant_pays_anything_after_the_tax_buckets():
    items = matching.recommend(
        employee(child(1, 6), buckets=frozenset({GRANT_BUCKET})), index(offer(Category.NURSERY)), DAY
    )
    assert items[0]["buckets"] == [GRANT_BUCKET] and items[0]["payable"] is True


def test_nobody_to_care_for_means_no_items():
    assert matching.recommend(employee(Relative("Anna", born(40))), index(*EVERY_CHILD_OFFER, *CARE), DAY) == []


# --- Distance and origins -------------------------------------------------------------------------------------------


def test_items_carry_both_distances_and_come_nearest_to_home_first():
    by_home = offer(Category.NURSERY, seat=NEAR_HOME)
    by_work = offer(Category.NURSERY, seat=NEAR_WORK)
    items = matching.recommend(employee(child(2)), index(by_work, by_home), DAY)
    assert [(i["offer"], i["km_home"], i["km_work"]) for i in items] == [
        (by_home.id, "3.4", "21.0"),
        (by_work.id, "20.0", "1.2"),
    ]


def test_without_a_home_the_order_is_from_work():
    by_home = offer(Category.NURSERY, seat=NEAR_HOME)
    by_work = offer(Category.NURSERY, seat=NEAR_WORK)
    items = matching.recommend(employee(child(2), home=None), index(by_home, by_work), DAY)
    assert [(i["offer"], i["km_home"]) for i in items] == [(by_work.id, None), (by_home.id, None)]


def test_an_offer_is_suggested_only_where_it_serves():
    only_elsewhere = offer(Category.NURSERY, serves=frozenset({ELSEWHERE}))
    only_work = offer(Category.NURSERY, seat=FAR, serves=frozenset({WORK}))
    items = matching.recommend(employee(child(2)), index(only_elsewhere, only_work), DAY)
    assert [item["offer"] for item in items] == [only_work.id]


def test_a_service_delivered_at_home_is_not_a_candidate_from_the_workplace():
    at_home = offer(Category.GROCERY_DELIVERY, serves=frozenset({WORK}), home_service=True)
    assert matching.recommend(employee(shift_worker=True), index(at_home), DAY) == []


def test_three_nearest_per_origin_and_category():
    nurseries = [offer(Category.NURSERY, seat=NEAR_HOME, price=10_000 + i) for i in range(6)]
    items = matching.recommend(employee(child(2), work=None), index(*nurseries), DAY)
    assert [item["offer"] for item in items] == [n.id for n in nurseries[:3]]  # same km: cheapest first


def test_an_offer_in_the_home_town_is_0_km_away_and_comes_first():
    # The supplier's seat is the employee's own municipality: 0 km, not an unknown distance.
    in_town = offer(Category.NURSERY, seat=HOME, price=20_000)
    farther = [offer(Category.NURSERY, seat=seat) for seat in (NEAR_HOME, NEAR_WORK, FAR)]
    km = {**KM, (HOME, HOME): 0}
    found = OfferIndex([*farther, in_town], lambda a, b: km.get((a, b)))
    items = matching.recommend(employee(child(2), work=None), found, DAY)
    assert [(item["offer"], item["km_home"]) for item in items] == [
        (in_town.id, "0.0"),
        (farther[0].id, "3.4"),
        (farther[1].id, "20.0"),
    ]


def test_at_most_twenty_items_and_every_need_is_represented():
    # Nurseries near home and near work: six candidates per childcare category, 24 in all.
    many = [
        offer(category, seat=NEAR_HOME if i % 2 else NEAR_WORK, price=9_000 + i)
        for i in range(8)
        for category in matching.BAND_CATEGORIES["0_3"]
    ]
    family = (child(2), Relative("Maria", born(80)))
    items = matching.recommend(employee(*family, shift_worker=True), index(*many, *CARE, *EVERYDAY), DAY)
    assert len(items) == matching.LIMIT
    assert set(matching.CARE_CATEGORIES) | {"concierge", "grocery_delivery"} <= categories(items)


# --- The survey -----------------------------------------------------------------------------------------------------


def test_a_child_told_in_the_survey_but_not_in_the_profile_is_a_weaker_need():
    answer = SurveyAnswer(children_0_3=1, working_pattern="day")
    nursery = offer(Category.NURSERY)
    [item] = matching.recommend(employee(survey=answer), index(nursery), DAY)
    assert item["fit"] == matching.FIT_SURVEY
    assert item["reasons"] == [{"kind": "survey_children", "band": "0_3"}]
    assert item["buckets"] == [FBIS, F]  # f-bis pays for any family member's education


def test_a_child_in_both_the_profile_and_the_survey_is_one_need():
    answer = SurveyAnswer(children_0_3=1)
    [item] = matching.recommend(employee(child(2), survey=answer), index(offer(Category.NURSERY)), DAY)
    assert [reason["kind"] for reason in item["reasons"]] == ["child"]


def test_elderly_care_told_only_in_the_survey_is_not_promised_to_f_ter():
    # Without the relative's age in the profile the f-ter condition cannot be checked.
    answer = SurveyAnswer(cares_for_elderly=True)
    items = matching.recommend(employee(survey=answer, buckets=frozenset({FTER})), index(*CARE), DAY)
    assert categories(items) == set(matching.CARE_CATEGORIES)
    assert all(not item["payable"] for item in items)


def test_errands_shifts_and_wished_services_from_the_survey():
    gym = offer(Category.GYM_WELLBEING)
    answer = SurveyAnswer(working_pattern="nights", errands=("groceries",), preferred_services=("gym_wellbeing",))
    items = matching.recommend(employee(survey=answer), index(*EVERYDAY, gym), DAY)
    by_category = {item["category"]: item for item in items}
    assert set(by_category) == {"concierge", "grocery_delivery", "gym_wellbeing"}
    assert by_category["gym_wellbeing"]["fit"] == matching.FIT_WISH
    assert by_category["gym_wellbeing"]["buckets"] == [F]
    assert [r["kind"] for r in by_category["grocery_delivery"]["reasons"]] == ["survey_shifts", "survey_errands"]


def test_the_batch_text_is_the_same_list_as_the_items():
    import json

    answer = SurveyAnswer(children_6_14=1, cares_for_elderly=True, errands=("laundry",))
    someone = employee(
        child(2), Relative("Maria", born(80)), Relative("Gino", born(50), disability=True), survey=answer
    )
    offers = index(*EVERY_CHILD_OFFER, *CARE, *EVERYDAY, offer(Category.NURSERY, seat=FAR, serves=frozenset({WORK})))
    text, count = matching.recommend_json(someone, offers, DAY)
    items = matching.recommend(someone, offers, DAY)
    assert json.loads(text) == items and count == len(items) > 5
    assert list(json.loads(text)[0]) == list(items[0])  # the same members, in the same order
    assert matching.recommend_json(employee(), offers, DAY) == ("[]", 0)
