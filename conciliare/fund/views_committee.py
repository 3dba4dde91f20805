"""TEMPORARY: being written."""


def queue(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def detail(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def vote(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def request_info(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def document(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError

