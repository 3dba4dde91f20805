"""Voucher codes: unguessable, typed loosely, and refused when tampered with."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conciliare.core.errors import InvalidInput

from ..vouchers import ALPHABET, code_for, new_token, token_from


def test_a_code_reads_back_however_it_is_typed():
    token = new_token()
    code = code_for(token)
    assert len(code) == 24 and code.count("-") == 4
    assert token_from(code) == token
    assert token_from(code.lower().replace("-", " ")) == token
    assert token_from(f"  {code.replace('-', '')}  ") == token


def test_a_scanned_address_gives_its_code():
    token = new_token()
    assert token_from(f"https://welfare.example.it/buoni/riscatta/?codice={code_for(token)}") == token


def test_tokens_are_random_and_long_enough():
    tokens = {new_token() for _ in range(2_000)}
    assert len(tokens) == 2_000
    assert all(len(token) == 16 and set(token) <= set(ALPHABET) for token in tokens)


@given(position=st.integers(min_value=0, max_value=19), replacement=st.sampled_from(ALPHABET))
def test_changing_any_character_is_detected(position, replacement):
    token = "ABCDEFGHIJKLMNOP"
    raw = code_for(token).replace("-", "")
    if raw[position] == replacement:
        return
    tampered = raw[:position] + replacement + raw[position + 1 :]
    with pytest.raises(InvalidInput):
        token_from(tampered)


@pytest.mark.parametrize(
    "garbage", ["", "   ", "ABCD", "x" * 500, "ABCD-EFGH-IJKL-MNOP-QRS1", "https://x/?c=1", "http://[x", None]
)
def test_garbage_is_refused(garbage):
    with pytest.raises(InvalidInput):
        token_from(garbage)
