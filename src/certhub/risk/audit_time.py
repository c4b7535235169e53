"""The accredited minimum of a QMS initial audit (C6: certification bodies whose audit time is
below it — certificate mills, 认证乱象). The table is data (risk/data/iaf_md5_qms.json), with its source:
IAF MD 5, Table QMS 1, auditor days (stage 1 + stage 2) by effective number of personnel; a body may
reduce it by at most 30%."""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

TABLE_FILE = Path(__file__).parent / "data" / "iaf_md5_qms.json"


@dataclass(frozen=True)
class AuditTimeTable:
    source: str
    max_reduction: Decimal
    rows: tuple[tuple[int, int, Decimal], ...]

    def days(self, personnel: int) -> Decimal | None:
        """The table's audit days for this many effective personnel; None beyond the table (IAF MD 5 then
        asks for the progression to be followed, which a reviewer decides)."""
        if personnel < 1:
            raise ValueError(f"effective personnel must be at least 1, not {personnel}")
        for low, high, days in self.rows:
            if low <= personnel <= high:
                return days
        return None

    def minimum(self, personnel: int) -> Decimal | None:
        """The fewest days a body may plan: the table's days less the largest reduction allowed."""
        days = self.days(personnel)
        return None if days is None else (days * (1 - self.max_reduction)).quantize(Decimal("0.01"))

    def shortfall(self, personnel: int, audited_days: Decimal) -> Decimal | None:
        """How many days below the minimum an initial audit was (None when it was not below, or the table
        does not reach this many personnel)."""
        least = self.minimum(personnel)
        if least is None or audited_days >= least:
            return None
        return least - audited_days


@functools.cache
def qms_table() -> AuditTimeTable:
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    rows = tuple((int(low), int(high), Decimal(days)) for low, high, days in data["rows"])
    for (_l1, high, _d1), (low, _h2, _d2) in itertools.pairwise(rows):
        if low != high + 1:  # the bands must tile 1 … 10,700 with no gap or overlap
            raise ValueError(f"{TABLE_FILE.name}: band starting at {low} does not follow {high}")
    return AuditTimeTable(data["source"], Decimal(data["max_reduction"]), rows)
