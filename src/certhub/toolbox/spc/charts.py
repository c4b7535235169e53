"""Shewhart, EWMA and CUSUM control charts (C12), computed as R's qcc package computes them (L. Scrucca,
qcc: an R package for quality control charting and statistical process control, R News 4/1, 2004; the
package's R/qcc.R, R/ewma.R, R/cusum.R), so that a study done here and one done in qcc agree to the digit.

Phase I (the first `phase1` subgroups) calibrates the limits; the remaining subgroups (phase II) are judged
against those frozen limits, as qcc's `newdata`. With `exclude_out_of_control`, phase-I subgroups beyond the
limits (on any of the chart's panels) are set aside and the limits re-estimated, until none is left beyond
(Montgomery, Introduction to Statistical Quality Control, 7th ed., §6.2.1, "trial control limits").

The formulas of every chart, with their sources, are in docs/toolbox.md (control charts)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from scipy import signal  # type: ignore[import-untyped]  # scipy ships no type stubs

from certhub.toolbox.errors import InputError
from certhub.toolbox.spc import constants
from certhub.toolbox.spc.rules import RULESETS, Violation, run_rules

CHARTS = ("xbar-r", "xbar-s", "imr", "p", "np", "c", "u", "ewma", "cusum")
SUBGROUP_CHARTS = ("xbar-r", "xbar-s")
ATTRIBUTE_CHARTS = ("p", "np", "c", "u")


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
            % {"label": sub.labels[int(single[0])], "chart": chart.upper()},
        )


def _phase1(phase1: int | None, count: int) -> int:
    if count < 2:
        raise InputError("values", _("至少需要 2 个子组（样本）才能计算控制限，现在只有 %(n)s 个") % {"n": count})
    if phase1 is None:
        return count
    if isinstance(phase1, bool) or int(phase1) != phase1:
        raise InputError("phase1", _("第一阶段子组数必须是整数"))
    p = int(phase1)
    if p > count:
        raise InputError("phase1", _("第一阶段子组数（%(p)s）超过了子组总数（%(n)s）") % {"p": p, "n": count})
    if p < 2:
        raise InputError("phase1", _("第一阶段至少需要 2 个子组（样本）"))
    return p


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
    """Estimate from the phase-I points kept; with `exclude`, drop phase-I points beyond the limits and
    estimate again until none is beyond (at most phase1 rounds: each round drops at least one)."""
    kept = np.zeros(count, dtype=bool)
    kept[:phase1] = True
    params = estimate(kept)
    if not exclude:
        return params, ()
    for _round in range(phase1):
        out = beyond(params) & kept
        if not out.any():
            break
        kept &= ~out
        if kept.sum() < 2:
            raise InputError("exclude_out_of_control", _("剔除失控点后第一阶段不足 2 个子组，无法重新估计控制限"))
        params = estimate(kept)
    return params, tuple(int(i) for i in np.flatnonzero(~kept[:phase1]))


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


# ---------------------------------------------------------------- the charts


def _xbar(
    chart: str,
    values: np.ndarray,
    subgroups: Sequence[str] | np.ndarray | None,
    phase1: int | None,
    exclude: bool,
    rules: tuple[str, ...],
    width: float,
    target: float | None,
) -> SpcResult:
    if subgroups is None:
        raise InputError(
            "subgroups",
            _("%(chart)s 图需要子组列；每个样本只有一个数值时请用单值图（I-MR）") % {"chart": chart.upper()},
        )
    sub = _subgroup_stats(values, _group(values, subgroups))
    _need_subgroups(sub, chart)
    m = sub.sizes.size
    p1 = _phase1(phase1, m)
    n = sub.sizes.astype(float)
    use_r = chart == "xbar-r"
    if use_r:
        if sub.sizes.max() > constants.MAX_N:
            raise InputError(
                "subgroups",
                _("子组容量超过 %(max)s 个数值时极差不再有效：请用 X̄-S 图") % {"max": constants.MAX_N},
            )
        d2 = constants.d2_array(sub.sizes)
        d3 = constants.d3_array(sub.sizes)
        spread = sub.ranges
        unbiased = sub.ranges / d2  # qcc "UWAVE-R": the mean of Rᵢ/d2(nᵢ)
        spread_sd = d3  # sd(R) = d3 σ
    else:
        c4 = constants.c4_array(n)
        spread = sub.sds
        unbiased = sub.sds / c4  # qcc "UWAVE-SD": the mean of sᵢ/c4(nᵢ)
        spread_sd = np.sqrt(1.0 - c4 * c4)  # sd(s) = σ √(1 − c4²)

    def estimate(kept: np.ndarray) -> tuple[float, float, float]:
        w = n[kept]
        center = float(np.sum(w * sub.means[kept]) / np.sum(w)) if target is None else float(target)
        sigma = _nonzero_sigma(float(np.mean(unbiased[kept])))
        spread_center = float(np.sum(w * spread[kept]) / np.sum(w))  # qcc: the size-weighted mean
        return center, sigma, spread_center

    def beyond(params: tuple[float, float, float]) -> np.ndarray:
        center, sigma, spread_center = params
        return _beyond(sub.means, center, sigma / np.sqrt(n), width) | _beyond(
            spread, spread_center, spread_sd * sigma, width
        )

    (center, sigma, spread_center), excluded = _calibrate(m, p1, exclude, estimate, beyond)
    return SpcResult(
        chart,
        (
            _series(
                "xbar",
                sub.means,
                sub.labels,
                center,
                sigma,
                sigma / np.sqrt(n),
                floor=None,
                width=width,
                rules=rules,
                phase1=p1,
                excluded=excluded,
            ),
            _series(
                "r" if use_r else "s",
                spread,
                sub.labels,
                spread_center,
                sigma,
                spread_sd * sigma,
                width=width,
                rules=rules,
                phase1=p1,
                excluded=excluded,
            ),
        ),
    )


def _moving_ranges(x: np.ndarray) -> np.ndarray:
    return np.abs(np.diff(x))


def _imr(
    values: np.ndarray,
    subgroups: Sequence[str] | np.ndarray | None,
    phase1: int | None,
    exclude: bool,
    rules: tuple[str, ...],
    width: float,
    target: float | None,
) -> SpcResult:
    m = values.size
    labels = _labels(subgroups, m, unique=True)
    p1 = _phase1(phase1, m)
    mr = _moving_ranges(values)
    d2, d3 = constants.d2(2), constants.d3(2)

    def estimate(kept: np.ndarray) -> tuple[float, float, float]:
        pair = kept[1:] & kept[:-1]  # a moving range counts when both its points are kept
        if not pair.any():
            raise InputError("values", _("第一阶段没有相邻的两个数值，无法计算移动极差"))
        mr_bar = float(np.mean(mr[pair]))
        sigma = _nonzero_sigma(mr_bar / d2)  # qcc sd.xbar.one "MR": MR̄/d2(2)
        center = float(np.mean(values[kept])) if target is None else float(target)
        return center, sigma, mr_bar

    def beyond(params: tuple[float, float, float]) -> np.ndarray:
        center, sigma, mr_bar = params
        out = _beyond(values, center, np.full(m, sigma), width)
        out[1:] |= _beyond(mr, mr_bar, np.full(m - 1, d3 * sigma), width)
        return out

    (center, sigma, mr_bar), excluded = _calibrate(m, p1, exclude, estimate, beyond)
    return SpcResult(
        "imr",
        (
            _series(
                "i",
                values,
                labels,
                center,
                sigma,
                np.full(m, sigma),
                floor=None,
                width=width,
                rules=rules,
                phase1=p1,
                excluded=excluded,
            ),
            _series(
                "mr",
                mr,
                labels[1:],
                mr_bar,
                sigma,
                np.full(m - 1, d3 * sigma),
                width=width,
                rules=rules,
                phase1=p1 - 1,
                excluded=tuple(i - 1 for i in excluded if i > 0),
            ),
        ),
    )


def _attribute(
    chart: str,
    values: np.ndarray,
    subgroups: Sequence[str] | np.ndarray | None,
    sizes: Sequence[float] | np.ndarray | None,
    phase1: int | None,
    exclude: bool,
    rules: tuple[str, ...],
    width: float,
) -> SpcResult:
    m = values.size
    labels = _labels(subgroups, m)
    p1 = _phase1(phase1, m)
    negative = np.flatnonzero(values < 0)
    if negative.size:
        what = _("不合格品数") if chart in ("p", "np") else _("缺陷数")
        raise InputError(
            "values", _("第 %(n)s 个%(what)s为负数：计数不能为负") % {"n": int(negative[0]) + 1, "what": what}
        )
    n = _sizes(sizes, m, chart)
    if chart in ("p", "np"):
        over = np.flatnonzero(values > n)
        if over.size:
            i = int(over[0])
            raise InputError(
                "values",
                _("第 %(n)s 个样本的不合格品数（%(d)s）大于样本量（%(size)s）")
                % {"n": i + 1, "d": f"{values[i]:g}", "size": f"{n[i]:g}"},
            )
    if chart == "np" and np.any(n != n[0]):
        raise InputError("sizes", _("np 图要求各样本的样本量相同；样本量不同时请用 p 图"))
    if chart == "c" and np.any(n != n[0]):
        raise InputError("sizes", _("c 图要求各样本的检验单位数相同；单位数不同时请用 u 图"))
    points = values / n if chart in ("p", "u") else values.copy()

    def estimate(kept: np.ndarray) -> tuple[float, float]:
        # c̄, or p̄ / ū: all defectives (defects) over all units inspected, as qcc's stats.p / stats.u
        rate = float(np.mean(values[kept])) if chart == "c" else float(np.sum(values[kept]) / np.sum(n[kept]))
        unit_sigma = math.sqrt(rate * (1.0 - rate)) if chart in ("p", "np") else math.sqrt(rate)
        return rate, unit_sigma

    def each(params: tuple[float, float]) -> tuple[float, np.ndarray]:
        rate, unit_sigma = params
        if chart == "p":
            return rate, unit_sigma / np.sqrt(n)
        if chart == "np":
            return rate * float(n[0]), unit_sigma * np.sqrt(n)
        if chart == "u":
            return rate, unit_sigma / np.sqrt(n)
        return rate, np.full(m, unit_sigma)

    def beyond(params: tuple[float, float]) -> np.ndarray:
        center, sigma_each = each(params)
        return _beyond(points, center, sigma_each, width)

    params, excluded = _calibrate(m, p1, exclude, estimate, beyond)
    center, sigma_each = each(params)
    ceiling: np.ndarray | float | None = 1.0 if chart == "p" else (n if chart == "np" else None)
    return SpcResult(
        chart,
        (
            _series(
                chart,
                points,
                labels,
                center,
                params[1],
                sigma_each,
                width=width,
                rules=rules,
                phase1=p1,
                excluded=excluded,
                ceiling=ceiling,
            ),
        ),
    )


def _location(
    values: np.ndarray, subgroups: Sequence[str] | np.ndarray | None, chart: str
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], Callable[[np.ndarray], float]]:
    """Statistics, sizes, labels and the σ estimator for EWMA/CUSUM: subgroup means with R̄/d2 (qcc's
    UWAVE-R) when the data has subgroups of two or more, else the individual values with MR̄/d2(2)."""
    if subgroups is not None:
        sub = _subgroup_stats(values, _group(values, subgroups))
        if np.any(sub.sizes > 1):
            _need_subgroups(sub, chart)
            unbiased = sub.ranges / constants.d2_array(np.minimum(sub.sizes, constants.MAX_N))

            def sigma_r(kept: np.ndarray) -> float:
                return float(np.mean(unbiased[kept]))

            return sub.means, sub.sizes.astype(float), sub.labels, sigma_r
        stats = values[_group(values, subgroups).order]
        labels = sub.labels
    else:
        stats = values
        labels = _labels(None, values.size)
    mr = _moving_ranges(stats)
    d2 = constants.d2(2)

    def sigma_mr(kept: np.ndarray) -> float:
        pair = kept[1:] & kept[:-1]
        if not pair.any():
            raise InputError("values", _("第一阶段没有相邻的两个数值，无法计算移动极差"))
        return float(np.mean(mr[pair])) / d2

    return stats, np.ones(stats.size), labels, sigma_mr


def _ewma(
    values: np.ndarray,
    subgroups: Sequence[str] | np.ndarray | None,
    phase1: int | None,
    exclude: bool,
    rules: tuple[str, ...],
    lam: float,
    width: float,
    target: float | None,
) -> SpcResult:
    stats, n, labels, sigma_of = _location(values, subgroups, "ewma")
    m = stats.size
    p1 = _phase1(phase1, m)
    i = np.arange(1, m + 1)
    # Var(zᵢ) = σ²/nᵢ · λ/(2 − λ) · (1 − (1 − λ)^(2i))  (Montgomery §9.2.1; qcc ewma())
    shape = np.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * i)) / n)

    def smooth(center: float) -> np.ndarray:
        # zᵢ = λ xᵢ + (1 − λ) zᵢ₋₁, z₀ = the center: a first-order recursive filter, run in C by scipy
        z, _state = signal.lfilter([lam], [1.0, -(1.0 - lam)], stats, zi=[(1.0 - lam) * center])
        return np.asarray(z)

    def estimate(kept: np.ndarray) -> tuple[float, float]:
        center = float(np.sum(n[kept] * stats[kept]) / np.sum(n[kept])) if target is None else float(target)
        return center, _nonzero_sigma(sigma_of(kept))

    def beyond(params: tuple[float, float]) -> np.ndarray:
        center, sigma = params
        return _beyond(smooth(center), center, sigma * shape, width)

    (center, sigma), excluded = _calibrate(m, p1, exclude, estimate, beyond)
    z = smooth(center)
    return SpcResult(
        "ewma",
        (
            _series(
                "ewma",
                z,
                labels,
                center,
                sigma,
                sigma * shape,
                floor=None,
                width=width,
                rules=rules[:1],
                phase1=p1,
                excluded=excluded,
            ),
        ),
    )


def _lindley(w: np.ndarray) -> np.ndarray:
    """Cᵢ = max(0, Cᵢ₋₁ + wᵢ), C₀ = 0, without a loop: Cᵢ = Sᵢ − min(0, min_{j≤i} Sⱼ) for S the running sum."""
    s = np.cumsum(w)
    return s - np.minimum(np.minimum.accumulate(s), 0.0)


def _cusum(
    values: np.ndarray,
    subgroups: Sequence[str] | np.ndarray | None,
    phase1: int | None,
    exclude: bool,
    rules: tuple[str, ...],
    k: float,
    h: float,
    target: float | None,
) -> SpcResult:
    stats, n, labels, sigma_of = _location(values, subgroups, "cusum")
    m = stats.size
    p1 = _phase1(phase1, m)

    def sums(params: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        center, sigma = params
        z = (stats - center) / (sigma / np.sqrt(n))  # standardized, as qcc's cusum()
        return _lindley(z - k), -_lindley(-z - k)

    def estimate(kept: np.ndarray) -> tuple[float, float]:
        center = float(np.sum(n[kept] * stats[kept]) / np.sum(n[kept])) if target is None else float(target)
        return center, _nonzero_sigma(sigma_of(kept))

    def beyond(params: tuple[float, float]) -> np.ndarray:
        upper, lower = sums(params)
        return (upper > h) | (lower < -h)

    params, excluded = _calibrate(m, p1, exclude, estimate, beyond)
    upper, lower = sums(params)
    rule = rules[:1]
    out = []
    for name, points, signal_at in (("cusum-upper", upper, upper > h), ("cusum-lower", lower, lower < -h)):
        violations = tuple(Violation(int(i), rule[0]) for i in np.flatnonzero(signal_at)) if rule else ()
        out.append(
            Series(name, 0.0, params[1], np.full(m, -h), np.full(m, h), points, labels, violations, p1, excluded)
        )
    return SpcResult("cusum", tuple(out))


def control_chart(
    chart: str,
    values: Sequence[float] | np.ndarray,
    *,
    subgroups: Sequence[str] | None = None,
    sizes: Sequence[float] | None = None,
    phase1: int | None = None,
    rules: str = "nelson",
    exclude_out_of_control: bool = False,
    lam: float = 0.2,
    width: float = 3.0,
    k: float = 0.5,
    h: float = 5.0,
    target: float | None = None,
) -> SpcResult:
    """The chart's panels with limits, points and run-rule violations; bad input raises InputError.

    `values` are measurements (X̄-R, X̄-S, I-MR, EWMA, CUSUM; with `subgroups` one label per value), the
    defectives of each sample (p, np) or the defects counted in each sample (c, u), with `sizes` the sample
    sizes (p, np) or inspection units (u; c takes equal units). `phase1` counts subgroups (points)."""
    if chart not in CHARTS:
        raise InputError("chart", _("未知的控制图类型“%(c)s”：可选 %(all)s") % {"c": chart, "all": "、".join(CHARTS)})
    ruleset = _rules(rules)
    if not (math.isfinite(width) and width > 0):
        raise InputError("width", _("控制限宽度（σ 的倍数）必须是正数"))
    if target is not None and not math.isfinite(target):
        raise InputError("target", _("目标值必须是有限的数"))
    arr = _values(values)
    if arr.size == 0:
        raise InputError("values", _("没有数据"))
    exclude = bool(exclude_out_of_control)
    if chart in SUBGROUP_CHARTS:
        return _xbar(chart, arr, subgroups, phase1, exclude, ruleset, width, target)
    if chart == "imr":
        return _imr(arr, subgroups, phase1, exclude, ruleset, width, target)
    if chart in ATTRIBUTE_CHARTS:
        return _attribute(chart, arr, subgroups, sizes, phase1, exclude, ruleset, width)
    if chart == "ewma":
        if not (0 < lam <= 1):
            raise InputError("lam", _("EWMA 的平滑系数 λ 必须大于 0 且不大于 1"))
        return _ewma(arr, subgroups, phase1, exclude, ruleset, lam, width, target)
    if not (math.isfinite(k) and k >= 0):
        raise InputError("k", _("CUSUM 的参考值 k 必须是非负数"))
    if not (math.isfinite(h) and h > 0):
        raise InputError("h", _("CUSUM 的决策区间 h 必须是正数"))
    return _cusum(arr, subgroups, phase1, exclude, ruleset, k, h, target)


def sigma_within(values: Sequence[float] | np.ndarray, subgroups: Sequence[str] | None = None) -> float:
    """Within-subgroup σ: the mean of Rᵢ/d2(nᵢ) over the subgroups (qcc's default for X̄, "UWAVE-R"), or
    MR̄/d2(2) = MR̄/1.128 for individual values (qcc's "MR")."""
    arr = _values(values)
    if subgroups is None:
        if arr.size < 2:
            raise InputError("values", _("至少需要 2 个数值才能估计组内标准差"))
        return float(np.mean(_moving_ranges(arr)) / constants.d2(2))
    sub = _subgroup_stats(arr, _group(arr, subgroups))
    _need_subgroups(sub, "xbar-r")
    if sub.sizes.max() > constants.MAX_N:
        raise InputError("subgroups", _("子组容量超过 %(max)s 个数值时极差不再有效") % {"max": constants.MAX_N})
    return float(np.mean(sub.ranges / constants.d2_array(sub.sizes)))
