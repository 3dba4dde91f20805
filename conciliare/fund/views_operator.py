"""TEMPORARY: being written."""


def movements(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def access_log_export(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def regulation(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError

