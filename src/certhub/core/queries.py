"""Reads of core's own records that pages of several apps need: the regions a region filter offers."""

from __future__ import annotations

from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel, Role
from certhub.core.models import Region


def region_choices(actor: Actor) -> list[Region]:
    """The regions one level below the actor's own, for a region filter: prefectures for the province
    (and for administrators and the public), counties for a prefecture officer."""
    if actor.role == Role.OFFICER and actor.region_level == RegionLevel.PREFECTURE:
        return list(Region.objects.filter(parent_id=actor.region_code).order_by("code"))
    if actor.role == Role.OFFICER and actor.region_level == RegionLevel.COUNTY:
        return list(Region.objects.filter(code=actor.region_code))
    return list(Region.objects.filter(level=RegionLevel.PREFECTURE).order_by("code"))


def region_of(actor: Actor) -> Region | None:
    return Region.objects.filter(code=actor.region_code).first() if actor.region_code else None
