"""The demo province's logins share a public password (DEMO_PASSWORD, printed by `certhub demo`). Under
CERTHUB_ENV=production (C14, docs/security.md) settings put `RefuseDemoCredentials` first among the
authentication backends and `RefuseDemoPassword` among the password validators: whoever presents that
password is refused before any account is looked up, whatever the user name, and no one can choose it."""

from __future__ import annotations

import hmac
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from certhub.demo.generator.sizes import DEMO_PASSWORD


def is_demo_password(password: object) -> bool:
    return isinstance(password, str) and hmac.compare_digest(password.encode(), DEMO_PASSWORD.encode())


class RefuseDemoCredentials:
    """An authentication backend that authenticates no one: it stops the sign-in (PermissionDenied ends
    django.contrib.auth.authenticate at once, later backends are not asked) when the password is the demo
    password. Refusing by password rather than by user name covers every demo login, inspectors included,
    and leaves a real account that happens to be called "admin" alone."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):
        if is_demo_password(password):
            raise PermissionDenied(_("演示账号密码在生产环境中不能使用"))
        return None

    def get_user(self, user_id: Any) -> None:
        return None


class RefuseDemoPassword:
    """A password validator: the demo password is public, so no account may take it."""

    def validate(self, password: str, user: Any = None) -> None:
        if is_demo_password(password):
            raise ValidationError(_("该密码是公开的演示密码，不能使用"), code="demo_password")

    def get_help_text(self) -> str:
        return _("不能使用公开的演示密码")
