from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "certhub.ledger"
    label = "ledger"
    verbose_name = _("透明账本")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.core import permissions
        from certhub.core.audit import take_ledger_queue
        from certhub.core.regulated import ACTION_ABORT_HOOKS, ACTION_END_HOOKS
        from certhub.ledger.log import append_queued
        from certhub.ledger.permissions import RULES

        permissions.register(self.label, RULES)
        # Every action's audit rows become ledger entries in the action's own transaction (C4).
        if append_queued not in ACTION_END_HOOKS:
            ACTION_END_HOOKS.append(append_queued)
            ACTION_ABORT_HOOKS.append(take_ledger_queue)
