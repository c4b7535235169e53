from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "certhub.exchange"
    label = "exchange"
    verbose_name = _("数据报送")
    default_auto_field = "django.db.models.BigAutoField"
