"""The XLSX workbook (opened with openpyxl, cells asserted) and the PDF report pack (its text read back)."""

import io
import logging

import pytest
from openpyxl import load_workbook

from certhub.core.testing import pdf_text, sign_in_client

pytestmark = pytest.mark.django_db


def test_the_workbook_has_a_sheet_per_group_with_numbers_as_numbers(client, aggregated, caplog):
    sign_in_client(client, aggregated.world.users["officer_province"])
    with caplog.at_level(logging.INFO, logger="certhub.stats"):
        response = client.get("/statistics/export.xlsx", {"region": "430000"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="certhub-statistics-430000-2026-06-30.xlsx"'
    assert [r.getMessage() for r in caplog.records if r.name == "certhub.stats"] == [
        "statistics exported: xlsx region=430000 day=2026-06-30 by officer_province"
    ]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明", "主要目标", "证书", "双随机抽查", "风险等级", "在办案件", "逐日趋势"]
    about = book["说明"]
    assert [about["A1"].value, about["B1"].value] == ["标题", "湖南省质量认证工作统计"]
    assert about["B3"].value == "430000"

    kpis = book["主要目标"]
    rows = {r[1]: r for r in kpis.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 15
    assert rows["430100"] == (
        "长沙市",
        "430100",
        1,
        2,
        0.5,
        0.8,
        "未达标",
        2,
        3,
        pytest.approx(2 / 3),
        1.0,
        "未达标",
        1,
        2,
        0.5,
        1.0,
        "未达标",
    )
    assert rows["430400"][2:7] == (1, 1, 1.0, 0.8, "达标")
    assert rows["431100"][2:7] == (0, 0, None, 0.8, "无数据")
    assert rows["430000"][2:4] == (2, 4)
    changsha = next(r for r in kpis.iter_rows(min_row=2) if r[1].value == "430100")
    assert changsha[4].number_format == "0.0%"
    assert changsha[5].number_format == "0%"

    certificates = {r[0]: r for r in book["证书"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in book["证书"][1]] == [
        "认证制度代码",
        "认证制度",
        "类别",
        "有效",
        "暂停",
        "撤销",
        "注销",
        "过期失效",
        "合计",
    ]
    assert certificates["QMS"][3:] == (3, 1, 0, 0, 0, 4)
    assert certificates["ORGANIC"][2:] == ("农产品认证", 1, 0, 0, 0, 0, 1)

    cases = {r[1]: r[2:] for r in book["在办案件"].iter_rows(min_row=2, values_only=True)}
    assert cases["430000"] == (3, 2, 1, 1, 1)
    grades = {r[1]: r[2:] for r in book["风险等级"].iter_rows(min_row=2, values_only=True)}
    assert grades["430100"] == (0, 5, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0)
    trend = list(book["逐日趋势"].iter_rows(min_row=2, values_only=True))
    assert [(r[0].date().isoformat(), r[1], r[2]) for r in trend] == [("2026-06-30", 0.5, 0.6)]


def test_the_report_pack_is_a_pdf_with_the_kpis_and_tables(client, aggregated, caplog):
    sign_in_client(client, aggregated.world.users["officer_province"])
    with caplog.at_level(logging.INFO, logger="certhub.stats"):
        response = client.get("/statistics/report.pdf", {"region": "430000"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "湖南省质量认证工作统计" in text
    assert "联席会议材料 · 统计日期：2026-06-30" in text
    assert "一、三项主要目标" in text
    assert "规模以上工业企业ISO 9001认证率（目标 ≥ 80%）" in text.replace("\n", "")
    assert "2/4 = 50.0%（未达标）" in text
    assert "1/1 = 100.0%（达标）" in text
    assert "3/5 = 60.0%（未达标）" in text
    assert "1/3 = 33.3%（未达标）" in text
    assert "目标80%" in text  # the target line of the bar chart
    for heading in ("二、证书（按认证制度和状态）", "三、双随机抽查完成和按时公示", "五、在办案件及办理时长（工作日）"):
        assert heading in text
    assert "有机产品认证（ORGANIC）\n农产品认证\n1\n0\n0\n0\n0\n1" in text
    assert [r.getMessage() for r in caplog.records if r.name == "certhub.stats"] == [
        "statistics exported: pdf region=430000 day=2026-06-30 by officer_province"
    ]


def test_a_county_officer_exports_their_county(client, aggregated):
    from certhub.core.choices import Role
    from certhub.core.models import Region, User

    user = User.objects.create_user(
        username="officer_county", password="x", role=Role.OFFICER, region=Region.objects.get(code="430405")
    )
    sign_in_client(client, user)
    book = load_workbook(io.BytesIO(client.get("/statistics/export.xlsx").content))
    rows = list(book["主要目标"].iter_rows(min_row=2, values_only=True))
    assert [r[1:4] for r in rows] == [("430405", 1, 1)]  # a county has no children: its own row only
    assert rows[0][7:9] == (1, 2)
    assert client.get("/statistics/report.pdf", {"region": "430400"}).status_code == 404  # outside: as unknown
