"""API v1: one NinjaAPI at /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Errors share one shape: {"code": str, "message": str, "errors": {field: [message, …]}}."""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.parser import Parser
from ninja.renderers import BaseRenderer

from certhub.core.errors import DomainError
from certhub.core.schemas import OPTIONAL_AUTH, ErrorOut


class OrjsonParser(Parser):
    """Bodies were already checked for size, encoding and syntax (core.middleware.ApiBodyGuardMiddleware)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return orjson.loads(request.body)


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=str)


# How a caller proves who it is (docs/api.md): an organization's API key in X-API-Key or as a bearer
# token, or the session of a signed-in user.
SECURITY_SCHEMES = {
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "session": {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME},
}


class CertHubAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"]["securitySchemes"] = SECURITY_SCHEMES
        return schema


api = CertHubAPI(
    title="CertHub API",
    version="1",
    description="湖南省质量认证公共服务与监管平台接口 · CertHub public and regulatory API (C1–C3).",
    urls_namespace="api-v1",
    parser=OrjsonParser(),
    renderer=OrjsonRenderer(),
)


def error_body(code: str, message: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": errors or {}}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, error_body(exc.code, exc.message, getattr(exc, "errors", None)), status=exc.status
    )


@api.exception_handler(ValidationError)
def schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        location = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        errors.setdefault(".".join(location) or "body", []).append(item.get("msg", "invalid"))
    first = next(iter(errors.items()))
    return api.create_response(
        request, error_body("validation_failed", f"{first[0]}: {first[1][0]}", errors), status=422
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        error_body("unauthenticated", _("需要有效的接口密钥（X-API-Key 或 Authorization: Bearer）")),
        status=401,
    )


from certhub.registry.api import router as registry_router  # noqa: E402 - routers attach to `api`

api.add_router("/", registry_router)

from certhub.exchange.api import router as exchange_router  # noqa: E402

api.add_router("/", exchange_router)

from certhub.ledger.api import router as ledger_router  # noqa: E402

api.add_router("/", ledger_router)

from certhub.seal.api import router as seal_router  # noqa: E402

api.add_router("/", seal_router)

from certhub.trace.api import router as trace_router  # noqa: E402

api.add_router("/", trace_router)

from certhub.inspections.api import router as inspections_router  # noqa: E402

api.add_router("/", inspections_router)

from certhub.licensing.api import router as licensing_router  # noqa: E402

api.add_router("/", licensing_router)

from certhub.registry.ban_api import router as bans_router  # noqa: E402

api.add_router("/", bans_router)

from certhub.integrity.api import router as integrity_router  # noqa: E402

api.add_router("/", integrity_router)
from certhub.complaints.api import router as complaints_router  # noqa: E402

api.add_router("/", complaints_router)
# issue 17: engine
from certhub.market.api import router as market_router  # noqa: E402

api.add_router("/", market_router)
# issue 17: products
from certhub.registry.product_api import router as products_router  # noqa: E402

api.add_router("/", products_router)

# issue 17: declarations
from certhub.market.declaration_api import router as declarations_router  # noqa: E402

api.add_router("/", declarations_router)

# issue 18: toolbox
from certhub.toolbox.api import router as toolbox_router  # noqa: E402

api.add_router("/", toolbox_router)


def declare_guard_responses() -> None:
    """The published document lists every answer the API really gives (C14; schemathesis holds it to that,
    tests/test_api_schemathesis.py). Besides what each endpoint declares, the middleware in front of every
    operation answers in the same error shape: 401 for a wrong or revoked key and 429 past a key's limit
    (core.ratelimit.ApiRateLimitMiddleware), 422 for a NUL character in the path or a parameter
    (core.middleware.NulCharacterMiddleware); and, where a body is taken, 400 for a body that is not UTF-8
    JSON or nests too deep and 413 for one too large (core.middleware.ApiBodyGuardMiddleware)."""
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                # Who may call: what the operation declares, else anyone, with or without credentials.
                operation.openapi_extra = {"security": OPTIONAL_AUTH, **(operation.openapi_extra or {})}
                codes = [401, 422, 429]
                if {"POST", "PUT", "PATCH"} & set(operation.methods):
                    codes += [400, 413]
                for code in codes:
                    if code not in operation.response_models:
                        operation.response_models[code] = operation._create_response_model(ErrorOut)


declare_guard_responses()
