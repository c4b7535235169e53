"""Sign-in forms (C14): the password step (throttled before it is checked), a code from an authenticator
app, a recovery code, and the confirmation before a dangerous action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from certhub.accounts.models import SignInEventKind
from certhub.accounts.signin import events, throttle

CODE_WIDGET = {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*", "maxlength": "6"}


class SignInForm(AuthenticationForm):
    """The password step. A client that must wait (accounts.signin.throttle) is refused before the password
    is looked at, so waiting cannot be skipped by guessing faster."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("此账号已停用。"),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if self.request is not None and self.cleaned_data.get("password"):
            seconds = throttle.seconds_to_wait(self.request, username)
            if seconds > 0:
                events.record(self.request, SignInEventKind.THROTTLED, succeeded=False, username=username)
                raise ValidationError(throttle.wait_message(seconds), code="throttled")
        return super().clean()


def _throttled_message(device: Any) -> str | None:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return None
    seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))
    return throttle.wait_message(seconds)


class TotpForm(forms.Form):
    """A six-digit code from the authenticator app. Each code is accepted once (django-otp remembers the
    last time step used), within its 30-second step and one step either side (OTP_TOTP_TOLERANCE)."""

    token = forms.CharField(
        label=_("验证码"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs=CODE_WIDGET),
        help_text=_("认证器应用（如 FreeOTP、Google Authenticator、Microsoft Authenticator）显示的 6 位数字"),
    )

    def __init__(self, *args: Any, devices: list[TOTPDevice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.devices = devices
        self.device: TOTPDevice | None = None

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise ValidationError(_("验证码是 6 位数字。"), code="format")
        for device in self.devices:
            message = _throttled_message(device)
            if message:
                raise ValidationError(message, code="throttled")
            if device.verify_token(token):
                self.device = device
                return token
        raise ValidationError(_("验证码不正确或已使用过，请输入认证器应用当前显示的验证码。"), code="invalid")


class RecoveryCodeForm(forms.Form):
    """One of the recovery codes shown at enrolment; each works once."""

    code = forms.CharField(label=_("恢复码"), max_length=16, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args: Any, devices: list[StaticDevice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.devices = devices
        self.device: StaticDevice | None = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().lower().replace(" ", "").replace("-", "")
        for device in self.devices:
            message = _throttled_message(device)
            if message:
                raise ValidationError(message, code="throttled")
            if device.verify_token(code):
                self.device = device
                return code
        raise ValidationError(_("恢复码不正确或已使用过。"), code="invalid")


class ReauthForm(forms.Form):
    """The password, and a code from the authenticator app or a recovery code if the user has either."""

    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    token = forms.CharField(
        label=_("验证码或恢复码"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, needs_token: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.needs_token = needs_token
        if not needs_token:
            del self.fields["token"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user = self.request.user
        password = cleaned.get("password")
        if password is not None and not user.check_password(password):
            raise ValidationError(_("密码不正确。"), code="invalid_password")
        if self.needs_token:
            token = (cleaned.get("token") or "").strip().lower().replace(" ", "").replace("-", "")
            device = self._matching_device(token) if token else None
            if device is None:
                raise ValidationError(_("验证码或恢复码不正确或已使用过。"), code="invalid_token")
        return cleaned

    def _matching_device(self, token: str) -> Any:
        user = self.request.user
        totp = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
        static = list(StaticDevice.objects.devices_for_user(user, confirmed=True))
        for device in [*totp, *static]:
            message = _throttled_message(device)
            if message:
                raise ValidationError(message, code="throttled")
            if device.verify_token(token):
                return device
        return None
