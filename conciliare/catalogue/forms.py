import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conciliare.accounts.forms import DateInput
from conciliare.core.money import euro_to_cents
from conciliare.suppliers.models import Supplier
from conciliare.territory.models import Municipality

from .categories import Category, grouped_choices
from .models import VAT_RATES, CancellationPolicy, OfferKind, SignalKind, SignalStatus, Unit
from .search import SORT_DISTANCE, SORT_PRICE, SORT_RELEVANCE, SearchCriteria
from .selectors import home_of, workplace_of
from .services import OfferData

HOME, WORK = "casa", "lavoro"


class QuickSelect(forms.Select):
    """A <select> whose options are not rendered through a template each.

    The search form has two selects of every municipality of the territory; rendering their
    options one template at a time cost 20-25 ms per page (docs/performance.md).
    """

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [self._group(group, options) for group, options, _index in widget["optgroups"]]
        options = format_html_join("", "{}", ((part,) for part in parts))
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)

    @staticmethod
    def _group(group: str | None, options: list[dict[str, Any]]) -> SafeString:
        # " selected" has no character to escape, so format_html leaves it as it is.
        rendered = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((option["value"], " selected" if option["selected"] else "", option["label"]) for option in options),
        )
        return format_html('<optgroup label="{}">{}</optgroup>', group, rendered) if group else rendered


def _origin_choices(user: Any) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", _("— nowhere in particular —"))]
    home, work = home_of(user), workplace_of(user)
    if home is not None:
        choices.append((HOME, _("home (%(name)s)") % {"name": home.name}))
    if work is not None:
        choices.append((WORK, _("work (%(name)s)") % {"name": work.name}))
    choices += [(str(m.pk), m.name) for m in Municipality.objects.order_by("name").only("pk", "name")]
    return choices


