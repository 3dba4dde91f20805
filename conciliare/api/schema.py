"""OpenAPI post-processing: every operation documents the one error format."""

from typing import Any

ERROR_COMPONENT = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Stable machine code, e.g. validation_error, not_found."},
                "message": {"type": "string", "description": "Human message in the request's language."},
                "fields": {
                    "type": "object",
                    "description": "Messages per input field; empty when the error is not about a field.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

COMMON_ERRORS = {
    "400": "The input is not valid; nothing was changed.",
    "401": "Not authenticated: send a session cookie or `Authorization: Token <key>`.",
    "403": "Not allowed, e.g. the role must set up two-factor authentication first.",
    "404": "Not found, or not yours to see.",
    "429": "Too many requests.",
}
CONFLICT = "The object is no longer in a state that allows this (e.g. an import already confirmed)."


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = dict(COMMON_ERRORS)
            if method == "post" and path.rstrip("/").endswith(("commit", "discard")):
                errors["409"] = CONFLICT
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": reference})
            # Errors a view declares with only a description (e.g. a 409) have the same body.
            for status, response in responses.items():
                if str(status).startswith("4") and "content" not in response:
                    response["content"] = reference
    return result
