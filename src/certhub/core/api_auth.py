"""Who is calling the API: an organization's key (X-API-Key or Authorization: Bearer), a signed-in
session, or the anonymous public; and the one place a key's expiry and scopes are checked (C14 least
privilege): a key past its expiry is refused with 401 naming the moment, an endpoint that writes names the
scope it needs (`require_scope`) and a key without it is refused with 403 naming the scope, before
anything is read or written."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError

from certhub.core.actions import find_api_key
from certhub.core.actors import ANONYMOUS, Actor
from certhub.core.choices import ApiScope, Role
from certhub.core.errors import DomainError, NotPermitted
from certhub.core.models import ApiKey


class KeyExpired(DomainError):
    """A key past its expiry: 401, in the API's error shape, naming when it expired."""

    status = 401

    def __init__(self, key: ApiKey) -> None:
        super().__init__(expired_message(key), code="key_expired")


def expired_message(key: ApiKey) -> str:
    moment = timezone.localtime(key.expires_at).strftime("%Y-%m-%d %H:%M")
    return _("接口密钥%(prefix)s已于%(moment)s（北京时间）到期，请使用新的密钥") % {
        "prefix": key.prefix,
        "moment": moment,
    }


def expired_body(key: ApiKey) -> dict[str, Any]:
    """The 401 body for an expired key (core.ratelimit answers it before any endpoint runs)."""
    return {"code": "key_expired", "message": expired_message(key), "errors": {}}


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
    """The actor behind a request. A presented key that is wrong or expired is refused, never ignored. A key
    without the `read` scope reads as the public does (it may still write within its other scopes)."""
    secret = presented_key(request)
    if secret:
        key = resolved_api_key(request, secret)
        if key is None:
            raise AuthenticationError()
        if key.is_expired():
            raise KeyExpired(key)
        if ApiScope.READ not in key.scopes and not required:
            return Actor(role=Role.PUBLIC, label=f"api-key:{key.prefix}", api_key_id=key.pk)
        return Actor.from_api_key(key)
    if required:
        raise AuthenticationError()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Actor.from_user(user)
    return ANONYMOUS


def require_scope(request: HttpRequest, scope: ApiScope) -> Actor:
    """The actor of an endpoint that writes, which declares the `scope` it needs: a key must be presented
    (401), live (401 naming its expiry) and hold `scope` (403 naming it). A signed-in person acts by
    their role's permissions, checked by the action."""
    actor = request_actor(request, required=True)
    key = request._certhub_api_key[1] if presented_key(request) else None  # type: ignore[attr-defined]
    if key is not None and scope not in key.scopes:
        raise NotPermitted(
            _("接口密钥%(prefix)s没有“%(scope)s”权限范围（%(label)s）")
            % {"prefix": key.prefix, "scope": scope.value, "label": scope.label}
        )
    return actor


def signed_in_writer(request: HttpRequest) -> Actor:
    """The person behind a write made with their session (officers and enterprises act as themselves, not
    through an organization's key): signed in (401) and carrying the CSRF token as a form post does (403),
    so that another site cannot make a signed-in browser write."""
    from ninja.utils import check_csrf

    if presented_key(request):
        raise NotPermitted(_("此操作须由本人登录后进行，不接受接口密钥"))
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise AuthenticationError()
    if check_csrf(request) is not None:
        raise NotPermitted(_("缺少或错误的CSRF令牌：请从已登录的页面发起请求，并在X-CSRFToken头中附上令牌"))
    return Actor.from_user(user)
