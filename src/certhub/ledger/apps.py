from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "certhub.ledger"
    label = "ledger"
    verbose_name = _("透明账本")
    default_auto_field = "django.db.models.BigAutoField"
