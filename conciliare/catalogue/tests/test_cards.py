"""The result cards written as strings are what the template loop they replaced wrote."""

import itertools
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from conciliare.catalogue.cards import SearchCard, card_html
from conciliare.catalogue.search import distance_text

# The card of catalogue/search.html before it was written in Python, verbatim (distance formatted
# by the template from the km, as distance_text now does once per value).
OLD_CARD = """{% load i18n %}<li class="offer-card card">
    {% if card.thumbnail_url %}<img src="{{ card.thumbnail_url }}" alt="{{ card.thumbnail_alt }}" width="160" height="120" loading="lazy">{% endif %}
    <div>
      <h3><a href="{{ card.url }}">{{ card.title }}</a></h3>
      <p class="small">{{ card.category }} · {{ card.supplier }}, {{ card.municipality }}</p>
      <p><strong>{{ card.price }}</strong> {{ card.unit }}{% if card.ages %} · {{ card.ages }}{% endif %}{% if card.home_service %} · {% translate "at home" %}{% endif %}</p>
      <p>{% if card.distance_km is not None %}<span class="distance">{% blocktranslate with km=card.distance_km|floatformat:1 %}{{ km }} km{% endblocktranslate %}</span>{% endif %}
         {% if card.km_zero %}<span class="badge km-zero">{% translate "km zero" %}</span>{% endif %}</p>
    </div>
  </li>"""

VALUES = {
    "thumbnail": [("", ""), ("/foto/12/thumb/", 'Il "giardino" <grande> & l\'orto')],
    "ages": ["", "3–36 mesi"],
    "home_service": [False, True],
    "distance_km": [None, Decimal("0.0"), Decimal("3.4"), Decimal("12.0"), Decimal("1234.5")],
    "km_zero": [False, True],
}


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_card_is_written_as_the_old_template_wrote_it(language):
    template = Template(OLD_CARD)
    with translation.override(language):
        for thumbnail, ages, home, km, km_zero in itertools.product(*VALUES.values()):
            card = SearchCard(
                url="/offerte/7/",
                title='Asilo <nido> "Il Girasole" & C.\'s',
                category="Nido d'infanzia",
                supplier="Cooperativa <Sociale> & co",
                municipality="Costa Volpino",
                price="1.234,50\xa0€",
                unit="al mese",
                ages=ages,
                home_service=home,
                distance=distance_text(km),
                km_zero=km_zero,
                thumbnail_url=thumbnail[0],
                thumbnail_alt=thumbnail[1],
            )
            assert card_html(card) == template.render(Context({"card": {**card, "distance_km": km}}))
