"""Sign-in pages (C14): the password step, the second factor (authenticator app, passkey or recovery code),
enrolment at first sign-in, recovery codes, one's own password, the confirmation before a dangerous action,
and the sign-in history."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode, urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from certhub.accounts.models import SignInEvent, SignInEventKind
from certhub.accounts.signin import devices, events, policy, throttle
from certhub.accounts.signin.forms import ReauthForm, RecoveryCodeForm, SignInForm, TotpForm
from certhub.core.choices import Role
from certhub.core.reauth import confirmed_recently, mark_confirmed, reauth_required

FRESH_CODES = "certhub_fresh_recovery_codes"
SIGNED_OUT_MESSAGES = {
    "idle": gettext_lazy("你已长时间未操作，为保护账号安全已自动退出，请重新登录。"),
    "expired": gettext_lazy("登录已超过最长时限，请重新登录。"),
}


def _next(request: HttpRequest) -> str:
    """Where to go afterwards: the `next` asked for when it is on this site (a path, or an address on
    CERTHUB_SITE_URL's host — never judged by the request's own Host header), else the landing page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    site = urlsplit(settings.CERTHUB_SITE_URL)
    if target and url_has_allowed_host_and_scheme(target, {site.netloc}, require_https=site.scheme == "https"):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    url = reverse(name)
    if target:
        url += "?" + urlencode({"next": target})
    return url


