"""The dashboard's charts (C11: read at a glance): bars per region against the target line, a line over the
days and a stacked bar of the risk grade mix — matplotlib figures (core.plots): inline SVG on the page and a
vector drawing in the PDF report pack, the same picture. Each chart is described by its inputs (`Plot`, hashable)
and its SVG drawn once per inputs and language (an in-process cache), so the dashboard stays as fast as it was.
The schematic map of the province's prefectures (a tile cartogram with links) is drawn by stats/tilemap.py;
its names are re-exported here for the views and the PDF."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certhub.core import plots
from certhub.registry.choices import RiskGrade
from certhub.stats.choices import KPIS, TARGETS
from certhub.stats.tilemap import (  # the map's names, as the views and the PDF know them
    INK,
    LINE,
    PDF_FONT,
    SOFT,
    _rate_text,
    kpi_maps,
    to_drawing,
    to_svg,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure
    from reportlab.platypus import Flowable

    from certhub.stats.queries import Dashboard

__all__ = [
    "LINE",
    "PDF_FONT",
    "Plot",
    "grade_chart",
    "grade_stack",
    "kpi_bars",
    "kpi_charts",
    "kpi_line",
    "kpi_maps",
    "plot_flowable",
    "plot_svg",
    "to_drawing",
    "to_svg",
]


# ------------------------------------------------------------------- bars, lines, stacks (matplotlib)

ROW = 24  # points per region in the bar and stacked charts
GOOD, BAD = "#2e7d32", "#c62828"
GRADE_COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}

# Drawn with matplotlib through core.plots (docs/architecture.md: one charting library for pages and PDFs).
# 5 inches = 360 points, the width the page's charts always had: at a phone's 390 px the text stays readable.
FIGURE_WIDTH = 5.0
ROW_INCHES = ROW / 72
BLUE = "#1565c0"


@dataclass(frozen=True)
class Plot:
    """A matplotlib chart of the dashboard, described by its inputs (hashable: the SVG cache's key): `kind`
    names the drawing function, `data` its arguments. `description` is the accessible description (the
    SVG's <desc>, the PDF's caption): what the picture shows beyond its title, e.g. the target line."""

    kind: str
    title: str
    data: tuple[Any, ...]
    description: str = ""
    metric: str = ""

    def figure(self) -> MplFigure:
        return DRAW[self.kind](*self.data)


def _axes_style(axes: Any, grid: Literal["x", "y"]) -> None:
    axes.grid(axis=grid, color=LINE, linewidth=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _draw_bars(
    rows: tuple[tuple[str, Decimal | None, bool | None], ...], target: Decimal, target_label: str, no_data: str
) -> MplFigure:
    fig = plots.new_figure(FIGURE_WIDTH, 0.5 + ROW_INCHES * max(len(rows), 1))
    axes = fig.add_subplot()
    _axes_style(axes, "x")
    y = list(range(len(rows)))
    axes.barh(y, [100] * len(rows), color="#eef1f4", height=0.66)
    rates = [0.0 if rate is None else min(float(rate), 100) for _label, rate, _met in rows]
    axes.barh(y, rates, color=[GOOD if met else BAD for _label, _rate, met in rows], height=0.66)
    for row, (_label, rate, _met) in zip(y, rows, strict=True):
        axes.annotate(_rate_text(rate, no_data), (100, row), xytext=(4, 0), textcoords="offset points",
                      va="center", fontsize=9, color=INK, annotation_clip=False)  # fmt: skip
    axes.axvline(float(target), color=INK, linewidth=1.2, linestyle="--")
    axes.annotate(target_label, (float(target), 1), xycoords=("data", "axes fraction"), xytext=(0, 2),
                  textcoords="offset points", ha="center", va="bottom", fontsize=8, color=SOFT)  # fmt: skip
    axes.set_yticks(y, [label for label, _rate, _met in rows], fontsize=9)
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first region on top, as in the table
    axes.set_xlim(0, 100)
    axes.set_xticks([0, 50, 100], ["0%", "50%", "100%"])
    return fig


def _draw_line(points: tuple[tuple[datetime.date, Decimal], ...], target: Decimal, target_label: str) -> MplFigure:
    fig = plots.new_figure(FIGURE_WIDTH, 2.0)
    axes = fig.add_subplot()
    _axes_style(axes, "y")
    first = points[0][0] if points else datetime.date.min
    days = [(day - first).days for day, _rate in points]
    axes.plot(days, [min(float(rate), 100) for _day, rate in points], color=BLUE, linewidth=2, marker="o",
              markersize=4)  # fmt: skip
    axes.axhline(float(target), color=INK, linewidth=1.2, linestyle="--")
    axes.annotate(target_label, (1, float(target)), xycoords=("axes fraction", "data"), xytext=(0, 3),
                  textcoords="offset points", ha="right", va="bottom", fontsize=8, color=SOFT)  # fmt: skip
    axes.set_ylim(0, 100)
    axes.set_yticks([0, 50, 100], ["0%", "50%", "100%"])
    if points:
        ends = sorted({days[0], days[-1]})
        axes.set_xticks(ends, [(first + datetime.timedelta(days=d)).isoformat() for d in ends])
        if len(ends) == 1:
            axes.set_xlim(days[0] - 1, days[0] + 1)
    return fig


def _draw_stack(rows: tuple[tuple[str, tuple[int, ...]], ...], grade_labels: tuple[str, ...]) -> MplFigure:
    fig = plots.new_figure(FIGURE_WIDTH, 0.75 + ROW_INCHES * max(len(rows), 1))
    axes = fig.add_subplot()
    _axes_style(axes, "x")
    y = list(range(len(rows)))
    left = [0.0] * len(rows)
    for index, (grade, label) in enumerate(zip(GRADE_COLOURS, grade_labels, strict=True)):
        shares = [100 * counts[index] / sum(counts) if sum(counts) else 0.0 for _name, counts in rows]
        axes.barh(y, shares, left=left, color=GRADE_COLOURS[grade], height=0.66, label=label)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    axes.set_yticks(y, [name for name, _counts in rows], fontsize=9)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xlim(0, 100)
    axes.set_xticks([0, 50, 100], ["0%", "50%", "100%"])
    fig.legend(loc="outside upper left", ncols=2, frameon=False, fontsize=8)
    return fig


DRAW: dict[str, Callable[..., MplFigure]] = {"bars": _draw_bars, "line": _draw_line, "stack": _draw_stack}


@functools.lru_cache(maxsize=256)
def _cached_svg(plot: Plot, language: str) -> SafeString:
    # The language is part of the key: axis words are translated when drawn. Plot is frozen and its data
    # tuples of str/Decimal/date, so the key is the chart's inputs themselves; the dashboard's figures change
    # once a day (certhub stats aggregate), so a process draws each chart once and serves it from here after.
    return plots.to_svg(plot.figure(), title=plot.title, description=plot.description)


def plot_svg(plot: Plot) -> SafeString:
    """The chart as inline SVG (core.plots.to_svg), drawn once per inputs and language."""
    return _cached_svg(plot, get_language() or "")


def plot_flowable(plot: Plot, *, width: float) -> Flowable:
    """The chart as a vector drawing `width` points wide for the PDF report pack (core.plots.to_flowable)."""
    return plots.to_flowable(plot.figure(), width=width)


def _target_description(target_label: str) -> str:
    return _("虚线为%(target)s") % {"target": target_label}


def kpi_bars(
    title: str, rows: list[tuple[str, Decimal | None, bool | None]], target: Decimal, *, target_label: str, no_data: str
) -> Plot:
    """One horizontal bar per region (label, rate in %, target met), green when met and red when not, with a
    dashed line at the target."""
    return Plot("bars", title, (tuple(rows), target, target_label, no_data), _target_description(target_label))


def kpi_line(
    title: str, points: list[tuple[datetime.date, Decimal | None]], target: Decimal, *, target_label: str
) -> Plot:
    """A KPI over the days computed: the share in % on a 0–100 scale, with the target as a dashed line."""
    known = tuple((day, rate) for day, rate in points if rate is not None)
    return Plot("line", title, (known, target, target_label), _target_description(target_label))


def grade_stack(title: str, rows: list[tuple[str, list[int]]], grade_labels: list[str]) -> Plot:
    """One 100 % bar per region split into grades A–D (left to right), with a legend."""
    return Plot("stack", title, (tuple((name, tuple(counts)) for name, counts in rows), tuple(grade_labels)))


def kpi_charts(board: Dashboard) -> list[tuple[Plot, Plot]]:
    """Per KPI of the dashboard: the bars of the child regions (or of the region itself when it has none)
    against the target, and the line of the region over the days."""
    rows = board.children or [board.own]
    result = []
    for index, metric in enumerate(KPIS):
        target = TARGETS[metric]
        target_label = _("目标%(target)s%%") % {"target": target}
        label = board.own.kpis[index].label
        bars = kpi_bars(
            _("%(kpi)s（按地区）") % {"kpi": label},
            [(row.name, row.kpis[index].rate, row.kpis[index].met) for row in rows],
            target,
            target_label=target_label,
            no_data=_("无数据"),
        )
        line = kpi_line(
            _("%(kpi)s（逐日）") % {"kpi": label}, board.series.get(metric, []), target, target_label=target_label
        )
        result.append((replace(bars, metric=metric), replace(line, metric=metric)))
    return result


def grade_chart(board: Dashboard) -> Plot:
    """The organizations' risk grade mix of each child region and of the region (stacked)."""
    return grade_stack(
        _("企业风险等级分布"),
        [(row.name, row.grade_mix()) for row in board.rows],
        [str(label) for label in RiskGrade.labels],
    )
