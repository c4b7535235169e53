from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Who may sign in and how (C14): sign-in with a second factor, sessions, passwords (accounts.signin),
    and the administration of users and API keys as actions (accounts.users)."""

    name = "certhub.accounts"
    label = "accounts"
    verbose_name = _("账号与登录")

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.accounts.permissions import RULES
        from certhub.accounts.signin import events  # noqa: F401  (connects the sign-in history to the signals)
        from certhub.core import permissions

        permissions.register(self.label, RULES)
