import datetime

from babel.dates import format_date
from django import template
from django.utils.translation import get_language, to_locale

from conciliare.core.money import format_euro

register = template.Library()


@register.filter
def euro(cents: int | None) -> str:
    """{{ account.balance|euro }} → '1.234,56 €' in Italian pages."""
    if cents is None:
        return ""
    return format_euro(int(cents), locale=to_locale(get_language() or "it"))


@register.filter(expects_localtime=True)  # a datetime is first turned into local time, so its day is Rome's
def long_date(day: "datetime.date | None") -> str:
    """{{ plan.ends_on|long_date }} → '31 dicembre 2026' (Babel: lower-case months, as Italians write them)."""
    if day is None:
        return ""
    return format_date(day, "d MMMM y", locale=to_locale(get_language() or "it"))
