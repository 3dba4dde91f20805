"""Italian identifiers: codice fiscale (people) and partita IVA (organizations)."""

import datetime

from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import iva


def normalize_fiscal_code(value: str) -> str:
    return "".join(value.split()).upper()


def validate_fiscal_code(value: str) -> None:
    code = normalize_fiscal_code(value)
    if len(code) != 16:
        raise ValidationError(_("A codice fiscale has 16 characters."), code="fiscal_code_length")
    if not codicefiscale.is_valid(code):
        raise ValidationError(
            _("“%(code)s” is not a valid codice fiscale (check the characters and the control letter).")
            % {"code": code},
            code="fiscal_code_invalid",
        )


def fiscal_code_mismatches(
    code: str, *, first_name: str, last_name: str, birth_date: datetime.date | None
) -> list[str]:
    """Says how a valid codice fiscale disagrees with the person's name and birth date.

    Homocodes (omocodie) are handled by decoding, not by re-encoding.
    """
    code = normalize_fiscal_code(code)
    raw = codicefiscale.decode_raw(code)
    problems: list[str] = []
    if last_name and codicefiscale.encode_lastname(last_name) != raw["lastname"]:
        problems.append(_("The codice fiscale does not match the surname."))
    if first_name and codicefiscale.encode_firstname(first_name) != raw["firstname"]:
        problems.append(_("The codice fiscale does not match the first name."))
    if birth_date is not None:
        decoded = codicefiscale.decode(code)["birthdate"]
        # The code carries only two digits of the year: the library guesses the
        # century from today, which is wrong for people aged 100 or more.
        if decoded is None or (decoded.year % 100, decoded.month, decoded.day) != (
            birth_date.year % 100,
            birth_date.month,
            birth_date.day,
        ):
            problems.append(_("The codice fiscale does not match the birth date."))
    return problems


def birth_date_from_fiscal_code(code: str) -> datetime.date | None:
    decoded = codicefiscale.decode(normalize_fiscal_code(code))["birthdate"]
    return decoded.date() if decoded else None


def normalize_vat_number(value: str) -> str:
    value = "".join(value.split()).upper()
    return value[2:] if value.startswith("IT") else value


def validate_vat_number(value: str) -> None:
    try:
        iva.validate(normalize_vat_number(value))
    except StdnumError as error:
        raise ValidationError(
            _("“%(value)s” is not a valid partita IVA (11 digits with a correct check digit).") % {"value": value},
            code="vat_number_invalid",
        ) from error
