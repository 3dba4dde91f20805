"""The test suite: PostgreSQL when one answers, else SQLite.

`DATABASE_URL` wins; otherwise a PostgreSQL server on 127.0.0.1:5432 is used
when it accepts connections, and `CONCILIARE_TEST_DB=sqlite` forces SQLite.
"""

import os
import socket
from typing import Any

import dj_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR


def _postgres_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _test_database() -> dict[str, Any]:
    if os.environ.get("CONCILIARE_TEST_DB") == "sqlite":
        return dict(dj_database_url.parse(f"sqlite:///{BASE_DIR / 'var' / 'test.sqlite3'}"))
    if os.environ.get("DATABASE_URL"):
        return dict(dj_database_url.parse(os.environ["DATABASE_URL"]))
    if _postgres_answers():
        user = os.environ.get("PGUSER", "postgres")
        return dict(dj_database_url.parse(f"postgres://{user}@127.0.0.1:5432/postgres"))
    return dict(dj_database_url.parse(f"sqlite:///{BASE_DIR / 'var' / 'test.sqlite3'}"))


STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing
DATABASES = {"default": _test_database()}  # type: ignore[dict-item]
DEBUG = False
SECRET_KEY = "test-only-secret-key-with-enough-length-to-be-realistic-0123456789"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CONCILIARE_MFA_REQUIRED = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BASE_DIR / "var" / "test-private")},
    },
}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]
