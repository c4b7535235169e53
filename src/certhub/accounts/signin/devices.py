"""A user's second factors (C14): listing and removing them. User administration resets a user's second
factors through `remove_second_factors` (recorded in the sign-in history); at their next sign-in a user of
a role in CERTHUB_MFA_REQUIRED_ROLES enrols again."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from certhub.accounts.models import SignInEventKind
from certhub.accounts.signin import events


def remove_second_factors(user: Any, *, request: HttpRequest | None = None, by: str = "") -> int:
    """Delete every authenticator app, passkey and recovery code of `user`; how many devices went. The
    sign-in history records it (the address is the administrator's, from `request`; `by` names them)."""
    removed = 0
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    events.record(request, SignInEventKind.SECOND_FACTOR_RESET, succeeded=True, user=user, detail=by)
    return removed
