"""Standard-revision transitions as data (C11, issue 18 §5): the editions of each management-system standard, the
end of the transition and its source (stats/data/editions.json), how a certificate's `standards` text names an
edition, and the daily figures the dashboard reads (stats.aggregate, Metric.TRANSITIONS).

A certificate's edition is read from its `standards` text ("GB/T 19001-2016/ISO 9001:2015"): it is on the new
edition when the text names one of the new edition's aliases, on the old one when it names an old alias and no
new one, otherwise "not stated". The database does the matching (upper case, spaces removed, LIKE): one GROUP BY
per transition over the certificates, never a loop over certificates in Python (docs/architecture.md
convention 18: statistics are set-based)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper
from django.utils.translation import get_language

from certhub.registry.choices import CertificateStatus
from certhub.registry.models import Certificate

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


def active_certificates(item: Transition, prefix: str | None, day: datetime.date) -> QuerySet[Certificate]:
    """The certificates of the transition's scheme that are ACTIVE and within their dates on `day`, in the
    region of `prefix` (the index range on region_code, as the registry's region filters; all without one),
    with the normalised text the aliases are matched against."""
    rows = Certificate.objects.filter(
        scheme__code=item.scheme, status=CertificateStatus.ACTIVE, issue_date__lte=day, expiry_date__gte=day
    )
    if prefix:
        rows = rows.filter(region_code__gte=prefix, region_code__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return rows.annotate(normal_standards=Replace(Upper("standards"), Value(" "), Value(""))).order_by()


def figures(day: datetime.date, prefix: str | None = None) -> dict[tuple[str, str], tuple[int, int | None]]:
    """The daily groups of Metric.TRANSITIONS by the certificates' region code: key "<id>:new" → (on the new
    edition, active certificates of the scheme), "<id>:old" → (on the old edition, None). One GROUP BY per
    transition; stats.aggregate rolls the groups up the region tree."""
    groups: dict[tuple[str, str], tuple[int, int | None]] = {}
    for item in transitions():
        rows = (
            active_certificates(item, prefix, day)
            .values("region_code")
            .annotate(total=Count("id"), new=Count("id", filter=item.on_new), old=Count("id", filter=item.on_old))
        )
        for row in rows:
            groups[(row["region_code"], f"{item.id}:new")] = (row["new"], row["total"])
            groups[(row["region_code"], f"{item.id}:old")] = (row["old"], None)
    return groups
