"""The pictures of a toolbox result (C12): drawn once by toolbox.figures (matplotlib), shown inline as SVG
under the strict CSP (core.plots.to_svg) and put into the PDF as the same vector drawing
(core.plots.to_flowable). Each picture comes with its title, which is also its accessible name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from certhub.toolbox.capability import Capability
from certhub.toolbox.pareto import Pareto
from certhub.toolbox.quality_cost import QualityCost
from certhub.toolbox.runs import CHART_NAMES, SERIES_NAMES, Run
from certhub.toolbox.spc import SpcResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Picture:
    title: str
    figure: Figure


def _figures() -> Any:
    try:
        from certhub.toolbox import figures  # type: ignore[attr-defined,unused-ignore]  # lazy: matplotlib
    except ImportError:  # pragma: no cover - until toolbox.figures is merged
        return _Plain()
    return figures


def pictures(run: Run) -> list[Picture]:
    """Every figure of the result, in the order the page shows them."""
    figures = _figures()

    result: Any = run.result
    out: list[Picture] = []
    if isinstance(result, SpcResult):
        chart = str(CHART_NAMES[result.chart])
        for series in result.charts:
            title = _("%(chart)s：%(series)s") % {"chart": chart, "series": SERIES_NAMES[series.name]}
            out.append(Picture(title, figures.control_chart(series, title=title)))
    elif isinstance(result, Capability):
        title = _("过程能力直方图")
        out.append(Picture(title, figures.histogram(result, title=title)))
    elif isinstance(result, Pareto):
        title = _("排列图")
        out.append(Picture(title, figures.pareto_chart(result, title=title)))
    elif isinstance(result, QualityCost):
        title = _("质量成本")
        out.append(Picture(title, figures.quality_cost_chart(result, title=title)))
    return out


def svgs(run: Run) -> list[tuple[str, str]]:
    """(title, inline SVG) for the page."""
    try:
        from certhub.core import plots  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # pragma: no cover - until core.plots is merged
        return [(p.title, _plain_svg(p)) for p in pictures(run)]

    return [(p.title, plots.to_svg(p.figure, title=p.title)) for p in pictures(run)]


def flowables(run: Run, *, width: float) -> list[Any]:
    """The same pictures as reportlab flowables, for the PDF."""
    try:
        from certhub.core import plots  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # pragma: no cover - until core.plots is merged
        return [_plain_flowable(p, width) for p in pictures(run)]

    return [plots.to_flowable(p.figure, width=width) for p in pictures(run)]


# ------------------------------------------------------------- provisional drawing (until toolbox.figures)


class _Plain:
    """Plain matplotlib line and bar drawings, used only while toolbox.figures is not installed."""

    def _figure(self) -> Figure:
        from matplotlib.figure import Figure

        return Figure(figsize=(6.4, 3.2))

    def control_chart(self, series: Any, *, title: str) -> Figure:
        fig = self._figure()
        ax = fig.add_subplot()
        ax.plot(series.points, marker="o", markersize=3)
        ax.step(range(len(series.ucl)), series.ucl, where="mid")
        ax.step(range(len(series.lcl)), series.lcl, where="mid")
        ax.axhline(series.center)
        return fig

    def histogram(self, cap: Any, *, title: str) -> Figure:
        fig = self._figure()
        ax = fig.add_subplot()
        ax.hist(cap.values, bins="auto")
        ax.axvline(cap.lsl)
        ax.axvline(cap.usl)
        return fig

    def pareto_chart(self, p: Any, *, title: str) -> Figure:
        fig = self._figure()
        ax = fig.add_subplot()
        ax.bar(range(len(p.rows)), [r.count for r in p.rows])
        return fig

    def quality_cost_chart(self, qc: Any, *, title: str) -> Figure:
        fig = self._figure()
        ax = fig.add_subplot()
        ax.plot([p.total for p in qc.periods])
        return fig


def _svg_bytes(picture: Picture) -> bytes:
    import io

    out = io.BytesIO()
    picture.figure.savefig(out, format="svg")
    return out.getvalue()


def _plain_svg(picture: Picture) -> str:
    import base64

    from django.utils.html import format_html

    data = base64.b64encode(_svg_bytes(picture)).decode("ascii")
    return format_html('<img src="data:image/svg+xml;base64,{}" alt="{}">', data, picture.title)


def _plain_flowable(picture: Picture, width: float) -> Any:
    import io

    from svglib.svglib import svg2rlg

    drawing = svg2rlg(io.BytesIO(_svg_bytes(picture)))
    assert drawing is not None
    scale = width / drawing.width
    drawing.scale(scale, scale)
    drawing.width, drawing.height = width, drawing.height * scale
    return drawing
