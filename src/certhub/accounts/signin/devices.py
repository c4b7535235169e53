"""A user's second factors (C14): the authenticator app being enrolled, recovery codes, and removing them
all. User administration resets a user's second factors through `remove_second_factors` (recorded in the
sign-in history); at their next sign-in a user of a role in CERTHUB_MFA_REQUIRED_ROLES enrols again.

Second factors are a person's credentials, not regulated records: they change here, outside actions, and
never reach the audit log or the ledger (as the sign-in history, accounts.models)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from certhub.accounts.models import SignInEventKind
from certhub.accounts.signin import events

RECOVERY_CODES = 10


def remove_second_factors(user: Any, *, request: HttpRequest | None = None, by: str = "") -> dict[str, int]:
    """Delete every authenticator app, passkey and recovery code of `user`; how many devices of each kind
    went (a static device's codes go with it, uncounted). The sign-in history records it (the address is the
    administrator's when `request` is given; `by` names them)."""
    removed: dict[str, int] = {}
    for name, model in (("totp", TOTPDevice), ("static", StaticDevice), ("webauthn", WebAuthnCredential)):
        devices = model.objects.filter(user=user)
        removed[name] = devices.count()
        devices.delete()
    if any(removed.values()):
        events.record(request, SignInEventKind.SECOND_FACTOR_RESET, succeeded=True, user=user, detail=by)
    return removed


def authenticator_being_enrolled(user: Any) -> TOTPDevice:
    """The user's unconfirmed authenticator app (a new secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=_("认证器应用"), confirmed=False)


def confirm_authenticator(device: TOTPDevice) -> None:
    """A valid code was given for it: the authenticator app counts from now on; other half-done ones go."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()


def has_recovery_codes(user: Any) -> bool:
    return StaticToken.objects.filter(device__user=user).exists()


def new_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones (all old ones stop working)."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes
