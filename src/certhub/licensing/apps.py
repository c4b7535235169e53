from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    """One-stop licensing (C8, 一网通办): licence types and their procedures as data, applications with their
    statutory working-day clocks, parallel departmental opinions, the 告知承诺 track, and decisions that write
    the registry."""

    name = "certhub.licensing"
    label = "licensing"
    verbose_name = _("行政许可")

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.core import permissions
        from certhub.ledger import subjects
        from certhub.licensing.licences import current_seal_record
        from certhub.licensing.permissions import RULES
        from certhub.seal.licences import register_licence_lookup

        permissions.register(self.label, RULES)
        # Ledger entries name applications and licences by their numbers (C4).
        subjects.register("licensing.application", subjects.column("licensing_application", "number"))
        subjects.register("licensing.licence", subjects.column("licensing_licence", "number"))
        # The seal's verify page and API show a sealed licence's status now (C8, C3).
        register_licence_lookup(current_seal_record)
