"""What every control chart shares (C12): the result types, reading and checking the input (each bad input
an InputError naming the field and why), subgroups, phase-I calibration with the optional exclusion of
out-of-control points, and a Shewhart panel's limits and run rules."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from certhub.toolbox.errors import InputError
from certhub.toolbox.spc.rules import RULESETS, Violation, run_rules

CHARTS = ("xbar-r", "xbar-s", "imr", "p", "np", "c", "u", "ewma", "cusum")
SUBGROUP_CHARTS = ("xbar-r", "xbar-s")
ATTRIBUTE_CHARTS = ("p", "np", "c", "u")
CHART_NAMES = {"xbar-r": "X̄-R", "xbar-s": "X̄-S", "ewma": "EWMA", "cusum": "CUSUM"}  # as the messages name them


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _limit_json(a: np.ndarray) -> float | list[float | None] | None:
    if a.size and np.all(a == a[0]):
        return _num(float(a[0]))
    return [_num(float(v)) for v in a]


@dataclass(frozen=True)
class Series:
    name: str  # "xbar", "r", "s", "i", "mr", "p", "np", "c", "u", "ewma", "cusum-upper", "cusum-lower"
    center: float
    sigma: float  # the process standard deviation the limits were computed from (qcc's std.dev)
    lcl: np.ndarray  # one per point
    ucl: np.ndarray
    points: np.ndarray
    labels: tuple[str, ...]
    violations: tuple[Violation, ...]
    phase1: int  # points in phase I; the rest are phase II
    excluded: tuple[int, ...]  # phase-I points set aside when the limits were re-estimated

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "center": _num(self.center),
            "sigma": _num(self.sigma),
            "lcl": _limit_json(self.lcl),
            "ucl": _limit_json(self.ucl),
            "points": [_num(float(v)) for v in self.points],
            "labels": list(self.labels),
            "violations": [{"index": v.index, "rule": v.rule} for v in self.violations],
            "phase1": self.phase1,
            "excluded": list(self.excluded),
        }


@dataclass(frozen=True)
class SpcResult:
    chart: str
    charts: tuple[Series, ...]

    def to_json(self) -> dict[str, Any]:
        return {"chart": self.chart, "charts": [s.to_json() for s in self.charts]}


# ---------------------------------------------------------------- input


def _values(values: Sequence[float] | np.ndarray) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError("values", _("数值必须是数字")) from None
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise InputError("values", _("第 %(n)s 个数值不是有限的数（不能是 NaN 或无穷大）") % {"n": int(bad[0]) + 1})
    return arr


@dataclass(frozen=True)
class _Groups:
    labels: tuple[str, ...]
    order: np.ndarray  # indices of the values, grouped (groups in order of first appearance)
    starts: np.ndarray
    sizes: np.ndarray


def _group(values: np.ndarray, subgroups: Sequence[str] | np.ndarray) -> _Groups:
    keys = np.asarray(subgroups)
    if keys.dtype.kind == "O":  # mixed labels (numbers and text from JSON): compare them as text
        keys = keys.astype(str)
    if keys.shape[0] != values.size:
        raise InputError(
            "subgroups",
            _("子组标签有 %(k)s 个，数值有 %(n)s 个：两者必须一一对应") % {"k": keys.shape[0], "n": values.size},
        )
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.empty(uniq.size, dtype=np.int64)
    appearance = np.argsort(first, kind="stable")
    rank[appearance] = np.arange(uniq.size)
    group_of = rank[inverse.reshape(-1)]
    order = np.argsort(group_of, kind="stable")
    sizes = np.bincount(group_of, minlength=uniq.size)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    labels = tuple(str(x) for x in uniq[appearance].tolist())
    return _Groups(labels, order, starts, sizes)


@dataclass(frozen=True)
class _Subgroups:
    labels: tuple[str, ...]
    sizes: np.ndarray
    means: np.ndarray
    ranges: np.ndarray
    sds: np.ndarray


def _subgroup_stats(values: np.ndarray, groups: _Groups) -> _Subgroups:
    v = values[groups.order]
    n = groups.sizes.astype(float)
    means = np.add.reduceat(v, groups.starts) / n
    ranges = np.maximum.reduceat(v, groups.starts) - np.minimum.reduceat(v, groups.starts)
    dev = v - np.repeat(means, groups.sizes)  # deviations first: no cancellation for 74.0 ± 0.01
    with np.errstate(invalid="ignore", divide="ignore"):
        sds = np.sqrt(np.add.reduceat(dev * dev, groups.starts) / (n - 1))
    return _Subgroups(groups.labels, groups.sizes, means, ranges, sds)


def _need_subgroups(sub: _Subgroups, chart: str) -> None:
    single = np.flatnonzero(sub.sizes < 2)
    if single.size == sub.sizes.size:
        raise InputError(
            "subgroups",
            _("每组只有一个数值，无法计算组内极差或标准差：请用单值图（I-MR），或选择正确的子组列"),
        )
    if single.size:
        raise InputError(
            "subgroups",
            _("子组“%(label)s”只有一个数值：%(chart)s 图每个子组至少需要 2 个数值")
            % {"label": sub.labels[int(single[0])], "chart": CHART_NAMES.get(chart, chart)},
        )


def _phase1(phase1: int | None, count: int) -> int:
    if count < 2:
        raise InputError("values", _("至少需要 2 个子组（样本）才能计算控制限，现在只有 %(n)s 个") % {"n": count})
    if phase1 is None:
        return count
    try:
        whole = not isinstance(phase1, bool) and float(phase1) == int(phase1)
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole:
        raise InputError("phase1", _("第一阶段子组数必须是整数"))
    p = int(phase1)
    if p > count:
        raise InputError("phase1", _("第一阶段子组数（%(p)s）超过了子组总数（%(n)s）") % {"p": p, "n": count})
    if p < 2:
        raise InputError("phase1", _("第一阶段至少需要 2 个子组（样本）"))
    return p


def _finite(field: str, value: object) -> float:
    """A numeric parameter (width, λ, k, h, target) as a float, or the InputError naming it."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise InputError(field, _("“%(field)s”必须是有限的数") % {"field": field})
    return number


