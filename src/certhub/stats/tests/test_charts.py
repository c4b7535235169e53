"""The dashboard's bar, line and grade charts (matplotlib through core.plots): what each picture says — its
title, the target line in its accessible description, the bars' values — and that a page draws each chart
once per inputs and language (C11)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import defusedxml.ElementTree as SafeET
from django.utils import translation
from matplotlib.colors import to_rgba

from certhub.stats import charts

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [("长沙市", Decimal("50.0"), False), ("衡阳市", Decimal("100.0"), True), ("永州市", None, None)]


def _bars() -> charts.Plot:
    return charts.kpi_bars("认证率（按地区）", ROWS, Decimal(80), target_label="目标80%", no_data="无数据")


def test_bars_show_each_region_against_the_target_line():
    fig = _bars().figure()
    axes = fig.axes[0]

    # Behind each bar the 0–100 % track; on it the rate, green when the target is met and red when not.
    tracks, rates = axes.patches[:3], axes.patches[3:]
    assert [p.get_width() for p in tracks] == [100, 100, 100]
    assert [p.get_width() for p in rates] == [50.0, 100.0, 0.0]
    assert [p.get_facecolor() for p in rates[:2]] == [to_rgba(charts.BAD), to_rgba(charts.GOOD)]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["长沙市", "衡阳市", "永州市"]
    assert [t.get_text() for t in axes.texts] == ["50.0%", "100.0%", "无数据", "目标80%"]
    (target,) = [line for line in axes.lines if line.get_linestyle() == "--"]
    assert list(target.get_xdata()) == [80.0, 80.0]


def test_the_svg_is_named_and_describes_the_target_line():
    root = SafeET.fromstring(str(charts.plot_svg(_bars())))
    assert root.get("class") == "chart"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "认证率（按地区）"
    assert (root[0].tag, root[0].text) == (f"{SVG}title", "认证率（按地区）")
    assert (root[1].tag, root[1].text) == (f"{SVG}desc", "虚线为目标80%")
    assert root.get("viewBox") == "0 0 360 108"  # 360 points wide as the page's charts were; 24 a region


def test_a_chart_is_drawn_once_per_inputs_and_language():
    charts._cached_svg.cache_clear()
    first = charts.plot_svg(_bars())
    assert charts.plot_svg(_bars()) is first  # equal inputs: the cached picture
    assert charts._cached_svg.cache_info().hits == 1
    with translation.override("en"):
        english = charts.plot_svg(_bars())
    assert english is not first
    assert charts._cached_svg.cache_info().misses == 2
    other = charts.kpi_bars("认证率（按地区）", ROWS[:2], Decimal(80), target_label="目标80%", no_data="无数据")
    assert charts.plot_svg(other) != first


def test_line_over_the_days_and_grade_mix():
    days = [(datetime.date(2026, 6, 1), Decimal("40.0")), (datetime.date(2026, 6, 2), None),
            (datetime.date(2026, 6, 30), Decimal("60.0"))]  # fmt: skip
    line = charts.kpi_line("认证率（逐日）", days, Decimal(80), target_label="目标80%")
    axes = line.figure().axes[0]
    (rates,) = [a for a in axes.lines if a.get_linestyle() == "-"]
    assert list(rates.get_xdata()) == [0, 29] and list(rates.get_ydata()) == [40.0, 60.0]  # no data: no point
    assert [t.get_text() for t in axes.get_xticklabels()] == ["2026-06-01", "2026-06-30"]
    assert line.description == "虚线为目标80%"

    stack = charts.grade_stack("企业风险等级分布", [("长沙市", [1, 2, 1, 0]), ("衡阳市", [0, 0, 0, 0])], list("ABCD"))
    fig = stack.figure()
    widths = [round(p.get_width(), 6) for p in fig.axes[0].patches]
    # Grade by grade (A, B, C, D), each with one bar per region: shares of 100 %; an empty region stays empty.
    assert widths == [25.0, 0.0, 50.0, 0.0, 25.0, 0.0, 0.0, 0.0]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["A", "B", "C", "D"]
