"""Charts drawn on the server with matplotlib, once, for both a page and a PDF (C11, C12).

A figure is made with `new_figure()` (matplotlib's object-oriented API only — never pyplot, whose global
"current figure" is neither thread-safe nor needed), then shown as inline SVG by `to_svg()` or placed in a
reportlab PDF as a vector drawing by `to_flowable()`: the same picture in both. Text is drawn as paths
(`svg.fonttype = "path"`), so a phone needs no Chinese font, and the SVG carries no <style> element and no
style="" attribute: the content security policy forbids inline styles (docs/architecture.md, strict CSP), so
matplotlib's inline CSS is rewritten as SVG presentation attributes, which the policy allows.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import xml.etree.ElementTree as ET  # serialising only; parsing goes through defusedxml
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET
import matplotlib
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from matplotlib import font_manager
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

logger = logging.getLogger("certhub.core")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Serialise matplotlib's SVG with its own prefixes (svg as the default namespace, xlink:href for <use>).
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# The palette every chart shares (the statistics page's colours; ColorBrewer-like, readable in greyscale).
INK, SOFT, GRID = "#1f2933", "#52606d", "#cbd2d9"
GOOD, BAD, BLUE, ORANGE, NEUTRAL = "#2e7d32", "#c62828", "#1565c0", "#ef6c00", "#9aa5b1"

_configured = threading.Lock()
_font_family: str | None = None

# CSS properties matplotlib writes into style="" — each is also an SVG presentation attribute.
_PRESENTATION = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linejoin",
    "stroke-linecap",
    "stroke-miterlimit",
    "opacity",
    "clip-path",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "text-anchor",
    "mix-blend-mode",
}
_URL_REF = re.compile(r"url\(#([^)]+)\)")


def _configure() -> str:
    """Register the bundled Chinese font (settings.PDF_FONT, the file the PDFs use) with matplotlib's font
    manager and set the few process-wide defaults every chart needs, once. Returns the font's family name."""
    global _font_family
    with _configured:
        if _font_family is not None:
            return _font_family
        family = "DejaVu Sans"
        path = Path(settings.PDF_FONT)
        if path.is_file():
            before = {entry.name for entry in font_manager.fontManager.ttflist}
            font_manager.fontManager.addfont(str(path))
            added = [e.name for e in font_manager.fontManager.ttflist if e.fname == str(path)]
            family = next((name for name in added if "Mono" not in name), added[0] if added else family)
            logger.debug("chart font %s from %s (known before: %d)", family, path, len(before))
        else:
            logger.error("chart font %s not found: Chinese text in charts will not show", path)
        # Set once for the process (matplotlib reads these when an artist is made or a figure is saved);
        # nothing changes them afterwards, so concurrent requests see the same values.
        matplotlib.rcParams.update(
            {
                # The families as a list: matplotlib then falls back glyph by glyph (a Latin letter with a
                # combining mark, e.g. "X̄", from DejaVu Sans when the Chinese font lacks the mark).
                "font.family": [family, "DejaVu Sans"],
                "font.sans-serif": [family, "DejaVu Sans"],
                "axes.unicode_minus": False,  # the font's hyphen-minus; not every CJK font has U+2212
                "svg.fonttype": "path",  # text as outlines: no font needed on the reader's device
                "svg.hashsalt": "certhub",  # stable clip-path ids: the same data gives the same SVG
                "axes.edgecolor": SOFT,
                "axes.labelcolor": INK,
                "text.color": INK,
                "xtick.color": SOFT,
                "ytick.color": SOFT,
                "axes.titlesize": 11,
                "axes.titlelocation": "left",
                "font.size": 9,
            }
        )
        _font_family = family
        return family


def new_figure(width: float = 6.4, height: float = 3.2) -> Figure:
    """A blank figure `width` × `height` inches with the Chinese font configured and a tight layout."""
    _configure()
    return Figure(figsize=(width, height), layout="constrained")


