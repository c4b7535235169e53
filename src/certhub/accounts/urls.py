"""Account pages: signing in and looking after one's own account (accounts.signin), and administering
users and API keys (accounts.users)."""

from certhub.accounts.signin.urls import urlpatterns as signin_urlpatterns
from certhub.accounts.users.urls import urlpatterns as users_urlpatterns

app_name = "accounts"
urlpatterns = signin_urlpatterns + users_urlpatterns
