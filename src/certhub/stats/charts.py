"""The dashboard's charts (MISSION.md C11: read at a glance): bars per region against the target line, a line
over the days, a stacked bar of the risk grade mix. Each chart is laid out once as a few shapes and drawn
twice — as inline SVG for the page (presentation attributes only: the content security policy forbids inline
styles) and as a reportlab Drawing for the PDF report pack — so that both show the same picture."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from certhub.stats.queries import Dashboard

WIDTH = 360
LABEL_WIDTH = 92
ROW = 24
GOOD, BAD, NEUTRAL, INK, SOFT, LINE = "#2e7d32", "#c62828", "#9aa5b1", "#1f2933", "#52606d", "#cbd2d9"
GRADE_COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}
PDF_FONT = "STSong-Light"


@dataclass(frozen=True)
class Shape:
    """A rectangle, line, polyline, circle or text, in SVG's coordinates (y grows downwards)."""

    kind: str
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    points: tuple[tuple[float, float], ...] = ()
    text: str = ""
    fill: str = "none"
    stroke: str = "none"
    size: float = 11
    anchor: str = "start"
    dashed: bool = False


@dataclass
class Chart:
    title: str
    height: float
    shapes: list[Shape] = field(default_factory=list)
    width: float = WIDTH
    metric: str = ""

    def add(self, kind: str, **kwargs: object) -> None:
        self.shapes.append(Shape(kind, **kwargs))  # type: ignore[arg-type]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def to_svg(chart: Chart) -> SafeString:
    """The chart as inline SVG that scales to the width of its container (phones included)."""
    parts = [f'<svg class="chart" viewBox="0 0 {_number(chart.width)} {_number(chart.height)}" width="100%" '
             f'role="img" aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">'
             f"<title>{escape(chart.title)}</title>"]  # fmt: skip
    for s in chart.shapes:
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        if s.kind == "rect":
            parts.append(f'<rect x="{_number(s.x)}" y="{_number(s.y)}" width="{_number(s.width)}" '
                         f'height="{_number(s.height)}" fill="{s.fill}"/>')  # fmt: skip
        elif s.kind == "line":
            (x1, y1), (x2, y2) = s.points
            parts.append(f'<line x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" y2="{_number(y2)}" '
                         f'stroke="{s.stroke}" stroke-width="1.5"{dash}/>')  # fmt: skip
        elif s.kind == "polyline":
            points = " ".join(f"{_number(x)},{_number(y)}" for x, y in s.points)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{s.stroke}" stroke-width="2"/>')
        elif s.kind == "circle":
            parts.append(f'<circle cx="{_number(s.x)}" cy="{_number(s.y)}" r="{_number(s.width)}" fill="{s.fill}"/>')
        elif s.kind == "text":
            parts.append(f'<text x="{_number(s.x)}" y="{_number(s.y)}" font-size="{_number(s.size)}" '
                         f'text-anchor="{s.anchor}" fill="{s.fill}">{escape(s.text)}</text>')  # fmt: skip
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text and attribute above is escaped or a number


def to_drawing(chart: Chart, scale: float = 1.3):  # type: ignore[no-untyped-def]
    """The chart as a reportlab Drawing (y flipped: PDF's y grows upwards), `scale` points per unit."""
    from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
    from reportlab.lib.colors import HexColor

    def colour(value: str):  # type: ignore[no-untyped-def]
        return None if value == "none" else HexColor(value)

    h = chart.height
    group = Group()
    for s in chart.shapes:
        if s.kind == "rect":
            group.add(Rect(s.x, h - s.y - s.height, s.width, s.height, fillColor=colour(s.fill), strokeColor=None))
        elif s.kind == "line":
            (x1, y1), (x2, y2) = s.points
            group.add(Line(x1, h - y1, x2, h - y2, strokeColor=colour(s.stroke), strokeWidth=1.5,
                           strokeDashArray=[4, 3] if s.dashed else None))  # fmt: skip
        elif s.kind == "polyline":
            flat = [c for x, y in s.points for c in (x, h - y)]
            group.add(PolyLine(flat, strokeColor=colour(s.stroke), strokeWidth=2))
        elif s.kind == "circle":
            group.add(Circle(s.x, h - s.y, s.width, fillColor=colour(s.fill), strokeColor=None))
        elif s.kind == "text":
            group.add(String(s.x, h - s.y, s.text, fontName=PDF_FONT, fontSize=s.size, fillColor=colour(s.fill),
                             textAnchor=s.anchor))  # fmt: skip
    group.scale(scale, scale)
    drawing = Drawing(chart.width * scale, chart.height * scale)
    drawing.add(group)
    return drawing


def _rate_text(rate: Decimal | None, no_data: str) -> str:
    return no_data if rate is None else f"{rate}%"


