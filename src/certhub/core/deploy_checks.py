"""`certhub check --deploy` speaks for CertHub's own secrets too (C14, docs/security.md): Django cannot know
that the development fallback secret is public, so a deployment check says so. CERTHUB_ENV=production
refuses to start with it (certhub.settings); this names it for an installation still in development."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def demo_secret_in_use(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "DEMO_SECRET_KEY", None) != settings.SECRET_KEY:
        return []
    return [
        checks.Warning(
            "SECRET_KEY is the public demo secret (CERTHUB_SECRET_KEY is not set).",
            hint="Set CERTHUB_SECRET_KEY and CERTHUB_ENV=production; see docs/security.md.",
            id="certhub.W001",
        )
    ]
