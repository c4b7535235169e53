"""toolbox.figures: each picture shows exactly the computed result — points, limits, phases, every violation,
specification limits, Pareto's cumulative line, cost stacks, the profile (C12). Checked on the figure's own
artists (the data matplotlib will draw) and on the inline SVG a page shows."""

import re

import defusedxml.ElementTree as SafeET
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from scipy import stats  # type: ignore[import-untyped]

from certhub.core.plots import BAD, BLUE, NEUTRAL, to_svg
from certhub.toolbox.capability import capability
from certhub.toolbox.figures import (
    VIOLATIONS_GID,
    control_chart,
    histogram,
    pareto_chart,
    profile_chart,
    quality_cost_chart,
    thin,
)
from certhub.toolbox.pareto import pareto
from certhub.toolbox.quality_cost import quality_cost
from certhub.toolbox.spc import control_chart as spc_chart
from certhub.toolbox.tests.spc_data import pistonrings

SVG = "{http://www.w3.org/2000/svg}"


def _violation_markers(fig) -> Line2D:
    (line,) = [a for a in fig.axes[0].lines if a.get_gid() == VIOLATIONS_GID]
    return line


def _red_markers(svg: str) -> int:
    """Markers are one <use> each in matplotlib's SVG; the violation series is the only red one."""
    return len(re.findall(rf'<use [^>]*fill="{BAD}"', svg))


def test_piston_ring_xbar_chart_draws_every_violation_and_the_phase_boundary():
    values, samples = pistonrings()
    xbar = spc_chart("xbar-r", values, subgroups=samples, phase1=25).charts[0]
    fig = control_chart(xbar, title="活塞环直径 均值图")

    flagged = _violation_markers(fig)
    # Samples 35, 37, 38, 39 and 40 (0-based 34, 36–39) break Nelson rules; 37–39 lie beyond the upper limit.
    assert list(flagged.get_xdata()) == [34, 36, 37, 38, 39]
    assert list(flagged.get_ydata()) == [xbar.points[i] for i in (34, 36, 37, 38, 39)]
    axes = fig.axes[0]
    (points,) = [a for a in axes.lines if a.get_color() == BLUE]
    assert len(points.get_xdata()) == 40  # 40 subgroups: nothing thinned
    # Phase I is samples 1–25: the boundary between the 25th and 26th point.
    assert any(list(a.get_xdata()) == [24.5, 24.5] for a in axes.lines)
    assert {t.get_text() for t in axes.texts} >= {"第 I 阶段 ", " 第 II 阶段"}
    assert {t.get_text() for t in axes.texts} >= {"UCL 74.0143", "CL 74.0012", "LCL 73.988"}

    svg = str(to_svg(fig, title="活塞环直径 均值图"))
    root = SafeET.fromstring(svg)
    assert root[0].tag == f"{SVG}title" and root[0].text == "活塞环直径 均值图"
    assert root.get("aria-label") == "活塞环直径 均值图"
    assert _red_markers(svg) == 5


def test_a_100000_point_chart_is_thinned_but_keeps_every_violation():
    rng = np.random.default_rng(18)
    values = rng.normal(10.0, 1.0, 100_000)
    values[60_000:60_040] += 4.0  # a shift in phase II: many points beyond the limit and in runs
    series = spc_chart("imr", values, phase1=20_000).charts[0]
    expected = sorted({v.index for v in series.violations})
    assert len(expected) > 100

    fig = control_chart(series, title="单值图", max_points=2000)

    (points,) = [a for a in fig.axes[0].lines if a.get_color() == BLUE]
    assert len(points.get_xdata()) <= 2002
    assert list(_violation_markers(fig).get_xdata()) == expected
    svg = str(to_svg(fig, title="单值图"))
    assert _red_markers(svg) == len(expected)
    assert "<style" not in svg and " style=" not in svg


def test_thinning_keeps_each_buckets_extremes_and_the_ends():
    points = np.array([5.0, 1.0, 9.0, 4.0, 3.0, 8.0, 2.0, 6.0, 7.0, 0.5])
    # 2 buckets of 5: lowest and highest of each, plus the first and last point.
    assert list(thin(points, 4)) == [0, 1, 2, 5, 9]
    assert list(thin(points, 10)) == list(range(10))


