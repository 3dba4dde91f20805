import datetime

import pytest
from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare.accounts.validators import (
    fiscal_code_mismatches,
    normalize_vat_number,
    validate_fiscal_code,
    validate_vat_number,
)
from conciliare.testing.factories import make_fiscal_code, make_vat_number

ANNA = make_fiscal_code("Anna", "Rossi", datetime.date(1985, 3, 12))


def test_a_valid_fiscal_code_passes_also_lowercase_with_spaces():
    validate_fiscal_code(ANNA)
    validate_fiscal_code(" " + ANNA.lower()[:8] + " " + ANNA.lower()[8:])


@pytest.mark.parametrize("code", ["", "RSSNNA85C52", ANNA[:-1] + ("A" if ANNA[-1] != "A" else "B"), "1234567890123456"])
def test_invalid_fiscal_codes_are_refused_with_a_message(code):
    with pytest.raises(ValidationError) as raised:
        validate_fiscal_code(code)
    assert raised.value.messages[0]


def test_fiscal_code_must_match_name_surname_and_birth_date():
    assert (
        fiscal_code_mismatches(ANNA, first_name="Anna", last_name="Rossi", birth_date=datetime.date(1985, 3, 12)) == []
    )
    problems = fiscal_code_mismatches(
        ANNA, first_name="Marta", last_name="Bianchi", birth_date=datetime.date(1985, 3, 13)
    )
    assert len(problems) == 3


def test_omocode_variant_still_matches_the_person():
    omocode = codicefiscale.decode(ANNA)["omocodes"][1]
    validate_fiscal_code(omocode)
    assert (
        fiscal_code_mismatches(omocode, first_name="Anna", last_name="Rossi", birth_date=datetime.date(1985, 3, 12))
        == []
    )


@settings(max_examples=40, deadline=None)
@given(
    first=st.sampled_from(["Anna", "Nicolò", "Maria Grazia", "Luca", "Zoe"]),
    last=st.sampled_from(["Rossi", "D'Adda", "De Luca", "Fo", "Bonaldi"]),
    born=st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2025, 12, 31)),
)
def test_any_encoded_fiscal_code_is_valid_and_consistent(first, last, born):
    code = make_fiscal_code(first, last, born)
    validate_fiscal_code(code)
    assert fiscal_code_mismatches(code, first_name=first, last_name=last, birth_date=born) == []


def test_vat_number_check_digit():
    good = make_vat_number(1234)
    validate_vat_number(good)
    validate_vat_number("IT" + good)
    assert normalize_vat_number(" it " + good) == good
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError):
        validate_vat_number(bad)
    with pytest.raises(ValidationError):
        validate_vat_number("123")


def test_a_centenarian_matches_their_code_although_two_year_digits_are_ambiguous():
    born = datetime.date(1921, 4, 9)
    code = make_fiscal_code("Giuseppina", "Bonomi", born)
    assert fiscal_code_mismatches(code, first_name="Giuseppina", last_name="Bonomi", birth_date=born) == []
