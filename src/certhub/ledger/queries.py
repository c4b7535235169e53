"""Reading the ledger: entries by range and by subject (certificate pages, seals, trace)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from certhub.ledger.models import Checkpoint, Entry

MAX_RANGE = 1000  # entries per request of GET /api/v1/ledger/entries


@dataclass(frozen=True)
class PublishedEntry:
    index: int
    leaf_hash: bytes
    entry: str

    @property
    def document(self) -> dict[str, Any]:
        return orjson.loads(self.entry)

    @property
    def time_text(self) -> str:
        """The entry's time (UTC) to the second, for pages."""
        return str(self.document.get("time", ""))[:19].replace("T", " ")


def entries_between(start: int, end: int) -> list[PublishedEntry]:
    """Entries start ≤ index < end (the caller has checked the range)."""
    rows = Entry.objects.filter(index__gte=start, index__lt=end).order_by("index")
    return [PublishedEntry(i, bytes(h), e) for i, h, e in rows.values_list("index", "leaf_hash", "entry")]


def entries_of(subject_type: str, subject_id: str) -> list[PublishedEntry]:
    """Every entry about one subject (its model's label_lower and primary key), oldest first."""
    rows = Entry.objects.filter(audit__subject_type=subject_type, audit__subject_id=str(subject_id)).order_by("index")
    return [PublishedEntry(i, bytes(h), e) for i, h, e in rows.values_list("index", "leaf_hash", "entry")]


def latest_index(subject_type: str, subject_id: str) -> int | None:
    """The index of the newest entry about the subject: the one recording its present state."""
    return (
        Entry.objects.filter(audit__subject_type=subject_type, audit__subject_id=str(subject_id))
        .order_by("-index")
        .values_list("index", flat=True)
        .first()
    )


def indexes_of(subject_type: str, subject_id: str) -> list[int]:
    return list(
        Entry.objects.filter(audit__subject_type=subject_type, audit__subject_id=str(subject_id))
        .order_by("index")
        .values_list("index", flat=True)
    )


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()
