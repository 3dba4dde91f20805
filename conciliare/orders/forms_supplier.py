"""Forms of the supplier's pages (redemption, declining a line) and of settlement."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conciliare.suppliers.models import Supplier


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=300,
        help_text=_("Type the code printed on the voucher (dashes and capitals do not matter) or scan its QR code."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX-XXXX-XXXX",
                "class": "voucher-code",
            }
        ),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you decline"),
        max_length=300,
        help_text=_("The buyer reads it: for example, no place left on that date."),
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Say why you decline."))
        return reason


class SupplierChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.organization.name)


class StatementGenerateForm(forms.Form):
    supplier = SupplierChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    period_end = forms.DateField(
        label=_("Movements up to"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Every movement up to this day not yet in a statement."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["supplier"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Supplier.objects.select_related("organization").order_by("organization__name")
        self.fields["period_end"].initial = timezone.localdate()

    def clean_period_end(self) -> Any:
        day = self.cleaned_data["period_end"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A statement cannot end in the future."))
        return day
