from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "certhub.risk"
    label = "risk"
    verbose_name = _("风险分类")
    default_auto_field = "django.db.models.BigAutoField"
