"""The map of the prefectures (a tile cartogram, C11 "a map of the prefectures where the data
allows"): the SVG of known figures (14 tiles, colour class, labels, links, met/not-met marks, no-data
hatching), the layout file's validation (each refusal's message), no map without a complete layout or below
the province, the maps on the province's page and in its PDF report pack, and on a phone in a real browser."""

import json
import logging
import re

import defusedxml.ElementTree as ET
import pytest
from django.utils import translation

from certhub.core.models import Region
from certhub.core.testing import assert_accessible, element, element_text, fits_the_phone, pdf_text, sign_in, signed_in
from certhub.stats import queries, tilemap
from certhub.stats.testing import DAY
from certhub.stats.tests.helpers import BAR_AND_GRADE_CHARTS, chart_titles

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
PREFECTURES = ["430100", "430200", "430300", "430400", "430500", "430600", "430700", "430800", "430900", "431000",
               "431100", "431200", "431300", "433100"]  # fmt: skip

# ISO 9001 (target 80 %) per prefecture: (numerator, denominator); the others have no data.
KNOWN = {
    "430100": (1, 2),  # 50.0 % → class 2, not met
    "430200": (17, 20),  # 85.0 % → class 4, met
    "430300": (0, 1),  # 0.0 % → class 0, not met
    "430400": (1, 1),  # 100.0 % → class 4, met
    "430600": (79, 100),  # 79.0 % → class 3, just short of the target
    "430700": (4, 5),  # 80.0 % → class 4, met exactly
    "430900": (499, 2500),  # 19.96 % shown as 20.0 % → class 1 (classes follow the rate as shown)
    "433100": (3, 10),  # 30.0 % → class 1, not met
}


def svg_in(html: str, element_id: str) -> str:
    """The markup of the SVG inside the element `element_id` (read as XML by tiles_of)."""
    svg = re.search(rf'id="{re.escape(element_id)}".*?(<svg\b.*?</svg>)', html, re.S)
    assert svg, f"no SVG in #{element_id}"
    return svg.group(1)


def tiles_of(svg: str) -> dict[str, dict[str, object]]:
    """Per tile link's region code: the tile's class and fill, its texts, its marks, its hatching, its name."""
    root = ET.fromstring(svg)
    result: dict[str, dict[str, object]] = {}
    for link in root.iter(f"{SVG}a"):
        code = link.get("href", "").rpartition("=")[2]
        rect = link.find(f"{SVG}rect")
        assert rect is not None, code
        result[code] = {
            "href": link.get("href"),
            "class": rect.get("class"),
            "fill": rect.get("fill"),
            "outline": rect.get("stroke"),
            "texts": [t.text for t in link.iter(f"{SVG}text")],
            "marks": [m.get("class") for m in link if (m.get("class") or "").startswith("mark")],
            "hatched": sum(1 for m in link if m.get("class") == "hatch"),
            "name": link.get("aria-label"),
        }
    return result


@pytest.fixture
def province():
    return Region.objects.get(code="430000")


@pytest.fixture
def iso_map(province):
    figures = {("iso9001", code, ""): value for code, value in KNOWN.items()}
    board = queries.build_dashboard(province, figures, DAY)
    maps = tilemap.kpi_maps(board)
    assert [chart.metric for chart in maps] == ["iso9001", "cma_reports", "ccc_coverage"]
    return str(tilemap.to_svg(maps[0]))


