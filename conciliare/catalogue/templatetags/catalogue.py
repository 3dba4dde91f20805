from functools import lru_cache

from django import template
from django.utils.translation import get_language, gettext, ngettext

from conciliare.catalogue.categories import category_label as _category_label

register = template.Library()


@register.filter
def category_label(code: str) -> str:
    return str(_category_label(code))


@register.filter
def age_range(offer: object) -> str:
    """'da 3 mesi a 3 anni' from an offer's age range in months."""
    return age_range_text(getattr(offer, "min_age_months", None), getattr(offer, "max_age_months", None))


def age_range_text(low: int | None, high: int | None) -> str:
    """The text of `age_range`, remembered per range and language: the search shows it on every card."""
    if low is None and high is None:
        return ""
    return _age_range_text(low, high, get_language())


@lru_cache(maxsize=1024)
def _age_range_text(low: int | None, high: int | None, language: str | None) -> str:
    def months_text(months: int) -> str:
        if months % 12 == 0 and months >= 12:
            return ngettext("%(n)d year", "%(n)d years", months // 12) % {"n": months // 12}
        return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}

    if high is None:
        return gettext("from %(low)s") % {"low": months_text(low or 0)}
    return gettext("from %(low)s to %(high)s") % {"low": months_text(low or 0), "high": months_text(high)}
