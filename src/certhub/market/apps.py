from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    """CCC market control (C7): may this product be sold? Self-declarations, market checks of listings,
    labels and samples, forged numbers, campaigns."""

    name = "certhub.market"
    label = "market"
    verbose_name = _("CCC市场监管")

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.core import permissions
        from certhub.market.permissions import RULES

        permissions.register(self.label, RULES)
