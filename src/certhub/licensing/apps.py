from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    """One-stop licensing (C8, 一网通办): licence types and their procedures as data, applications with their
    statutory working-day clocks, parallel departmental opinions, the 告知承诺 track, and decisions that write
    the registry."""

    name = "certhub.licensing"
    label = "licensing"
    verbose_name = _("行政许可")
