"""Enterprise sign-up and organization links (C8): /account/signup/…, /account/organization/… and the
officers' /account/organization-requests/…"""

from django.urls import URLPattern, path

from certhub.accounts.signup import views

urlpatterns: list[URLPattern] = [
    path("signup/", views.sign_up, name="signup"),
    path("signup/sent/", views.sign_up_sent, name="signup_sent"),
    path("signup/terms/", views.terms, name="signup_terms"),
    path("signup/confirm/<str:token>/", views.confirm_email, name="signup_confirm"),
    path("organization/", views.organization, name="organization"),
    path("organization/request/", views.organization_request, name="organization_request"),
    path("organization/code/", views.organization_code, name="organization_code"),
    path("organization/unlink/", views.organization_unlink, name="organization_unlink"),
    path("organization-requests/", views.link_requests, name="link_requests"),
    path("organization-requests/<int:pk>/approve/", views.link_request_approve, name="link_request_approve"),
    path("organization-requests/<int:pk>/refuse/", views.link_request_refuse, name="link_request_refuse"),
]
