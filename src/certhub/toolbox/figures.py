"""The toolbox's pictures (C12): control chart, capability histogram, Pareto chart, quality-cost chart and the
self-assessment profile, drawn with matplotlib through `core.plots` — shown on a page with `to_svg()` and put
in a PDF with `to_flowable()`, the same picture in both.

Each function takes the toolbox's result dataclass as computed (nothing is recomputed here) and returns a
matplotlib Figure. Text is gettext'ed at drawing time, so callers that cache the SVG key it by language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no type stubs

from certhub.core.plots import BAD, BLUE, GOOD, GRID, INK, NEUTRAL, ORANGE, SOFT, new_figure
from certhub.toolbox.capability import Capability
from certhub.toolbox.pareto import Pareto
from certhub.toolbox.quality_cost import COST_KINDS, QualityCost
from certhub.toolbox.spc import Series

# Identifies the violation markers among a figure's artists (tests and callers find them by this gid).
VIOLATIONS_GID = "violations"
COST_COLOURS = {"prevention": GOOD, "appraisal": BLUE, "internal_failure": ORANGE, "external_failure": BAD}


def _cost_label(kind: str) -> str:
    return {
        "prevention": _("预防成本"),
        "appraisal": _("鉴定成本"),
        "internal_failure": _("内部损失成本"),
        "external_failure": _("外部损失成本"),
    }[kind]


def _number(value: float) -> str:
    return f"{value:.6g}"


def _style(axes: Axes) -> None:
    axes.grid(axis="y", color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


# ---------------------------------------------------------------- control chart


def thin(points: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of the points to draw: all of them when there are at most `max_points`, else the first and
    last point and, per bucket of consecutive points, its lowest and highest (min/max decimation: at display
    resolution the line's envelope — every excursion — looks exactly as unthinned). Vectorized, no loop."""
    n = len(points)
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, max_points // 2)
    size = -(-n // buckets)  # ceil
    padded = np.pad(points, (0, buckets * size - n), mode="edge").reshape(buckets, size)
    offsets = np.arange(buckets) * size
    low = np.minimum(offsets + padded.argmin(axis=1), n - 1)
    high = np.minimum(offsets + padded.argmax(axis=1), n - 1)
    return np.unique(np.concatenate(([0, n - 1], low, high)))


def _limit(axes: Axes, limit: np.ndarray, keep: np.ndarray, max_points: int, **style: Any) -> None:
    """A control limit: a horizontal line when constant, else drawn as steps (each point's limit holds for the
    width of its point, as qcc draws stepped limits for unequal sample sizes)."""
    n = len(limit)
    if n == 0:
        return
    if np.all(limit == limit[0]):
        axes.plot([-0.5, n - 0.5], [limit[0], limit[0]], **style)
        return
    starts = np.concatenate(([0], np.flatnonzero(np.diff(limit) != 0) + 1))
    if len(starts) > max_points:  # limits changing at nearly every point (EWMA early on, u with many sizes)
        starts = keep
    xs = np.concatenate((starts - 0.5, [n - 0.5]))
    ys = np.concatenate((limit[starts], [limit[-1]]))
    axes.step(xs, ys, where="post", **style)


def control_chart(series: Series, *, title: str, max_points: int = 2000) -> Figure:
    """One control chart: the points (thinned to at most about `max_points` for display when there are more),
    the centre line, the control limits (steps when they vary), the phase I / phase II boundary, the points
    excluded from phase I hollow, and every point that breaks a run rule drawn in red — never thinned away."""
    fig = new_figure(6.4, 3.2)
    axes = fig.add_subplot()
    _style(axes)
    points = np.asarray(series.points, dtype=float)
    n = len(points)
    keep = thin(points, max_points)
    x = np.arange(n)
    thinned = len(keep) < n
    axes.plot(
        x[keep],
        points[keep],
        color=BLUE,
        linewidth=0.6 if thinned else 1.0,
        marker="none" if thinned else "o",
        markersize=3,
        zorder=2,
    )
    lcl, ucl = np.asarray(series.lcl, dtype=float), np.asarray(series.ucl, dtype=float)
    axes.plot([-0.5, n - 0.5], [series.center, series.center], color=GOOD, linewidth=1.0, zorder=1)
    limit_style = {"color": BAD, "linewidth": 1.0, "linestyle": "--", "zorder": 1}
    _limit(axes, ucl, keep, max_points, **limit_style)
    _limit(axes, lcl, keep, max_points, **limit_style)
    right = n - 0.5
    for value, name in ((ucl[-1], "UCL"), (series.center, "CL"), (lcl[-1], "LCL")):
        if np.isfinite(value):
            axes.annotate(
                f"{name} {_number(float(value))}",
                (right, value),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
                color=SOFT,
                annotation_clip=False,
            )
    if 0 < series.phase1 < n:
        boundary = series.phase1 - 0.5
        axes.axvline(boundary, color=SOFT, linewidth=0.8, linestyle=":")
        top = axes.get_xaxis_transform()
        axes.text(boundary, 1.0, _("第 I 阶段") + " ", transform=top, ha="right", va="bottom", fontsize=7)
        axes.text(boundary, 1.0, " " + _("第 II 阶段"), transform=top, ha="left", va="bottom", fontsize=7)
    if series.excluded:
        gone = np.asarray(series.excluded, dtype=int)
        axes.plot(gone, points[gone], linestyle="none", marker="o", markersize=6, markerfacecolor="none", color=SOFT)
    flagged = np.unique(np.asarray([v.index for v in series.violations], dtype=int))
    if len(flagged):
        axes.plot(
            flagged,
            points[flagged],
            linestyle="none",
            marker="o",
            markersize=4,
            color=BAD,
            zorder=3,
            gid=VIOLATIONS_GID,
        )
    labels = series.labels
    axes.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: labels[int(value)] if 0 <= int(value) < len(labels) else "")
    )
    axes.set_xlim(-0.5 - n * 0.01, n - 0.5 + n * 0.01)
    axes.set_title(title)
    return fig


