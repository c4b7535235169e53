from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Social supervision (C10, 社会监督): complaints and tip-offs from the public with a tracking number,
    triage to the department of the subject's region, statutory working-day periods, outcomes that feed the
    integrity archive and the risk scores."""

    name = "certhub.complaints"
    label = "complaints"
    verbose_name = _("投诉举报")

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.complaints.permissions import RULES
        from certhub.core import permissions

        permissions.register(self.label, RULES)
        # No ledger describer: the public ledger must not name tracking numbers, or it would tell whether a
        # number exists (the tracking page never does).
