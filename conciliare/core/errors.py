"""One error vocabulary for services; the web and the API translate it."""

from typing import Any


class ApplicationError(Exception):
    """A rule of the platform refused an operation. The message is translated."""

    code = "invalid"
    status = 400

    def __init__(self, message: Any, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.fields = fields or {}


class InvalidInput(ApplicationError):
    """Input failed validation; `fields` says which field and why."""

    code = "validation_error"


class NotPermitted(ApplicationError):
    """The object does not exist for this user (we never reveal which of the two)."""

    code = "not_found"
    status = 404


class Conflict(ApplicationError):
    code = "conflict"
    status = 409


class InsufficientCredit(Conflict):
    """An account that may not go negative does not have the available credit."""

    code = "insufficient_credit"


class IdempotencyConflict(Conflict):
    """The idempotency key was already used for a different operation."""

    code = "idempotency_conflict"
