"""Domain errors. Pages show them next to their fields; the API returns them as 4xx bodies."""

from __future__ import annotations

from collections.abc import Mapping

from ninja import Schema


class DomainError(Exception):
    """Base of the errors actions raise; carries a status for the API."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ValidationFailed(DomainError):
    """Input broke a rule. `errors` maps each field to its messages; nothing was written."""

    status = 422

    def __init__(self, errors: Mapping[str, list[str] | str], *, code: str = "validation_failed") -> None:
        self.errors = {field: [m] if isinstance(m, str) else list(m) for field, m in errors.items()}
        first = "; ".join(f"{field}: {msgs[0]}" for field, msgs in self.errors.items())
        super().__init__(first, code=code)


class NotPermitted(DomainError):
    """The actor may not do this to this record."""

    status = 403

    def __init__(self, message: str) -> None:
        super().__init__(message, code="forbidden")


class Conflict(DomainError):
    """The change clashes with the current state (a duplicate number, a forbidden transition)."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None, code: str = "conflict") -> None:
        super().__init__(message, code=code)
        self.errors = {field: [message]} if field else {}


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")


# The body of every API refusal: a DomainError's code and message and, for ValidationFailed, the messages
# of each field (empty otherwise). No docstring: it would become the schema's description in the OpenAPI
# document, which must stay as it is.
class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]]
