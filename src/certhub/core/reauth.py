"""Confirming who you are again before a dangerous action (C14): revoking a body, a ban, key and user
administration. `reauth_required` sends a person whose last confirmation (password and second factor, at
sign-in or on the confirmation page) is older than CERTHUB_REAUTH_MAX_AGE seconds to that page
(CERTHUB_REAUTH_URL), which brings them back to where they were.

The page itself lives with sign-in (accounts.signin) and is reached by URL name, so core depends on no app
above it."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

CONFIRMED_AT = "certhub_reauth_at"


def mark_confirmed(request: HttpRequest) -> None:
    """The person just gave their password and second factor (at sign-in or on the confirmation page)."""
    request.session[CONFIRMED_AT] = time.time()


def confirmed_recently(request: HttpRequest) -> bool:
    confirmed_at = request.session.get(CONFIRMED_AT)
    return confirmed_at is not None and time.time() - confirmed_at <= settings.CERTHUB_REAUTH_MAX_AGE


def reauth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view decorator: signed-in people who have not confirmed recently are asked to first. A POST is not
    carried over (the confirmation page returns to the page, where the person submits again)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not confirmed_recently(request):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(settings.CERTHUB_REAUTH_URL)}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
