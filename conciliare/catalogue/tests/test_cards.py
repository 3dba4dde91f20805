"""The result cards written as strings are what the template they replace writes."""

import itertools

import pytest
from django.template import Context, Template
from django.utils import translation

from conciliare.catalogue.cards import CARD_TEMPLATE, SearchCard, card_html

VALUES = {
    "thumbnail": [("", ""), ("/foto/12/thumb/", 'Il "giardino" <grande> & l\'orto')],
    "ages": ["", "3–36 mesi"],
    "home_service": [False, True],
    "distance": ["", "3,4 km"],
    "km_zero": [False, True],
}


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_card_is_written_as_the_template_writes_it(language):
    template = Template(CARD_TEMPLATE)
    with translation.override(language):
        for thumbnail, ages, home, distance, km_zero in itertools.product(*VALUES.values()):
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
                distance=distance,
                km_zero=km_zero,
                thumbnail_url=thumbnail[0],
                thumbnail_alt=thumbnail[1],
            )
            assert card_html(card) == template.render(Context({"card": card}))
