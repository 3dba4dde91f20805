"""Work a web worker does once, before its first visitor, instead of during some visitor's request.

Django builds several things lazily, per process, on first use: the URL resolver's reverse tables
(per language: about 100-150 ms of regular-expression work on the first `reverse()`), the
translation catalogues, Babel's locale data (the first euro amount formatted), and the compiled
templates. In a server with several worker processes each worker pays for them on its first
requests, so a visitor right after a deploy or a worker restart waits a tenth of a second more
(the search benchmark saw them as its slowest requests). `gunicorn.conf.py` calls
`warm_up_worker()` from its `post_worker_init` hook. Nothing here touches the database.
"""

import logging

from django.conf import settings
from django.template import TemplateDoesNotExist, loader
from django.urls import URLResolver, get_resolver
from django.utils import translation

from conciliare.core.money import format_euro

logger = logging.getLogger(__name__)

# The pages most visitors open first; other templates compile on first use (a few ms each).
BUSY_TEMPLATES = ("base.html", "catalogue/search.html", "catalogue/offer_detail.html", "accounts/home.html")


def _populate(resolver: URLResolver) -> None:
    resolver.reverse_dict  # noqa: B018 - builds this language's reverse tables (and the namespaces')
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            _populate(pattern)


def warm_up_worker() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and, with it, every view
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _populate(resolver)
            format_euro(100, locale=translation.to_locale(code))
    for name in BUSY_TEMPLATES:
        try:
            loader.get_template(name)
        except TemplateDoesNotExist:
            logger.warning("warm-up: no template %s", name)
