from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "certhub.cases"
    label = "cases"
    verbose_name = _("快速处置")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.cases.permissions import RULES
        from certhub.core import permissions

        permissions.register(self.label, RULES)
