"""Time-weighted control charts (C12): EWMA (Roberts 1959; Montgomery, 7th ed., §9.2) with time-varying
limits, and the tabular CUSUM (Page 1954; Montgomery §9.1) in standardized units with reference value k and
decision interval h, as qcc's ewma() and cusum() compute them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from django.utils.translation import gettext as _
from scipy import signal  # type: ignore[import-untyped]  # scipy ships no type stubs

from certhub.toolbox.errors import InputError
from certhub.toolbox.spc import constants
from certhub.toolbox.spc.base import (
    Series,
    SpcResult,
    _beyond,
    _calibrate,
    _group,
    _labels,
    _moving_ranges,
    _need_subgroups,
    _nonzero_sigma,
    _phase1,
    _series,
    _subgroup_stats,
)
from certhub.toolbox.spc.rules import Violation


def _location(
    values: np.ndarray, subgroups: Sequence[str] | np.ndarray | None, chart: str
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], Callable[[np.ndarray], float]]:
    """Statistics, sizes, labels and the σ estimator for EWMA/CUSUM: subgroup means with R̄/d2 (qcc's
    UWAVE-R) when the data has subgroups of two or more, else the individual values with MR̄/d2(2)."""
    if subgroups is not None:
        sub = _subgroup_stats(values, _group(values, subgroups))
        if np.any(sub.sizes > 1):
            _need_subgroups(sub, chart)
            unbiased = sub.ranges / constants.d2_published_array(np.minimum(sub.sizes, constants.MAX_N))

            def sigma_r(kept: np.ndarray) -> float:
                return float(np.mean(unbiased[kept]))

            return sub.means, sub.sizes.astype(float), sub.labels, sigma_r
        stats = values[_group(values, subgroups).order]
        labels = sub.labels
    else:
        stats = values
        labels = _labels(None, values.size)
    mr = _moving_ranges(stats)
    d2 = constants.d2_published(2)

    def sigma_mr(kept: np.ndarray) -> float:
        pair = kept[1:] & kept[:-1]
        if not pair.any():
            raise InputError("values", _("第一阶段没有相邻的两个数值，无法计算移动极差"))
        return float(np.mean(mr[pair])) / d2

    return stats, np.ones(stats.size), labels, sigma_mr


def ewma_chart(
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


def cusum_chart(
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
