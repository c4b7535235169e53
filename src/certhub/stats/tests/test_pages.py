"""The dashboard page: the three KPIs with targets and met/not-met, drill-down, the other tables, no registry
table read, scope refusals for the page and both exports, bad region codes, and the page before any run."""

import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certhub.core.testing import element, element_text, page_text, signed_in
from certhub.stats.models import Figure
from certhub.stats.tests.helpers import BAR_AND_GRADE_CHARTS, chart_titles, row

pytestmark = pytest.mark.django_db


def test_the_province_dashboard_shows_the_kpis_per_prefecture(client, aggregated):
    client = signed_in(client, aggregated.world, "officer_province")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/statistics/")
    assert response.status_code == 200
    touched = [q["sql"] for q in queries.captured_queries if "registry_" in q["sql"]]
    assert touched == []
    html = response.content.decode()
    assert element_text(html, "kpi-iso9001") == "规模以上工业企业ISO 9001认证率 50.0% 2 / 4 目标 ≥ 80% 未达标"
    assert element_text(html, "kpi-cma_reports") == (
        "具备资质的检验检测机构出具的证明性报告占比 60.0% 3 / 5 目标 ≥ 100% 未达标"
    )
    assert element_text(html, "kpi-ccc_coverage") == "CCC目录产品认证覆盖率 33.3% 1 / 3 目标 ≥ 100% 未达标"
    assert row(html, "kpi-table", "430100") == [
        "长沙市",
        "50.0% (1/2) 未达标",
        "66.7% (2/3) 未达标",
        "50.0% (1/2) 未达标",
    ]
    assert row(html, "kpi-table", "430400") == [
        "衡阳市",
        "100.0% (1/1) 达标",
        "50.0% (1/2) 未达标",
        "0.0% (0/1) 未达标",
    ]
    assert row(html, "kpi-table", "431100") == [
        "永州市",
        "无数据 (0/0) 无数据",
        "无数据 (0/0) 无数据",
        "无数据 (0/0) 无数据",
    ]
    assert row(html, "kpi-table", "430000") == [
        "湖南省（合计）",
        "50.0% (2/4) 未达标",
        "60.0% (3/5) 未达标",
        "33.3% (1/3) 未达标",
    ]
    prefectures = [
        tr for tr in element(html, "kpi-table").iter("tr") if re.fullmatch(r"43\d\d00", tr.attrs.get("data-region", ""))
    ]
    assert len(prefectures) == 15  # 14 + the total
    assert 'href="/statistics/?region=430100"' in html
    assert row(html, "case-table", "430000") == ["湖南省（合计）", "3", "2", "1", "1", "1"]
    assert row(html, "grade-table", "430400")[:5] == ["衡阳市", "0", "1", "1", "0"]
    scheme = element(html, "certificate-table").first(
        lambda e: e.tag == "tr" and e.attrs.get("data-scheme") == "ORGANIC"
    )
    assert "有机产品" in scheme.text
    assert chart_titles(html) == BAR_AND_GRADE_CHARTS  # three KPI bar charts and the grade mix (one day: no lines)
    assert 'href="/statistics/export.xlsx?region=430000"' in html


def test_drilling_into_a_prefecture_shows_its_counties(client, aggregated):
    client = signed_in(client, aggregated.world, "officer_province")
    html = client.get("/statistics/?region=430100").content.decode()
    assert element_text(html, "kpi-iso9001").startswith("规模以上工业企业ISO 9001认证率 50.0% 1 / 2")
    assert row(html, "kpi-table", "430104")[:2] == ["岳麓区", "100.0% (1/1) 达标"]
    assert row(html, "kpi-table", "430102")[:2] == ["芙蓉区", "0.0% (0/1) 未达标"]
    assert row(html, "kpi-table", "430104")[3] == "50.0% (1/2) 未达标"
    assert '<a href="/statistics/?region=430000">湖南省</a>' in html  # the way back up


def test_an_officer_defaults_to_their_own_region(client, aggregated):
    client = signed_in(client, aggregated.world, "officer_hengyang")
    html = client.get("/statistics/").content.decode()
    assert element_text(html, "kpi-iso9001").startswith("规模以上工业企业ISO 9001认证率 100.0% 1 / 1")
    assert row(html, "kpi-table", "430405")[2] == "50.0% (1/2) 未达标"
    assert 'href="/statistics/?region=430000"' not in html  # no link above their region


@pytest.mark.parametrize("path", ["/statistics/", "/statistics/export.xlsx", "/statistics/report.pdf"])
def test_a_region_outside_the_officer_scope_is_refused(client, aggregated, path, caplog):
    client = signed_in(client, aggregated.world, "officer_hengyang")
    before = Figure.objects.count()
    with caplog.at_level(logging.INFO, logger="certhub.stats"):
        response = client.get(path, {"region": "430100"})
    # Answered exactly as a region that does not exist (C14: nothing outside the scope leaks).
    missing = client.get(path, {"region": "439999"})
    assert response.status_code == missing.status_code == 404
    assert page_text(response).replace("430100", "X") == page_text(missing).replace("439999", "X")
    assert response["Content-Type"].startswith("text/html")
    assert [r for r in caplog.records if r.name == "certhub.stats"] == []
    assert Figure.objects.count() == before


@pytest.mark.parametrize("path", ["/statistics/", "/statistics/export.xlsx", "/statistics/report.pdf"])
def test_unknown_and_malformed_region_codes(client, aggregated, path):
    client = signed_in(client, aggregated.world, "officer_province")
    response = client.get(path, {"region": "439999"})
    assert response.status_code == 404
    assert "没有地区代码为439999的行政区划。" in response.content.decode()
    response = client.get(path, {"region": "43x"})
    assert response.status_code == 400
    assert element_text(response.content.decode(), "stats-error") == "地区代码应为6位数字（GB/T 2260），收到“43x”。"


def test_only_officers_see_statistics(client, aggregated):
    assert client.get("/statistics/").status_code == 302  # to the sign-in page
    client = signed_in(client, aggregated.world, "maker")
    response = client.get("/statistics/")
    assert response.status_code == 403
    assert "统计分析仅对监管人员和系统管理员开放。" in response.content.decode()
    assert signed_in(client, aggregated.world, "admin").get("/statistics/").status_code == 200


def test_before_the_first_run_the_page_says_how_to_produce_figures(client, world):
    client = signed_in(client, world, "officer_province")
    html = client.get("/statistics/").content.decode()
    assert element_text(html, "no-figures") == (
        "还没有统计数据。 统计数据由每日汇总任务生成，页面只读取汇总结果。请在服务器上运行： certhub stats aggregate "
        "补算历史日期： certhub stats aggregate --since YYYY-MM-DD"
    )
    response = client.get("/statistics/export.xlsx")
    assert response.status_code == 409
    assert element_text(response.content.decode(), "stats-error") == (
        "还没有统计数据：请先运行 certhub stats aggregate。"
    )


def test_the_office_home_links_the_dashboard(client, world):
    html = signed_in(client, world, "officer_province").get("/office/").content.decode()
    assert 'href="/statistics/" id="statistics-link"' in html