def after_password(request: HttpRequest) -> HttpResponse:
    """The password was right: on to the second factor, its enrolment, or in."""
    state = policy.state_of(request.user)
    if state is policy.State.VERIFY:
        return HttpResponseRedirect(_with_next("accounts:verify", request))
    if state is policy.State.ENROL:
        return HttpResponseRedirect(_with_next("accounts:enrol", request))
    events.complete_sign_in(request)
    return HttpResponseRedirect(_next(request))


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "portal/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        auth_login(self.request, form.get_user())
        return after_password(self.request)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["signed_out_message"] = SIGNED_OUT_MESSAGES.get(self.request.GET.get("signed_out", ""))
        return context


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, naming the lockout and when it ends (HTTP 429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    seconds = throttle.lockout_seconds_left(request)
    context = {
        "form": SignInForm(request, initial={"username": username}),
        "refusal": throttle.lockout_message(seconds),
        "next": request.POST.get("next", ""),
    }
    response = render(request, "portal/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _passed(request: HttpRequest, device: Any, how: str) -> HttpResponse:
    otp_login(request, device)
    events.record(request, SignInEventKind.SECOND_FACTOR_PASSED, succeeded=True, user=request.user, detail=how)
    events.complete_sign_in(request)
    return HttpResponseRedirect(_next(request))


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app (or a passkey, or a recovery code)."""
    user = request.user
    if policy.state_of(user) is policy.State.OK:  # already through (a passkey, another tab)
        return HttpResponseRedirect(_next(request))
    totp = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    form = TotpForm(request.POST or None, devices=totp)
    if request.method == "POST":
        if form.is_valid():
            return _passed(request, form.device, "totp")
        events.record(request, SignInEventKind.SECOND_FACTOR_FAILED, succeeded=False, user=user, detail="totp")
    context = {
        "form": form if totp else None,
        "has_passkey": WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/signin/verify.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def verify_recovery(request: HttpRequest) -> HttpResponse:
    user = request.user
    recovery = list(StaticDevice.objects.devices_for_user(user, confirmed=True))
    form = RecoveryCodeForm(request.POST or None, devices=recovery)
    if request.method == "POST":
        if form.is_valid():
            remaining = StaticToken.objects.filter(device__user=user).count()
            messages.warning(
                request,
                _("你用了一个恢复码，还剩%(count)d个。请尽快在“账号安全”页面重新生成恢复码或绑定认证器。")
                % {"count": remaining},
            )
            return _passed(request, form.device, "recovery")
        events.record(request, SignInEventKind.SECOND_FACTOR_FAILED, succeeded=False, user=user, detail="recovery")
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "accounts/signin/verify_recovery.html", context, status=422 if form.errors else 200)


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Choosing a second factor: required at the first sign-in for the roles in CERTHUB_MFA_REQUIRED_ROLES."""
    context = {
        "required": policy.must_use_second_factor(request.user),
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/signin/enrol.html", context)


def _new_recovery_codes(request: HttpRequest) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones, kept in the session to be shown once."""
    user = request.user
    codes = devices.new_recovery_codes(user)
    request.session[FRESH_CODES] = codes
    events.record(request, SignInEventKind.RECOVERY_CODES_GENERATED, succeeded=True, user=user)
    return codes


def _enrolled(request: HttpRequest, device: Any, how: str) -> HttpResponse:
    """A first (or another) second factor is confirmed: the session counts as verified with it, and a first
    enrolment gets recovery codes, shown once."""
    otp_login(request, device)
    events.record(request, SignInEventKind.ENROLLED, succeeded=True, user=request.user, detail=how)
    if not devices.has_recovery_codes(request.user):
        _new_recovery_codes(request)
        return HttpResponseRedirect(_with_next("accounts:recovery_codes", request))
    events.complete_sign_in(request)
    messages.success(request, _("已绑定。"))
    return HttpResponseRedirect(_next(request))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (nothing fetched from elsewhere)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def _adding_needs_confirmation(request: HttpRequest) -> HttpResponse | None:
    """Someone who already has a second factor confirms who they are before adding another (a stolen
    session must not be able to plant its own authenticator)."""
    if policy.has_second_factor(request.user) and not confirmed_recently(request):
        return HttpResponseRedirect(f"{reverse('accounts:reauth')}?{urlencode({'next': request.get_full_path()})}")
    return None


@login_required
@require_http_methods(["GET", "POST"])
def enrol_totp(request: HttpRequest) -> HttpResponse:
    """Binding an authenticator app: scan the QR code (or type the secret), then prove it with a code."""
    if (confirm := _adding_needs_confirmation(request)) is not None:
        return confirm
    user = request.user
    device = devices.authenticator_being_enrolled(user)
    form = TotpForm(request.POST or None, devices=[device])
    if request.method == "POST" and form.is_valid():
        devices.confirm_authenticator(device)
        return _enrolled(request, device, "totp")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": totp_qr_svg(device),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "secret_raw": secret,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/signin/enrol_totp.html", context, status=422 if form.errors else 200)


@login_required
def enrol_passkey(request: HttpRequest) -> HttpResponse:
    """Registering a passkey (django-otp-webauthn's own script, served from our static files)."""
    if (confirm := _adding_needs_confirmation(request)) is not None:
        return confirm
    context = {"next": request.GET.get("next", "")}
    return render(request, "accounts/signin/enrol_passkey.html", context)


@login_required
@require_POST
def passkey_enrolled(request: HttpRequest) -> HttpResponse:
    """Where the passkey page goes once the browser registered the passkey: recovery codes on a first
    enrolment, then in."""
    credential = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).order_by("-id").first()
    if credential is None or policy.state_of(request.user) is not policy.State.OK:
        return HttpResponseRedirect(_with_next("accounts:enrol_passkey", request))
    return _enrolled(request, credential, "passkey")


@login_required
@require_http_methods(["GET"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; afterwards only how many are left."""
    codes = request.session.pop(FRESH_CODES, None)
    if codes:
        events.complete_sign_in(request)
    remaining = StaticToken.objects.filter(device__user=request.user).count()
    context = {"codes": codes, "remaining": remaining, "next": request.GET.get("next", "")}
    response = render(request, "accounts/signin/recovery_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@reauth_required
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    _new_recovery_codes(request)
    return HttpResponseRedirect(reverse("accounts:recovery_codes"))


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """One's own account: second factors, recovery codes left, password, recent sign-ins."""
    user: Any = request.user
    context = {
        "totp_devices": TOTPDevice.objects.filter(user=user, confirmed=True),
        "passkeys": WebAuthnCredential.objects.filter(user=user, confirmed=True),
        "recovery_left": StaticToken.objects.filter(device__user=user).count(),
        "recent": SignInEvent.objects.filter(user=user)[:5],
    }
    return render(request, "accounts/signin/security.html", context)


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """Recent sign-in events: one's own; an administrator may see everyone's (?all=1)."""
    user: Any = request.user
    everyone = request.GET.get("all") == "1" and getattr(user, "role", "") == Role.ADMINISTRATOR
    rows = SignInEvent.objects.select_related("user")
    if not everyone:
        rows = rows.filter(user=user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"page": page, "everyone": everyone, "is_admin": getattr(user, "role", "") == Role.ADMINISTRATOR}
    return render(request, "accounts/signin/history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Confirming one's password (and second factor) again before a dangerous action (core.reauth)."""
    needs_token = policy.has_second_factor(request.user) and (
        TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=request.user).exists()
    )
    form = ReauthForm(request.POST or None, request=request, needs_token=needs_token)
    if request.method == "POST":
        if form.is_valid():
            mark_confirmed(request)
            events.record(request, SignInEventKind.REAUTHENTICATED, succeeded=True, user=request.user)
            return HttpResponseRedirect(_next(request))
        events.record(request, SignInEventKind.REAUTH_FAILED, succeeded=False, user=request.user)
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "accounts/signin/reauth.html", context, status=422 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/signin/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        events.record(self.request, SignInEventKind.PASSWORD_CHANGED, succeeded=True, user=self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/signin/password_reset.html"
    email_template_name = "accounts/signin/password_reset_email.txt"
    subject_template_name = "accounts/signin/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    # Links in the e-mail start from the configured site address, never from the request's Host header.
    extra_email_context = {"site_url": settings.CERTHUB_SITE_URL}

    def form_valid(self, form: Any) -> HttpResponse:
        events.record(
            self.request, SignInEventKind.PASSWORD_RESET_REQUESTED, succeeded=True, username=form.cleaned_data["email"]
        )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/signin/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/signin/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        events.record(self.request, SignInEventKind.PASSWORD_RESET, succeeded=True, user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/signin/password_reset_complete.html"
