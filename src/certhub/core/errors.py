"""Domain errors. Pages show them next to their fields; the API returns them as 4xx bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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


# --- one shape for every API error (C14; issue 14 finding 9) ------------------------------------------------
# {"code": str, "message": str, "errors": {field: [message, …]}} (core.schemas.ErrorOut), whoever answers:
# CertHub's handlers (certhub.api), django-ninja's own (a body it cannot parse, 404, 405) or Django (an
# unknown path under /api/, a server error). core.middleware applies api_error_shape to every /api/ answer.

STATUS_ERRORS = {
    400: ("bad_request", gettext_lazy("请求无法解析")),
    401: ("unauthenticated", gettext_lazy("需要有效的接口密钥（X-API-Key 或 Authorization: Bearer）")),
    403: ("forbidden", gettext_lazy("无权访问")),
    404: ("not_found", gettext_lazy("没有这个接口或记录")),
    405: ("method_not_allowed", gettext_lazy("此接口不支持该请求方法")),
    406: ("not_acceptable", gettext_lazy("无法提供所请求的格式")),
    413: ("too_large", gettext_lazy("请求体过大")),
    415: ("unsupported_media_type", gettext_lazy("不支持的请求体格式")),
    422: ("validation_failed", gettext_lazy("输入有误")),
    429: ("rate_limited", gettext_lazy("请求过于频繁，请稍后再试")),
    500: ("server_error", gettext_lazy("服务器内部错误，请稍后再试")),
    503: ("unavailable", gettext_lazy("服务暂时不可用，请稍后再试")),
}
# Headers of the original answer that stay meaningful on the reshaped one.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary", "Cache-Control")


def error_body(code: str, message: str, errors: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": dict(errors or {})}


def status_error(status: int) -> tuple[str, str]:
    """The code and message of an error answered with this status and nothing more to say."""
    code, message = STATUS_ERRORS.get(status) or STATUS_ERRORS[500 if status >= 500 else 400]
    return code, str(message)


def _has_error_shape(response: HttpResponse) -> bool:
    if "json" not in response.get("Content-Type", ""):
        return False
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return False
    return (
        isinstance(body, dict)
        and set(body) == {"code", "message", "errors"}
        and isinstance(body["code"], str)
        and isinstance(body["message"], str)
        and isinstance(body["errors"], dict)
    )


def api_error_shape(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An /api/ error answer in CertHub's one shape: as it is when it has it, otherwise rebuilt from its
    status (Django's HTML 404 and 500 pages, django-ninja's {"detail": …} and plain-text 405)."""
    if response.status_code < 400 or getattr(response, "streaming", False) or _has_error_shape(response):
        return response
    code, message = status_error(response.status_code)
    if response.status_code == 404:
        message = _("没有这个接口或记录：%(method)s %(path)s") % {"method": request.method, "path": request.path[:200]}
    shaped = JsonResponse(error_body(code, message), status=response.status_code)
    for header in KEPT_HEADERS:
        if header in response:
            shaped[header] = response[header]
    return shaped
