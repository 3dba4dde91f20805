"""Forms of the needs surveys: publishing one, and answering it."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.forms import DateInput
from conciliare.accounts.models import Organization
from conciliare.catalogue.categories import grouped_choices

from .models import Commute, Errand, WorkingPattern
from .surveys import MAX_CHILDREN, MAX_FREE_TEXT, AnswerInput, SurveyInput

ALLIANCE = "alliance"


class SurveyForm(forms.Form):
    audience = forms.ChoiceField(label=_("Who is asked"))
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you ask and what will be done with the answers. Answers are shown only as totals."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())

    def __init__(self, *args: Any, alliance: bool, companies: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.companies = {str(company.pk): company for company in companies}
        choices: list[tuple[str, str]] = []
        if alliance:
            choices.append((ALLIANCE, str(_("Every employee of the alliance's member companies"))))
        choices += [
            (pk, str(_("The employees of %(company)s") % {"company": c.name})) for pk, c in self.companies.items()
        ]
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = choices

    def to_input(self) -> SurveyInput:
        data = self.cleaned_data
        return SurveyInput(
            title=data["title"],
            introduction=data["introduction"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            company=None if data["audience"] == ALLIANCE else self.companies[data["audience"]],
        )


class AnswerForm(forms.Form):
    children_0_3 = forms.IntegerField(label=_("Children aged 0 to 3"), min_value=0, max_value=MAX_CHILDREN)
    children_3_6 = forms.IntegerField(label=_("Children aged 3 to 6"), min_value=0, max_value=MAX_CHILDREN)
    children_6_14 = forms.IntegerField(label=_("Children aged 6 to 14"), min_value=0, max_value=MAX_CHILDREN)
    cares_for_elderly = forms.BooleanField(
        label=_("I care for an elderly or non-self-sufficient relative"), required=False
    )
    cares_for_disabled = forms.BooleanField(label=_("I care for a relative with disability"), required=False)
    working_pattern = forms.ChoiceField(
        label=_("Your working hours"), choices=WorkingPattern.choices, widget=forms.RadioSelect
    )
    commute = forms.ChoiceField(label=_("Your commute to work"), choices=Commute.choices, widget=forms.RadioSelect)
    errands = forms.MultipleChoiceField(
        label=_("Errands that take your time"),
        choices=Errand.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_services = forms.MultipleChoiceField(
        label=_("Services you would use"),
        choices=grouped_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    free_text = forms.CharField(
        label=_("A need in your own words (optional)"),
        required=False,
        max_length=MAX_FREE_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Nobody reads it with your name: the results only say how many people wrote one."),
    )

    def to_input(self) -> AnswerInput:
        data = self.cleaned_data
        return AnswerInput(
            children_0_3=data["children_0_3"],
            children_3_6=data["children_3_6"],
            children_6_14=data["children_6_14"],
            cares_for_elderly=data["cares_for_elderly"],
            cares_for_disabled=data["cares_for_disabled"],
            working_pattern=data["working_pattern"],
            commute=data["commute"],
            errands=tuple(data["errands"]),
            preferred_services=tuple(data["preferred_services"]),
            free_text=data["free_text"],
        )

    @staticmethod
    def initial_from(response: Any) -> dict[str, Any]:
        return {name: getattr(response, name) for name in AnswerForm.base_fields}
