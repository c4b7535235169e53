"""Who is calling the API: an organization's key (X-API-Key or Authorization: Bearer), a signed-in
session, or the anonymous public."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError

from certhub.core.actions import find_api_key
from certhub.core.actors import ANONYMOUS, Actor
from certhub.core.models import ApiKey


def presented_key(request: HttpRequest) -> str | None:
    header = request.headers.get("X-API-Key")
    if header:
        return header.strip()
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def resolved_api_key(request: HttpRequest, secret: str) -> ApiKey | None:
    """The live key behind `secret`, looked up once per request (the rate limit and the endpoint both
    need it); None when it is wrong or revoked."""
    cached = getattr(request, "_certhub_api_key", None)
    if cached is not None and cached[0] == secret:
        return cached[1]
    key = find_api_key(secret)
    request._certhub_api_key = (secret, key)  # type: ignore[attr-defined]
    return key


def unauthenticated_body() -> dict[str, Any]:
    """The 401 body, in the API's error shape."""
    return {
        "code": "unauthenticated",
        "message": _("需要有效的接口密钥（X-API-Key 或 Authorization: Bearer）"),
        "errors": {},
    }


def request_actor(request: HttpRequest, *, required: bool = False) -> Actor:
    """The actor behind a request. A presented key that is wrong is refused, never ignored."""
    secret = presented_key(request)
    if secret:
        key = resolved_api_key(request, secret)
        if key is None:
            raise AuthenticationError()
        return Actor.from_api_key(key)
    if required:
        raise AuthenticationError()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Actor.from_user(user)
    return ANONYMOUS