class SearchForm(forms.Form):
    """The catalogue search; Italian parameter names because they show in shared links."""

    q = forms.CharField(label=gettext_lazy("Words"), required=False, max_length=100)
    categoria = forms.ChoiceField(label=gettext_lazy("Category"), required=False, widget=QuickSelect)
    da = forms.ChoiceField(label=gettext_lazy("Distance from"), required=False, widget=QuickSelect)
    km = forms.IntegerField(label=gettext_lazy("Within (km)"), required=False, min_value=1, max_value=200)
    comune = forms.ModelChoiceField(
        label=gettext_lazy("Serves the municipality"),
        queryset=Municipality.objects.order_by("name").only("pk", "name"),  # not the boundaries
        required=False,
        empty_label=gettext_lazy("any"),
        widget=QuickSelect,
    )
    prezzo_max = forms.DecimalField(
        label=gettext_lazy("Maximum price (€)"), required=False, min_value=Decimal("0.01"), decimal_places=2
    )
    eta = forms.IntegerField(label=gettext_lazy("Child's age (years)"), required=False, min_value=0, max_value=17)
    dal = forms.DateField(label=gettext_lazy("Available from"), required=False, widget=DateInput())
    al = forms.DateField(label=gettext_lazy("Available until"), required=False, widget=DateInput())
    ordine = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        widget=QuickSelect,
        choices=[
            (SORT_DISTANCE, gettext_lazy("distance")),
            (SORT_PRICE, gettext_lazy("price")),
            (SORT_RELEVANCE, gettext_lazy("relevance")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ChoiceField, self.fields["categoria"]).choices = [("", _("all")), *grouped_choices()]
        cast(forms.ChoiceField, self.fields["da"]).choices = _origin_choices(user)

    MAIN = ("q", "categoria", "da")

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.MAIN]

    def uses_more_filters(self) -> bool:
        """Open the other filters when one is in use or wrong, so that nothing set is hidden."""
        return any(self.data.get(name) for name in self.fields if name not in self.MAIN and name != "ordine") or any(
            name in self.errors for name in self.fields if name not in self.MAIN
        )

    def default_origin(self) -> str:
        if self.user.is_authenticated and self.user.residence_municipality_id:
            return HOME
        return ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("dal"), cleaned.get("al")
        if start and end and end < start:
            self.add_error("al", _("The end date must not come before the start date."))
        return cleaned

    def _origin(self, value: str) -> Municipality | None:
        if value == HOME:
            return home_of(self.user)
        if value == WORK:
            return workplace_of(self.user)
        return Municipality.objects.filter(pk=int(value)).first() if value.isdigit() else None

    def criteria(self) -> SearchCriteria:
        data = self.cleaned_data
        price = data.get("prezzo_max")
        origin_key = data.get("da") if "da" in self.data else self.default_origin()
        return SearchCriteria(
            words=data.get("q") or "",
            category=data.get("categoria") or "",
            serves=data.get("comune"),
            origin=self._origin(origin_key or ""),
            max_km=Decimal(data["km"]) if data.get("km") else None,
            max_price=euro_to_cents(price) if price is not None else None,
            child_age_years=data.get("eta"),
            available_from=data.get("dal"),
            available_to=data.get("al"),
            sort=data.get("ordine") or SORT_DISTANCE,
        )


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("It is a"), choices=OfferKind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label=gettext_lazy("Category"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=140)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    origin = forms.CharField(
        label=gettext_lazy("Origin (products)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Where and by whom it is made or grown."),
    )
    price = forms.DecimalField(
        label=gettext_lazy("Price with VAT (€)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        decimal_places=2,
    )
    vat_rate = forms.ChoiceField(label=gettext_lazy("VAT rate"), choices=[(rate, f"{rate} %") for rate in VAT_RATES])
    unit = forms.ChoiceField(label=gettext_lazy("Price"), choices=Unit.choices)
    min_age_months = forms.IntegerField(
        label=gettext_lazy("Minimum age (months)"), required=False, min_value=0, max_value=1200
    )
    max_age_months = forms.IntegerField(
        label=gettext_lazy("Maximum age (months)"),
        required=False,
        min_value=0,
        max_value=1200,
        help_text=gettext_lazy("For children's services; empty means the category's usual range."),
    )
    capacity = forms.IntegerField(label=gettext_lazy("Places"), required=False, min_value=1, max_value=100000)
    home_service = forms.BooleanField(label=gettext_lazy("Delivered at home"), required=False)
    whole_area = forms.BooleanField(label=gettext_lazy("Serves all my service area"), required=False, initial=True)
    served_municipalities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Or only these municipalities"),
        queryset=Municipality.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cancellation_policy = forms.ChoiceField(
        label=gettext_lazy("Cancellation policy"), choices=CancellationPolicy.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, supplier: Supplier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (code, label) for code, label in Category.choices if code in supplier.categories
        ]
        cast(
            forms.ModelMultipleChoiceField, self.fields["served_municipalities"]
        ).queryset = supplier.served_municipalities.order_by("name")

    def data_for_service(self) -> OfferData:
        data = self.cleaned_data
        return OfferData(
            kind=data["kind"],
            category=data["category"],
            title=data["title"],
            description=data["description"],
            origin=data["origin"],
            price=euro_to_cents(data["price"]),
            vat_rate=Decimal(data["vat_rate"]),
            unit=data["unit"],
            min_age_months=data.get("min_age_months"),
            max_age_months=data.get("max_age_months"),
            capacity=data.get("capacity"),
            home_service=data["home_service"],
            whole_area=data["whole_area"],
            served_municipalities=tuple(data.get("served_municipalities") or ()),
            cancellation_policy=data["cancellation_policy"],
        )

    @staticmethod
    def initial_for(offer: Any) -> dict[str, Any]:
        return {
            "kind": offer.kind,
            "category": offer.category,
            "title": offer.title,
            "description": offer.description,
            "origin": offer.origin,
            "price": Decimal(offer.price) / 100,
            "vat_rate": f"{offer.vat_rate:.2f}",
            "unit": offer.unit,
            "min_age_months": offer.min_age_months,
            "max_age_months": offer.max_age_months,
            "capacity": offer.capacity,
            "home_service": offer.home_service,
            "whole_area": offer.whole_area,
            "served_municipalities": list(offer.served_municipalities.all()),
            "cancellation_policy": offer.cancellation_policy,
        }


class PhotoForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Photo (JPEG, PNG or WebP, up to 8 MB)"))
    alt_text = forms.CharField(
        label=gettext_lazy("What the photo shows"),
        max_length=200,
        help_text=gettext_lazy("Read aloud to people who cannot see it."),
    )


class SessionForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=120, required=False)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    seats = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1, max_value=10000)
    repeat_weeks = forms.IntegerField(
        label=gettext_lazy("Repeat every week for"),
        min_value=1,
        max_value=52,
        initial=1,
        help_text=gettext_lazy("How many weekly sessions to create (1 = only this one)."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        if starts and starts < timezone.now():
            self.add_error("starts_at", _("The session must start in the future."))
        return cleaned

    def occurrences(self) -> list[tuple[datetime.datetime, datetime.datetime]]:
        starts, ends = self.cleaned_data["starts_at"], self.cleaned_data["ends_at"]
        week = datetime.timedelta(weeks=1)
        return [(starts + week * n, ends + week * n) for n in range(self.cleaned_data["repeat_weeks"])]


class SignalForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("I want to signal"), choices=SignalKind.choices, widget=forms.RadioSelect
    )
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.order_by("name")
    )
    category = forms.ChoiceField(label=gettext_lazy("Kind of service"), required=False)
    supplier_name = forms.CharField(
        label=gettext_lazy("Supplier's name"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Only if you signal a supplier."),
    )
    description = forms.CharField(
        label=gettext_lazy("Why, or what you need"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("— not sure —")), *grouped_choices()]


class SignalHandleForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=SignalStatus.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)