def test_the_map_has_a_tile_per_prefecture_coloured_labelled_linked_and_marked(iso_map):
    tiles = tiles_of(iso_map)
    assert sorted(tiles) == PREFECTURES
    assert iso_map.count('class="tile ') == 14
    assert iso_map.startswith(
        '<svg class="chart map" viewBox="0 0 310 356" width="100%" role="group" '
        'aria-label="规模以上工业企业ISO 9001认证率：各市州示意图"'
    )
    assert tiles["430100"] == {
        "href": "/statistics/?region=430100",
        "class": "tile bucket-2 not-met",
        "fill": "#6baed6",
        "outline": None,
        "texts": ["长沙", "50.0%"],
        "marks": ["mark not-met"],
        "hatched": 0,
        "name": "长沙市：50.0%，未达标",
    }
    assert tiles["430400"] == {
        "href": "/statistics/?region=430400",
        "class": "tile bucket-4 met",
        "fill": "#08519c",
        "outline": "#1f2933",
        "texts": ["衡阳", "100.0%"],
        "marks": ["mark met"],
        "hatched": 0,
        "name": "衡阳市：100.0%，达标",
    }
    expected = {
        "430200": ("tile bucket-4 met", "#08519c", ["株洲", "85.0%"], ["mark met"]),
        "430300": ("tile bucket-0 not-met", "#eff3ff", ["湘潭", "0.0%"], ["mark not-met"]),
        "430600": ("tile bucket-3 not-met", "#2171b5", ["岳阳", "79.0%"], ["mark not-met"]),
        "430700": ("tile bucket-4 met", "#08519c", ["常德", "80.0%"], ["mark met"]),
        "430900": ("tile bucket-1 not-met", "#bdd7e7", ["益阳", "20.0%"], ["mark not-met"]),
        "433100": ("tile bucket-1 not-met", "#bdd7e7", ["湘西州", "30.0%"], ["mark not-met"]),
    }
    for code, (css, fill, texts, marks) in expected.items():
        assert (tiles[code]["class"], tiles[code]["fill"], tiles[code]["texts"], tiles[code]["marks"]) == (
            css,
            fill,
            texts,
            marks,
        ), code
    # No data: grey and hatched, no mark, "无数据" — never a colour of the scale.
    assert tiles["431100"] == {
        "href": "/statistics/?region=431100",
        "class": "tile no-data",
        "fill": "#e4e7eb",
        "outline": None,
        "texts": ["永州", "无数据"],
        "marks": [],
        "hatched": 14,
        "name": "永州市：无数据",
    }
    assert sorted(code for code, tile in tiles.items() if tile["class"] == "tile no-data") == [
        "430500",
        "430800",
        "431000",
        "431100",
        "431200",
        "431300",
    ]
    # Dark classes carry white text and marks; light ones dark.
    assert 'fill="#ffffff">衡阳</text>' in iso_map
    assert 'fill="#1f2933">长沙</text>' in iso_map


def test_tiles_sit_where_the_layout_puts_them(iso_map):
    root = ET.fromstring(iso_map)
    places = {
        link.get("href")[-6:]: (link.find(f"{SVG}rect").get("x"), link.find(f"{SVG}rect").get("y"))
        for link in root.iter(f"{SVG}a")
    }
    # Column and row times 62 (a 58-unit tile and a 4-unit gap) plus the 2-unit margin.
    assert places["430800"] == ("64", "2")  # 张家界 (1, 0)
    assert places["433100"] == ("2", "64")  # 湘西州 (0, 1)
    assert places["430200"] == ("250", "126")  # 株洲 (4, 2)
    assert places["431000"] == ("188", "250")  # 郴州 (3, 4)