def test_stepped_limits_are_drawn_as_steps():
    u = spc_chart("u", [30, 50, 40, 60, 20, 40], sizes=[10, 8, 12, 10, 10, 9]).charts[0]
    fig = control_chart(u, title="u 图")

    steps = [a for a in fig.axes[0].lines if a.get_drawstyle() == "steps-post"]
    upper, lower = steps
    # A step starts wherever the sample size (so the limit) changes; the last one runs to the chart's end.
    assert list(upper.get_xdata()) == [-0.5, 0.5, 1.5, 2.5, 4.5, 5.5]
    assert list(upper.get_ydata()) == [u.ucl[0], u.ucl[1], u.ucl[2], u.ucl[3], u.ucl[5], u.ucl[5]]
    assert list(lower.get_ydata()) == [u.lcl[0], u.lcl[1], u.lcl[2], u.lcl[3], u.lcl[5], u.lcl[5]]


def test_histogram_shows_the_specification_limits_target_and_fitted_normal():
    values, samples = pistonrings()
    cap = capability(values, subgroups=samples, phase1=25, lsl=73.95, usl=74.05, target=74.0)
    fig = histogram(cap, title="活塞环直径 过程能力")
    axes = fig.axes[0]

    verticals = {a.get_xdata()[0] for a in axes.lines if len(set(a.get_xdata())) == 1}
    assert verticals == {73.95, 74.05, 74.0}
    assert {t.get_text() for t in axes.texts} == {"规格下限 LSL 73.95", "规格上限 USL 74.05", "目标值 74"}
    within = next(a for a in axes.lines if len(a.get_xdata()) == 400 and a.get_linestyle() == "-")
    xs, ys = within.get_xdata(), within.get_ydata()
    assert np.allclose(ys, stats.norm.pdf(xs, cap.mean, cap.sigma_within))
    assert np.isclose(sum(p.get_height() * p.get_width() for p in axes.patches), 1.0)  # densities
    assert SafeET.fromstring(str(to_svg(fig, title="活塞环直径 过程能力")))[0].text == "活塞环直径 过程能力"


def test_pareto_chart_bars_cumulative_line_and_cut_off():
    p = pareto(["划伤", "毛刺", "尺寸", "气孔", "其他"], [48, 32, 10, 8, 2])
    fig = pareto_chart(p, title="缺陷原因")
    bars, share = fig.axes

    assert [round(b.get_height()) for b in bars.patches] == [48, 32, 10, 8, 2]
    assert [t.get_text() for t in bars.get_xticklabels()] == ["划伤", "毛刺", "尺寸", "气孔", "其他"]
    colours = [b.get_facecolor() for b in bars.patches]
    assert colours == [to_rgba(BLUE)] * 2 + [to_rgba(NEUTRAL)] * 3  # vital few: 48 + 32 = 80 %
    cumulative, cut = share.lines
    assert np.allclose(cumulative.get_ydata(), [48, 80, 90, 98, 100])
    assert list(cut.get_ydata()) == [80, 80]
    assert share.get_ylim() == (0, 100) and bars.get_ylim() == (0, 100)


def test_quality_cost_chart_stacks_the_four_kinds_and_the_share_of_sales():
    qc = quality_cost(
        [
            {"period": "1月", "prevention": 10, "appraisal": 20, "internal_failure": 30, "external_failure": 40,
             "sales": 1000},
            {"period": "2月", "prevention": 15, "appraisal": 20, "internal_failure": 25, "external_failure": 20,
             "sales": 1000},
        ]
    )  # fmt: skip
    fig = quality_cost_chart(qc, title="质量成本")
    bars, ratio = fig.axes

    stacks = [(b.get_x() + b.get_width() / 2, b.get_y(), b.get_height()) for b in bars.patches]
    assert [(round(x), round(y), round(h)) for x, y, h in stacks] == [
        (0, 0, 10), (1, 0, 15), (0, 10, 20), (1, 15, 20), (0, 30, 30), (1, 35, 25), (0, 60, 40), (1, 60, 20),
    ]  # fmt: skip
    (line,) = ratio.lines
    assert np.allclose(line.get_ydata(), [10.0, 8.0])  # 100 / 1000 and 80 / 1000
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["预防成本", "鉴定成本", "内部损失成本", "外部损失成本", "质量成本合计占销售额"]


def test_profile_chart_bars_with_last_year_as_markers():
    fig = profile_chart(["4.1 领导", "4.7 结果"], [0.6, 0.35], previous=[0.5, 0.4], title="评价概况")
    axes = fig.axes[0]

    assert [round(b.get_width(), 6) for b in axes.patches] == [60.0, 35.0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["4.1 领导", "4.7 结果"]
    (before,) = axes.lines
    assert list(before.get_xdata()) == [50.0, 40.0] and list(before.get_ydata()) == [0, 1]
    assert [t.get_text() for t in axes.texts] == ["60%", "35%"]
    svg = str(to_svg(fig, title="评价概况"))
    assert SafeET.fromstring(svg).get("aria-label") == "评价概况"
