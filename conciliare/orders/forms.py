"""Forms of the buyer's pages: what to put in the cart, and how to pay at checkout."""

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from conciliare.accounts.models import FamilyMember
from conciliare.catalogue.models import Offer, OfferSession
from conciliare.catalogue.selectors import age_fits

from .checkout import LineRequest
from .models import MAX_QUANTITY, PaymentMethod

SELF = "self"


class CartAddForm(forms.Form):
    session = forms.TypedChoiceField(label=_("Date"), coerce=int, required=False)
    member = forms.ChoiceField(label=_("For whom"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)

    def __init__(
        self, *args: Any, offer: Offer, user: Any, sessions: list[OfferSession], today: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.user = user
        open_sessions = [s for s in sessions if s.seats_left > 0]
        self.has_sessions = bool(sessions)
        if self.has_sessions:
            self.fields["session"].required = True
            self.fields["session"].choices = [  # type: ignore[attr-defined]
                (s.pk, f"{s.label + ': ' if s.label else ''}{s.starts_at:%d/%m/%Y %H:%M} · {s.seats_left} ✓")
                for s in open_sessions
            ]
            del self.fields["quantity"]
        else:
            del self.fields["session"]
        people: list[tuple[str, Any]] = [(SELF, _("myself"))] if age_fits(offer, user.birth_date, today) else []
        people += [
            (str(member.pk), f"{member.first_name} {member.last_name}")
            for member in FamilyMember.objects.filter(user=user).order_by("birth_date")
            if age_fits(offer, member.birth_date, today)
        ]
        self.fields["member"].choices = people  # type: ignore[attr-defined]
        self.has_people = bool(people)
        self.sold_out = self.has_sessions and not open_sessions

    def line_request(self) -> LineRequest:
        member = self.cleaned_data["member"]
        return LineRequest(
            offer_id=self.offer.pk,
            session_id=self.cleaned_data.get("session") or None,
            member_id=None if member == SELF else int(member),
            quantity=self.cleaned_data.get("quantity") or 1,
        )


class CheckoutForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=128)
    payment_method = forms.ChoiceField(
        label=_("How will you pay the rest?"),
        choices=[
            (PaymentMethod.BANK_TRANSFER, PaymentMethod.BANK_TRANSFER.label),
            (PaymentMethod.AT_SUPPLIER, PaymentMethod.AT_SUPPLIER.label),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    round_up = forms.BooleanField(label=_("Round up to the next euro for the Solidarity Fund"), required=False)

    def __init__(self, *args: Any, own_money: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_money = own_money
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex  # one per page: a double click sends it twice
            self.initial["payment_method"] = PaymentMethod.BANK_TRANSFER
        if own_money:
            self.fields["payment_method"].required = True
        else:
            del self.fields["payment_method"]
            del self.fields["round_up"]

    def method(self) -> str:
        return str(self.cleaned_data.get("payment_method") or PaymentMethod.NONE)
