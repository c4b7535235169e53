from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "certhub.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        # lazy: models may be imported only once the app registry is ready (Django's AppConfig.ready()).
        from django.db.backends.signals import connection_created
        from django.urls import register_converter

        from certhub.core import deploy_checks, files, permissions
        from certhub.core.identifiers import IdentifierConverter

        # Before any URLconf is imported: <identifier:number> routes (core/identifiers.py).
        register_converter(IdentifierConverter, "identifier")
        # A SQLite database file is private when opened (core/files.py).
        connection_created.connect(files.on_connection_created, dispatch_uid="certhub-private-sqlite")

        permissions.register(self.label, permissions.CORE_RULES)
        checks.register(permissions.check_rules)
        checks.register(deploy_checks.demo_secret_in_use, checks.Tags.security, deploy=True)
