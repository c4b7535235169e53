"""Small helpers shared by the `certhub` commands."""

from __future__ import annotations

import datetime

from django.core.management.base import CommandError


def date_option(value: str, option: str) -> datetime.date:
    """A command line's date (YYYY-MM-DD), or exit 2 naming the option."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: expected a date as YYYY-MM-DD, got {value!r}", returncode=2) from None
