from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "certhub.cases"
    label = "cases"
    verbose_name = _("快速处置")
    default_auto_field = "django.db.models.BigAutoField"