def kpi_bars(title: str, rows: list[tuple[str, Decimal | None, bool | None]], target: Decimal, *,
             target_label: str, no_data: str) -> Chart:  # fmt: skip
    """One horizontal bar per region (label, rate in %, target met), green when met and red when not, with a
    dashed line at the target."""
    top = 22
    plot = WIDTH - LABEL_WIDTH - 52  # room for "100.0%" right of the bar
    chart = Chart(title, top + ROW * max(len(rows), 1) + 6)
    target_x = LABEL_WIDTH + plot * float(target) / 100
    chart.add("text", x=target_x, y=12, text=target_label, fill=SOFT, size=10, anchor="middle")
    for index, (label, rate, met) in enumerate(rows):
        y = top + index * ROW
        chart.add("text", x=LABEL_WIDTH - 6, y=y + 15, text=label, fill=INK, anchor="end")
        chart.add("rect", x=LABEL_WIDTH, y=y + 4, width=plot, height=ROW - 8, fill="#eef1f4")
        if rate is not None:
            chart.add("rect", x=LABEL_WIDTH, y=y + 4, width=plot * min(float(rate), 100) / 100, height=ROW - 8,
                      fill=GOOD if met else BAD)  # fmt: skip
        chart.add("text", x=WIDTH - 2, y=y + 15, text=_rate_text(rate, no_data), fill=INK, anchor="end")
    chart.add("line", points=((target_x, top - 4), (target_x, chart.height - 2)), stroke=INK, dashed=True)
    return chart


def kpi_line(title: str, points: list[tuple[datetime.date, Decimal | None]], target: Decimal, *,
             target_label: str) -> Chart:  # fmt: skip
    """A KPI over the days computed: the share in % on a 0–100 scale, with the target as a dashed line."""
    left, right, top, bottom = 34, WIDTH - 10, 10, 120
    chart = Chart(title, 140)
    for tick in (0, 50, 100):
        y = bottom - (bottom - top) * tick / 100
        chart.add("line", points=((left, y), (right, y)), stroke=LINE)
        chart.add("text", x=left - 4, y=y + 4, text=f"{tick}%", fill=SOFT, size=9, anchor="end")
    target_y = bottom - (bottom - top) * float(target) / 100
    chart.add("line", points=((left, target_y), (right, target_y)), stroke=INK, dashed=True)
    chart.add("text", x=right, y=target_y - 3, text=target_label, fill=SOFT, size=9, anchor="end")
    known = [(day, rate) for day, rate in points if rate is not None]
    if known:
        first, last = known[0][0], known[-1][0]
        span = max((last - first).days, 1)

        def at(day: datetime.date, rate: Decimal) -> tuple[float, float]:
            x = left + (right - left) * ((day - first).days / span if last != first else 0.5)
            return x, bottom - (bottom - top) * min(float(rate), 100) / 100

        coords = tuple(at(day, rate) for day, rate in known)
        if len(coords) > 1:
            chart.add("polyline", points=coords, stroke="#1565c0")
        for x, y in coords:
            chart.add("circle", x=x, y=y, width=3, fill="#1565c0")
        chart.add("text", x=left, y=bottom + 15, text=first.isoformat(), fill=SOFT, size=9)
        if last != first:
            chart.add("text", x=right, y=bottom + 15, text=last.isoformat(), fill=SOFT, size=9, anchor="end")
    return chart


def grade_stack(title: str, rows: list[tuple[str, list[int]]], grade_labels: list[str]) -> Chart:
    """One 100 % bar per region split into grades A–D (left to right), with a legend."""
    top = 26
    plot = WIDTH - LABEL_WIDTH - 8
    chart = Chart(title, top + ROW * max(len(rows), 1) + 6)
    for index, (grade, label) in enumerate(zip(GRADE_COLOURS, grade_labels, strict=True)):
        x = 4 + index * 88
        chart.add("rect", x=x, y=6, width=10, height=10, fill=GRADE_COLOURS[grade])
        chart.add("text", x=x + 14, y=15, text=label, fill=INK, size=10)
    for index, (label, counts) in enumerate(rows):
        y = top + index * ROW
        chart.add("text", x=LABEL_WIDTH - 6, y=y + 15, text=label, fill=INK, anchor="end")
        total = sum(counts)
        if not total:
            chart.add("rect", x=LABEL_WIDTH, y=y + 4, width=plot, height=ROW - 8, fill="#eef1f4")
            continue
        x = float(LABEL_WIDTH)
        for grade, count in zip(GRADE_COLOURS, counts, strict=True):
            width = plot * count / total
            if width:
                chart.add("rect", x=x, y=y + 4, width=width, height=ROW - 8, fill=GRADE_COLOURS[grade])
            x += width
    return chart


def kpi_charts(board: Dashboard) -> list[tuple[Chart, Chart]]:
    """Per KPI of the dashboard: the bars of the child regions (or of the region itself when it has none)
    against the target, and the line of the region over the days."""
    from certhub.stats.choices import KPIS, TARGETS

    rows = board.children or [board.own]
    result = []
    for index, metric in enumerate(KPIS):
        target = TARGETS[metric]
        target_label = _("目标%(target)s%%") % {"target": target}
        label = board.own.kpis[index].label
        bars = kpi_bars(_("%(kpi)s（按地区）") % {"kpi": label},
                        [(row.name, row.kpis[index].rate, row.kpis[index].met) for row in rows],
                        target, target_label=target_label, no_data=_("无数据"))  # fmt: skip
        line = kpi_line(_("%(kpi)s（逐日）") % {"kpi": label}, board.series.get(metric, []), target,
                        target_label=target_label)  # fmt: skip
        bars.metric = line.metric = metric
        result.append((bars, line))
    return result


def grade_chart(board: Dashboard) -> Chart:
    """The organizations' risk grade mix of each child region and of the region (stacked)."""
    from certhub.risk.choices import RiskGrade

    return grade_stack(
        _("企业风险等级分布"),
        [(row.name, row.grade_mix()) for row in board.rows],
        [str(label) for label in RiskGrade.labels],
    )
