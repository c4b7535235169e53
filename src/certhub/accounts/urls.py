"""Account pages: signing in and looking after one's own account (accounts.signin), and administering
users and API keys (accounts.users), and enterprise sign-up with organization links (accounts.signup)."""

from certhub.accounts.signin.urls import urlpatterns as signin_urlpatterns
from certhub.accounts.signup.urls import urlpatterns as signup_urlpatterns
from certhub.accounts.users.urls import urlpatterns as users_urlpatterns

app_name = "accounts"
urlpatterns = signin_urlpatterns + users_urlpatterns + signup_urlpatterns
