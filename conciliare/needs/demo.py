"""Demo data of the needs context: the alliance's needs survey, answered by most demo employees, and
everyone's "per te" list computed by the batch.

Answers start from each person's family profile (as the form prefills them) and add what a profile
cannot know: working hours, commute, errands, the services they would like. They are drawn from a
seeded generator, so every demo is the same. The demo employee has not answered yet: the
walkthrough lets her. Runs once: if a survey exists, it does nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from conciliare.accounts.demo import DEMO_DOMAIN
from conciliare.accounts.models import MembershipRole, User
from conciliare.catalogue.categories import Category

from .models import Commute, Errand, Survey, WorkingPattern
from .recommendations import refresh_all
from .surveys import AnswerInput, SurveyInput, family_prefill, survey_answer, survey_publish

OPERATOR_EMAIL = f"gestore@{DEMO_DOMAIN}"
DEMO_EMPLOYEE_EMAIL = f"dipendente@{DEMO_DOMAIN}"
ANSWER_SHARE = 0.7  # about seven employees in ten answer, as in the alliance's 2024 survey
WANTED = (
    Category.NURSERY,
    Category.SUMMER_CAMP,
    Category.AFTER_SCHOOL,
    Category.HOME_CARE,
    Category.GROCERY_DELIVERY,
    Category.CONCIERGE,
    Category.GYM_WELLBEING,
    Category.TRANSPORT_FRAIL,
)
FREE_TEXTS = (
    "Un servizio di pre-scuola che apra alle 7:15.",
    "Qualcuno che accompagni mia madre alle visite il martedì.",
    "Il CRE anche nella seconda metà di agosto.",
    "",
    "",
    "",
)


def _answer(person: User, draw: random.Random, today: datetime.date) -> AnswerInput:
    start = family_prefill(person, today)
    pattern = start.get("working_pattern") or draw.choice(
        [WorkingPattern.DAY, WorkingPattern.DAY, WorkingPattern.PART_TIME, WorkingPattern.NIGHTS]
    )
    return AnswerInput(
        children_0_3=start["children_0_3"],
        children_3_6=start["children_3_6"],
        children_6_14=start["children_6_14"],
        cares_for_elderly=start["cares_for_elderly"],
        cares_for_disabled=start["cares_for_disabled"],
        working_pattern=pattern,
        commute=draw.choice(Commute.values),
        errands=tuple(draw.sample(Errand.values, draw.randint(0, 2))),
        preferred_services=tuple(draw.sample(WANTED, draw.randint(1, 3))),
        free_text=draw.choice(FREE_TEXTS),
    )


@transaction.atomic
def seed_demo_needs() -> int:
    """Publishes the survey, records the answers and computes every list; returns how many answered."""
    operator = User.objects.filter(email=OPERATOR_EMAIL, memberships__role=MembershipRole.OPERATOR_ADMIN).first()
    if operator is None or Survey.objects.exists():
        return 0
    today = timezone.localdate()
    survey = survey_publish(
        actor=operator,
        data=SurveyInput(
            title="Indagine sui bisogni di conciliazione",
            introduction=(
                "Cinque minuti per dirci di cosa ha bisogno la tua famiglia: l'alleanza sceglie i servizi "
                "da cercare sul territorio a partire dalle vostre risposte. Le vediamo solo in gruppi di "
                "almeno cinque persone."
            ),
            opens_on=today - datetime.timedelta(days=20),
            closes_on=today + datetime.timedelta(days=40),
            company=None,
        ),
        today=today,
    )
    draw = random.Random(2026)
    people = (
        User.objects.filter(employee_profile__isnull=False, is_active=True)
        .exclude(email=DEMO_EMPLOYEE_EMAIL)
        .select_related("employee_profile")
        .prefetch_related("family_members")
        .order_by("pk")
    )
    answered = 0
    for person in people:
        if draw.random() < ANSWER_SHARE:
            survey_answer(actor=person, survey_id=survey.pk, data=_answer(person, draw, today), today=today)
            answered += 1
    refresh_all(today)
    return answered
