"""The portal's URLs: the home page, the certificate search, sign-in and the back office's landing page. The
registry's pages are in registry/urls.py, the trace pages in trace/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path

from certhub.accounts.signin.views import SignInView
from certhub.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("certificates/", views.search, name="search"),
    # The password step of signing in (accounts.signin: throttled, then the second factor).
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("office/", views.office_home, name="office_home"),
]
