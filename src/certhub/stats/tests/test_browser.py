"""The dashboard in a real browser on a phone (Debian's Chromium through Playwright, against a live server):
an officer signs in, opens the dashboard from the office home, sees the three KPIs with their targets,
drills into a prefecture and downloads the XLSX."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from certhub.core.testing import assert_accessible, fits_the_phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reads_the_kpis_drills_down_and_downloads_the_workbook(live_server, live_stats_world, phone):
    base = live_server.url
    page = phone
    sign_in(page, base, "officer_province", live_stats_world.PASSWORD)
    page.locator("#statistics-link").click()
    page.wait_for_url(re.compile(r"/statistics/$"))

    iso = page.locator("#kpi-iso9001")
    assert iso.locator(".rate").inner_text() == "50.0%"
    assert iso.locator(".fraction").inner_text() == "2 / 4"
    assert "目标 ≥ 80%" in iso.locator(".target").inner_text()
    assert iso.locator(".badge").inner_text() == "未达标"
    assert page.locator("#kpi-cma_reports .rate").inner_text() == "60.0%"
    assert page.locator("#kpi-ccc_coverage .rate").inner_text() == "33.3%"
    assert page.locator("svg.chart:not(.map)").count() == 4
    assert page.locator("svg.map").count() == 3  # the province's maps (stats/tests/test_map.py)
    assert_accessible(page, context="the province's statistics")
    assert fits_the_phone(page)  # no horizontal scroll on the phone

    page.locator('#kpi-table tr[data-region="430100"] a').click()
    page.wait_for_url(re.compile(r"region=430100$"))
    assert page.locator("h1").inner_text() == "长沙市质量认证统计"
    assert page.locator("#kpi-iso9001 .fraction").inner_text() == "1 / 2"
    assert_accessible(page, context="a prefecture's statistics")
    assert page.locator('#kpi-table tr[data-region="430104"] td').nth(1).inner_text().startswith("100.0%")
    assert fits_the_phone(page)

    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    assert download.value.suggested_filename == "certhub-statistics-430100-2026-06-30.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = {r[1]: r for r in book["主要目标"].iter_rows(min_row=2, values_only=True)}
    assert rows["430100"][2:4] == (1, 2)
    assert page.console_errors == []
