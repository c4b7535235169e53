"""Secure headers Django 5.2 does not set itself (a content security policy, permissions policy)."""

from collections.abc import Callable

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from certhub.core.errors import api_error_shape
from certhub.core.jsonlimits import MAX_DEPTH, too_deep

# What makes an API answer personal: the key (either header) or a signed-in session (C14; issue 14
# finding 9). Every API answer says so (Vary), so that no cache hands one caller's answer to another;
# an answer to a request carrying any of them is `Cache-Control: private`. Anonymous answers keep their
# own caching.
API_VARY = ("X-API-Key", "Authorization", "Cookie")

# Everything is served from our own origin: no CDN, no inline script (htmx is a static file).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            # Outside every other CertHub middleware, so that their answers (429, 401, 422) are covered too.
            response = api_answer(request, response)
        for header, value in SECURITY_HEADERS.items():
            if header == "Content-Security-Policy" and request.path.startswith("/api/v1/docs"):
                continue  # the OpenAPI viewer page needs its own inline bootstrap script
            response.headers.setdefault(header, value)
        return response


def personal(request: HttpRequest) -> bool:
    """Whether the request carries what makes an API answer personal (API_VARY)."""
    return bool(
        request.META.get("HTTP_X_API_KEY")
        or request.META.get("HTTP_AUTHORIZATION")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
    )


def api_answer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Every /api/ answer: errors in the one shape (core.errors.api_error_shape), Vary on what makes it
    personal, and private when it is."""
    response = api_error_shape(request, response)
    patch_vary_headers(response, API_VARY)
    if personal(request):
        if "public" in response.get("Cache-Control", ""):
            del response["Cache-Control"]
        patch_cache_control(response, private=True)
    return response


class ApiBodyGuardMiddleware:
    """API bodies are checked before any view parses them: over DATA_UPLOAD_MAX_MEMORY_SIZE → 413;
    not UTF-8 (RFC 8259 §8.1), not JSON or nested deeper than core.jsonlimits.MAX_DEPTH → 400; each with a
    JSON error naming the problem."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and request.method in {"POST", "PUT", "PATCH"}:
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def refusal(request: HttpRequest) -> HttpResponse | None:
        def error(status: int, code: str, message: str) -> JsonResponse:
            return JsonResponse({"code": code, "message": message, "errors": {}}, status=status)

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return error(413, "too_large", f"请求体过大：{length}字节，上限{limit}字节 · request body too large")
        if not (request.content_type or "").endswith("json") or not length:
            return None
        body = request.body
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as failure:
            return error(400, "bad_encoding", f"请求体不是UTF-8编码（第{failure.start}字节）")
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError as failure:
            return error(400, "bad_json", f"请求体不是合法的JSON：{failure}"[:300])
        if too_deep(parsed):
            return error(
                400, "too_deep", f"请求体嵌套超过{MAX_DEPTH}层 · JSON nested more than {MAX_DEPTH} levels deep"
            )
        return None


class NulCharacterMiddleware:
    """A NUL character is never meaningful in a path or a parameter, and PostgreSQL can neither store nor
    compare it: refuse it up front (422 with the field for the API, 400 for pages) instead of a 500."""

    MESSAGE = "含有NUL字符（\\0） · contains a NUL character"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = sorted({key for key, values in request.GET.lists() for value in values if "\x00" in value})
        if "\x00" in request.path:
            bad.insert(0, "path")
        if not bad:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            errors = {key: [self.MESSAGE] for key in bad}
            body = {"code": "validation_failed", "message": f"{bad[0]}: {self.MESSAGE}", "errors": errors}
            return JsonResponse(body, status=422)
        return HttpResponseBadRequest(f"{bad[0]}: {self.MESSAGE}", content_type="text/plain; charset=utf-8")
