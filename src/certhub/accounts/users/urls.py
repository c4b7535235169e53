"""User and API key administration, each change an action (C14): /account/users/…"""

from django.urls import URLPattern, path

from certhub.accounts.users import views

urlpatterns: list[URLPattern] = [
    path("users/", views.user_list, name="users_list"),
    path("users/new/", views.user_create, name="users_create"),
    path("users/<int:pk>/", views.user_detail, name="users_detail"),
    path("users/<int:pk>/change/", views.user_change, name="users_change"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="users_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="users_reactivate"),
    path("users/<int:pk>/inspector/", views.user_link_inspector, name="users_link_inspector"),
    path("users/<int:pk>/second-factors/reset/", views.user_reset_second_factors, name="users_reset_factors"),
    path("users/organizations/<str:uscc>/keys/", views.organization_keys, name="users_keys"),
    path("users/organizations/<str:uscc>/keys/new/", views.organization_key_issue, name="users_key_issue"),
    path(
        "users/organizations/<str:uscc>/keys/<int:pk>/rotate/",
        views.organization_key_rotate,
        name="users_key_rotate",
    ),
    path(
        "users/organizations/<str:uscc>/keys/<int:pk>/revoke/",
        views.organization_key_revoke,
        name="users_key_revoke",
    ),
    path("users/set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="users_set_password"),
]
