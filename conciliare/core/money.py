"""Money is integer cents inside the platform and euro with two decimals at its edges."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

CENT = Decimal("0.01")


def cents_to_euro(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def euro_to_cents(value: Decimal | str | int) -> int:
    """Exact conversion; refuses floats and values with more than two decimals."""
    if isinstance(value, float | bool):
        raise TypeError("money is never a float")
    try:
        amount = Decimal(value)
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {value!r}") from error
    if not amount.is_finite() or amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(f"an amount in euro has at most two decimals: {value!r}")
    return int(amount * 100)


def format_euro(cents: int, *, locale: str = "it_IT") -> str:
    """1234567 → '12.345,67 €' (Italian) or '€12,345.67' (English)."""
    return format_currency(cents_to_euro(cents), "EUR", locale=locale)