# ---------------------------------------------------------------- capability


def histogram(cap: Capability, *, title: str) -> Figure:
    """The measurements' histogram (as densities) with the normal curves fitted with the within and the
    overall standard deviation, the specification limits LSL/USL and the target."""
    fig = new_figure(6.4, 3.2)
    axes = fig.add_subplot()
    _style(axes)
    values = np.asarray(cap.values, dtype=float)
    bins = min(50, max(5, len(np.histogram_bin_edges(values, bins="auto")) - 1))
    axes.hist(values, bins=bins, density=True, color=NEUTRAL, edgecolor="white", linewidth=0.5)
    low = min(float(values.min()), cap.lsl, cap.mean - 4 * cap.sigma_overall)
    high = max(float(values.max()), cap.usl, cap.mean + 4 * cap.sigma_overall)
    margin = (high - low) * 0.05
    xs = np.linspace(low - margin, high + margin, 400)
    if cap.sigma_within > 0:
        axes.plot(xs, stats.norm.pdf(xs, cap.mean, cap.sigma_within), color=BLUE, linewidth=1.2)
    if cap.sigma_overall > 0:
        axes.plot(xs, stats.norm.pdf(xs, cap.mean, cap.sigma_overall), color=BLUE, linewidth=1.0, linestyle="--")
    top = axes.get_xaxis_transform()
    for value, name, colour in (
        (cap.lsl, _("规格下限") + " LSL", BAD),
        (cap.usl, _("规格上限") + " USL", BAD),
        (cap.target, _("目标值"), GOOD),
    ):
        axes.axvline(value, color=colour, linewidth=1.2, linestyle="-" if colour == BAD else "-.")
        axes.text(value, 1.0, f"{name} {_number(value)}", transform=top, ha="center", va="bottom", fontsize=7)
    axes.set_xlim(low - margin, high + margin)
    axes.set_ylabel(_("密度"))
    axes.set_title(title, pad=14)
    return fig


# ---------------------------------------------------------------- Pareto


