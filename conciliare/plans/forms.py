from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.forms import DateInput
from conciliare.accounts.models import ContractCategory

from .models import ALL_CATEGORIES, BUCKETS, LegalBasis, ResidualRule
from .services import AllowanceInput

CATEGORY_CHOICES = [(ALL_CATEGORIES, _("all employees")), *ContractCategory.choices]


class PlanForm(forms.Form):
    """The guided plan form: every choice carries a plain-Italian explanation."""

    name = forms.CharField(label=_("Name of the plan"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        choices=LegalBasis.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A unilateral, revocable plan is deductible only up to 5 per mille of payroll costs (TUIR art. 100). "
            "A binding regulation or an agreement makes the cost fully deductible."
        ),
    )
    residual_rule = forms.ChoiceField(
        label=_("Credit left at the end"),
        choices=ResidualRule.choices,
        widget=forms.RadioSelect,
        help_text=_("Welfare credit is never paid out in cash: that would make it taxable."),
    )
    graded_on_performance = forms.BooleanField(
        label=_("Amounts depend on individual performance or attendance"),
        required=False,
        help_text=_("If so, letter f services lose their tax exemption (Agenzia delle Entrate, risposta 55/2020)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category, _category_label in CATEGORY_CHOICES:
            for bucket, _bucket_label in BUCKETS:
                self.fields[self.amount_field(category, bucket)] = forms.DecimalField(
                    required=False, min_value=Decimal("0.01"), decimal_places=2, max_digits=9, localize=True
                )

    @staticmethod
    def amount_field(category: str, bucket: str) -> str:
        return f"amount__{category or 'all'}__{bucket}"

    def grid(self) -> list[tuple[str, list[Any]]]:
        return [
            (str(label), [self[self.amount_field(category, bucket)] for bucket, _b in BUCKETS])
            for category, label in CATEGORY_CHOICES
        ]

    def allowances(self) -> list[AllowanceInput]:
        chosen = []
        for category, _label in CATEGORY_CHOICES:
            for bucket, _b in BUCKETS:
                amount = self.cleaned_data.get(self.amount_field(category, bucket))
                if amount:
                    chosen.append(AllowanceInput(category=category, bucket=bucket, amount_euro=amount))
        return chosen


class BonusCalculatorForm(forms.Form):
    gross = forms.DecimalField(
        label=_("Gross performance bonus (€)"), min_value=Decimal("0.01"), decimal_places=2, max_digits=9, localize=True
    )
    previous_year_income = forms.DecimalField(
        label=_("Your employment income last year (€)"),
        min_value=Decimal("0"),
        decimal_places=2,
        max_digits=10,
        localize=True,
    )


class BonusConversionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to take as welfare (€)"),
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=9,
        localize=True,
    )
    bucket = forms.ChoiceField(label=_("Into the bucket"), choices=BUCKETS)
