"""The quality toolbox (C12) in a real browser (Debian's Chromium through Playwright) on a phone (390×844)
against a live server: an enterprise user uploads an Excel file of the piston-ring diameters, picks the
columns (diameter, sample, phase I 25), sees the X̄-R chart with samples 37, 38 and 39 beyond the upper
limit, computes the capability of the same dataset and its verdict, and downloads the PDF report. Every
page passes axe-core's WCAG 2.1 AA check and nothing scrolls sideways."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from certhub.core.testing import assert_accessible, fits_the_phone, screenshot, sign_in
from certhub.registry.testing import build_world
from certhub.toolbox.models import Dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Montgomery's piston rings as shipped with R's qcc package (`pistonrings`): public textbook data.
PISTONRINGS = Path(__file__).resolve().parents[1] / "data" / "pistonrings.csv"


def _workbook(path: Path) -> None:
    book = Workbook()
    sheet = book.create_sheet("活塞环", 0)
    sheet.append(["diameter", "sample"])
    for row in csv.DictReader(io.StringIO(PISTONRINGS.read_text(encoding="utf-8"))):
        sheet.append([float(row["diameter"]), int(row["sample"])])
    book.save(path)


def test_an_enterprise_charts_its_piston_rings_on_a_phone_and_downloads_the_report(live_server, phone, tmp_path):
    world = build_world()
    base = live_server.url
    upload = tmp_path / "活塞环.xlsx"
    _workbook(upload)
    uscc = world.organizations["maker"].uscc
    sign_in(phone, base, "maker", world.PASSWORD, lands_on=f"/certificates/?q={uscc}")

    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="质量工具箱").click()
    phone.wait_for_url(re.compile(r"/toolbox/$"))
    assert_accessible(phone, context="the toolbox index")
    phone.get_by_role("link", name="控制图").click()
    phone.wait_for_url(re.compile(r"/toolbox/spc/$"))
    phone.get_by_label("数据文件").set_input_files(str(upload))
    phone.get_by_label("数据集名称").fill("活塞环直径")
    assert_accessible(phone, context="step 1, a file chosen")
    assert fits_the_phone(phone)
    phone.get_by_role("button", name="下一步：选择列和参数").click()
    phone.wait_for_url(re.compile(r"/toolbox/spc/\?dataset=\d+$"))
    dataset = Dataset.objects.get()
    assert (dataset.name, dataset.row_count, dataset.columns) == ("活塞环直径", 200, ["diameter", "sample"])

    phone.get_by_label("控制图类型").select_option("xbar-r")
    phone.get_by_label("数值列（测量值、不合格品数或缺陷数）").select_option("diameter")
    phone.get_by_label("子组（样本）列").select_option("sample")
    phone.get_by_label("第一阶段子组数（用来计算控制限，不填则用全部）").fill("25")
    assert_accessible(phone, context="step 2, the columns picked")
    assert fits_the_phone(phone)
    phone.get_by_role("button", name="计算").click()
    phone.wait_for_url(re.compile(r"/toolbox/spc/result/$"))
    beyond = phone.locator("#violations li").filter(has_text="Nelson 规则 1：")
    assert beyond.all_inner_texts() == [
        "均值 X̄：样本 37（第 37 点）— Nelson 规则 1：1 点落在 3σ 控制限外",
        "均值 X̄：样本 38（第 38 点）— Nelson 规则 1：1 点落在 3σ 控制限外",
        "均值 X̄：样本 39（第 39 点）— Nelson 规则 1：1 点落在 3σ 控制限外",
    ]
    assert phone.locator("figure.toolbox-figure").count() == 2
    assert_accessible(phone, context="the X̄-R result")
    assert fits_the_phone(phone)
    screenshot(phone, "toolbox-spc-phone")
    assert phone.console_errors == []

    # The same dataset, its capability.
    phone.get_by_role("link", name="我的数据集").click()
    phone.wait_for_url(re.compile(r"/toolbox/datasets/$"))
    assert_accessible(phone, context="my datasets")
    phone.get_by_role("link", name="过程能力分析").click()
    phone.get_by_label("数值列（测量值）").select_option("diameter")
    phone.get_by_label("子组（样本）列").select_option("sample")
    phone.get_by_label("第一阶段子组数（不填则用全部）").fill("25")
    phone.get_by_label("规格下限 LSL").fill("73.95")
    phone.get_by_label("规格上限 USL").fill("74.05")
    phone.get_by_role("button", name="计算").click()
    phone.wait_for_url(re.compile(r"/toolbox/capability/result/$"))
    assert phone.locator("#verdict").inner_text() == "过程能力充足 (Cpk ≥ 1.33)"
    assert_accessible(phone, context="the capability result")
    assert fits_the_phone(phone)
    screenshot(phone, "toolbox-capability-phone")
    with phone.expect_download() as caught:
        phone.get_by_role("button", name="下载 PDF 报告").click()
    pdf = caught.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "过程能力分析"
    assert "过程能力充足" in "".join(page.extract_text() for page in reader.pages)
    assert phone.console_errors == []
