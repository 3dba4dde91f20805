"""gunicorn's settings, read from the directory gunicorn starts in (production and `make bench-search`)."""

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Does each worker's one-off work (URL tables, translations, busy templates: see
    `conciliare.core.warmup`) before its first visitor, then moves what the loaded application holds
    out of the garbage collector's reach: those objects live as long as the worker, and a full
    collection would otherwise walk them all in the middle of some request."""
    from conciliare.core.warmup import warm_up_worker

    warm_up_worker()
    gc.collect()
    gc.freeze()