def contrast(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two #rrggbb colours (its definitions of relative luminance and contrast)."""

    def luminance(colour: str) -> float:
        red, green, blue = (
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
            for c in (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        )
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_tile_label_stands_out_from_its_tile_as_wcag_asks(iso_map):
    # axe-core cannot tell the background of SVG text, so the browser tests' check leaves it undecided: here,
    # each label's colour against its tile's, at least 4.5:1 (WCAG 2.1 1.4.3; the labels are small text).
    root = ET.fromstring(iso_map)
    ratios = {}
    for link in root.iter(f"{SVG}a"):
        tile = next(rect for rect in link.iter(f"{SVG}rect") if "tile" in rect.get("class", ""))
        for text in link.iter(f"{SVG}text"):
            ratios[(tile.get("class"), text.text)] = round(contrast(text.get("fill"), tile.get("fill")), 2)
    assert min(ratios.values()) >= 4.5, ratios
    # The fourth class, white on #2171b5 (ColorBrewer's #3182bd there gave 4.15:1).
    assert ratios[("tile bucket-3 not-met", "岳阳")] == ratios[("tile bucket-3 not-met", "79.0%")] == 5.13


def test_the_legend_names_the_classes_no_data_and_the_marks(iso_map):
    root = ET.fromstring(iso_map)
    linked = {id(t) for link in root.iter(f"{SVG}a") for t in link.iter(f"{SVG}text")}
    legend = [t.text for t in root.iter(f"{SVG}text") if id(t) not in linked]
    assert legend == ["<20%", "20-40%", "40-60%", "60-80%", "≥80%", "无数据", "达标", "未达标"]


def test_english_pages_label_tiles_with_short_english_names(province):
    figures = {("iso9001", "433100", ""): (3, 10), ("iso9001", "430100", ""): (1, 2)}
    with translation.override("en"):
        svg = str(tilemap.to_svg(tilemap.kpi_maps(queries.build_dashboard(province, figures, DAY))[0]))
    tiles = tiles_of(svg)
    assert tiles["433100"]["texts"] == ["Xiangxi", "30.0%"]  # the layout file's short name
    assert tiles["430100"]["texts"] == ["Changsha", "50.0%"]
    assert tiles["430800"]["texts"][0] == "Zhangjiajie"
    sizes = {t.text: t.get("font-size") for t in ET.fromstring(svg).iter(f"{SVG}text")}
    assert (sizes["Zhangjiajie"], sizes["Changsha"], sizes["Xiangxi"]) == ("7.5", "10", "11.5")  # fit the tile


# ----------------------------------------------------------------------------------------- the layout file


def layout(tiles, columns=5, rows=5):
    return {"columns": columns, "rows": rows, "tiles": tiles}


HUNAN = json.loads((tilemap.TILES_DIR / "430000.json").read_text(encoding="utf-8"))


def test_the_hunan_layout_covers_every_prefecture_once(province):
    loaded = tilemap.tile_layout(province, PREFECTURES)
    assert (loaded.columns, loaded.rows, len(loaded.tiles)) == (5, 5, 14)
    assert len(set(loaded.tiles.values())) == 14
    assert loaded.about.startswith("Hunan (430000): a schematic layout (tile cartogram)")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            layout({**HUNAN["tiles"], "431400": [4, 4]}),
            "x.json: 431400 is not a prefecture of 湖南省 (430000) in the region table",
        ),
        (layout({"430102": [0, 0]}), "x.json: 430102 is not a prefecture of 湖南省 (430000) in the region table"),
        (
            layout({"430100": [3, 1], "430300": [3, 1]}),
            "x.json: 430300 is placed at column 3, row 1, where 430100 already is",
        ),
        (
            layout({"430100": [5, 1]}),
            "x.json: 430100 is placed at column 5, row 1, outside the 5 × 5 grid (columns 0–4, rows 0–4)",
        ),
        (
            layout({"430100": [0, -1]}),
            "x.json: 430100 is placed at column 0, row -1, outside the 5 × 5 grid (columns 0–4, rows 0–4)",
        ),
        (layout({"430100": [1]}), "x.json: 430100 must be placed at [column, row] (two whole numbers), not [1]"),
        (layout({"430100": [1, 1]}, columns=0), "x.json: columns must be a whole number from 1 to 20, not 0"),
        (layout({"430100": [1, 1]}, rows="5"), "x.json: rows must be a whole number from 1 to 20, not '5'"),
        (layout({}), "x.json: tiles must be an object of region code → [column, row]"),
        (
            {**layout({"430100": [1, 1]}), "short_names": {"430200": {"zh-hans": "株"}}},
            "x.json: short_names names 430200, which has no tile",
        ),
        ([], "x.json: expected an object with columns, rows and tiles"),
    ],
)
def test_a_malformed_layout_is_refused_naming_the_code(province, data, message):
    with pytest.raises(tilemap.TileLayoutError) as refused:
        tilemap.parse_tile_layout(data, province, PREFECTURES, source="x.json")
    assert str(refused.value) == message


