"""core.plots: one matplotlib figure as CSP-safe inline SVG and as a vector PDF drawing (C11, C12)."""

import re
import warnings

import defusedxml.ElementTree as SafeET
from django.utils import translation
from reportlab.graphics.shapes import Drawing

from certhub.core import plots
from certhub.core.plots import new_figure, to_flowable, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def _figure():
    fig = new_figure(4, 2)
    axes = fig.add_subplot()
    axes.bar(["长沙", "株洲"], [95.5, 80.0], color="#2e7d32")
    axes.axhline(90, linestyle="--", color="#1f2933")
    axes.set_title("证书有效率（按地区）")
    return fig


def test_svg_is_one_named_image_without_inline_styles():
    svg = str(to_svg(_figure(), title="证书有效率 <按地区>", description="目标线 90%"))

    root = SafeET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "证书有效率 <按地区>"
    assert root.get("class") == "chart"
    assert root.get("width") == "100%"
    assert root.get("viewBox") == "0 0 288 144"  # 4 × 2 inches at 72 points per inch
    assert [child.tag for child in root][:2] == [f"{SVG}title", f"{SVG}desc"]
    assert root[0].text == "证书有效率 <按地区>"
    assert root[1].text == "目标线 90%"
    # The strict content security policy: no <style> element, no style attribute anywhere.
    assert "<style" not in svg
    assert " style=" not in svg
    assert root.find(f".//{SVG}style") is None
    # Text as outlines (no font needed on the phone): no <text> element, glyphs of the Chinese font instead.
    assert root.find(f".//{SVG}text") is None
    assert re.search(r'id="c[0-9a-f]{10}-WenQuanYiMicroHei-[0-9a-f]+"', svg)
    # matplotlib's CSS became presentation attributes: the bar's colour and the dashed target line.
    assert 'fill="#2e7d32"' in svg
    assert "stroke-dasharray=" in svg


def test_every_reference_points_at_an_id_of_the_same_svg_and_ids_are_unique():
    svg = str(to_svg(_figure(), title="甲"))
    other = str(to_svg(_figure(), title="乙"))

    ids = re.findall(r' id="([^"]+)"', svg)
    assert len(ids) == len(set(ids))
    refs = set(re.findall(r'href="#([^"]+)"', svg)) | set(re.findall(r"url\(#([^)]+)\)", svg))
    assert refs and refs <= set(ids)
    # Two charts on one page never share an id (the prefix is a digest of the picture and its title).
    assert not set(ids) & set(re.findall(r' id="([^"]+)"', other))


def test_same_figure_gives_the_same_svg():
    assert str(to_svg(_figure(), title="甲")) == str(to_svg(_figure(), title="甲"))


def test_flowable_is_a_vector_drawing_of_the_asked_width():
    drawing = to_flowable(_figure(), width=400)

    assert isinstance(drawing, Drawing)
    assert drawing.width == 400
    assert drawing.height == 200  # 4 × 2 inches kept in proportion


def test_latin_with_combining_marks_and_symbols_have_glyphs():
    # "X̄" (X + U+0304), σ and ≥ are not all in the Chinese font: they come from the fallback, glyph by glyph;
    # matplotlib warns of any glyph no font has, so a warning here is a box in the picture.
    fig = new_figure(3, 1)
    fig.add_subplot().set_title("X̄ 图 σ ≥ 1.33")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = str(to_svg(fig, title="X̄ 图"))
    assert re.search(r'id="c[0-9a-f]{10}-DejaVuSans-[0-9a-f]+"', svg)  # the combining macron, from DejaVu
    assert re.search(r'id="c[0-9a-f]{10}-WenQuanYiMicroHei-[0-9a-f]+"', svg)  # 图


def test_cached_svg_draws_once_per_key_and_language():
    drawn = []

    def draw():
        drawn.append(1)
        return _figure()

    first = plots.cached_svg(("bars", 95.5, 80.0), draw, title="甲")
    assert plots.cached_svg(("bars", 95.5, 80.0), draw, title="甲") is first
    assert str(first) == str(to_svg(_figure(), title="甲"))  # the same picture as drawn afresh
    assert len(drawn) == 1
    plots.cached_svg(("bars", 95.5, 81.0), draw, title="甲")  # other inputs: drawn
    with translation.override("en"):
        plots.cached_svg(("bars", 95.5, 80.0), draw, title="甲")  # other language: drawn
    assert len(drawn) == 3
