from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "certhub.inspections"
    label = "inspections"
    verbose_name = _("双随机抽查")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.core import permissions
        from certhub.inspections.permissions import RULES

        permissions.register(self.label, RULES)
