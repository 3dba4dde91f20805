import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.forms import DateInput
from conciliare.accounts.models import FamilyMember, User
from conciliare.core.money import euro_to_cents
from conciliare.ledger.models import AccountKind, LedgerAccount
from conciliare.plans import fiscal

from .checklist import beneficiary_of
from .models import ReviewerKind
from .selectors import category_label
from .services import APPROVE, REJECT, REQUEST_CHANGES, RequestDetails


def expense_choices(user: User, *, family: list[FamilyMember], today: datetime.date) -> list[tuple[str, Any]]:
    """One <optgroup> per bucket the person holds credit in and that refunds expenses, with the services it
    may refund for them or a member of their family. Values are "bucket:category"."""
    held = set(
        LedgerAccount.objects.filter(kind=AccountKind.EMPLOYEE_WALLET, owner_user=user).values_list(
            "fiscal_bucket", flat=True
        )
    )
    rules = fiscal.rules_for(today.year)
    english = (get_language() or "").startswith("en")
    groups = []
    for bucket, rule in rules["buckets"].items():
        if bucket not in held or not rule["reimbursement"]:
            continue
        categories: list[str] = []
        for member in [None, *family]:
            for category in fiscal.reimbursable_categories(
                bucket=bucket, beneficiary=beneficiary_of(member), day=today
            ):
                if category not in categories:
                    categories.append(category)
        if categories:
            label = rule["label"]["en" if english else "it"]
            groups.append((label, [(f"{bucket}:{code}", category_label(code)) for code in categories]))
    return groups


class ReimbursementForm(forms.Form):
    expense = forms.ChoiceField(
        label=_("What did you pay for?"),
        help_text=_("Grouped by the credit that refunds it. Only the credits that allow refunds are listed."),
    )
    family_member = forms.ModelChoiceField(
        label=_("Who used the service?"),
        queryset=FamilyMember.objects.none(),
        required=False,
        empty_label=_("Myself"),
    )
    amount = forms.DecimalField(
        label=_("Amount paid (euro)"),
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        localize=True,
        help_text=_("Exactly what the document says you paid, not more."),
    )
    expense_date = forms.DateField(label=_("Date of the expense"), widget=DateInput())
    addressed_to_name = forms.CharField(
        label=_("Name the document is addressed to"),
        max_length=200,
        help_text=_("As printed on the receipt or invoice."),
    )
    addressed_to_fiscal_code = forms.CharField(
        label=_("Codice fiscale on the document (if printed)"),
        max_length=20,
        required=False,
    )
    description = forms.CharField(
        label=_("Notes for the reviewer (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    names_beneficiary = forms.BooleanField(
        label=_("The document names the person who used the service"), required=False
    )
    names_service = forms.BooleanField(label=_("The document describes the service"), required=False)
    receipt = forms.FileField(
        label=_("Receipt or invoice"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most 10 MB. A clear photo taken with the phone is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args: Any, user: User, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        family: QuerySet[FamilyMember] = FamilyMember.objects.filter(user=user).order_by("birth_date", "pk")
        self.fields["family_member"].queryset = family  # type: ignore[attr-defined]
        self.fields["expense"].choices = expense_choices(user, family=list(family), today=today)  # type: ignore[attr-defined]

    @property
    def has_choices(self) -> bool:
        return bool(self.fields["expense"].choices)  # type: ignore[attr-defined]

    def details(self) -> RequestDetails:
        data = self.cleaned_data
        bucket, _sep, category = data["expense"].partition(":")
        return RequestDetails(
            bucket=bucket,
            category=category,
            amount=euro_to_cents(data["amount"]),
            expense_date=data["expense_date"],
            family_member=data["family_member"],
            addressed_to_name=data["addressed_to_name"],
            addressed_to_fiscal_code=data["addressed_to_fiscal_code"],
            names_beneficiary=data["names_beneficiary"],
            names_service=data["names_service"],
            description=data["description"],
        )

    @staticmethod
    def initial_for(request: Any) -> dict[str, Any]:
        return {
            "expense": f"{request.bucket}:{request.category}",
            "family_member": request.family_member_id,
            "amount": Decimal(request.amount) / 100,
            "expense_date": request.expense_date,
            "addressed_to_name": request.addressed_to_name,
            "addressed_to_fiscal_code": request.addressed_to_fiscal_code,
            "description": request.description,
            "names_beneficiary": request.names_beneficiary,
            "names_service": request.names_service,
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve: the amount moves from the employee's credit to the payroll payable")),
            (REQUEST_CHANGES, _("Ask for a better document")),
            (REJECT, _("Reject")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason or what is needed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to ask for a better document or to reject; the employee reads it."),
    )


class PolicyForm(forms.Form):
    reviewer = forms.ChoiceField(
        label=_("Who reviews the reimbursement requests of your employees?"),
        widget=forms.RadioSelect,
        choices=ReviewerKind.choices,
        help_text=_(
            "The reviewer sees the receipts, which may reveal family or health matters: "
            "the operator keeps them away from the employer, and this is the default."
        ),
    )
