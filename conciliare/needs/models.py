"""What the territory's workers need: surveys and their answers, and each employee's "per te" list.

Survey answers are personal: companies and the alliance see them only as aggregates over at
least five respondents (conciliare.core.disclosure). Recommendations are computed in batch, one
row per employee holding the ranked offers, so a page reads one row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.models import Organization
from conciliare.core.models import TimeStampedModel
from conciliare.territory.models import Municipality


class Survey(TimeStampedModel):
    """A short needs questionnaire: the alliance's (no company: every employee of a member company
    answers) or one company's (its employees only)."""

    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    company = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        help_text=_("Empty: the alliance's survey, for every employee of a member company."),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-opens_on", "pk"]
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="survey_closes_after_it_opens"),
        ]

    def __str__(self) -> str:
        return self.title


class WorkingPattern(models.TextChoices):
    DAY = "day", _("daytime, full time")
    PART_TIME = "part_time", _("part time")
    SHIFTS = "shifts", _("rotating shifts")
    NIGHTS = "nights", _("nights or weekends")


class Commute(models.TextChoices):
    UNDER_15 = "under_15", _("under 15 minutes")
    FROM_15_TO_30 = "15_30", _("15 to 30 minutes")
    FROM_30_TO_60 = "30_60", _("30 to 60 minutes")
    OVER_60 = "over_60", _("over an hour")


class Errand(models.TextChoices):
    GROCERIES = "groceries", _("grocery shopping")
    PHARMACY = "pharmacy", _("pharmacy and medical visits")
    PAPERWORK = "paperwork", _("paperwork and offices")
    LAUNDRY = "laundry", _("laundry and ironing")
    MEALS = "meals", _("cooking meals")


class SurveyResponse(TimeStampedModel):
    """One employee's answers to one survey, editable until it closes. Company and home
    municipality are copied when answering: the aggregates group by them."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_responses")
    company = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    children_0_3 = models.PositiveSmallIntegerField(_("children aged 0 to 3"), default=0)
    children_3_6 = models.PositiveSmallIntegerField(_("children aged 3 to 6"), default=0)
    children_6_14 = models.PositiveSmallIntegerField(_("children aged 6 to 14"), default=0)
    cares_for_elderly = models.BooleanField(_("cares for an elderly relative"), default=False)
    cares_for_disabled = models.BooleanField(_("cares for a relative with disability"), default=False)
    working_pattern = models.CharField(_("working hours"), max_length=12, choices=WorkingPattern.choices)
    commute = models.CharField(_("commute to work"), max_length=12, choices=Commute.choices)
    errands = models.JSONField(_("errands that take time"), default=list, blank=True)
    preferred_services = models.JSONField(_("services wanted"), default=list, blank=True)
    free_text = models.TextField(_("a need in your own words"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "respondent"], name="survey_one_answer_per_person"),
            models.CheckConstraint(
                condition=Q(working_pattern__in=WorkingPattern.values), name="survey_working_pattern_valid"
            ),
            models.CheckConstraint(condition=Q(commute__in=Commute.values), name="survey_commute_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.respondent_id}"


class RecommendationSet(models.Model):
    """The "per te" list of one employee, ranked. `items` holds, per offer:
    {"offer": id, "category": code, "fit": n, "km_home": "3.4" | null, "km_work": "7.9" | null,
     "reasons": [{"kind": "child", "age": 2, "name": "Tommaso"}, ...], "buckets": [codes], "payable": bool}.
    Distances are strings (Decimal, one decimal) so JSON never carries a float."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations")
    items = models.JSONField(default=list)
    computed_at = models.DateTimeField(_("computed at"))
    stale = models.BooleanField(_("to recompute"), default=False, db_index=True)
    # When a change last made it stale: a computation that started before that instant read the
    # old data, so it must leave the row stale (see recommendations.write_sets).
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendations")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.user_id}: {len(self.items)}"
