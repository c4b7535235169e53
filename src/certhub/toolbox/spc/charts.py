"""Shewhart, EWMA and CUSUM control charts (C12), computed as R's qcc package computes them (L. Scrucca,
qcc: an R package for quality control charting and statistical process control, R News 4/1, 2004; the
package's R/qcc.R, R/ewma.R, R/cusum.R), so that a study done here and one done in qcc agree to the digits
qcc prints (the range charts' limits with qcc's own d3 table: constants.d3_published).

Phase I (the first `phase1` subgroups) calibrates the limits; the remaining subgroups (phase II) are judged
against those frozen limits, as qcc's `newdata`. With `exclude_out_of_control`, the phase-I subgroups beyond
the trial limits (on any of the chart's panels) are set aside and the limits estimated once more from the
rest (Montgomery, Introduction to Statistical Quality Control, 7th ed., §6.2.1 and §7.2.1, "revised control
limits"; qcc's help(orangejuice) does the same).

The formulas of every chart, with their sources, are in docs/toolbox.md (control charts)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.utils.translation import gettext as _

from certhub.toolbox.errors import InputError
from certhub.toolbox.spc import constants
from certhub.toolbox.spc.attributes import attribute_chart
from certhub.toolbox.spc.base import (
    ATTRIBUTE_CHARTS,
    CHART_NAMES,
    CHARTS,
    SUBGROUP_CHARTS,
    Series,
    SpcResult,
    _beyond,
    _calibrate,
    _finite,
    _group,
    _labels,
    _moving_ranges,
    _need_subgroups,
    _nonzero_sigma,
    _phase1,
    _rules,
    _series,
    _subgroup_stats,
    _values,
)
from certhub.toolbox.spc.timeweighted import cusum_chart, ewma_chart

__all__ = ["CHARTS", "Series", "SpcResult", "control_chart", "sigma_within"]


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
            _("%(chart)s 图需要子组列；每个样本只有一个数值时请用单值图（I-MR）") % {"chart": CHART_NAMES[chart]},
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
        d2 = constants.d2_published_array(sub.sizes)
        d3 = constants.d3_published_array(sub.sizes)
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
    d2, d3 = constants.d2_published(2), constants.d3_published(2)

    def estimate(kept: np.ndarray) -> tuple[float, float, float]:
        pair = kept[1:] & kept[:-1]  # a moving range counts when both its points are kept
        if not pair.any():
            raise InputError("values", _("第一阶段没有相邻的两个数值，无法计算移动极差"))
        mr_bar = float(np.mean(mr[pair]))
        sigma = _nonzero_sigma(mr_bar / d2)  # qcc sd.xbar.one "MR": MR̄/d2(2)
        center = float(np.mean(values[kept])) if target is None else float(target)
        return center, sigma, mr_bar

    def beyond(params: tuple[float, float, float]) -> np.ndarray:
        # The values beyond the I chart's limits. A moving range beyond its limit is the mark of such a
        # value next to it, not of its own second value: the ranges touching a value set aside leave the
        # estimate with it (`pair` above), so one outlier costs the two ranges it spoils, not a good value.
        center, sigma, _mr_bar = params
        return _beyond(values, center, np.full(m, sigma), width)

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
                excluded=tuple(sorted({j for i in excluded for j in (i - 1, i) if 0 <= j < p1 - 1})),
            ),
        ),
    )


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
    width, lam, k, h = (_finite(f, v) for f, v in (("width", width), ("lam", lam), ("k", k), ("h", h)))
    if not width > 0:
        raise InputError("width", _("控制限宽度（σ 的倍数）必须是正数"))
    if target is not None:
        target = _finite("target", target)
    arr = _values(values)
    if arr.size == 0:
        raise InputError("values", _("没有数据"))
    exclude = bool(exclude_out_of_control)
    if chart in SUBGROUP_CHARTS:
        return _xbar(chart, arr, subgroups, phase1, exclude, ruleset, width, target)
    if chart == "imr":
        return _imr(arr, subgroups, phase1, exclude, ruleset, width, target)
    if chart in ATTRIBUTE_CHARTS:
        return attribute_chart(chart, arr, subgroups, sizes, phase1, exclude, ruleset, width)
    if chart == "ewma":
        if not (0 < lam <= 1):
            raise InputError("lam", _("EWMA 的平滑系数 λ 必须大于 0 且不大于 1"))
        return ewma_chart(arr, subgroups, phase1, exclude, ruleset, lam, width, target)
    if not k >= 0:
        raise InputError("k", _("CUSUM 的参考值 k 必须是非负数"))
    if not h > 0:
        raise InputError("h", _("CUSUM 的决策区间 h 必须是正数"))
    return cusum_chart(arr, subgroups, phase1, exclude, ruleset, k, h, target)


def sigma_within(values: Sequence[float] | np.ndarray, subgroups: Sequence[str] | None = None) -> float:
    """Within-subgroup σ: the mean of Rᵢ/d2(nᵢ) over the subgroups (qcc's default for X̄, "UWAVE-R"), or
    MR̄/d2(2) = MR̄/1.128 for individual values (qcc's "MR")."""
    arr = _values(values)
    if subgroups is None:
        if arr.size < 2:
            raise InputError("values", _("至少需要 2 个数值才能估计组内标准差"))
        return float(np.mean(_moving_ranges(arr)) / constants.d2_published(2))
    sub = _subgroup_stats(arr, _group(arr, subgroups))
    _need_subgroups(sub, "xbar-r")
    if sub.sizes.max() > constants.MAX_N:
        raise InputError("subgroups", _("子组容量超过 %(max)s 个数值时极差不再有效") % {"max": constants.MAX_N})
    return float(np.mean(sub.ranges / constants.d2_published_array(sub.sizes)))
