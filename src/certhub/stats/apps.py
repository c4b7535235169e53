from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "certhub.stats"
    label = "stats"
    verbose_name = _("统计分析")
    default_auto_field = "django.db.models.BigAutoField"
