import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conciliare.core.uploads import validate_document
from conciliare.territory.models import Municipality

from .models import FamilyMember, User
from .validators import fiscal_code_mismatches, normalize_fiscal_code, validate_fiscal_code


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _check_person_fiscal_code(form: forms.BaseForm, cleaned: dict[str, Any]) -> None:
    code = cleaned.get("fiscal_code")
    if not code or "fiscal_code" in form.errors:
        return
    for problem in fiscal_code_mismatches(
        code,
        first_name=cleaned.get("first_name") or "",
        last_name=cleaned.get("last_name") or "",
        birth_date=cleaned.get("birth_date"),
    ):
        form.add_error("fiscal_code", problem)


def _clean_birth_date(value: datetime.date | None) -> datetime.date | None:
    if value is None:
        return value
    today = timezone.localdate()
    if value > today:
        raise forms.ValidationError(_("The birth date cannot be in the future."))
    if value.year < today.year - 120:
        raise forms.ValidationError(_("The birth date is too far in the past."))
    return value


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.province})"


class ProfileForm(forms.ModelForm):
    residence_municipality = MunicipalityChoiceField(
        queryset=Municipality.objects.order_by("name"), label=gettext_lazy("Municipality of residence"), required=False
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "fiscal_code", "birth_date", "residence_municipality", "phone"]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "fiscal_code", "birth_date"):
            self.fields[name].required = True

    def clean_fiscal_code(self) -> str:
        code = normalize_fiscal_code(self.cleaned_data["fiscal_code"])
        validate_fiscal_code(code)
        taken = User.objects.filter(fiscal_code=code).exclude(pk=self.instance.pk).exists()
        if taken:
            raise forms.ValidationError(_("This codice fiscale belongs to another account."))
        return code

    def clean_birth_date(self) -> datetime.date | None:
        return _clean_birth_date(self.cleaned_data.get("birth_date"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_person_fiscal_code(self, cleaned)
        return cleaned


class FamilyMemberForm(forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = [
            "relationship",
            "first_name",
            "last_name",
            "fiscal_code",
            "birth_date",
            "fiscally_dependent",
            "non_self_sufficient",
            "non_self_sufficiency_certificate",
            "disability",
        ]
        widgets = {"birth_date": DateInput()}
        help_texts = {
            "fiscally_dependent": gettext_lazy(
                "Dependent for tax purposes (income up to the legal limit). Declaring dependent children raises "
                "your fringe-benefit cap."
            ),
            "non_self_sufficiency_certificate": gettext_lazy(
                "PDF, PNG or JPEG, at most 5 MB. Health data: only you can see it; every access is recorded."
            ),
        }

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        self.owner = owner
        super().__init__(*args, **kwargs)

    def clean_fiscal_code(self) -> str:
        code = normalize_fiscal_code(self.cleaned_data["fiscal_code"])
        validate_fiscal_code(code)
        duplicate = FamilyMember.objects.filter(user=self.owner, fiscal_code=code).exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(_("This family member is already in your profile."))
        if self.owner.fiscal_code == code:
            raise forms.ValidationError(_("This is your own codice fiscale."))
        return code

    def clean_birth_date(self) -> datetime.date | None:
        return _clean_birth_date(self.cleaned_data.get("birth_date"))

    def clean_non_self_sufficiency_certificate(self) -> Any:
        upload = self.cleaned_data.get("non_self_sufficiency_certificate")
        if upload and hasattr(upload, "content_type"):
            validate_document(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_person_fiscal_code(self, cleaned)
        if not cleaned.get("non_self_sufficient") and cleaned.get("non_self_sufficiency_certificate"):
            if "non_self_sufficiency_certificate" in self.changed_data:
                self.add_error(
                    "non_self_sufficiency_certificate",
                    _("Attach a certificate only for a relative who is not self-sufficient."),
                )
            else:
                # Unticking the box drops the certificate already on file.
                cleaned["non_self_sufficiency_certificate"] = False  # False clears a FileField; None keeps it
        return cleaned


class DependentDeclarationForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I declare, under my responsibility, that the children listed above are fiscally dependent on me "
            "in this tax year, and I will tell my employer at once if this changes."
        ),
    )


class EmployeeImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy(
            "Columns: codice_fiscale, nome, cognome, email, categoria, comune_lavoro, comune_residenza, "
            "and optionally data_assunzione (YYYY-MM-DD or DD/MM/YYYY). At most 5 MB and 5,000 rows."
        ),
    )