def test_no_layout_file_or_an_incomplete_one_draws_no_map(province, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(tilemap, "TILES_DIR", tmp_path)
    assert tilemap.tile_layout(province, PREFECTURES) is None  # no file
    (tmp_path / "430000.json").write_text(json.dumps(layout({"430100": [3, 1], "430400": [3, 3]})), "utf-8")
    with caplog.at_level(logging.WARNING, logger="certhub.stats"):
        assert tilemap.tile_layout(province, PREFECTURES) is None
    assert caplog.messages == [
        "stats/data/tiles/430000.json has no tile for 430200, 430300, 430500, 430600, 430700, 430800, 430900, "
        "431000, 431100, 431200, 431300, 433100: no map drawn"
    ]
    board = queries.build_dashboard(province, {("iso9001", "430100", ""): (1, 2)}, DAY)
    assert tilemap.kpi_maps(board) == []


def test_a_file_that_is_not_json_is_refused(province, tmp_path, monkeypatch):
    monkeypatch.setattr(tilemap, "TILES_DIR", tmp_path)
    (tmp_path / "430000.json").write_text('{"columns": 5,', "utf-8")
    with pytest.raises(tilemap.TileLayoutError, match=r"^stats/data/tiles/430000.json: not valid JSON \(Expecting"):
        tilemap.tile_layout(province, PREFECTURES)


# ----------------------------------------------------------------------------------------- page and PDF


def test_the_province_page_shows_a_map_per_kpi(client, aggregated):
    html = signed_in(client, aggregated.world, "officer_province").get("/statistics/").content.decode()
    assert html.count('<svg class="chart map"') == 3
    iso = tiles_of(svg_in(html, "map-iso9001"))
    assert element(html, "map-iso9001").first(lambda e: e.tag == "h3").text == "规模以上工业企业ISO 9001认证率：各市州"
    assert len(iso) == 14
    assert (iso["430100"]["class"], iso["430100"]["texts"]) == ("tile bucket-2 not-met", ["长沙", "50.0%"])
    assert (iso["430400"]["class"], iso["430400"]["texts"]) == ("tile bucket-4 met", ["衡阳", "100.0%"])
    assert (iso["430300"]["class"], iso["430300"]["texts"]) == ("tile bucket-0 not-met", ["湘潭", "0.0%"])
    assert iso["431100"]["class"] == "tile no-data"
    cma = tiles_of(svg_in(html, "map-cma_reports"))
    assert (cma["430100"]["class"], cma["430100"]["texts"]) == ("tile bucket-3 not-met", ["长沙", "66.7%"])
    ccc = tiles_of(svg_in(html, "map-ccc_coverage"))
    assert (ccc["430400"]["class"], ccc["430400"]["texts"]) == ("tile bucket-0 not-met", ["衡阳", "0.0%"])
    assert '<a href="/statistics/?region=433100" aria-label="湘西土家族苗族自治州：无数据">' in html
    assert element_text(html, "map-note").startswith("示意图：每个方块代表一个市州")
    assert chart_titles(html) == BAR_AND_GRADE_CHARTS  # the bars and the grade mix are still there


def test_a_prefecture_page_has_bars_and_no_map(client, aggregated):
    html = (
        signed_in(client, aggregated.world, "officer_province")
        .get("/statistics/", {"region": "430100"})
        .content.decode()
    )
    assert "chart map" not in html
    assert 'id="kpi-maps"' not in html
    assert chart_titles(html) == BAR_AND_GRADE_CHARTS
    html = signed_in(client, aggregated.world, "officer_hengyang").get("/statistics/").content.decode()
    assert 'id="kpi-maps"' not in html


def test_a_malformed_layout_leaves_the_page_with_bars_and_logs_why(client, aggregated, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(tilemap, "TILES_DIR", tmp_path)
    bad = {**HUNAN, "tiles": {**HUNAN["tiles"], "430100": [2, 2]}}  # onto 娄底's cell
    (tmp_path / "430000.json").write_text(json.dumps(bad), "utf-8")
    with caplog.at_level(logging.ERROR, logger="certhub.stats"):
        response = signed_in(client, aggregated.world, "officer_province").get("/statistics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="kpi-maps"' not in html
    assert chart_titles(html) == BAR_AND_GRADE_CHARTS
    assert [r.getMessage() for r in caplog.records if r.name == "certhub.stats"] == [
        "tile layout refused: stats/data/tiles/430000.json: 431300 is placed at column 2, row 2, "
        "where 430100 already is"
    ]


def test_the_province_report_pack_has_the_maps(client, aggregated):
    text = pdf_text(
        signed_in(client, aggregated.world, "officer_province")
        .get("/statistics/report.pdf", {"region": "430000"})
        .content
    )
    assert "各市州示意图" in text
    assert "规模以上工业企业ISO 9001认证率：各市州示意图" in text.replace("\n", "")
    lines = text.splitlines()
    for short in (
        "张家界",
        "常德",
        "岳阳",
        "湘西州",
        "益阳",
        "长沙",
        "怀化",
        "娄底",
        "湘潭",
        "株洲",
        "邵阳",
        "衡阳",
        "永州",
        "郴州",
    ):
        assert lines.count(short) == 3, short  # one tile on each KPI's map
    assert lines.count("无数据") >= 3 * 11  # the tiles with no data (and each legend)
    for legend in ("<20%", "20-40%", "40-60%", "60-80%", "≥80%", "达标", "未达标"):
        assert lines.count(legend) == 3, legend
    text = pdf_text(
        signed_in(client, aggregated.world, "officer_province")
        .get("/statistics/report.pdf", {"region": "430100"})
        .content
    )
    assert "各市州示意图" not in text
    assert "湘西州" not in text


# ----------------------------------------------------------------------------------------- in a browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_maps_stack_fit_the_screen_and_a_tile_drills_down(live_server, live_stats_world, phone):
    page = phone
    sign_in(page, live_server.url, "officer_province", live_stats_world.PASSWORD)
    page.goto(live_server.url + "/statistics/")
    boxes = [page.locator(f"#map-{metric} svg").bounding_box() for metric in ("iso9001", "cma_reports", "ccc_coverage")]
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= 390 for box in boxes)
    assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"]  # stacked, not side by side
    assert boxes[1]["y"] + boxes[1]["height"] <= boxes[2]["y"]
    assert_accessible(page, context="the province's maps")
    assert fits_the_phone(page)
    page.locator('#map-iso9001 a[href="/statistics/?region=430400"]').click()
    page.wait_for_url(re.compile(r"region=430400$"))
    assert page.locator("h1").inner_text() == "衡阳市质量认证统计"
    assert_accessible(page, context="a prefecture's statistics")
    assert page.locator("svg.map").count() == 0  # a prefecture: bars only
    assert page.console_errors == []
