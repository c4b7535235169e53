"""django-otp-webauthn's endpoints (namespace `otp_webauthn`, which its script and template tags name),
with the outcome of each passkey check recorded in the sign-in history (C14)."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.exceptions import OTPWebAuthnApiError

from certhub.accounts.models import SignInEventKind
from certhub.accounts.signin import events, policy
from certhub.core.reauth import confirmed_recently

app_name = "otp_webauthn"


class CompleteAuthentication(webauthn.CompleteCredentialAuthenticationView):
    """A passkey presented as the second factor: a refusal (another site's assertion, a replay, an unknown
    key) is recorded; a success completes the sign-in."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(*args, **kwargs)
        request = self.request
        events.record(
            request, SignInEventKind.SECOND_FACTOR_PASSED, succeeded=True, user=request.user, detail="passkey"
        )
        events.complete_sign_in(request)
        return response

    def handle_exception(self, exc: Exception) -> HttpResponse:
        request = self.request
        user = request.user if request.user.is_authenticated else None
        events.record(request, SignInEventKind.SECOND_FACTOR_FAILED, succeeded=False, user=user, detail="passkey")
        if isinstance(exc, OTPWebAuthnApiError):
            # The script shows `detail` to the person: in their language, and saying what to do next.
            body = {"detail": _("通行密钥验证未通过。请重试，或改用验证码或恢复码。"), "code": exc.code}
            return JsonResponse(body, status=exc.status_code)
        return super().handle_exception(exc)


class ConfirmFirst(OTPWebAuthnApiError):
    status_code = 403
    default_code = "confirm_first"
    default_detail = gettext_lazy("请先确认身份，再添加通行密钥。")


class RegistrationAfterConfirmation:
    """Someone who already has a second factor adds a passkey only after confirming who they are
    (core.reauth), as on the enrolment pages."""

    request: HttpRequest

    def check_can_register(self) -> None:
        if policy.has_second_factor(self.request.user) and not confirmed_recently(self.request):
            raise ConfirmFirst()


class BeginRegistration(RegistrationAfterConfirmation, webauthn.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(RegistrationAfterConfirmation, webauthn.CompleteCredentialRegistrationView):
    pass


urlpatterns = [
    path(
        "registration/begin/",
        BeginRegistration.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        webauthn.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path("authentication/complete/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
