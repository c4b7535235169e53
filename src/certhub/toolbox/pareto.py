"""Pareto analysis (C12): which few causes account for most of the defects (Juran's "vital few and useful
many"). Categories are sorted by count, largest first — ties keep the order in which they first appear,
as R's qcc `pareto.chart` does (R's `order` is stable) — each with its share of the total and the
cumulative share. The vital few are the categories up to and including the first whose cumulative share
reaches `vital_share` (80 % by default, the 80/20 rule)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from certhub.toolbox.errors import InputError


@dataclass(frozen=True)
class ParetoRow:
    category: str
    count: float
    share: float  # 0–1 of the total
    cumulative: float  # 0–1, this row included
    vital: bool


@dataclass(frozen=True)
class Pareto:
    rows: tuple[ParetoRow, ...]
    total: float
    vital_share: float = 0.8

    def to_json(self) -> dict[str, object]:
        return {
            "total": _round(self.total),
            "vital_share": self.vital_share,
            "rows": [
                {
                    "category": row.category,
                    "count": _round(row.count),
                    "share": _round(row.share),
                    "cumulative": _round(row.cumulative),
                    "vital": row.vital,
                }
                for row in self.rows
            ],
        }


def _round(value: float) -> float:
    return float(f"{value:.12g}")


def pareto(categories: Sequence[str], counts: Sequence[float] | None = None, *, vital_share: float = 0.8) -> Pareto:
    """Counts per category: `counts[i]` belongs to `categories[i]` (repeated categories are added up); without
    `counts` each occurrence of a category counts once (a list of defects as recorded). `row` in an error is
    the spreadsheet row (the header is row 1)."""
    if not 0 < vital_share <= 1:
        raise InputError("vital_share", _("关键少数的累计比例必须在 0 和 1 之间"))
    labels = [str(category).strip() for category in categories]
    if not labels:
        raise InputError("categories", _("没有数据"))
    for index, label in enumerate(labels):
        if not label:
            raise InputError("categories", _("类别为空"), row=index + 2)
    if counts is None:
        amounts = [1.0] * len(labels)
    else:
        if len(counts) != len(labels):
            raise InputError("counts", _("数量与类别的个数不同"))
        amounts = []
        for index, count in enumerate(counts):
            value = float(count)
            if not math.isfinite(value):
                raise InputError("counts", _("数量必须是有限的数"), row=index + 2)
            if value < 0:
                raise InputError("counts", _("数量不能为负数（%(value)s）") % {"value": f"{value:g}"}, row=index + 2)
            amounts.append(value)
    totals: dict[str, float] = {}
    for label, amount in zip(labels, amounts, strict=True):
        totals[label] = totals.get(label, 0.0) + amount
    total = math.fsum(totals.values())
    if total <= 0:
        raise InputError("counts", _("数量合计为 0，无法做排列图"))
    ordered = sorted(totals.items(), key=lambda item: -item[1])  # sorted() is stable: ties keep first appearance
    rows: list[ParetoRow] = []
    running = 0.0
    before = 0.0
    for label, count in ordered:
        running += count
        cumulative = running / total
        # the row that carries the cumulative share across the threshold is itself vital
        rows.append(ParetoRow(label, count, count / total, cumulative, before < vital_share - 1e-12))
        before = cumulative
    return Pareto(rows=tuple(rows), total=total, vital_share=vital_share)
