"""How long each kind of archive entry is public (C9, C3), read from data/publicity.json where every period
stands beside its legal source; and the test of whether an entry may be repaired (信用修复)."""

from __future__ import annotations

import datetime
import json
from functools import cache
from pathlib import Path
from typing import Any

from certhub.registry.dates import add_months

DATA = Path(__file__).parent / "data" / "publicity.json"


@cache
def rules() -> dict[str, Any]:
    """The publicity rules, loaded once."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def rule(kind: str) -> dict[str, Any]:
    return rules()["kinds"][kind]


def window(
    kind: str, start: datetime.date, *, ends: datetime.date | None = None
) -> tuple[datetime.date | None, datetime.date | None]:
    """(public_from, public_until) of an entry of `kind` dated `start`: public_from None for an entry kept for
    officers only; public_until None while the measure lasts without an end. CertHub publishes an entry on
    its own date (the rule's limit in working days is the latest allowed, never a delay). For a measure
    with an end (a ban, a suspension lifted), publicity ends with it."""
    entry_rule = rule(kind)
    if not entry_rule["public"]:
        return None, None
    months = entry_rule["public_for_months"]
    if months is None:
        return start, ends
    until = add_months(start, int(months))
    return start, min(until, ends) if ends else until


def repair_after(kind: str, public_from: datetime.date) -> datetime.date | None:
    """The first day credit repair may end an entry's publicity, or None when the kind cannot be repaired."""
    months = rule(kind)["repair_after_months"]
    return None if months is None else add_months(public_from, int(months))


def source_of(kind: str) -> str:
    """The legal source of a kind's publicity period, as the archive page shows it."""
    return str(rule(kind)["source"])
