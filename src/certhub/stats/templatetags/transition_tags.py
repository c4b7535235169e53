"""{% transition_section region %}: the standard-revision section of the statistics page (C11, issue 18 §5),
computed for the region the page shows."""

from __future__ import annotations

from django import template

from certhub.core.models import Region
from certhub.stats.transition_views import section_context

register = template.Library()


@register.inclusion_tag("stats/_transitions.html")
def transition_section(region: Region) -> dict[str, object]:
    return section_context(region)
