"""Template filters every app's pages share (`{% load portal %}`): status tones and localized names."""

from typing import Any

from django import template

from certhub.core.choices import RegionLevel
from certhub.core.display import localized_name
from certhub.registry.display import status_tone

register = template.Library()


@register.filter
def tone(value: str) -> str:
    """The CSS tone (valid, suspended, revoked, ended, draft) of a registry status value."""
    return status_tone(value)


@register.filter
def localized(instance: Any) -> str:
    """A region's or scheme's name in the page's language."""
    return localized_name(instance)


@register.filter
def region_full(region: Any) -> str:
    """A county with its prefecture (衡阳市 珠晖区), so that a county name alone is not ambiguous."""
    if region.level == RegionLevel.COUNTY and region.parent_id:
        return f"{localized_name(region.parent)} {localized_name(region)}"
    return localized_name(region)
