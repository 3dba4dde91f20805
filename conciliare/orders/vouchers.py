"""Voucher codes: 16 random base-32 characters and a 4-character HMAC tag.

The random part (80 bits) makes a code unguessable; the tag, keyed by SECRET_KEY, lets a
typed or scanned code be refused as tampered or mistyped before the database is asked.
Printed in groups of four (XXXX-XXXX-XXXX-XXXX-TTTT); case, spaces and dashes are ignored,
and a scanned address (the QR code carries the redemption page's address) is accepted too.
"""

import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from conciliare.core.errors import InvalidInput

TOKEN_LENGTH = 16
TAG_LENGTH = 4
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CLEAN = re.compile(r"[\s\-]")


def new_token() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode()  # 10 bytes = 16 characters, no padding


def _tag(token: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"conciliare.voucher:{token}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode()[:TAG_LENGTH]


def code_for(token: str) -> str:
    raw = token + _tag(token)
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def token_from(code: str) -> str:
    """The token of a typed or scanned code, or InvalidInput if it is not a genuine code."""
    text = (code or "").strip()
    refusal = InvalidInput(
        _("This is not a valid voucher code: check it and type it again."),
        fields={"code": [_("This is not a valid voucher code: check it and type it again.")]},
    )
    if "://" in text or text.startswith("/"):
        try:
            text = parse_qs(urlsplit(text).query).get("codice", [""])[0]
        except ValueError:  # not even an address (an unclosed IPv6 bracket...)
            raise refusal from None
    raw = _CLEAN.sub("", text).upper()
    if len(raw) != TOKEN_LENGTH + TAG_LENGTH or any(char not in ALPHABET for char in raw):
        raise refusal
    token, tag = raw[:TOKEN_LENGTH], raw[TOKEN_LENGTH:]
    if not hmac.compare_digest(tag, _tag(token)):
        raise refusal
    return token
