"""TEMPORARY: being written."""


def home(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def apply(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def my_application(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def reply(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def withdraw(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError


def my_document(request, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError

