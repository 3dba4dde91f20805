from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from conciliare.accounts.forms import DateInput, MunicipalityChoiceField
from conciliare.accounts.models import Organization
from conciliare.accounts.validators import normalize_vat_number, validate_vat_number
from conciliare.catalogue.categories import Category
from conciliare.core.uploads import validate_document
from conciliare.territory.models import Municipality

from .models import CharterVersion, CommitmentKind, ReviewDecision, ServiceAreaMode, Supplier
from .services import ServiceArea, SupplierDetails


def clean_iban(value: str) -> str:
    try:
        iban = IBAN(value)
    except SchwiftyException as error:
        raise forms.ValidationError(_("This is not a valid IBAN: check the digits.")) from error
    return iban.compact


class SupplierDetailsForm(forms.Form):
    """What a supplier tells about itself: asked when applying, editable later."""

    description = forms.CharField(
        label=gettext_lazy("Who you are and what you offer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    iban = forms.CharField(
        label=gettext_lazy("IBAN for payments"),
        max_length=42,
        help_text=gettext_lazy("Where we pay you for your sales."),
    )
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=150)
    contact_email = forms.EmailField(label=gettext_lazy("Contact e-mail"))
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=30)
    home_service = forms.BooleanField(label=gettext_lazy("We also serve at people's homes"), required=False)
    area_mode = forms.ChoiceField(
        label=gettext_lazy("Service area"), choices=ServiceAreaMode.choices, widget=forms.RadioSelect
    )
    service_radius_km = forms.IntegerField(
        label=gettext_lazy("Radius from your registered office (km)"), min_value=1, max_value=100, required=False
    )
    served_municipalities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Municipalities served"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only if you chose listed municipalities."),
    )
    durc_expires_on = forms.DateField(label=gettext_lazy("DURC valid until"), widget=DateInput())
    durc_document = forms.FileField(
        label=gettext_lazy("DURC document (PDF or image, up to 5 MB)"),
        help_text=gettext_lazy(
            "The certificate of regular contributions (Documento Unico di Regolarità Contributiva)."
        ),
    )

    def clean_iban(self) -> str:
        return clean_iban(self.cleaned_data["iban"])

    def clean_durc_document(self) -> Any:
        upload = self.cleaned_data.get("durc_document")
        if upload:
            validate_document(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mode = cleaned.get("area_mode")
        if mode == ServiceAreaMode.RADIUS and not cleaned.get("service_radius_km"):
            self.add_error("service_radius_km", _("Give the radius in km."))
        if mode == ServiceAreaMode.MUNICIPALITIES and not cleaned.get("served_municipalities"):
            self.add_error("served_municipalities", _("Choose at least one municipality."))
        return cleaned

    def details(self) -> SupplierDetails:
        data = self.cleaned_data
        return SupplierDetails(
            iban=data["iban"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            home_service=data["home_service"],
            categories=tuple(data["categories"]),
            durc_expires_on=data["durc_expires_on"],
            area=ServiceArea(
                mode=data["area_mode"],
                radius_km=data.get("service_radius_km"),
                municipalities=tuple(data.get("served_municipalities") or ()),
            ),
            description=data["description"],
        )

    @classmethod
    def initial_for(cls, supplier: Supplier) -> dict[str, Any]:
        return {
            "description": supplier.description,
            "categories": supplier.categories,
            "iban": supplier.iban,
            "contact_name": supplier.contact_name,
            "contact_email": supplier.contact_email,
            "contact_phone": supplier.contact_phone,
            "home_service": supplier.home_service,
            "area_mode": supplier.area_mode,
            "service_radius_km": supplier.service_radius_km,
            "served_municipalities": list(supplier.served_municipalities.all()),
            "durc_expires_on": supplier.durc_expires_on,
        }


class SupplierEditForm(SupplierDetailsForm):
    """Editing: a new DURC document is needed only when it changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["durc_document"].required = False
        self.fields["durc_document"].help_text = _("Upload it only when you renew the DURC.")


class ApplicationForm(SupplierDetailsForm):
    """The public application: the organization (new, or one the applicant manages) and the charter."""

    organization = forms.ModelChoiceField(
        label=gettext_lazy("Apply for"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=gettext_lazy("A new organization (fill in below)"),
    )
    name = forms.CharField(label=gettext_lazy("Name of the organization"), max_length=200, required=False)
    vat_number = forms.CharField(label=gettext_lazy("Partita IVA"), max_length=13, required=False)
    municipality = MunicipalityChoiceField(
        label=gettext_lazy("Registered office (municipality)"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    charter_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, charter: CharterVersion, companies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.charter = charter
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = companies
        if not companies.exists():
            del self.fields["organization"]
        self.fields["charter_version"].initial = charter.number
        for commitment in charter.commitments.all():
            self.fields[f"commitment_{commitment.pk}"] = forms.BooleanField(
                label=commitment.text, required=True, error_messages={"required": _("Accept every commitment.")}
            )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The form's fieldsets, in order (the charter's commitments come apart)."""
        groups = [
            (_("Your organization"), ["organization", "name", "vat_number", "municipality", "address"]),
            (
                _("What you offer and where"),
                [
                    "description",
                    "categories",
                    "home_service",
                    "area_mode",
                    "service_radius_km",
                    "served_municipalities",
                ],
            ),
            (
                _("Payments, contacts and DURC"),
                ["iban", "contact_name", "contact_email", "contact_phone", "durc_expires_on", "durc_document"],
            ),
        ]
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in groups]

    def commitment_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("commitment_")]

    def clean_vat_number(self) -> str:
        value = normalize_vat_number(self.cleaned_data.get("vat_number") or "")
        if value:
            validate_vat_number(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("organization"):
            for name in ("name", "vat_number", "municipality"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Required for a new organization."))
        return cleaned

    def new_organization(self) -> dict[str, Any] | None:
        if self.cleaned_data.get("organization"):
            return None
        data = self.cleaned_data
        return {
            "name": data["name"],
            "vat_number": data["vat_number"],
            "municipality": data["municipality"],
            "address": data["address"],
            "email": data["contact_email"],
            "phone": data["contact_phone"],
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (ReviewDecision.APPROVED, gettext_lazy("Approve")),
            (ReviewDecision.CHANGES_REQUESTED, gettext_lazy("Ask for changes")),
            (ReviewDecision.REJECTED, gettext_lazy("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (required to ask for changes or reject)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class CharterForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 12}))
    fund_contribution_percent = forms.DecimalField(
        label=gettext_lazy("Solidarity Fund contribution (per cent of each sale)"),
        min_value=0,
        max_value=20,
        decimal_places=2,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in CommitmentKind.choices:
            self.fields[f"commitment_{kind}"] = forms.CharField(
                label=_("Commitment: %(kind)s") % {"kind": label},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=kind == CommitmentKind.SOLIDARITY_FUND,
            )

    def commitments(self) -> list[tuple[str, str]]:
        return [
            (kind, self.cleaned_data[f"commitment_{kind}"])
            for kind in CommitmentKind.values
            if self.cleaned_data.get(f"commitment_{kind}", "").strip()
        ]

    @classmethod
    def initial_from(cls, version: CharterVersion | None) -> dict[str, Any]:
        if version is None:
            return {}
        initial: dict[str, Any] = {
            "title": version.title,
            "text": version.text,
            "fund_contribution_percent": version.fund_contribution_percent,
        }
        for commitment in version.commitments.all():
            initial[f"commitment_{commitment.kind}"] = commitment.text
        return initial
