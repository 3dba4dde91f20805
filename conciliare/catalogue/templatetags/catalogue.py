from django import template

from conciliare.catalogue.categories import category_label as _category_label

register = template.Library()


@register.filter
def category_label(code: str) -> str:
    return str(_category_label(code))


@register.filter
def age_range(offer: object) -> str:
    """'da 3 mesi a 3 anni' from an offer's age range in months."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    def months_text(months: int) -> str:
        if months % 12 == 0 and months >= 12:
            return ngettext("%(n)d year", "%(n)d years", months // 12) % {"n": months // 12}
        return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}

    low, high = getattr(offer, "min_age_months", None), getattr(offer, "max_age_months", None)
    if low is None and high is None:
        return ""
    if high is None:
        return _("from %(low)s") % {"low": months_text(low or 0)}
    return _("from %(low)s to %(high)s") % {"low": months_text(low or 0), "high": months_text(high)}
