"""The bar chart of a transition's share on the new edition per child region (C11, issue 18 §5), drawn with
the kept chart library (core.plots: matplotlib, inline SVG under the strict CSP). The table beside it holds
the same numbers (the chart's accessible alternative)."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from certhub.core.plots import cached_svg, new_figure
from certhub.stats.transitions import TransitionShares


def share_chart(row: TransitionShares) -> SafeString | None:
    """Horizontal bars: each child region's share (per cent) of active certificates on the new edition;
    None when no child region has a certificate of the scheme (the table says so)."""
    bars = [(share.name, float(share.rate)) for share in row.children if share.rate is not None]
    if not bars:
        return None
    title = _("%(transition)s：各地区新版证书占比") % {"transition": row.transition.title}

    def draw() -> Figure:
        figure = new_figure(width=6.4, height=max(1.6, 0.32 * len(bars) + 0.9))
        axes = figure.add_subplot()
        names = [name for name, _rate in bars][::-1]
        rates = [rate for _name, rate in bars][::-1]
        axes.barh(names, rates, color="#2f6f9f")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.set_xlim(0, 100)
        axes.set_xlabel(_("新版证书占比（%）"))
        for index, rate in enumerate(rates):
            axes.text(min(rate + 1, 92), index, f"{rate:.1f}%", va="center", fontsize=8)
        return figure

    # Drawn once per figures and language (the figures change once a day), as the dashboard's other charts:
    # drawing on every request cost the page ~0.8 s (docs/benchmarks.md). Its own class: the dashboard's KPI
    # charts are counted and styled as "chart".
    return cached_svg(("transition", tuple(bars)), draw, title=title, css="transition-chart")
