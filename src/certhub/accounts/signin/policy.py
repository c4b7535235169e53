"""Who must pass a second factor (C14): the roles in CERTHUB_MFA_REQUIRED_ROLES, and anyone who enrolled
one. A session is in one of three states: `OK` (signed in fully), `VERIFY` (password given, second factor
owed) or `ENROL` (password given by someone who must enrol a second factor and has none yet)."""

from __future__ import annotations

import enum
from typing import Any

from django.conf import settings
from django_otp import user_has_device


class State(enum.Enum):
    OK = "ok"
    VERIFY = "verify"
    ENROL = "enrol"


def must_use_second_factor(user: Any) -> bool:
    return getattr(user, "role", "") in settings.CERTHUB_MFA_REQUIRED_ROLES


def has_second_factor(user: Any) -> bool:
    """Any confirmed device: an authenticator app (TOTP), a passkey or recovery codes."""
    return bool(user_has_device(user, confirmed=True))


def state_of(user: Any) -> State:
    """The session state of a signed-in user (request.user, with django-otp's is_verified)."""
    # django-otp's middleware gives request.user is_verified(); a user signed in during this very request
    # (the password step) has not passed a second factor yet.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return State.OK
    if has_second_factor(user):
        return State.VERIFY
    if must_use_second_factor(user):
        return State.ENROL
    return State.OK
