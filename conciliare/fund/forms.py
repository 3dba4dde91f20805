"""Forms of the Solidarity Fund: the worker's application and reply, the committee's vote and request.

Forms parse and check the shape of the input; the rules of the regulation (threshold, windows,
grant room, one vote per member) are the services' to enforce.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.forms import DateInput
from conciliare.catalogue.categories import CATEGORY_INFO, Category, Group
from conciliare.core.money import euro_to_cents
from conciliare.core.uploads import validate_document

from .models import HardshipEvent, Vote
from .services import MAX_DOCUMENTS, MAX_TEXT, ApplicationInput

# Amounts people type: Italian "12.345,67" / "12345,67", plain "12345.67", English "12,345.67".
# A lone dot followed by exactly three digits ("12.345") is an Italian thousands separator; a lone comma
# is always the decimal one, so "12,345" (three decimals) is refused rather than read as twelve thousand.
_EURO_FORMATS = (
    (re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$"), ".", ","),
    (re.compile(r"^\d+(,\d{1,2})?$"), "", ","),
    (re.compile(r"^\d{1,3}(,\d{3})+\.\d{1,2}$"), ",", "."),
    (re.compile(r"^\d+(\.\d{1,2})?$"), "", "."),
)


def parse_euro(text: str) -> int:
    """Euro as typed → integer cents, through Decimal (never a float). ValueError if unreadable."""
    value = text.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    for pattern, thousands, decimal in _EURO_FORMATS:
        if pattern.match(value):
            if thousands:
                value = value.replace(thousands, "")
            return euro_to_cents(Decimal(value.replace(decimal, ".")))
    raise ValueError(text)


class EuroField(forms.CharField):
    """An amount in euro, cleaned to integer cents."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_euro(text)
        except ValueError:
            raise ValidationError(
                _("Write the amount in euro, for example 12.345,67 or 12345.67."), code="invalid"
            ) from None


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several files at once; each is checked by its content (PDF, PNG or JPEG) and size.
    Cleans to [(upload, kind)], ready for the services."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[UploadedFile, str]]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > MAX_DOCUMENTS:
            raise ValidationError(_("Attach at most %(count)s documents."), params={"count": MAX_DOCUMENTS})
        checked: list[tuple[UploadedFile, str]] = []
        problems: list[str] = []
        for upload in uploads:
            try:
                checked.append((upload, validate_document(super().clean(upload, initial))))
            except ValidationError as error:
                # Name the file so that the person knows which one to replace.
                problems.extend(f"{upload.name}: {message}" for message in error.messages)
        if problems:
            raise ValidationError(problems)
        return checked


def _long_text(label: Any, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ApplicationForm(forms.Form):
    # 1. What happened
    events = forms.MultipleChoiceField(
        label=_("What is your household going through?"),
        choices=[(value, capfirst(label)) for value, label in HardshipEvent.choices],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every situation that applies."),
    )
    other_description = _long_text(
        _("If you ticked “other”, describe it"),
        help_text=_("Only what the committee needs to understand the situation."),
    )
    # 2. Household and ISEE
    household_size = forms.IntegerField(
        label=_("People in the household"),
        min_value=1,
        max_value=20,
        help_text=_("As in your ISEE declaration (DSU), yourself included."),
    )
    isee = EuroField(label=_("ISEE value (euro)"), help_text=_("As on the attestation, for example 12.345,67."))
    isee_protocol = forms.CharField(
        label=_("DSU protocol number"),
        max_length=40,
        help_text=_("Printed on the ISEE attestation, for example INPS-ISEE-2026-00001234-00."),
    )
    isee_valid_until = forms.DateField(label=_("ISEE valid until"), widget=DateInput())
    # 3. Documents
    documents = DocumentsField(
        label=_("Documents"),
        help_text=_(
            "The ISEE attestation and, for each situation you ticked, a document that shows it (for example a "
            "medical certificate or a dismissal letter). PDF, PNG or JPEG, at most 5 MB each. You can choose "
            "several files at once; the committee may ask for more later."
        ),
    )
    # 4. What would help
    needs = forms.MultipleChoiceField(
        label=_("Which services would help?"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    needs_description = _long_text(_("Tell the committee what would help (optional)"))
    requested_amount = EuroField(
        label=_("Amount you ask for (euro, optional)"),
        required=False,
        help_text=_("Leave it empty if you do not know: the committee decides the amount."),
    )
    # 5. Consent
    consent = forms.BooleanField(
        label=_(
            "I explicitly consent to the processing of the data about my health, my family and my income "
            "contained in this application, for the purposes described above (GDPR art. 9(2)(a))."
        ),
        error_messages={"required": _("The committee cannot read your application without your explicit consent.")},
    )

    def needs_groups(self) -> list[tuple[Any, list[Any]]]:
        """The needs checkboxes by catalogue group, each group rendered as its own fieldset."""
        widgets = list(self["needs"])
        return [(group.label, [w for w in widgets if CATEGORY_INFO[w.data["value"]].group == group]) for group in Group]

    def clean_isee_valid_until(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["isee_valid_until"]
        if day < timezone.localdate():
            raise ValidationError(_("This ISEE attestation has expired: attach one that is still valid."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if HardshipEvent.OTHER in cleaned.get("events", []) and not cleaned.get("other_description", "").strip():
            self.add_error("other_description", _("Describe the hardship you marked as “other”."))
        return cleaned

    def to_input(self) -> ApplicationInput:
        data = self.cleaned_data
        return ApplicationInput(
            events=list(data["events"]),
            household_size=data["household_size"],
            isee=data["isee"],
            isee_protocol=data["isee_protocol"],
            isee_valid_until=data["isee_valid_until"],
            other_description=data["other_description"],
            needs=list(data["needs"]),
            needs_description=data["needs_description"],
            requested_amount=data["requested_amount"],
            consent=data["consent"],
        )


class ReplyForm(forms.Form):
    reply = _long_text(_("Your answer to the committee"))
    documents = DocumentsField(
        label=_("Documents"), help_text=_("PDF, PNG or JPEG, at most 5 MB each. You can choose several files at once.")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("documents") and not cleaned.get("reply", "").strip():
            raise ValidationError(_("Attach a document or write a reply for the committee."))
        return cleaned


class VoteForm(forms.Form):
    vote = forms.ChoiceField(choices=Vote.choices, widget=forms.HiddenInput)
    amount = EuroField(label=_("Amount to grant (euro)"), required=False)
    reason = _long_text(_("Reason"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("vote") == Vote.APPROVE and not self.has_error("amount") and not cleaned.get("amount"):
            self.add_error("amount", _("Approve with a positive amount."))
        if cleaned.get("vote") == Vote.REJECT and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for rejecting."))
        return cleaned


class RequestInfoForm(forms.Form):
    message = _long_text(
        _("What should the applicant add?"),
        required=True,
        help_text=_("The applicant reads this in their application page and by e-mail."),
    )
