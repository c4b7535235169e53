"""Who is calling the API: an organization's key (X-API-Key or Authorization: Bearer), a signed-in
session, or the anonymous public."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError

from certhub.core.actions import find_api_key
from certhub.core.actors import ANONYMOUS, Actor


def presented_key(request: HttpRequest) -> str | None:
    header = request.headers.get("X-API-Key")
    if header:
        return header.strip()
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def request_actor(request: HttpRequest, *, required: bool = False) -> Actor:
    """The actor behind a request. A presented key that is wrong is refused, never ignored."""
    secret = presented_key(request)
    if secret:
        key = find_api_key(secret)
        if key is None:
            raise AuthenticationError()
        return Actor.from_api_key(key)
    if required:
        raise AuthenticationError()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Actor.from_user(user)
    return ANONYMOUS
