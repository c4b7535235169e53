"""ASGI entry point: Django, with the lean public certificate lookup in front (registry.fast_lookup)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certhub.settings")
django_application = get_asgi_application()

from certhub.registry.fast_lookup import FastCertificateLookup  # noqa: E402 - needs Django set up

application = FastCertificateLookup(django_application)
