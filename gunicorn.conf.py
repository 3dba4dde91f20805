"""gunicorn's settings, read from the directory gunicorn starts in (production and `make bench-search`)."""

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Imports every view now rather than on a visitor's first request, then moves what the loaded
    application holds out of the garbage collector's reach: those objects live as long as the
    worker, and a full collection would otherwise walk them all in the middle of some request."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and, with it, every view
    gc.collect()
    gc.freeze()
