"""Absolute links from the site's configured address (C14, docs/security.md): the links CertHub writes into
API answers, PDFs and e-mails start with settings.CERTHUB_SITE_URL, never with the Host header of the
request that asked — a forged Host would otherwise put an attacker's address on a printed certificate."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (from reverse() or an API path, with its query string) on the site's own address."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url takes a path from the site's root, not {path!r}")
    return settings.CERTHUB_SITE_URL + path
