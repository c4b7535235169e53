"""Standard-revision transitions (C11, issue 18 §5): when a management-system standard is revised, every
certificate on the old edition must move to the new one before the transition ends, or be withdrawn. The
editions, the transition ends and their sources are data (stats/data/editions.json). For a region this module
gives, per transition, the share of active certificates of the scheme on the new edition (in the region and
in each child region), and the holders still on the old edition ordered by the days left.

A certificate's edition is read from its `standards` text ("GB/T 19001-2016/ISO 9001:2015"): it is on the new
edition when the text names one of the new edition's aliases, on the old one when it names an old alias and no
new one, otherwise "not stated". The matching is done by the database (upper case, spaces removed, LIKE), one
GROUP BY per transition over the certificates of the region, never a loop over certificates in Python
(docs/architecture.md convention 18: statistics are set-based); child regions are rolled up from the groups."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper
from django.utils.translation import get_language

from certhub.core.display import localized_name
from certhub.core.models import Region
from certhub.registry.choices import CertificateStatus
from certhub.registry.models import Certificate
from certhub.stats import aggregate
from certhub.stats.queries import children_of, percent

DATA = Path(__file__).with_name("data") / "editions.json"


def _normal(text: str) -> str:
    """An alias as the database compares it: upper case, no spaces."""
    return "".join(text.upper().split())


@dataclass(frozen=True)
class Edition:
    edition: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Transition:
    id: str
    scheme: str
    standard: str
    name: str
    name_en: str
    old: Edition
    new: Edition
    published: datetime.date
    transition_end: datetime.date
    status: str  # "confirmed" or "planned"
    source: str

    @property
    def title(self) -> str:
        name = self.name_en if (get_language() or "").startswith("en") else self.name
        return f"{name}（{self.old.edition} → {self.new.edition}）"

    @property
    def planned(self) -> bool:
        return self.status == "planned"

    def days_left(self, today: datetime.date) -> int:
        return (self.transition_end - today).days

    def _names(self, edition: Edition) -> Q:
        query = Q()
        for alias in edition.aliases:
            query |= Q(normal_standards__contains=_normal(alias))
        return query

    @property
    def on_new(self) -> Q:
        return self._names(self.new)

    @property
    def on_old(self) -> Q:
        return self._names(self.old) & ~self._names(self.new)


@cache
def transitions() -> tuple[Transition, ...]:
    """Every transition of stats/data/editions.json, the latest deadline first (the open ones lead)."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))["transitions"]
    found = [
        Transition(
            id=row["id"],
            scheme=row["scheme"],
            standard=row["standard"],
            name=row["name"],
            name_en=row["name_en"],
            old=Edition(row["old"]["edition"], tuple(row["old"]["aliases"])),
            new=Edition(row["new"]["edition"], tuple(row["new"]["aliases"])),
            published=datetime.date.fromisoformat(row["published"]),
            transition_end=datetime.date.fromisoformat(row["transition_end"]),
            status=row["status"],
            source=row["source"],
        )
        for row in rows
    ]
    return tuple(sorted(found, key=lambda t: t.transition_end, reverse=True))


def transition(transition_id: str) -> Transition | None:
    return next((t for t in transitions() if t.id == transition_id), None)


def edition_of(standards: str, item: Transition) -> str:
    """ "new", "old" or "" for one certificate's `standards` text: the rule the SQL applies, for one value
    (forms and tests; never called per certificate of a region)."""
    text = _normal(standards)
    if any(_normal(alias) in text for alias in item.new.aliases):
        return "new"
    if any(_normal(alias) in text for alias in item.old.aliases):
        return "old"
    return ""


def active_certificates(item: Transition, region: Region, today: datetime.date) -> QuerySet[Certificate]:
    """The certificates of the transition's scheme that are ACTIVE and within their dates on `today`, in
    `region` (the index range on region_code, as the registry's region filters), with the normalised text."""
    prefix = region.prefix
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return (
        Certificate.objects.filter(
            scheme__code=item.scheme,
            status=CertificateStatus.ACTIVE,
            issue_date__lte=today,
            expiry_date__gte=today,
            region_code__gte=prefix,
            region_code__lt=upper,
        )
        .annotate(normal_standards=Replace(Upper("standards"), Value(" "), Value("")))
        .order_by()
    )


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


def shares(region: Region, *, today: datetime.date | None = None) -> list[TransitionShares]:
    """Per transition: the region's share on the new edition and each child region's; one GROUP BY per
    transition (a constant number of queries, whatever the number of certificates)."""
    today = today or datetime.date.today()
    children = children_of(region)
    parents = aggregate.region_parents()
    answer = []
    for item in transitions():
        rows = (
            active_certificates(item, region, today)
            .values("region_code")
            .annotate(total=Count("id"), new=Count("id", filter=item.on_new), old=Count("id", filter=item.on_old))
        )
        groups: aggregate.Groups = {}
        for row in rows:
            groups[(row["region_code"], "new")] = (row["new"], row["total"])
            groups[(row["region_code"], "old")] = (row["old"], None)
        rolled = aggregate.roll_up(groups, parents)

        def share(place: Region, rolled: aggregate.Groups = rolled) -> Share:
            new, total = rolled.get((place.code, "new"), (0, 0))
            old, _none = rolled.get((place.code, "old"), (0, None))
            return Share(place, new, old, total or 0)

        answer.append(
            TransitionShares(item, share(region), tuple(share(child) for child in children), item.days_left(today))
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
            active_certificates(item, region, today)
            .filter(item.on_old)
            .order_by("expiry_date", "number", "id")
            .values_list(*HOLDER_FIELDS)
        )
        if limit is not None:
            rows = rows[:limit]
        for pk, number, holder_name, body, region_code, expiry, standards in rows.iterator(chunk_size=2000):
            yield Holder(item, pk, number, holder_name, body, region_code, expiry, standards, item.days_left(today))
