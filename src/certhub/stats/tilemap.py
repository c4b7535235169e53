"""The province's schematic map of prefectures on the statistics dashboard (C11: "a map of the prefectures
where the data allows"): a tile cartogram, one square per prefecture on a grid from stats/data/tiles/<code>.json,
coloured by the KPI's class, marked met or not met, each tile a link to the prefecture's dashboard.

It is laid out here as a few shapes and drawn twice — inline SVG for the page (presentation attributes only:
the content security policy forbids inline styles) and a reportlab Drawing for the PDF report pack. No charting
library draws a tile cartogram of the prefectures, and the tiles are links a keyboard reaches and a screen
reader names (role="group", one <a aria-label> per tile), which a picture made by a charting library (one
image) is not; the dashboard's other charts are matplotlib figures (stats/charts.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certhub.core.choices import RegionLevel
from certhub.core.display import localized_name
from certhub.stats.choices import KPIS

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import Color

    from certhub.core.models import Region
    from certhub.stats.queries import Dashboard

logger = logging.getLogger("certhub.stats")

WIDTH = 360
INK, SOFT, LINE = "#1f2933", "#52606d", "#cbd2d9"
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
    anchor: Literal["start", "middle", "end"] = "start"
    dashed: bool = False
    stroke_width: float = 0  # 0: the kind's usual width (a line 1.5, a polyline 2, a rectangle's outline 1)
    css: str = ""  # an SVG class (the page's tests and styles find a tile by it; the PDF ignores it)
    link: str = ""  # consecutive shapes with the same link are one SVG <a> (the PDF draws them unlinked)
    tip: str = ""  # the accessible name of the link the shape opens


@dataclass
class Chart:
    title: str
    height: float
    shapes: list[Shape] = field(default_factory=list)
    width: float = WIDTH
    metric: str = ""
    css: str = "chart"

    def add(self, kind: str, **kwargs: Any) -> None:
        self.shapes.append(Shape(kind, **kwargs))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


DEFAULT_STROKE_WIDTHS = {"line": 1.5, "polyline": 2.0, "rect": 1.0}


def _stroke_width(shape: Shape) -> float:
    return shape.stroke_width or DEFAULT_STROKE_WIDTHS.get(shape.kind, 1.0)


def _svg_class(shape: Shape) -> str:
    return f' class="{escape(shape.css)}"' if shape.css else ""


def to_svg(chart: Chart) -> SafeString:
    """The chart as inline SVG that scales to the width of its container (phones included)."""
    # A picture is one image to a screen reader; a chart with links (the map's tiles) is a named group, so
    # that its links stay reachable: an image's content is hidden from assistive technology (WCAG 2.1 4.1.2).
    role = "group" if any(s.link for s in chart.shapes) else "img"
    parts = [
        f'<svg class="{escape(chart.css)}" viewBox="0 0 {_number(chart.width)} {_number(chart.height)}" '
        f'width="100%" role="{role}" aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(chart.title)}</title>"
    ]
    link = ""
    for s in chart.shapes:
        if s.link != link:
            if link:
                parts.append("</a>")
            if s.link:
                parts.append(f'<a href="{escape(s.link)}"' + (f' aria-label="{escape(s.tip)}">' if s.tip else ">"))
                if s.tip:
                    parts.append(f"<title>{escape(s.tip)}</title>")
            link = s.link
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        css = _svg_class(s)
        if s.kind == "rect":
            outline = f' stroke="{s.stroke}" stroke-width="{_number(_stroke_width(s))}"' if s.stroke != "none" else ""
            parts.append(
                f'<rect{css} x="{_number(s.x)}" y="{_number(s.y)}" width="{_number(s.width)}" '
                f'height="{_number(s.height)}" fill="{s.fill}"{outline}{dash}/>'
            )
        elif s.kind == "line":
            (x1, y1), (x2, y2) = s.points
            parts.append(
                f'<line{css} x1="{_number(x1)}" y1="{_number(y1)}" x2="{_number(x2)}" y2="{_number(y2)}" '
                f'stroke="{s.stroke}" stroke-width="{_number(_stroke_width(s))}"{dash}/>'
            )
        elif s.kind == "polyline":
            points = " ".join(f"{_number(x)},{_number(y)}" for x, y in s.points)
            width = _number(_stroke_width(s))
            parts.append(f'<polyline{css} points="{points}" fill="none" stroke="{s.stroke}" stroke-width="{width}"/>')
        elif s.kind == "circle":
            parts.append(
                f'<circle{css} cx="{_number(s.x)}" cy="{_number(s.y)}" r="{_number(s.width)}" fill="{s.fill}"/>'
            )
        elif s.kind == "text":
            parts.append(
                f'<text{css} x="{_number(s.x)}" y="{_number(s.y)}" font-size="{_number(s.size)}" '
                f'text-anchor="{s.anchor}" fill="{s.fill}">{escape(s.text)}</text>'
            )
    if link:
        parts.append("</a>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text and attribute above is escaped or a number


def to_drawing(chart: Chart, scale: float = 1.3) -> Drawing:
    """The chart as a reportlab Drawing (y flipped: PDF's y grows upwards), `scale` points per unit."""
    # lazy: reportlab is a heavy library only the PDF report needs
    from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
    from reportlab.lib.colors import HexColor

    def colour(value: str) -> Color | None:
        return None if value == "none" else HexColor(value)

    h = chart.height
    group = Group()
    for s in chart.shapes:
        if s.kind == "rect":
            rect = Rect(s.x, h - s.y - s.height, s.width, s.height)
            # As Rect(..., **properties) sets them: types-reportlab's Rect takes no typed keyword properties.
            rect.setProperties(
                {
                    "fillColor": colour(s.fill),
                    "strokeColor": colour(s.stroke),
                    "strokeWidth": _stroke_width(s),
                    "strokeDashArray": [4, 3] if s.dashed else None,
                }
            )
            group.add(rect)
        elif s.kind == "line":
            (x1, y1), (x2, y2) = s.points
            group.add(
                Line(
                    x1,
                    h - y1,
                    x2,
                    h - y2,
                    strokeColor=colour(s.stroke),
                    strokeWidth=_stroke_width(s),
                    strokeDashArray=[4, 3] if s.dashed else None,  # type: ignore[arg-type]  # types-reportlab: None is valid
                )
            )
        elif s.kind == "polyline":
            flat = [c for x, y in s.points for c in (x, h - y)]
            group.add(
                PolyLine(
                    flat, strokeColor=colour(s.stroke), strokeWidth=_stroke_width(s), strokeLineCap=1, strokeLineJoin=1
                )
            )
        elif s.kind == "circle":
            group.add(Circle(s.x, h - s.y, s.width, fillColor=colour(s.fill), strokeColor=None))
        elif s.kind == "text":
            group.add(
                String(
                    s.x,
                    h - s.y,
                    s.text,
                    fontName=PDF_FONT,
                    fontSize=s.size,
                    fillColor=colour(s.fill),
                    textAnchor=s.anchor,
                )
            )
    group.scale(scale, scale)
    drawing = Drawing(chart.width * scale, chart.height * scale)
    drawing.add(group)
    return drawing


def _rate_text(rate: Decimal | None, no_data: str) -> str:
    return no_data if rate is None else f"{rate}%"


# ----------------------------------------------------------------------------------------- the map


# A layout per province (C11: "a map of the prefectures where the data allows"): data, not code.
TILES_DIR = Path(__file__).parent / "data" / "tiles"
TILE, GAP, PAD = 58, 4, 2
# ColorBrewer "Blues", 5 classes (sequential, one hue): it reads in order for colour-blind readers and in
# greyscale print; green/red would not. Classes of 20 points of the rate as shown (0.1 %), the last with 100 %.
# The fourth class is a shade darker than ColorBrewer's five-class Blues (#2171b5, its seven-class step, for
# #3182bd): white text on it then has the 4.5:1 contrast WCAG 2.1 1.4.3 asks for (#3182bd gave 4.15:1).
MAP_SCALE = ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08519c")
BUCKET_WIDTH = 20
DARK_BUCKETS = 3  # from this class on the tile is dark: its text and marks are white
NO_DATA_FILL, HATCH = "#e4e7eb", "#9aa5b1"
WHITE = "#ffffff"


class TileLayoutError(ValueError):
    """A tile layout file that cannot be used; the message names the file, the code and why."""


@dataclass(frozen=True)
class TileLayout:
    """Where each prefecture's tile sits on a columns × rows grid (a schematic, not geometry)."""

    columns: int
    rows: int
    tiles: dict[str, tuple[int, int]]
    short_names: dict[str, dict[str, str]] = field(default_factory=dict)
    about: str = ""

    def short_name(self, region: Region) -> str:
        """The tile's label: the file's short name in the page's language, else the region's name (in Chinese
        without the 市 that every prefecture-level city carries)."""
        language = "en" if (get_language() or "").startswith("en") else "zh-hans"
        named = self.short_names.get(region.code, {}).get(language)
        if named:
            return named
        name = localized_name(region)
        return name[:-1] if language == "zh-hans" and name.endswith("市") and len(name) > 2 else name


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_tile_layout(data: object, province: Region, prefectures: Collection[str], *, source: str) -> TileLayout:
    """Check a layout against the province's prefectures (`prefectures`: their codes) and return it; raises
    TileLayoutError naming the code for a tile that is not a prefecture of the province, two tiles on one
    cell or a cell outside the grid. Completeness is not checked here (see `tile_layout`)."""
    if not isinstance(data, dict):
        raise TileLayoutError(f"{source}: expected an object with columns, rows and tiles")
    columns, rows, tiles = data.get("columns"), data.get("rows"), data.get("tiles")
    for name, value in (("columns", columns), ("rows", rows)):
        if not _whole(value) or not 0 < value <= 20:
            raise TileLayoutError(f"{source}: {name} must be a whole number from 1 to 20, not {value!r}")
    if not isinstance(tiles, dict) or not tiles:
        raise TileLayoutError(f"{source}: tiles must be an object of region code → [column, row]")
    assert isinstance(columns, int) and isinstance(rows, int)
    placed: dict[str, tuple[int, int]] = {}
    by_cell: dict[tuple[int, int], str] = {}
    for code, cell in tiles.items():
        if code not in prefectures:
            raise TileLayoutError(
                f"{source}: {code} is not a prefecture of {province.name} ({province.code}) in the region table"
            )
        if not (isinstance(cell, list) and len(cell) == 2 and all(_whole(v) for v in cell)):
            raise TileLayoutError(f"{source}: {code} must be placed at [column, row] (two whole numbers), not {cell!r}")
        column, row = cell
        if not (0 <= column < columns and 0 <= row < rows):
            raise TileLayoutError(
                f"{source}: {code} is placed at column {column}, row {row}, outside the "
                f"{columns} × {rows} grid (columns 0–{columns - 1}, rows 0–{rows - 1})"
            )
        if (column, row) in by_cell:
            raise TileLayoutError(
                f"{source}: {code} is placed at column {column}, row {row}, where {by_cell[(column, row)]} already is"
            )
        by_cell[(column, row)] = code
        placed[code] = (column, row)
    short_names = data.get("short_names", {})
    if not isinstance(short_names, dict):
        raise TileLayoutError(f"{source}: short_names must be an object of region code → {{language: name}}")
    for code, names in short_names.items():
        if code not in placed:
            raise TileLayoutError(f"{source}: short_names names {code}, which has no tile")
        if not isinstance(names, dict) or not all(isinstance(v, str) and v.strip() for v in names.values()):
            raise TileLayoutError(f"{source}: short_names of {code} must map a language to a name, not {names!r}")
    return TileLayout(columns, rows, placed, short_names, str(data.get("about", "")))


def tile_layout(province: Region, prefectures: Collection[str]) -> TileLayout | None:
    """The layout of `province` from data/tiles/<code>.json, or None when there is none or it leaves out a
    prefecture of the region table (then the page shows bars only). A malformed file raises TileLayoutError."""
    path = TILES_DIR / f"{province.code}.json"
    if not path.is_file():
        return None
    source = f"stats/data/tiles/{path.name}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TileLayoutError(f"{source}: not valid JSON ({error})") from error
    layout = parse_tile_layout(data, province, prefectures, source=source)
    missing = sorted(set(prefectures) - set(layout.tiles))
    if missing:
        logger.warning("%s has no tile for %s: no map drawn", source, ", ".join(missing))
        return None
    return layout


def _text_units(text: str) -> float:
    """The width of `text` in ems, roughly: a Chinese character is one em, a Latin letter or digit about 0.6."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.6 for ch in text)


def _fit(text: str, width: float, size: float) -> float:
    """The largest font size up to `size` (in half points) at which `text` fits in `width`."""
    units = _text_units(text) or 1
    return max(min(size, int(width / units * 2) / 2), 6)


def _mark(chart: Chart, met: bool, x: float, y: float, colour: str, link: str) -> None:
    """The target's mark in a tile's top-right corner — a tick when met, a cross when not — so that the
    colour is never the only signal (C11 pages for everyone; WCAG 1.4.1)."""
    if met:
        chart.add(
            "polyline",
            points=((x, y + 5), (x + 3.5, y + 8.5), (x + 10, y + 1)),
            stroke=colour,
            stroke_width=2.2,
            css="mark met",
            link=link,
        )
    else:
        chart.add(
            "line",
            points=((x + 1, y + 1), (x + 9, y + 9)),
            stroke=colour,
            stroke_width=2.2,
            css="mark not-met",
            link=link,
        )
        chart.add("line", points=((x + 9, y + 1), (x + 1, y + 9)), stroke=colour, stroke_width=2.2, link=link)


def _hatch(chart: Chart, x: float, y: float, size: float, link: str) -> None:
    """Diagonal hatching over a square (no data): grey alone could be read as a low value."""
    step = 8
    for k in range(step, int(2 * size), step):
        near, far = min(k, size), max(k - size, 0)
        chart.add(
            "line",
            points=((x + near, y + far), (x + far, y + near)),
            stroke=HATCH,
            stroke_width=0.8,
            css="hatch",
            link=link,
        )


def bucket(rate: Decimal) -> int:
    """The colour class (0–4) of a rate in %: 0 below 20, 1 from 20, … 4 from 80 up to 100."""
    return min(int(rate // BUCKET_WIDTH), len(MAP_SCALE) - 1)


def bucket_labels() -> list[str]:
    """The legend's words for the colour classes: <20%, 20-40%, 40-60%, 60-80%, ≥80%."""
    middle = [f"{low}-{low + BUCKET_WIDTH}%" for low in range(BUCKET_WIDTH, 100 - BUCKET_WIDTH, BUCKET_WIDTH)]
    return [f"<{BUCKET_WIDTH}%", *middle, f"≥{100 - BUCKET_WIDTH}%"]


def tile_map(
    title: str,
    layout: TileLayout,
    tiles: Mapping[str, tuple[str, str, Decimal | None, bool | None]],
    *,
    link: Callable[[str], str],
    no_data: str,
    met_label: str,
    not_met_label: str,
) -> Chart:
    """A tile cartogram: per code of `tiles` (short label, full name, rate in %, target met), one square where
    the layout puts it, coloured by the rate's class, marked met (tick) or not met (cross), labelled with the
    short name and the rate, linked to `link(code)`; no data is grey and hatched. A legend under the grid."""
    width = 2 * PAD + layout.columns * TILE + (layout.columns - 1) * GAP
    grid_height = 2 * PAD + layout.rows * TILE + (layout.rows - 1) * GAP
    chart = Chart(title, grid_height + 46, width=width, css="chart map")
    for code, (label, name, rate, met) in tiles.items():
        column, row = layout.tiles[code]
        x, y = PAD + column * (TILE + GAP), PAD + row * (TILE + GAP)
        href = link(code)
        rate_text = _rate_text(rate, no_data)
        if rate is None:
            tip = f"{name}：{no_data}"
            chart.add(
                "rect", x=x, y=y, width=TILE, height=TILE, fill=NO_DATA_FILL, css="tile no-data", link=href, tip=tip
            )
            _hatch(chart, x, y, TILE, href)
            ink = INK
        else:
            level = bucket(rate)
            tip = f"{name}：{rate_text}，{met_label if met else not_met_label}"
            chart.add(
                "rect",
                x=x,
                y=y,
                width=TILE,
                height=TILE,
                fill=MAP_SCALE[level],
                stroke=INK if met else "none",
                stroke_width=2.5,
                css=f"tile bucket-{level} {'met' if met else 'not-met'}",
                link=href,
                tip=tip,
            )
            ink = WHITE if level >= DARK_BUCKETS else INK
            _mark(chart, bool(met), x + TILE - 14, y + 4, ink, href)
        centre = x + TILE / 2
        chart.add(
            "text",
            x=centre,
            y=y + 30,
            text=label,
            fill=ink,
            size=_fit(label, TILE - 8, 12),
            anchor="middle",
            css="tile-name",
            link=href,
        )
        chart.add(
            "text",
            x=centre,
            y=y + 47,
            text=rate_text,
            fill=ink,
            size=_fit(rate_text, TILE - 6, 11),
            anchor="middle",
            css="tile-rate",
            link=href,
        )
    # The legend: the five classes, then no data, met and not met.
    y = grid_height + 6
    slot = (width - 2 * PAD) / len(MAP_SCALE)
    for index, (colour, text) in enumerate(zip(MAP_SCALE, bucket_labels(), strict=True)):
        left = PAD + index * slot
        chart.add("rect", x=left, y=y, width=12, height=12, fill=colour, stroke=LINE)
        chart.add("text", x=left + 15, y=y + 10, text=text, fill=INK, size=9)
    y += 20
    chart.add("rect", x=PAD, y=y, width=12, height=12, fill=NO_DATA_FILL, stroke=LINE)
    _hatch(chart, PAD, y, 12, "")
    chart.add("text", x=PAD + 15, y=y + 10, text=no_data, fill=INK, size=9)
    third = (width - 2 * PAD) / 3
    _mark(chart, True, PAD + third, y + 1, INK, "")
    chart.add("text", x=PAD + third + 14, y=y + 10, text=met_label, fill=INK, size=9)
    _mark(chart, False, PAD + 2 * third, y + 1, INK, "")
    chart.add("text", x=PAD + 2 * third + 14, y=y + 10, text=not_met_label, fill=INK, size=9)
    return chart


def kpi_maps(board: Dashboard) -> list[Chart]:
    """Per KPI, the map of the province's prefectures (tile cartogram) — or none at all: on a prefecture's or
    county's dashboard (no layout below the province), without a layout file covering every prefecture, or with
    a malformed one (refused, logged with its reason; the bars still show every figure)."""
    if board.region.level != RegionLevel.PROVINCE or not board.children:
        return []
    try:
        layout = tile_layout(board.region, [row.region.code for row in board.children])
    except TileLayoutError as error:
        logger.error("tile layout refused: %s", error)
        return []
    if layout is None:
        return []
    page = reverse("stats:dashboard")  # each tile drills down to its prefecture, as the table's links do
    maps = []
    for index, metric in enumerate(KPIS):
        label = board.own.kpis[index].label
        tiles = {
            row.region.code: (layout.short_name(row.region), row.name, row.kpis[index].rate, row.kpis[index].met)
            for row in board.children
        }
        chart = tile_map(
            _("%(kpi)s：各市州示意图") % {"kpi": label},
            layout,
            tiles,
            link=lambda code: f"{page}?region={code}",
            no_data=_("无数据"),
            met_label=_("达标"),
            not_met_label=_("未达标"),
        )
        chart.metric = metric
        maps.append(chart)
    return maps
