"""The sign-in history (accounts.SignInEvent) and the moment a sign-in completes (C14).

Django's authentication signals (a password refused, a sign-out) and django-axes' lockout signal are turned
into rows here; the pages record the rest (second factors, enrolment, passwords, re-authentication).
`complete_sign_in` runs once per sign-in, when the password and any second factor owed have been given: it
starts the session clocks (core.sessions), counts as a fresh confirmation (core.reauth), records the
sign-in and, when the address and browser are new to the user, e-mails them a notice."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.accounts.models import SignInEvent, SignInEventKind
from certhub.core import reauth, sessions
from certhub.core.ratelimit import client_address

SIGNOUT_KINDS = {"idle": SignInEventKind.IDLE_TIMEOUT, "expired": SignInEventKind.SESSION_EXPIRED}


def record(
    request: HttpRequest | None,
    kind: SignInEventKind,
    *,
    succeeded: bool,
    user: Any = None,
    username: str = "",
    detail: str = "",
) -> SignInEvent:
    """Append one row; the address is the client's (core.ratelimit.client_address), behind proxies too."""
    if user is not None and not getattr(user, "pk", None):
        user = None
    if user is not None and not username:
        username = user.get_username()
    address, agent = "", ""
    if request is not None:
        address = client_address(request)
        agent = request.headers.get("User-Agent", "")[:255]
    return SignInEvent.objects.create(
        kind=kind,
        succeeded=succeeded,
        user=user,
        username=str(username)[:150],
        address=address,
        user_agent=agent,
        detail=detail[:200],
    )


def complete_sign_in(request: HttpRequest) -> None:
    """The password and any second factor owed are given: start the session clocks, record the sign-in and
    notice a new address and browser. Runs once per session (SIGNED_IN_AT marks it)."""
    if sessions.SIGNED_IN_AT in request.session:
        return
    user: Any = request.user
    sessions.start(request)
    reauth.mark_confirmed(request)
    seen = list(
        SignInEvent.objects.filter(user=user, kind=SignInEventKind.SIGNED_IN).values_list("address", "user_agent")[
            : settings.CERTHUB_NEW_SIGNIN_LOOKBACK
        ]
    )
    event = record(request, SignInEventKind.SIGNED_IN, succeeded=True, user=user)
    if seen and (event.address, event.user_agent) not in seen:
        notify_new_sign_in(user, event)


def new_sign_in_subject() -> str:
    return _("CertHub：你的账号在新的设备或网络上登录")


def notify_new_sign_in(user: Any, event: SignInEvent) -> None:
    """E-mail the user (after commit) that they signed in from an address and browser not seen lately."""
    if not user.email:
        return
    body = render_to_string(
        "accounts/signin/new_sign_in_email.txt",
        {"user": user, "event": event, "time": timezone.localtime(event.time)},
    )
    subject = new_sign_in_subject()
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def _user_named(username: str) -> Any:
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


@receiver(user_login_failed)
def password_refused(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    detail = "locked" if request is not None and getattr(request, "axes_locked_out", False) else ""
    record(
        request,
        SignInEventKind.PASSWORD_FAILED,
        succeeded=False,
        user=_user_named(username),
        username=username,
        detail=detail,
    )


@receiver(user_locked_out)
def locked_out(sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any) -> None:
    if getattr(request, "certhub_lockout_recorded", False):
        return
    request.certhub_lockout_recorded = True  # type: ignore[attr-defined]
    name = username or ""
    record(request, SignInEventKind.LOCKED_OUT, succeeded=False, user=_user_named(name), username=name)


@receiver(user_logged_out)
def signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    kind = SIGNOUT_KINDS.get(getattr(request, sessions.SIGNOUT_REASON, ""), SignInEventKind.SIGNED_OUT)
    record(request, kind, succeeded=True, user=user)