def _svg_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def to_svg(fig: Figure, *, title: str, css: str = "chart", description: str = "") -> SafeString:
    """The figure as inline SVG for a page: one image to a screen reader (role="img", aria-label and <title>
    = `title`; `description`, when given, as its <desc>: the accessible description), scaling to its
    container's width (phones included). No <style>, no style="": presentation attributes only (CSP)."""
    raw = _svg_bytes(fig)
    root = SafeET.fromstring(raw)
    # Ids must be unique on a page that shows several charts: prefix them with a digest of this picture.
    prefix = "c" + hashlib.blake2b(raw + title.encode(), digest_size=5).hexdigest() + "-"
    for parent in list(root.iter()):
        for child in list(parent):
            if _tag(child) in {"metadata", "style"} or not isinstance(child.tag, str):
                parent.remove(child)
    # matplotlib names every group (figure_1, patch_3, …); only the ids something points at are kept.
    referenced = set(_URL_REF.findall(raw.decode())) | set(re.findall(r'href="#([^"]+)"', raw.decode()))
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                name, _, value = declaration.partition(":")
                name, value = name.strip(), value.strip()
                if name in _PRESENTATION and value and name not in element.attrib:
                    element.set(name, value)
        if "id" in element.attrib:
            own = element.attrib.pop("id")
            if own in referenced:
                element.set("id", prefix + own)
        for key in (f"{{{XLINK_NS}}}href", "href"):
            ref = element.get(key)
            if ref and ref.startswith("#"):
                element.set(key, "#" + prefix + ref[1:])
        for key in ("clip-path", "mask", "filter", "fill", "stroke"):
            target = element.get(key)
            if target and "url(#" in target:
                element.set(key, _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", target))
    # The removed <style> said *{stroke-linejoin: round; stroke-linecap: butt}: inherited from the root now.
    for key in ("width", "height", "version"):
        root.attrib.pop(key, None)
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("class", css)
    root.set("width", "100%")
    root.set("role", "img")
    root.set("aria-label", title)
    children = []
    heading = ET.Element(f"{{{SVG_NS}}}title")
    heading.text = title
    children.append(heading)
    if description:
        desc = ET.Element(f"{{{SVG_NS}}}desc")
        desc.text = description
        children.append(desc)
    for index, child in enumerate(children):
        root.insert(index, child)
    markup = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    # Every attribute and text above was escaped by ElementTree; the check guards the one promise made here.
    assert "<style" not in markup and " style=" not in markup
    return mark_safe(markup)  # noqa: S308 - serialised by ElementTree, which escapes text and attributes


def to_flowable(fig: Figure, *, width: float) -> Flowable:
    """The figure as a reportlab drawing `width` points wide (height in proportion): vector, the same
    picture as the page's SVG (svglib reads matplotlib's SVG; text is already outlines, so no PDF font)."""
    from svglib.svglib import svg2rlg  # lazy: only PDFs need svglib and reportlab

    drawing = svg2rlg(io.BytesIO(_svg_bytes(fig)))
    if drawing is None:  # svglib answers None for SVG it cannot read; matplotlib's is always readable
        raise ValueError("matplotlib produced SVG that svglib could not read")
    scale = width / drawing.width
    drawing.scale(scale, scale)
    drawing.width, drawing.height = width, drawing.height * scale
    return drawing


# Rendered SVG kept in process, least recently used dropped first (see cached_svg).
SVG_CACHE_SIZE = 512
_svg_cache: OrderedDict[Hashable, SafeString] = OrderedDict()
_svg_cache_lock = threading.Lock()


def cached_svg(
    key: Hashable, draw: Callable[[], Figure], *, title: str, css: str = "chart", description: str = ""
) -> SafeString:
    """`to_svg(draw(), …)` drawn once per `key` (the chart's inputs, hashable: tuples of str/number/date),
    title, description and active language (axis words are translated when drawn), then served from an
    in-process LRU of SVG_CACHE_SIZE pictures. A page showing figures that change once a day draws each chart
    once instead of on every request (drawing costs ~0.1 s a chart; serving the cached one, nothing)."""
    full = (key, title, css, description, get_language() or "")
    with _svg_cache_lock:
        hit = _svg_cache.get(full)
        if hit is not None:
            _svg_cache.move_to_end(full)
            return hit
    svg = to_svg(draw(), title=title, css=css, description=description)  # outside the lock: slow, pure
    with _svg_cache_lock:
        _svg_cache[full] = svg
        while len(_svg_cache) > SVG_CACHE_SIZE:
            _svg_cache.popitem(last=False)
    return svg
