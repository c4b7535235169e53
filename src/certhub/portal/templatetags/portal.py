"""Template filters of the portal: status tones and localized names."""

from typing import Any

from django import template

from certhub.core.choices import RegionLevel
from certhub.portal import display

register = template.Library()


@register.filter
def tone(value: str) -> str:
    """The CSS tone (valid, suspended, revoked, ended, draft) of a registry status value."""
    return display.status_tone(value)


@register.filter
def localized(instance: Any) -> str:
    """A region's or scheme's name in the page's language."""
    return display.localized_name(instance)


@register.filter
def region_full(region: Any) -> str:
    """A county with its prefecture (衡阳市 珠晖区), so that a county name alone is not ambiguous."""
    if region.level == RegionLevel.COUNTY and region.parent_id:
        return f"{display.localized_name(region.parent)} {display.localized_name(region)}"
    return display.localized_name(region)
