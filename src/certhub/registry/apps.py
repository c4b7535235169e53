from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "certhub.registry"
    label = "registry"
    verbose_name = _("登记库")

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.core import permissions
        from certhub.registry import subjects
        from certhub.registry.permissions import RULES

        permissions.register(self.label, RULES)
        # Ledger entries name certificates, organizations, bodies and labs by their public keys (C4).
        subjects.register()
