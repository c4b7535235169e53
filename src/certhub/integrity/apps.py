from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    """Integrity archives and accountability (C9, 诚信档案): the archive of every body, lab, organization and
    person assembled from the records behind it, credit repair, the public disclosure lists and the joint
    punishment query (联合惩戒) other departments ask."""

    name = "certhub.integrity"
    label = "integrity"
    verbose_name = _("诚信档案")
