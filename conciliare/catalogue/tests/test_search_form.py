"""The search form's selects are written without templates: the same HTML as Django's Select."""

import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser

from conciliare.catalogue.forms import QuickInput, QuickSelect, SearchForm
from conciliare.testing.factories import municipality

pytestmark = pytest.mark.django_db


def _canonical(html: str) -> str:
    """Without the blanks Django's templates leave between tags, and with each <select>'s attributes
    sorted: ours come sorted (flatatt, as before), Django's in the order they were added."""

    def sort_attributes(tag: re.Match[str]) -> str:
        attributes = re.findall(r'\s[\w-]+(?:="[^"]*")?', tag.group(1))
        return "<select" + "".join(sorted(attributes)) + ">"

    return re.sub(r"<select([^>]*)>", sort_attributes, re.sub(r">\s+<", "><", html).strip())


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"categoria": "nursery", "ordine": "price"},
        {"da": "Lovere", "comune": "Castro", "categoria": "summer_camp"},
        {"da": "nowhere", "comune": "0", "categoria": "<b>", "ordine": "x"},  # invalid: nothing selected
    ],
)
def test_the_quick_selects_write_what_django_select_writes(data):
    if data is not None:
        data = {
            key: str(municipality(value).pk) if key in ("da", "comune") and value[0].isupper() else value
            for key, value in data.items()
        }
    form = SearchForm(data, user=AnonymousUser())
    quick = [name for name, field in form.fields.items() if isinstance(field.widget, QuickSelect)]
    assert quick == ["categoria", "da", "comune", "ordine"]
    for name in quick:
        bound = form[name]
        django = bound.as_widget(widget=forms.Select(choices=bound.field.widget.choices))
        assert _canonical(str(bound)) == _canonical(django), name


def test_the_municipalities_are_listed_by_name_in_both_selects():
    form = SearchForm(user=AnonymousUser())
    da = form.fields["da"].choices[1:]
    comune = list(form.fields["comune"].widget.choices)[1:]
    assert da == comune
    assert [name for _pk, name in da] == sorted(name for _pk, name in da)
    empty_value, empty_label = form.fields["comune"].widget.choices[0]
    assert (empty_value, str(empty_label)) == ("", "any")


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"q": 'nido "<i>"', "km": "20", "prezzo_max": "12.50", "eta": "4", "dal": "2026-12-01", "al": "2027-01-10"},
        {"q": "a" * 101, "km": "0", "prezzo_max": "x", "eta": "99", "dal": "2027-01-10", "al": "2026-12-01"},
    ],
)
def test_the_whole_form_writes_what_django_templates_write(data, monkeypatch):
    """Labels and inputs are written without templates too: the same form, attribute for attribute."""
    quick = str(SearchForm(data, user=AnonymousUser()).as_div())

    monkeypatch.setattr(QuickInput, "render", forms.Widget.render)
    monkeypatch.setattr(SearchForm, "render", forms.Form.render)
    monkeypatch.setattr(QuickSelect, "render", forms.Widget.render)
    django = str(SearchForm(data, user=AnonymousUser()).as_div())

    assert quick.count("<label") == quick.count("<input") + quick.count("<select") == len(SearchForm.base_fields)
    assert _canonical(quick) == _canonical(django)
