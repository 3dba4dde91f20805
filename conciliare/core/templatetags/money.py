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
