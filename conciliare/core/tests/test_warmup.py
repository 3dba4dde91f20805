"""A web worker's one-off work is done before its first visitor (gunicorn.conf.py's post_worker_init)."""

from django.conf import settings
from django.template import engines
from django.urls import URLResolver, clear_url_caches, get_resolver

from conciliare.core.warmup import BUSY_TEMPLATES, warm_up_worker


def _resolvers(resolver: URLResolver):
    yield resolver
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _resolvers(pattern)


def test_the_url_tables_of_every_language_and_the_busy_templates_are_ready():
    clear_url_caches()  # a fresh resolver and template cache, as in a new worker
    cached_loader = engines["django"].engine.template_loaders[0]
    cached_loader.reset()
    assert not cached_loader.get_template_cache
    warm_up_worker()
    languages = {code for code, _name in settings.LANGUAGES}
    for resolver in _resolvers(get_resolver()):
        assert languages <= set(resolver._reverse_dict), resolver  # built, not left to the first reverse()
    assert set(BUSY_TEMPLATES) <= {key.split(":")[0] for key in cached_loader.get_template_cache}


def test_it_reads_nothing_from_the_database(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        warm_up_worker()
