from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "certhub.portal"
    label = "portal"
    verbose_name = _("公共服务门户")
