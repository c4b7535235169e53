"""How long a sign-in lasts (C14): an absolute lifetime for every session and an idle timeout for office
roles, checked on every request by SessionTimeoutMiddleware.

Django's own expiry slides forward each time a session is saved, so it cannot bound a sign-in's lifetime:
the moment of signing in is kept in the session (`SIGNED_IN_AT`, set by the sign-in when it completes)
and a session older than SESSION_COOKIE_AGE is ended whatever was done with it. Office roles
(CERTHUB_IDLE_TIMEOUT_ROLES) are also signed out after CERTHUB_SESSION_IDLE_TIMEOUT seconds without a
request. Either way the person lands on the sign-in page, told why (`?signed_out=idle` or `expired`).

The last activity is written to the session at most every quarter of the idle timeout (and at most every
minute), so a busy page does not save its session on every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

SIGNED_IN_AT = "certhub_signed_in_at"
LAST_SEEN = "certhub_last_seen"
# Why a request's session was ended, for the sign-in history (accounts.signin.events reads it).
SIGNOUT_REASON = "certhub_signout_reason"


def start(request: HttpRequest) -> None:
    """Called when a sign-in completes: the lifetime and the idle clock start now."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def end_reason(request: HttpRequest, now: float | None = None) -> str | None:
    """ "expired" past the absolute lifetime, "idle" past the idle timeout of an office role, else None."""
    session = request.session
    now = time.time() if now is None else now
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is not None and now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return "expired"
    last_seen = session.get(LAST_SEEN)
    role = getattr(request.user, "role", "")
    if (
        last_seen is not None
        and role in settings.CERTHUB_IDLE_TIMEOUT_ROLES
        and (now - last_seen > settings.CERTHUB_SESSION_IDLE_TIMEOUT)
    ):
        return "idle"
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        reason = end_reason(request, now)
        if reason is not None:
            setattr(request, SIGNOUT_REASON, reason)
            logout(request)
            if request.path.startswith("/api/"):
                message = _("登录已失效，请重新登录")
                return JsonResponse({"code": "signed_out", "message": message, "errors": {}}, status=401)
            query = urlencode({"signed_out": reason, "next": request.get_full_path()})
            return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
        last_seen = request.session.get(LAST_SEEN)
        every = min(60.0, settings.CERTHUB_SESSION_IDLE_TIMEOUT / 4)
        if last_seen is None or now - last_seen >= every:
            request.session[LAST_SEEN] = now
        return self.get_response(request)
