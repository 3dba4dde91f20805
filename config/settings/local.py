"""A laptop: `make demo`. Embedded SQLite, e-mails on the console, no forced MFA."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "insecure-local-only-key-do-not-use-in-production"
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
CONCILIARE_MFA_REQUIRED = env_bool("CONCILIARE_MFA_REQUIRED", False)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
