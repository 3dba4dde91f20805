"""TEMPORARY: being written."""


def transparency(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def transparency_pdf(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError

