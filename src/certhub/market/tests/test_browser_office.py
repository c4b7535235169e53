"""In a real browser (Debian's Chromium through Playwright, axe-core on every page reached): an officer goes from
the back office to the market checks, narrows them to forged numbers, opens a check and, in one click, a case
about the shop; defines a campaign (refused first for a region outside theirs) and reads its tally. The checks
list and a check's page also fit a phone (inspectors in shops)."""

from __future__ import annotations

import datetime
import re

import pytest

from certhub.cases.models import Case
from certhub.core.testing import assert_accessible, fits_the_phone, sign_in
from certhub.market.actions import do_create_campaign
from certhub.market.choices import Verdict
from certhub.market.models import Campaign
from certhub.market.testing import do_record_judged_checks
from certhub.registry.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def test_an_officer_opens_a_case_from_a_forged_number_and_defines_a_campaign(live_server, world, desk, phone):
    base = live_server.url
    officer = world.actor("officer_changsha")
    campaign = do_create_campaign(
        name="电器CCC专项整治",
        region_code="430100",
        product_codes=["0701"],
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        actor=officer,
    )
    do_record_judged_checks(
        rows=[
            {"product_name": "双门电冰箱", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701999999",
             "shop": "湘江电器专营店", "shop_organization": world.organizations["hengyang"], "platform": "某电商平台",
             "reason": "编号2099010701999999不是登记库中的CCC证书或自我声明编号。"},
            {"product_name": "家用电冰箱 BCD-218", "verdict": Verdict.COVERED, "certificate": world.certificates["ccc"],
             "producer": world.organizations["maker"], "reason": "证书2025010701000123有效且列有型号BCD-218。"},
        ],
        region_code="430104",
        campaign=campaign,
        checked_on=datetime.date(2026, 3, 10),
        actor=officer,
    )  # fmt: skip

    sign_in(desk, base, "officer_changsha", World.PASSWORD)
    desk.locator("#market-checks-link").click()
    desk.wait_for_url(re.compile(r"/market/office/checks/$"))
    assert desk.locator("#check-table tbody tr").count() == 2
    assert_accessible(desk, context="the market checks")
    desk.get_by_label("结论").select_option("forged_number")
    desk.get_by_role("button", name="筛选").click()
    desk.wait_for_url(re.compile(r"verdict=forged_number"))
    assert desk.locator("#check-table tbody tr").count() == 1
    desk.get_by_role("link", name="双门电冰箱").click()
    desk.wait_for_url(re.compile(r"/market/office/checks/\d+/$"))
    assert desk.locator("#check-verdict").inner_text() == "编号不在登记库中（疑似伪造）"
    assert desk.locator("#check-reason").inner_text() == "编号2099010701999999不是登记库中的CCC证书或自我声明编号。"
    assert_accessible(desk, context="a forged number's check")
    desk.get_by_role("button", name="立案处置").click()
    number = "AJ-" + str(datetime.date.today().year)
    desk.wait_for_url(re.compile(rf"/cases/{number}-430104-0001/$"))
    case = Case.objects.get()
    assert desk.locator(".message").inner_text() == f"已立案{case.number}，已通报责任部门。"
    assert (case.subject_name, case.market_check.product_name) == ("衡阳湘江机械制造有限公司", "双门电冰箱")
    assert_accessible(desk, context="the case opened from a market check")

    # A campaign: refused for a region outside the officer's, then defined; its tally.
    desk.goto(f"{base}/market/office/campaigns/")
    desk.get_by_role("link", name="制定专项整治").click()
    desk.get_by_label("专项整治名称").fill("儿童玩具专项整治")
    desk.get_by_label("地区代码").fill("430400")
    desk.get_by_label("CCC目录产品代码").fill("0701")
    desk.get_by_label("开始日期").fill("2026-04-01")
    desk.get_by_label("结束日期").fill("2026-05-31")
    desk.get_by_role("button", name="创建").click()
    assert desk.locator(".field-errors").inner_text() == "地区430400不在你的辖区内，只能在本辖区内开展专项整治"
    assert Campaign.objects.count() == 1
    assert_accessible(desk, context="a campaign refused")
    desk.get_by_label("地区代码").fill("430104")
    desk.get_by_role("button", name="创建").click()
    desk.wait_for_url(re.compile(r"/market/office/campaigns/\d+/$"))
    assert desk.locator(".message").inner_text() == "已创建专项整治“儿童玩具专项整治”。"
    assert desk.locator("#campaign-tally tbody tr").first.inner_text().split() == ["核查总数", "0"]
    assert_accessible(desk, context="a new campaign")
    desk.goto(f"{base}/market/office/campaigns/{campaign.pk}/")
    assert desk.locator("#campaign-tally tbody tr").nth(2).inner_text().split() == ["违法情形合计", "1"]
    # The refused form answered 422, which the browser logs; nothing else went wrong (no CSP violation).
    assert [e for e in desk.console_errors if "status of 422" not in e] == []

    # On a phone: the list and a check's page fit.
    sign_in(phone, base, "officer_changsha", World.PASSWORD)
    phone.goto(f"{base}/market/office/checks/")
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the market checks on a phone")
    phone.get_by_role("link", name="家用电冰箱 BCD-218").click()
    phone.wait_for_url(re.compile(r"/market/office/checks/\d+/$"))
    assert phone.locator("#check-verdict").inner_text() == "已覆盖（证书或自我声明有效）"
    assert fits_the_phone(phone)
    assert_accessible(phone, context="a covered check on a phone")
    assert phone.console_errors == []
