"""Template filters of the toolbox pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """`mapping[key]`, or "" when there is none (a form's values or errors by parameter name)."""
    if not mapping:
        return ""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def at(sequence: Any, index: int) -> Any:
    """`sequence[index]`, or "" past its end (a table's header for a cell, as the phone layout labels it)."""
    try:
        return sequence[index]
    except (IndexError, TypeError):
        return ""
