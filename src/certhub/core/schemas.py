"""The API's error schema, shared by every router: {"code": str, "message": str, "errors": {field: [message, …]}}
(certhub.api turns every DomainError and every schema error into this shape)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]]


# How a caller proves who it is, in the OpenAPI document (certhub.api adds the schemes; schemathesis's
# ignored_auth check holds each operation to what it declares). An operation that needs a key says so with
# `openapi_extra=KEY_REQUIRED` (or KEY_OR_SESSION); any other takes a key or a session if one is presented
# and answers anonymous callers too.
KEY_REQUIRED: dict[str, Any] = {"security": [{"apiKey": []}, {"bearer": []}]}
KEY_OR_SESSION: dict[str, Any] = {"security": [{"apiKey": []}, {"bearer": []}, {"session": []}]}
OPTIONAL_AUTH: list[dict[str, list[str]]] = [{}, {"apiKey": []}, {"bearer": []}, {"session": []}]
# Writes a person makes with their own session (with the CSRF token), never with a key.
SESSION_REQUIRED: dict[str, Any] = {"security": [{"session": []}]}
