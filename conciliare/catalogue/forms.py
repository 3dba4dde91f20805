import datetime
import html
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conciliare.accounts.forms import DateInput
from conciliare.core.instances import loaded_instance
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
    """A <select> whose options are written as plain strings, not rendered through a template each.

    The search form has two selects of every municipality of the territory; rendering their
    options one template at a time cost 20-25 ms per page, and building Django's option
    dictionaries still several ms (docs/performance.md). The output is what the template gives,
    less the whitespace between options: the first option whose value matches is selected.
    """

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        wanted = self.format_value(value)
        parts: list[str] = []
        found = False
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):
                parts.append(f'<optgroup label="{_escape(option_value)}">' if option_value else "")
                for sub_value, sub_label in option_label:
                    found = self._option(parts, sub_value, sub_label, wanted, found)
                parts.append("</optgroup>" if option_value else "")
            else:
                found = self._option(parts, option_value, option_label, wanted, found)
        final_attrs = self.build_attrs(self.attrs, attrs)
        # Every value and label above went through _escape, the attributes through flatatt.
        return mark_safe(f'<select name="{_escape(name)}"{flatatt(final_attrs)}>{"".join(parts)}</select>')  # noqa: S308

    @staticmethod
    def _option(parts: list[str], value: Any, label: Any, wanted: list[str], found: bool) -> bool:
        value = "" if value is None else str(value)
        selected = not found and value in wanted
        parts.append(f'<option value="{_escape(value)}"{" selected" if selected else ""}>{_escape(label)}</option>')
        return found or selected


class QuickInput(Input):
    """An <input> written as a string: what `django/forms/widgets/input.html` writes, without a template.

    Mixed into the search form's text, number and date inputs (six per page, a template each).
    """

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{_escape(widget["value"])}"'
        html = f'<input type="{_escape(widget["type"])}" name="{_escape(widget["name"])}"{shown}'
        return mark_safe(f"{html}{template_attributes(widget['attrs'])}>")  # noqa: S308 - all escaped


class QuickTextInput(QuickInput, forms.TextInput):
    pass


class QuickNumberInput(QuickInput, forms.NumberInput):
    pass


class QuickDateInput(QuickInput, DateInput):
    pass


def template_attributes(attrs: dict[str, Any]) -> str:
    """What `django/forms/attrs.html` writes: in order, booleans by name alone, False left out."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _escape(text: Any) -> str:
    """conditional_escape without its SafeString wrapping, for strings joined into one marked safe."""
    return str(text.__html__()) if hasattr(text, "__html__") else html.escape(str(text))


def _municipalities() -> dict[int, Municipality]:
    """Every municipality, by id and in name order, with what a search needs of it (one query, no boundaries)."""
    rows = Municipality.objects.order_by("name").values_list("pk", "name", "latitude", "longitude")
    return {
        pk: loaded_instance(Municipality, id=pk, name=name, latitude=latitude, longitude=longitude)
        for pk, name, latitude, longitude in rows
    }


class KnownMunicipalityField(forms.ModelChoiceField):
    """A municipality chosen among those the form has already read (`known`), without a query of its own."""

    known: dict[int, Municipality]

    def to_python(self, value: Any) -> Municipality | None:
        if value in self.empty_values:
            return None
        try:
            return self.known[int(value)]
        except (KeyError, ValueError, TypeError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


def _origin_choices(user: Any, municipalities: list[tuple[str, str]]) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", _("— nowhere in particular —"))]
    home, work = home_of(user), workplace_of(user)
    if home is not None:
        choices.append((HOME, _("home (%(name)s)") % {"name": home.name}))
    if work is not None:
        choices.append((WORK, _("work (%(name)s)") % {"name": work.name}))
    return choices + municipalities


def default_origin(user: Any) -> str:
    """Where distances are measured from when the search says nothing: home, for whoever has one."""
    if user.is_authenticated and user.residence_municipality_id:
        return HOME
    return ""


class SearchForm(forms.Form):
    """The catalogue search; Italian parameter names because they show in shared links."""

    q = forms.CharField(label=gettext_lazy("Words"), required=False, max_length=100, widget=QuickTextInput)
    categoria = forms.ChoiceField(label=gettext_lazy("Category"), required=False, widget=QuickSelect)
    da = forms.ChoiceField(label=gettext_lazy("Distance from"), required=False, widget=QuickSelect)
    km = forms.IntegerField(
        label=gettext_lazy("Within (km)"), required=False, min_value=1, max_value=200, widget=QuickNumberInput
    )
    comune = KnownMunicipalityField(
        label=gettext_lazy("Serves the municipality"),
        queryset=Municipality.objects.none(),  # never read: the form gives the field its `known` places
        required=False,
        empty_label=gettext_lazy("any"),
        widget=QuickSelect,
    )
    prezzo_max = forms.DecimalField(
        label=gettext_lazy("Maximum price (€)"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        widget=QuickNumberInput,
    )
    eta = forms.IntegerField(
        label=gettext_lazy("Child's age (years)"), required=False, min_value=0, max_value=17, widget=QuickNumberInput
    )
    dal = forms.DateField(label=gettext_lazy("Available from"), required=False, widget=QuickDateInput())
    al = forms.DateField(label=gettext_lazy("Available until"), required=False, widget=QuickDateInput())
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
        self.places = _municipalities()  # one query for both selects and the chosen places
        municipalities = [(str(pk), place.name) for pk, place in self.places.items()]
        cast(forms.ChoiceField, self.fields["categoria"]).choices = [("", _("all")), *grouped_choices()]
        cast(forms.ChoiceField, self.fields["da"]).choices = _origin_choices(user, municipalities)
        comune = cast(KnownMunicipalityField, self.fields["comune"])
        comune.known = self.places
        comune.widget.choices = [("", comune.empty_label), *municipalities]

    MAIN = ("q", "categoria", "da")

    def render(self, template_name: str | None = None, context: Any = None, renderer: Any = None) -> SafeString:
        """Labels are written as strings: what `django/forms/label.html` writes, without a template."""
        if template_name != self.template_name_label or context is None or renderer is not None:
            return super().render(template_name, context, renderer)
        label = _escape(context["label"])
        if not context["use_tag"]:
            return mark_safe(label)  # noqa: S308 - escaped
        tag = _escape(context["tag"])
        return mark_safe(f"<{tag}{template_attributes(context['attrs'] or {})}>{label}</{tag}>")  # noqa: S308

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
        return default_origin(self.user)

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
        if not value.isdigit():
            return None
        return self.places.get(int(value))

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
