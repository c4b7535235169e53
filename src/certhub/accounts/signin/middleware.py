"""Second factor enforcement (C14). A signed-in user who still owes a second factor reaches only the pages
to give it (or, at their first sign-in, to enrol one), the language switch and signing out; everything
else sends them there, and the API answers 401. A user who has given everything owed has their sign-in
completed here if a page did not already (a passkey completes it in django-otp-webauthn's own view)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from certhub.accounts.signin import events, policy
from certhub.core import sessions

# URL names each state may reach (besides static files).
ALWAYS = {"portal:logout", "set_language", "otp_webauthn:js-i18n-catalog"}
OPEN_TO = {
    policy.State.VERIFY: ALWAYS
    | {
        "accounts:verify",
        "accounts:verify_recovery",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
    },
    policy.State.ENROL: ALWAYS
    | {
        "accounts:enrol",
        "accounts:enrol_totp",
        "accounts:enrol_passkey",
        "accounts:passkey_enrolled",
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
    },
}
DESTINATION = {policy.State.VERIFY: "accounts:verify", policy.State.ENROL: "accounts:enrol"}


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if request.path == _admin_login():
            # The admin's own sign-in form would skip the throttle and the second factor: ours instead.
            return HttpResponseRedirect(f"{reverse('portal:login')}?{urlencode({'next': reverse('admin:index')})}")
        user = request.user
        if not user.is_authenticated or sessions.SIGNED_IN_AT in request.session:
            # Anonymous, or a sign-in already completed (set only once everything owed was given).
            return self.get_response(request)
        state = policy.state_of(user)
        if state is policy.State.OK:
            events.complete_sign_in(request)
            return self.get_response(request)
        if _view_name(request) in OPEN_TO[state]:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            message = _("请先完成第二重验证")
            return JsonResponse({"code": "second_factor_required", "message": message, "errors": {}}, status=401)
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse(DESTINATION[state]) + (f"?{query}" if query else ""))


@functools.cache
def _admin_login() -> str:
    return reverse("admin:login")


def _view_name(request: HttpRequest) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""
