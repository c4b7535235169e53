from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "certhub.opendata"
    label = "opendata"
    verbose_name = _("开放数据")

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.core import permissions
        from certhub.opendata.permissions import RULES

        permissions.register(self.label, RULES)
