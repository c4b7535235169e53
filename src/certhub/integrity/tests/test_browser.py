"""In a real browser (Debian's Chromium through Playwright, axe-core on every page reached): an officer asks
the joint punishment query for a barred institution and a clean one and reads "…until…" for the one and
nothing for the other; a wrong check digit is shown on its line and nothing is logged; a member of the public,
on a phone, finds the revoked certification body on the disclosure list with its decision."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.testing import assert_accessible, fits_the_phone, sign_in
from certhub.integrity.models import JointPunishmentQuery
from certhub.integrity.tests.conftest import ID_NUMBER, build_barred
from certhub.registry.actions import do_revoke_certification_body
from certhub.registry.bans import ban_refusal
from certhub.registry.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_joint_punishment_page_and_public_disclosure_list(live_server, world, desk, phone):
    barred = build_barred(world)
    do_revoke_certification_body(
        body=world.bodies["yueyang"],
        effective_date=datetime.date(2026, 2, 1),
        reason="出具虚假认证证书",
        decision="国认监〔2026〕3号",
        actor=world.actor("officer_province"),
    )
    sign_in(desk, live_server.url, "officer_changsha", World.PASSWORD)
    desk.goto(f"{live_server.url}/office/joint-punishment/")
    assert_accessible(desk, context="joint punishment query")
    field = desk.get_by_label("查询对象")
    field.fill(f"{world.organizations['lab'].uscc}\n李伪,{ID_NUMBER[:-1]}7")
    desk.get_by_role("button", name="查询").click()
    assert "第2行 身份证件号码：身份证号码校验位不正确" in desk.locator(".field-errors").inner_text()
    assert_accessible(desk, context="joint punishment query refused")
    assert JointPunishmentQuery.objects.count() == 0
    field.fill(f"{world.organizations['lab'].uscc}\n{world.organizations['maker'].uscc}")
    desk.get_by_role("button", name="查询").click()
    rows = desk.locator("#joint-answers tbody tr")
    assert rows.nth(0).locator("td").nth(2).inner_text() == ban_refusal(barred.bans["exit"])
    assert rows.nth(1).locator("td").nth(2).inner_text() == "未发现限制措施"
    assert_accessible(desk, context="joint punishment answers")
    assert JointPunishmentQuery.objects.get().hit_count == 1

    phone.goto(f"{live_server.url}/disclosure/")
    phone.get_by_label("名称、信用代码或决定文号").fill("岳阳")
    phone.get_by_role("button", name="查找").click()
    row = phone.locator("#disclosure-table tbody tr")
    assert row.count() == 1
    assert "认证机构撤销" in row.inner_text() and "国认监〔2026〕3号" in row.inner_text()
    assert fits_the_phone(phone)
    assert_accessible(phone, context="disclosure list on a phone")
    assert phone.console_errors == []
