"""Quality cost (C12), in the prevention–appraisal–failure model (Feigenbaum 1956; GB/T 13339-1991 质量成本管理
导则 uses the same four kinds: 预防成本, 鉴定成本, 内部损失成本, 外部损失成本): per period, each kind's amount, the
total, and — when sales are given — each as a share of sales. The trend of each kind is the least-squares
slope of its share of sales over the periods (periods numbered 0, 1, 2… in the order given), in share per
period: 0.001 means the share rises by 0.1 percentage point a period. A slope uses every period, so one
unusual month moves it less than a first-to-last difference would."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from certhub.toolbox.errors import InputError
from certhub.toolbox.tables import Table, labels, number

COST_KINDS = ("prevention", "appraisal", "internal_failure", "external_failure")


@dataclass(frozen=True)
class CostPeriod:
    period: str
    costs: dict[str, float]
    total: float
    sales: float | None
    share_of_sales: dict[str, float | None]
    total_share: float | None

    def failure_share(self) -> float | None:
        """Failure (internal + external) as a share of the total quality cost: where the money goes."""
        if self.total <= 0:
            return None
        return (self.costs["internal_failure"] + self.costs["external_failure"]) / self.total


@dataclass(frozen=True)
class QualityCost:
    periods: tuple[CostPeriod, ...]
    trend: dict[str, float | None]  # COST_KINDS and "total": slope of the share of sales per period

    def to_json(self) -> dict[str, object]:
        return {
            "periods": [
                {
                    "period": p.period,
                    "costs": {kind: _round(p.costs[kind]) for kind in COST_KINDS},
                    "total": _round(p.total),
                    "sales": None if p.sales is None else _round(p.sales),
                    "share_of_sales": {kind: _maybe(share) for kind, share in p.share_of_sales.items()},
                    "total_share": _maybe(p.total_share),
                    "failure_share": _maybe(p.failure_share()),
                }
                for p in self.periods
            ],
            "trend": {kind: _maybe(slope) for kind, slope in self.trend.items()},
            "trend_method": "least-squares slope of the share of sales per period",
        }


def _round(value: float) -> float:
    return float(f"{value:.12g}")


def _maybe(value: float | None) -> float | None:
    return None if value is None else _round(value)


def _amount(value: object, field: str, row: int, *, blank_ok: bool = False) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if blank_ok:
            return None
        raise InputError(field, _("金额为空"), row=row, column=field)
    if isinstance(value, bool):
        raise InputError(field, _("不是金额"), row=row, column=field)
    if isinstance(value, int | float):
        amount = float(value)
    else:
        try:
            amount = number(str(value))
        except ValueError:
            raise InputError(
                field, _("“%(cell)s”不是金额") % {"cell": str(value)[:40]}, row=row, column=field
            ) from None
    if not math.isfinite(amount):
        raise InputError(field, _("金额必须是有限的数"), row=row, column=field)
    return amount


def quality_cost(rows: Sequence[Mapping[str, object]]) -> QualityCost:
    """`rows`: one mapping per period with "period", the four COST_KINDS and optionally "sales" (numbers, or
    numbers as written). A negative amount, sales of zero or less, a blank or repeated period is refused with
    its row (the header being row 1)."""
    if not rows:
        raise InputError("period", _("没有数据"))
    periods: list[CostPeriod] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        line = index + 2
        period = str(row.get("period") or "").strip()
        if not period:
            raise InputError("period", _("期间为空"), row=line, column="period")
        if period in seen:
            raise InputError("period", _("期间“%(period)s”重复") % {"period": period}, row=line, column="period")
        seen.add(period)
        costs: dict[str, float] = {}
        for kind in COST_KINDS:
            amount = _amount(row.get(kind), kind, line)
            assert amount is not None
            if amount < 0:
                raise InputError(kind, _("金额不能为负数"), row=line, column=kind)
            costs[kind] = amount
        sales = _amount(row.get("sales"), "sales", line, blank_ok=True)
        if sales is not None and sales <= 0:
            raise InputError("sales", _("销售额必须大于 0"), row=line, column="sales")
        total = math.fsum(costs.values())
        shares: dict[str, float | None] = {
            kind: (None if sales is None else costs[kind] / sales) for kind in COST_KINDS
        }
        periods.append(CostPeriod(period, costs, total, sales, shares, None if sales is None else total / sales))
    return QualityCost(periods=tuple(periods), trend=_trend(periods))


def _trend(periods: list[CostPeriod]) -> dict[str, float | None]:
    keys = (*COST_KINDS, "total")
    if len(periods) < 2 or any(p.sales is None for p in periods):
        return dict.fromkeys(keys)
    x = np.arange(len(periods), dtype=float)
    out: dict[str, float | None] = {}
    for key in keys:
        y = np.array([p.total_share if key == "total" else p.share_of_sales[key] for p in periods], dtype=float)
        slope = float(np.polyfit(x, y, 1)[0])
        out[key] = slope
    return out


def quality_cost_from_table(
    table: Table,
    *,
    period: str,
    prevention: str,
    appraisal: str,
    internal_failure: str,
    external_failure: str,
    sales: str | None = None,
) -> QualityCost:
    """The same from a table, with the columns picked; errors name the table's own column."""
    columns = {
        "period": period,
        "prevention": prevention,
        "appraisal": appraisal,
        "internal_failure": internal_failure,
        "external_failure": external_failure,
    }
    if sales:
        columns["sales"] = sales
    values = {
        key: labels(table, column) if key == "period" else _cells(table, column) for key, column in columns.items()
    }
    rows = [{key: values[key][i] for key in columns} for i in range(len(table.rows))]
    try:
        return quality_cost(rows)
    except InputError as error:
        column = columns.get(error.field, error.field)
        raise InputError(column, error.message, row=error.row, column=column) from None


def _cells(table: Table, column: str) -> list[str]:
    try:
        index = table.columns.index(column)
    except ValueError:
        labels(table, column)  # raises the table's "no such column" error
        raise
    return [row[index] for row in table.rows]
