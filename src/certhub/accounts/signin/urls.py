"""Signing in, second factors, passwords and sessions (C14). Mounted at /account/ (namespace `accounts`);
the password step itself stays at /login/ (portal:login)."""

from django.urls import URLPattern, path

from certhub.accounts.signin import views

urlpatterns: list[URLPattern] = [
    path("", views.security, name="security"),
    path("verify/", views.verify, name="verify"),
    path("verify/recovery/", views.verify_recovery, name="verify_recovery"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrol/app/", views.enrol_totp, name="enrol_totp"),
    path("enrol/passkey/", views.enrol_passkey, name="enrol_passkey"),
    path("enrol/passkey/done/", views.passkey_enrolled, name="passkey_enrolled"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes/new/", views.regenerate_recovery_codes, name="regenerate_recovery_codes"),
    path("confirm/", views.reauthenticate, name="reauth"),
    path("sign-ins/", views.history, name="history"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