def pareto_chart(p: Pareto, *, title: str) -> Figure:
    """Bars of the counts, largest first (the vital few in colour), and the cumulative share as a line on a
    second axis (0–100 %) with the cut-off line (80 % unless the study chose another)."""
    fig = new_figure(6.4, 3.2)
    axes = fig.add_subplot()
    _style(axes)
    names = [row.category for row in p.rows]
    x = np.arange(len(names))
    colours = [BLUE if row.vital else NEUTRAL for row in p.rows]
    axes.bar(x, [row.count for row in p.rows], color=colours, width=0.7)
    axes.set_ylim(0, p.total if p.total > 0 else 1)  # the two axes line up: total count = 100 %
    axes.set_ylabel(_("频数"))
    axes.set_xticks(x, names, rotation=30 if len(names) > 5 else 0, ha="right" if len(names) > 5 else "center")
    share = axes.twinx()
    share.spines["top"].set_visible(False)
    share.plot(x, [row.cumulative * 100 for row in p.rows], color=ORANGE, marker="o", markersize=3, linewidth=1.2)
    share.axhline(p.vital_share * 100, color=SOFT, linewidth=0.8, linestyle="--")
    share.set_ylim(0, 100)
    share.yaxis.set_major_formatter(PercentFormatter(100))
    share.set_ylabel(_("累计百分比"))
    axes.set_title(title)
    return fig


# ---------------------------------------------------------------- quality cost


def quality_cost_chart(qc: QualityCost, *, title: str) -> Figure:
    """Per period the four kinds of quality cost stacked, and — when sales are known — the total quality cost
    as a share of sales, a line on a second axis."""
    fig = new_figure(6.4, 3.4)
    axes = fig.add_subplot()
    _style(axes)
    x = np.arange(len(qc.periods))
    bottom = np.zeros(len(qc.periods))
    for kind in COST_KINDS:
        heights = np.array([period.costs[kind] for period in qc.periods], dtype=float)
        axes.bar(x, heights, bottom=bottom, color=COST_COLOURS[kind], width=0.7, label=_cost_label(kind))
        bottom += heights
    axes.set_xticks(x, [period.period for period in qc.periods], rotation=30 if len(x) > 6 else 0)
    axes.set_ylabel(_("质量成本"))
    handles, texts = axes.get_legend_handles_labels()
    shares = [period.total_share for period in qc.periods]
    if any(value is not None for value in shares):
        ratio = axes.twinx()
        ratio.spines["top"].set_visible(False)
        ys = np.array([np.nan if value is None else value * 100 for value in shares], dtype=float)
        (line,) = ratio.plot(x, ys, color=INK, marker="o", markersize=3, linewidth=1.2)
        ratio.set_ylim(0, float(np.nanmax(ys)) * 1.25 if np.nanmax(ys) > 0 else 1)
        ratio.yaxis.set_major_formatter(PercentFormatter(100))
        ratio.set_ylabel(_("占销售额"))
        handles.append(line)
        texts.append(_("质量成本合计占销售额"))
    fig.legend(handles, texts, loc="outside lower center", ncols=3, frameon=False, fontsize=7)
    axes.set_title(title)
    return fig


# ---------------------------------------------------------------- self-assessment profile


def profile_chart(
    labels: Sequence[str], shares: Sequence[float], *, title: str, previous: Sequence[float] | None = None
) -> Figure:
    """Horizontal bars of each category's share (0–1) of its points, first category on top, with last year's
    share as a marker on the same row when given."""
    fig = new_figure(6.4, 0.6 + 0.35 * max(1, len(labels)))
    axes = fig.add_subplot()
    axes.grid(axis="x", color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    y = np.arange(len(labels))
    values = np.asarray(shares, dtype=float) * 100
    axes.barh(y, values, color=BLUE, height=0.6, label=_("本年"))
    for row, value in zip(y, values, strict=True):
        axes.text(float(value) + 1, float(row), f"{value:.0f}%", va="center", fontsize=7, color=INK)
    if previous is not None:
        before = np.asarray(previous, dtype=float) * 100
        axes.plot(before, y, linestyle="none", marker="D", markersize=5, color=ORANGE, label=_("上一年"), zorder=3)
        axes.legend(loc="lower right", frameon=False, fontsize=7)
    axes.set_yticks(y, list(labels))
    axes.invert_yaxis()
    axes.set_xlim(0, 105)
    axes.xaxis.set_major_formatter(PercentFormatter(100))
    axes.set_title(title)
    return fig
