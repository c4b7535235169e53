"""WSGI entry point (used by Django's test server and by WSGI hosts)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certhub.settings")
application = get_wsgi_application()