def _whole_counts(values: np.ndarray, what: str) -> None:
    """Defectives and defects are counted: a fraction is a typing or column mistake."""
    bad = np.flatnonzero(values != np.round(values))
    if bad.size:
        message = (
            _("第 %(n)s 个样本的不合格品数（%(x)s）不是整数")
            if what == "defectives"
            else _("第 %(n)s 个样本的缺陷数（%(x)s）不是整数")
        )
        raise InputError("values", message % {"n": int(bad[0]) + 1, "x": f"{values[bad[0]]:g}"})


def _labels(subgroups: Sequence[str] | np.ndarray | None, count: int, *, unique: bool = False) -> tuple[str, ...]:
    if subgroups is None:
        return tuple(str(i) for i in range(1, count + 1))
    keys = np.asarray(subgroups)
    if keys.shape[0] != count:
        raise InputError(
            "subgroups",
            _("子组标签有 %(k)s 个，数值有 %(n)s 个：两者必须一一对应") % {"k": keys.shape[0], "n": count},
        )
    labels = tuple(str(x) for x in keys.tolist())
    if unique and len(set(labels)) != len(labels):
        raise InputError("subgroups", _("单值图每个样本只能有一个数值；有子组重复出现，请用 X̄-R 或 X̄-S 图"))
    return labels


def _sizes(sizes: Sequence[float] | np.ndarray | None, count: int, chart: str) -> np.ndarray:
    if sizes is None:
        if chart == "c":
            return np.ones(count)
        raise InputError("sizes", _("%(chart)s 图需要样本量列") % {"chart": chart})
    try:
        arr = np.asarray(sizes, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputError("sizes", _("样本量必须是数字")) from None
    if arr.size != count:
        raise InputError(
            "sizes", _("样本量有 %(k)s 个，数值有 %(n)s 个：两者必须一一对应") % {"k": arr.size, "n": count}
        )
    bad = np.flatnonzero(~np.isfinite(arr) | (arr <= 0))
    if bad.size:
        raise InputError("sizes", _("第 %(n)s 个样本量必须是正数") % {"n": int(bad[0]) + 1})
    return arr


def _rules(rules: str) -> tuple[str, ...]:
    if rules not in RULESETS:
        raise InputError("rules", _("未知的判异规则“%(r)s”：可选 %(all)s") % {"r": rules, "all": "、".join(RULESETS)})
    return RULESETS[rules]


# ---------------------------------------------------------------- estimation with optional exclusion


def _calibrate(
    count: int,
    phase1: int,
    exclude: bool,
    estimate: Callable[[np.ndarray], Any],
    beyond: Callable[[Any], np.ndarray],
) -> tuple[Any, tuple[int, ...]]:
    """Estimate from the phase-I points; with `exclude`, set aside the phase-I points beyond these trial
    limits and estimate once more from the rest (Montgomery's revised limits: one round, since a point
    beyond the revised limits is a question for the person, not a reason to keep peeling the data)."""
    kept = np.zeros(count, dtype=bool)
    kept[:phase1] = True
    params = estimate(kept)
    if not exclude:
        return params, ()
    out = beyond(params) & kept
    if not out.any():
        return params, ()
    kept &= ~out
    if kept.sum() < 2:
        raise InputError("exclude_out_of_control", _("剔除失控点后第一阶段不足 2 个子组，无法重新估计控制限"))
    return estimate(kept), tuple(int(i) for i in np.flatnonzero(out))


def _nonzero_sigma(sigma: float) -> float:
    if not sigma > 0:
        raise InputError("values", _("第一阶段的数据没有波动（标准差为 0），无法计算控制限"))
    return sigma


def _series(
    name: str,
    points: np.ndarray,
    labels: tuple[str, ...],
    center: float,
    sigma: float,
    sigma_each: np.ndarray,
    *,
    width: float,
    rules: tuple[str, ...],
    phase1: int,
    excluded: tuple[int, ...],
    floor: float | None = 0.0,
    ceiling: np.ndarray | float | None = None,
) -> Series:
    """A Shewhart panel: limits center ± width·σᵢ (floored/capped where the statistic cannot go) and the
    run rules on the points."""
    n = points.size
    sigma_each = np.broadcast_to(np.asarray(sigma_each, dtype=float), (n,))
    lcl = center - width * sigma_each
    ucl = center + width * sigma_each
    if floor is not None:
        lcl = np.maximum(lcl, floor)
    if ceiling is not None:
        ucl = np.minimum(ucl, ceiling)
    violations = run_rules(points, center, sigma_each, rules, width=width)
    return Series(
        name,
        float(center),
        float(sigma),
        np.array(lcl, dtype=float),
        np.array(ucl, dtype=float),
        points,
        labels,
        violations,
        phase1,
        excluded,
    )


def _beyond(points: np.ndarray, center: float, sigma_each: np.ndarray, width: float) -> np.ndarray:
    dev = points - center
    return np.abs(dev) > width * sigma_each


def _moving_ranges(x: np.ndarray) -> np.ndarray:
    return np.abs(np.diff(x))
