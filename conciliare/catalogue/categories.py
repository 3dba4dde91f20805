"""The catalogue's categories: Lombardy social-service unit types and the seed's service list.

Which fiscal buckets may pay for a category is not decided here: the rules engine
(`plans/rules/<year>.json`, key "categories") says it, so an accountant changes it
without touching code. The code names are shared with those files.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from conciliare.plans import fiscal


class Category(models.TextChoices):
    NURSERY = "nursery", _("Nursery (asilo nido)")
    MICRO_NURSERY = "micro_nursery", _("Micro-nursery (micronido)")
    FAMILY_NURSERY = "family_nursery", _("Family nursery (nido famiglia)")
    EARLY_CHILDHOOD_CENTRE = "early_childhood_centre", _("Early-childhood centre (centro prima infanzia)")
    PRE_SCHOOL = "pre_school", _("Pre-school (scuola dell'infanzia)")
    SCHOOL_CANTEEN = "school_canteen", _("School canteen")
    SUMMER_CAMP = "summer_camp", _("Summer camp (CRE)")
    BABY_SUMMER_CAMP = "baby_summer_camp", _("Baby summer camp (baby CRE)")
    AFTER_SCHOOL = "after_school", _("Before and after school")
    YOUTH_CENTRE = "youth_centre", _("Youth centre (CAG)")
    DAY_CENTRE_MINORS = "day_centre_minors", _("Day centre for minors")
    BABYSITTER = "babysitter", _("Babysitting")
    HOME_CARE = "home_care", _("Home care (SAD/ADI)")
    DAY_CENTRE_ELDERLY = "day_centre_elderly", _("Day centre for the elderly (CD/CDI)")
    DAY_CENTRE_DISABLED = "day_centre_disabled", _("Day centre for people with disability (CDD/CSE)")
    CARER = "carer", _("Family carers (badanti)")
    TRANSPORT_FRAIL = "transport_frail", _("Transport of frail people")
    CONCIERGE = "concierge", _("Company concierge and errands")
    GROCERY_DELIVERY = "grocery_delivery", _("Grocery delivery")
    GYM_WELLBEING = "gym_wellbeing", _("Gym and wellbeing")
    COURSES = "courses", _("Courses and training")
    LOCAL_FOOD = "local_food", _("Local food (km zero)")
    CRAFT_PRODUCTS = "craft_products", _("Local crafts")


class Group(models.TextChoices):
    CHILDREN = "children", _("Children and young people")
    CARE = "care", _("Elderly, disability and care")
    EVERYDAY = "everyday", _("Time-saving services")
    WELLBEING = "wellbeing", _("Wellbeing and learning")
    LOCAL_PRODUCTS = "local_products", _("Km-zero products")


@dataclass(frozen=True)
class CategoryInfo:
    group: str
    udos: str  # the official unit type it corresponds to, when there is one
    min_age_months: int | None = None  # the usual age range; an offer may narrow it
    max_age_months: int | None = None
    product: bool = False  # sold as goods, with an origin, rather than as a service


_YEAR = 12
CATEGORY_INFO: dict[str, CategoryInfo] = {
    Category.NURSERY: CategoryInfo(Group.CHILDREN, "Asilo nido (L.R. 3/2008)", 3, 3 * _YEAR),
    Category.MICRO_NURSERY: CategoryInfo(Group.CHILDREN, "Micronido (L.R. 3/2008)", 3, 3 * _YEAR),
    Category.FAMILY_NURSERY: CategoryInfo(Group.CHILDREN, "Nido famiglia (L.R. 3/2008)", 3, 3 * _YEAR),
    Category.EARLY_CHILDHOOD_CENTRE: CategoryInfo(Group.CHILDREN, "Centro prima infanzia", 3, 3 * _YEAR),
    Category.PRE_SCHOOL: CategoryInfo(Group.CHILDREN, "Scuola dell'infanzia", 3 * _YEAR, 6 * _YEAR),
    Category.SCHOOL_CANTEEN: CategoryInfo(Group.CHILDREN, "", 3 * _YEAR, 14 * _YEAR),
    Category.SUMMER_CAMP: CategoryInfo(Group.CHILDREN, "Centro ricreativo diurno (CRE)", 6 * _YEAR, 14 * _YEAR),
    Category.BABY_SUMMER_CAMP: CategoryInfo(
        Group.CHILDREN, "Centro ricreativo diurno (baby CRE)", 3 * _YEAR, 6 * _YEAR
    ),
    Category.AFTER_SCHOOL: CategoryInfo(Group.CHILDREN, "Servizio educativo diurno", 6 * _YEAR, 14 * _YEAR),
    Category.YOUTH_CENTRE: CategoryInfo(Group.CHILDREN, "Centro di aggregazione giovanile", 11 * _YEAR, 18 * _YEAR),
    Category.DAY_CENTRE_MINORS: CategoryInfo(Group.CHILDREN, "Servizio educativo diurno", 6 * _YEAR, 18 * _YEAR),
    Category.BABYSITTER: CategoryInfo(Group.CHILDREN, "", 0, 14 * _YEAR),
    Category.HOME_CARE: CategoryInfo(Group.CARE, "SAD / ADI"),
    Category.DAY_CENTRE_ELDERLY: CategoryInfo(Group.CARE, "Centro diurno anziani / CDI"),
    Category.DAY_CENTRE_DISABLED: CategoryInfo(Group.CARE, "CDD / CSE"),
    Category.CARER: CategoryInfo(Group.CARE, ""),
    Category.TRANSPORT_FRAIL: CategoryInfo(Group.CARE, ""),
    Category.CONCIERGE: CategoryInfo(Group.EVERYDAY, ""),
    Category.GROCERY_DELIVERY: CategoryInfo(Group.EVERYDAY, "", product=True),
    Category.GYM_WELLBEING: CategoryInfo(Group.WELLBEING, ""),
    Category.COURSES: CategoryInfo(Group.WELLBEING, ""),
    Category.LOCAL_FOOD: CategoryInfo(Group.LOCAL_PRODUCTS, "", product=True),
    Category.CRAFT_PRODUCTS: CategoryInfo(Group.LOCAL_PRODUCTS, "", product=True),
}

CHILDCARE = frozenset(
    {Category.NURSERY, Category.MICRO_NURSERY, Category.FAMILY_NURSERY, Category.EARLY_CHILDHOOD_CENTRE}
)


def category_label(code: str) -> str | Promise:
    return Category(code).label if code in Category.values else code


def category_buckets(code: str, day: datetime.date) -> list[str]:
    """The buckets the rules in force on `day` let pay for the category, best first."""
    return list(fiscal.rules_for(day.year)["categories"].get(code, []))


def grouped_choices() -> list[tuple[str | Promise, list[tuple[str, str | Promise]]]]:
    """Choices for a <select> with one <optgroup> per group."""
    return [
        (group.label, [(code, label) for code, label in Category.choices if CATEGORY_INFO[code].group == group])
        for group in Group
    ]
