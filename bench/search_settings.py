"""Settings for `bench/search.py`: production settings, served over plain HTTP on 127.0.0.1.

Only three things differ from `config.settings.production`, none of them on the request path
being measured:
- no HTTPS redirect (gunicorn is reached over plain HTTP on the loopback, with no proxy);
- static files through the plain storage, so the run needs no `collectstatic` (with the
  compressed manifest storage it takes about 90 s on 2 cores; `{% static %}` then costs a
  dictionary lookup either way);
- STATIC_ROOT in the run's temporary folder, so that nothing is written under var/.

The environment (DATABASE_URL, DJANGO_SECRET_KEY, DATABASE_CONN_MAX_AGE...) is set by the script.
"""

import os
from pathlib import Path

from config.settings.production import *  # noqa: F403
from config.settings.production import STATIC_ROOT, STORAGES

SECURE_SSL_REDIRECT = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
STATIC_ROOT = Path(os.environ.get("CONCILIARE_BENCH_STATIC_ROOT", str(STATIC_ROOT)))
