"""Attribute control charts (C12): p and np for defectives in samples of n, c and u for defects counted in
inspection units, with the limits as qcc computes them (R/qcc.R stats.p … limits.u; Montgomery, 7th ed.,
§7.2 and §7.3): p̄ = Σd/Σn, ū = Σc/Σn, c̄ = mean c; limits center ± width·σᵢ, floored at 0 (and capped
at 1 for p, at n for np); for varying sizes p and u have stepped limits, one per sample."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from django.utils.translation import gettext as _

from certhub.toolbox.errors import InputError
from certhub.toolbox.spc.base import (
    SpcResult,
    _beyond,
    _calibrate,
    _labels,
    _nonzero_sigma,
    _phase1,
    _series,
    _sizes,
    _whole_counts,
)


def attribute_chart(
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
        message = (
            _("第 %(n)s 个不合格品数为负数：计数不能为负")
            if chart in ("p", "np")
            else _("第 %(n)s 个缺陷数为负数：计数不能为负")
        )
        raise InputError("values", message % {"n": int(negative[0]) + 1})
    _whole_counts(values, "defectives" if chart in ("p", "np") else "defects")
    n = _sizes(sizes, m, chart)
    if chart in ("p", "np"):
        fractional = np.flatnonzero(n != np.round(n))
        if fractional.size:
            raise InputError("sizes", _("第 %(n)s 个样本量必须是整数") % {"n": int(fractional[0]) + 1})
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
        _nonzero_sigma(unit_sigma)  # p̄ of 0 or 1, c̄ or ū of 0: limits of no width, nothing to judge by
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
