"""The self-assessment's and the transition section's drawings through the kept chart library (core.plots,
toolbox.figures: matplotlib, object-oriented API only). While those modules are not installed, a plain
matplotlib drawing stands in: the same picture as an <img> of SVG (data: images are allowed by the CSP),
its text as paths in the bundled Chinese font, and the same SVG into the PDF."""

from __future__ import annotations

import base64
import importlib
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BLUE, GREY = "#2f6f9f", "#9aa7b4"


def _kept(module: str, name: str) -> Any:
    """`name` from the kept chart module, or None while it is not installed."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _font() -> Any:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=settings.PDF_FONT)


def new_figure(width: float = 6.4, height: float = 3.2) -> Figure:
    kept = _kept("certhub.core.plots", "new_figure")
    if kept is None:
        from matplotlib.figure import Figure

        return Figure(figsize=(width, height))
    return kept(width=width, height=height)


def label_font(axes: Any) -> None:
    """The bundled Chinese font on every text of `axes` (only the stand-in needs it; core.plots sets it)."""
    if _kept("certhub.core.plots", "new_figure") is None:
        font = _font()
        for text in [*axes.get_xticklabels(), *axes.get_yticklabels(), axes.xaxis.label, axes.yaxis.label]:
            text.set_fontproperties(font)
        for text in axes.texts:
            text.set_fontproperties(font)
        legend = axes.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontproperties(font)


def _svg_bytes(figure: Figure) -> bytes:
    import matplotlib

    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        figure.savefig(out, format="svg")
    return out.getvalue()


def to_svg(figure: Figure, *, title: str, css: str = "chart") -> SafeString:
    kept = _kept("certhub.core.plots", "to_svg")
    if kept is None:
        data = base64.b64encode(_svg_bytes(figure)).decode("ascii")
        return format_html('<img class="{}" src="data:image/svg+xml;base64,{}" alt="{}">', css, data, title)
    return kept(figure, title=title, css=css)


def to_flowable(figure: Figure, *, width: float) -> Any:
    kept = _kept("certhub.core.plots", "to_flowable")
    if kept is None:
        from svglib.svglib import svg2rlg

        drawing = svg2rlg(io.BytesIO(_svg_bytes(figure)))
        assert drawing is not None, "matplotlib's SVG is readable by svglib"
        scale = width / drawing.width
        drawing.scale(scale, scale)
        drawing.width, drawing.height = width, drawing.height * scale
        return drawing
    return kept(figure, width=width)


def profile_chart(
    labels: Sequence[str], shares: Sequence[float], *, title: str, previous: Sequence[float] | None = None
) -> Figure:
    """Each category's share of its points (per cent), beside the previous year's when there is one."""
    kept = _kept("certhub.toolbox.figures", "profile_chart")
    if kept is None:
        figure = new_figure(width=6.4, height=0.45 * len(labels) + 1.2)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))[::-1]
        height = 0.38 if previous is not None else 0.6
        axes.barh(
            [p + (height / 2 if previous is not None else 0) for p in positions],
            shares,
            height,
            color=BLUE,
            label=_("本年度"),
        )
        if previous is not None:
            axes.barh([p - height / 2 for p in positions], previous, height, color=GREY, label=_("上一年度"))
            axes.legend(loc="lower right", fontsize=8)
        axes.set_yticks(positions, labels)
        axes.set_xlim(0, 100)
        axes.set_xlabel(_("得分率（%）"))
        label_font(axes)
        figure.tight_layout()
        return figure
    return kept(labels, shares, title=title, previous=previous)
