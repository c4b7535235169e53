from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    """Integrity archives and accountability (C9, 诚信档案): the archive of every body, lab, organization and
    person assembled from the records behind it, credit repair, the public disclosure lists and the joint
    punishment query (联合惩戒) other departments ask."""

    name = "certhub.integrity"
    label = "integrity"
    verbose_name = _("诚信档案")

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from certhub.core import permissions
        from certhub.integrity.disclosure import OPEN_DATA
        from certhub.integrity.permissions import RULES
        from certhub.opendata.queries import register_dataset

        permissions.register(self.label, RULES)
        # The disclosure list is published in the open data too (C3), through opendata's registration hook.
        register_dataset(OPEN_DATA)
