"""The API's error schema, shared by every router: {"code": str, "message": str, "errors": {field: [message, …]}}
(certhub.api turns every DomainError and every schema error into this shape)."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]]
