"""Helpers shared by the forms of every app."""

from typing import Any

from .errors import ApplicationError


def form_add_service_errors(form: Any, error: ApplicationError) -> None:
    """Shows a service's refusal on the form: on the fields it names, or above the form."""
    if not error.fields:
        form.add_error(None, error.message)
    for field, problems in error.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
