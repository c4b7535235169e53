"""Presentation helpers every app's pages share."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def localized_name(instance: Any) -> str:
    """A region's or scheme's English name when the page is in English and one is recorded."""
    name_en = getattr(instance, "name_en", "")
    if name_en and (get_language() or "").startswith("en"):
        return str(name_en)
    return str(instance.name)
