"""The search page's result cards, written as strings: what `catalogue/search.html` wrote with a
template loop, at a tenth of the cost (20 cards were half of the page's rendering: docs/performance.md).

`card_html` writes the markup of the template loop it replaced; `tests/test_cards.py` keeps that
template verbatim, renders both for every kind of card in both languages, and compares them.
"""

import html
from collections.abc import Iterable
from typing import TypedDict

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Offer
from .search import distance_text, first_photo, price_text, result_labels, url_maker
from .templatetags.catalogue import age_range_text


class SearchCard(TypedDict):
    """What a result of the search page shows, resolved in Python from the offer and its supplier."""

    url: str
    title: str
    category: str
    supplier: str
    municipality: str
    price: str
    unit: str
    ages: str
    home_service: bool
    distance: str  # "3,4 km" in the active language; empty without an origin
    km_zero: bool
    thumbnail_url: str
    thumbnail_alt: str


def search_cards(offers: Iterable[Offer]) -> list[SearchCard]:
    categories, units = result_labels()
    offer_url, thumbnail_url = url_maker("catalogue:offer"), url_maker("catalogue:photo", "thumb")
    cards = []
    for offer in offers:
        seat = offer.supplier.organization
        first = first_photo(offer)
        cards.append(
            SearchCard(
                url=offer_url(offer.pk),
                title=offer.title,
                category=categories.get(offer.category, offer.category),
                supplier=seat.name,
                municipality=seat.municipality.name,
                price=price_text(offer.price),
                unit=units.get(offer.unit, offer.unit),
                ages=age_range_text(offer.min_age_months, offer.max_age_months),
                home_service=offer.home_service,
                distance=distance_text(offer.distance_km),  # type: ignore[attr-defined]
                km_zero=offer.km_zero,  # type: ignore[attr-defined]
                thumbnail_url=thumbnail_url(first.pk) if first else "",
                thumbnail_alt=first.alt_text if first else "",
            )
        )
    return cards


def card_html(card: SearchCard) -> SafeString:
    """One card; every value is escaped here, as the template's autoescape did."""
    e = html.escape
    image = (
        f'<img src="{e(card["thumbnail_url"])}" alt="{e(card["thumbnail_alt"])}"'
        ' width="160" height="120" loading="lazy">'
        if card["thumbnail_url"]
        else ""
    )
    ages = f" · {e(card['ages'])}" if card["ages"] else ""
    at_home = f" · {e(_('at home'))}" if card["home_service"] else ""
    distance = f'<span class="distance">{e(card["distance"])}</span>' if card["distance"] else ""
    badge = f'<span class="badge km-zero">{e(_("km zero"))}</span>' if card["km_zero"] else ""
    return mark_safe(  # noqa: S308 - every value above went through html.escape
        f'<li class="offer-card card">\n    {image}\n    <div>\n'
        f'      <h3><a href="{e(card["url"])}">{e(card["title"])}</a></h3>\n'
        f'      <p class="small">{e(card["category"])} · {e(card["supplier"])}, {e(card["municipality"])}</p>\n'
        f"      <p><strong>{e(card['price'])}</strong> {e(card['unit'])}{ages}{at_home}</p>\n"
        f"      <p>{distance}\n         {badge}</p>\n    </div>\n  </li>"
    )


def cards_html(offers: Iterable[Offer]) -> list[SafeString]:
    return [card_html(card) for card in search_cards(offers)]
