"""双随机、一公开 end to end in a real browser (Debian's Chromium through Playwright) against a live server,
on a (small) demo province: the demo's province officer builds a plan from the item list, publishes it,
creates a batch whose random sources come out seconds later, announces it, enters the sources once they
are out and draws; a drawn inspector, with the demo sign-in of their code, records the result; the officer
publishes it; the public sees it on the results tab and downloads the draw file, which `certhub draw
verify` reproduces."""

from __future__ import annotations

import datetime
import math
import re
import subprocess
import sys
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from certhub.core.testing import PHONE, assert_accessible, fits_the_phone, screenshot, sign_in
from certhub.inspections.models import Batch, Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOURCES = {"双色球第2026200期开奖号码": "3 8 15 21 27 30 12", "排列5第26400期开奖号码": "4 0 7 7 1"}


def test_plan_batch_draw_record_publish_and_the_public_sees_the_result(
    live_server, demo_password, phone, browser, tmp_path
):
    base = live_server.url
    year = timezone.localdate().year
    plan_number = f"{year}-430000-{Plan.objects.filter(year=year, region_id='430000').count() + 1:02d}"
    batch_number = f"{plan_number}-01"
    sign_in(phone, base, "officer", demo_password)
    assert_accessible(phone, context="the office home")
    phone.locator(".card").get_by_role("link", name="双随机抽查").click()
    assert_accessible(phone, context="the inspections office")
    phone.locator(".card").get_by_role("link", name="抽查计划").click()
    assert_accessible(phone, context="the new plan form")

    # The plan: title, year, region and department prefilled, items from the list.
    phone.get_by_label("计划名称").fill("2026年度认证标志使用专项抽查计划")
    phone.get_by_label("SC-QY-01 企业公示信息抽查").check()
    phone.get_by_label("SC-QY-02 企业使用认证标志情况检查").check()
    phone.get_by_label("LH-HB-01 排污企业环境管理体系认证联合检查").check()
    phone.get_by_role("button", name="新建抽查计划").click()
    phone.wait_for_url(re.compile(rf"/inspections/office/plans/{plan_number}/$"))
    assert phone.locator(".message").inner_text() == f"已新建抽查计划{plan_number}。"
    phone.get_by_role("button", name="公告计划").click()
    assert phone.locator(".message").inner_text() == f"抽查计划{plan_number}已公告。"
    assert Plan.objects.get(number=plan_number).status == "PUBLISHED"
    assert_accessible(phone, context="a published plan")

    # The batch: sources named now, published a few seconds from now.
    phone.get_by_role("link", name="新建批次").click()
    phone.get_by_label("任务名称").fill("第一批")
    # The ratios follow the highest default ratio of the items ticked (3% here, then 5%).
    phone.get_by_label("LH-HB-01 排污企业环境管理体系认证联合检查").check()
    ratios = [phone.get_by_label(f"{s}类抽查比例（%）") for s in "ABCD"]
    assert [r.input_value() for r in ratios] == ["1.5", "3", "6", "12"]
    phone.get_by_label("LH-HB-01 排污企业环境管理体系认证联合检查").uncheck()
    phone.get_by_label("SC-QY-02 企业使用认证标志情况检查").check()
    assert [r.input_value() for r in ratios] == ["2.5", "5", "10", "20"]
    phone.get_by_label("检查对象名录库").select_option(label="全省制造业企业")
    assert fits_the_phone(phone)
    screenshot(phone, "inspection-batch-form-phone")
    assert_accessible(phone, context="the new batch form")
    phone.get_by_label("随机源", exact=True).fill("\n".join(SOURCES))
    at = (timezone.localtime() + datetime.timedelta(seconds=30)).replace(microsecond=0)
    phone.get_by_label("随机源公布时间").fill(at.strftime("%Y-%m-%dT%H:%M:%S"))
    phone.get_by_role("button", name="新建批次").click()
    phone.wait_for_url(re.compile(rf"/inspections/office/batches/{batch_number}/$"))
    phone.get_by_role("button", name="公告（承诺随机源）").click()
    assert phone.locator(".message").inner_text() == f"批次{batch_number}已公告，随机源公布后即可抽取。"
    assert phone.locator("#batch-status").inner_text() == "已公告待抽取"
    assert_accessible(phone, context="an announced batch")
    assert phone.console_errors == []
    # How many the announcement fixed, stratum by stratum, at the default ratios (2.5, 5, 10, 20 %).
    strata = Batch.objects.get(number=batch_number).commitment["strata"]
    drawn = sum(s["count"] for s in strata)
    assert [s["count"] for s in strata] == [math.ceil(s["size"] * Decimal(s["ratio"]) / 100) for s in strata]
    assert 0 < drawn <= 50  # one page of the task table

    with time_machine.travel(at + datetime.timedelta(seconds=1), tick=True):
        for described, value in SOURCES.items():
            phone.get_by_label(described).fill(value)
        phone.get_by_role("button", name="抽取").click()
        assert phone.locator(".message").inner_text() == f"批次{batch_number}已抽取{drawn}个检查对象。"
        rows = phone.locator("#task-table tbody tr")
        assert rows.count() == drawn
        for index in range(drawn):
            assert len(rows.nth(index).locator("td.inspectors").inner_text().split("、")) == 2
        assert fits_the_phone(phone)
        screenshot(phone, "inspection-batch-phone")
        assert_accessible(phone, context="a drawn batch")
        batch = Batch.objects.get(number=batch_number)
        assert all(task.assignments.count() == 2 for task in batch.tasks.all())
        task = batch.tasks.get(sequence=1)
        inspector = task.assignments.get(slot=0).inspector

        # The inspector, signed in with their code, records the result.
        inspector_page = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True).new_page()
        try:
            # An enforcement inspector lands on their own tasks, all they see of the back office (C14).
            sign_in(inspector_page, base, inspector.code.lower(), demo_password, lands_on="/inspections/office/tasks/")
            assert_accessible(inspector_page, context="the inspector's tasks")
            inspector_page.locator("tbody tr", has_text=task.target_name).get_by_role("link", name="录入结果").click()
            assert_accessible(inspector_page, context="the result form")
            inspector_page.get_by_label("检查结果").select_option(label="未发现问题")
            inspector_page.get_by_label("后续处置").select_option(label="无需后续处置")
            today = timezone.localdate().isoformat()
            inspector_page.get_by_label("检查开始日期").fill(today)
            inspector_page.get_by_label("检查结束日期").fill(today)
            inspector_page.get_by_role("button", name="提交审核").click()
            inspector_page.wait_for_url(re.compile(r"/inspections/office/tasks/$"))
            assert_accessible(inspector_page, context="the inspector's tasks with the message")
            assert inspector_page.locator(".message").inner_text() == f"“{task.target_name}”的检查结果已提交审核。"
        finally:
            inspector_page.context.close()

        # The province officer reviews and publishes it.
        phone.goto(base + "/office/")
        phone.locator(".card").get_by_role("link", name="双随机抽查").click()
        phone.locator(".card").get_by_role("link", name="结果审核").click()
        assert_accessible(phone, context="results to review")
        phone.locator("tbody tr", has_text=task.target_name).get_by_role("link", name="审核").click()
        assert_accessible(phone, context="a result to review")
        phone.get_by_role("button", name="审核通过并公示").click()
        assert phone.locator(".message").inner_text() == f"“{task.target_name}”的检查结果已公示。"
        assert_accessible(phone, context="a reviewed result with the message")
        task.refresh_from_db()
        assert (task.status, task.published_on) == ("PUBLISHED", timezone.localdate())

    # The public, in a separate session, finds it on the results tab.
    public = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    try:
        public.goto(base + "/")
        assert_accessible(public, context="the home page")
        public.get_by_role("link", name="双随机抽查").click()
        public.get_by_role("link", name="抽查结果公告").click()
        row = public.locator("#result-table tbody tr", has_text=task.target_name)
        assert row.locator("td.result-category").inner_text() == "未发现问题"
        assert task.target_key in row.inner_text()
        assert public.locator(".late-flag").count() == 0
        assert_accessible(public, context="the public results")
        screenshot(public, "inspection-results-phone")
        public.get_by_role("link", name="抽查任务公告").click()
        public.get_by_role("link", name=batch_number).click()
        assert public.locator("#task-table tbody tr").count() == drawn
        assert "风险" not in public.locator("main").inner_text()
        assert_accessible(public, context="a public batch")
        assert fits_the_phone(public)
        # Anyone downloads the draw file and reproduces the draw with no database.
        with public.expect_download() as download:
            public.get_by_role("link", name=re.compile("draw.json")).click()
        path = tmp_path / "DRAW.json"
        download.value.save_as(path)
    finally:
        public.context.close()
    assert phone.console_errors == []
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "certhub", "draw", "verify", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"{path}: the draw reproduces."
    assert f"selection: {drawn} targets and their inspectors reproduced from the sources" in done.stdout
