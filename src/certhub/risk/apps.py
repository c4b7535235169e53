from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "certhub.risk"
    label = "risk"
    verbose_name = _("风险分类")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.core import permissions
        from certhub.risk.permissions import RULES

        permissions.register(self.label, RULES)
