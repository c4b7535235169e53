from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceConfig(AppConfig):
    name = "certhub.trace"
    label = "trace"
    verbose_name = _("追溯")
