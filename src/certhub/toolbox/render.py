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


def pictures(run: Run) -> list[Picture]:
    """Every figure of the result, in the order the page shows them."""
    from certhub.toolbox import figures  # lazy: matplotlib only when a result is drawn

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
    from certhub.core import plots

    return [(p.title, plots.to_svg(p.figure, title=p.title)) for p in pictures(run)]


def flowables(run: Run, *, width: float) -> list[Any]:
    """The same pictures as reportlab flowables, for the PDF."""
    from certhub.core import plots

    return [plots.to_flowable(p.figure, width=width) for p in pictures(run)]
