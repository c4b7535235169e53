"""Standard-revision transitions on the statistics pages (C11, issue 18 §5): per transition, the share of active
certificates of the scheme on the new edition in a region and in each child region — read from the daily
figures (stats.Figure, Metric.TRANSITIONS, computed by stats.aggregate with stats.editions), never from the
registry, as the rest of the dashboard (docs/architecture.md convention 19) — and the holders still on the
old edition, nearest deadline first, for the officer's list and its CSV (a search of the registry, by the
certificates' region-code index range)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from certhub.core.display import localized_name
from certhub.core.models import Region
from certhub.stats.choices import Metric
from certhub.stats.editions import Transition, active_certificates, transition, transitions
from certhub.stats.models import ComputedMetric, Figure
from certhub.stats.queries import children_of, latest_day, percent

__all__ = ["Holder", "Share", "Transition", "TransitionShares", "old_holders", "shares", "transition", "transitions"]


@dataclass(frozen=True)
class Share:
    """One region's certificates of one transition: on the new edition, on the old one, and in all."""

    region: Region
    new: int
    old: int
    total: int

    @property
    def name(self) -> str:
        return localized_name(self.region)

    @property
    def rate(self) -> Decimal | None:
        """The share on the new edition, per cent to one decimal."""
        return percent(self.new, self.total)

    @property
    def unstated(self) -> int:
        return self.total - self.new - self.old


@dataclass(frozen=True)
class TransitionShares:
    transition: Transition
    own: Share
    children: tuple[Share, ...]
    days_left: int
    day: datetime.date


def shares(region: Region, *, day: datetime.date | None = None) -> list[TransitionShares]:
    """Per transition: the region's share on the new edition and each child region's, from the figures of
    `day` (default: the newest complete day; none before the first run). Days left count from that day."""
    day = day or latest_day()
    # A day computed before the transitions metric existed (stats.aggregate.LATER) has no figures for it:
    # say "no figures yet" rather than show every region at 0 of 0.
    if day is None or not ComputedMetric.objects.filter(day=day, metric=Metric.TRANSITIONS).exists():
        return []
    children = children_of(region)
    codes = [region.code, *(child.code for child in children)]
    stored = {
        (code, key): (numerator, denominator)
        for code, key, numerator, denominator in Figure.objects.filter(
            day=day, metric=Metric.TRANSITIONS, region_code__in=codes
        ).values_list("region_code", "key", "numerator", "denominator")
    }
    answer = []
    for item in transitions():

        def share(place: Region, item: Transition = item) -> Share:
            new, total = stored.get((place.code, f"{item.id}:new"), (0, 0))
            old, _none = stored.get((place.code, f"{item.id}:old"), (0, None))
            return Share(place, new, old, total or 0)

        answer.append(
            TransitionShares(item, share(region), tuple(share(child) for child in children), item.days_left(day), day)
        )
    return answer


@dataclass(frozen=True)
class Holder:
    """A certificate still on the old edition of a transition."""

    transition: Transition
    certificate_id: int
    number: str
    holder_name: str
    body: str
    region_code: str
    expiry_date: datetime.date
    standards: str
    days_left: int

    @property
    def expires_first(self) -> bool:
        """The certificate ends before the transition does: it may simply not be renewed."""
        return self.expiry_date < self.transition.transition_end


HOLDER_FIELDS = ("id", "number", "holder_name", "certification_body__name", "region_code", "expiry_date", "standards")


def old_holders(
    region: Region, *, transition_id: str | None = None, today: datetime.date | None = None, limit: int | None = None
) -> Iterator[Holder]:
    """The certificates in `region` still on an old edition, the nearest (or most overdue) deadline first,
    then by expiry and number; streamed from the database in chunks (the CSV may hold many)."""
    today = today or datetime.date.today()
    chosen = [t for t in transitions() if transition_id in (None, "", t.id)]
    for item in sorted(chosen, key=lambda t: t.transition_end):
        rows = (
            active_certificates(item, region.prefix, today)
            .filter(item.on_old)
            .order_by("expiry_date", "number", "id")
            .values_list(*HOLDER_FIELDS)
        )
        if limit is not None:
            rows = rows[:limit]
        for pk, number, holder_name, body, region_code, expiry, standards in rows.iterator(chunk_size=2000):
            yield Holder(item, pk, number, holder_name, body, region_code, expiry, standards, item.days_left(today))
