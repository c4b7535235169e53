"""An officer records a ban and lifts it in a real browser (Debian's Chromium through Playwright, desktop, axe on
every page), and a banned signatory is refused on the key-people page with the ban's sentence (C9)."""

from __future__ import annotations

import datetime
import re

import pytest

from certhub.core.actors import SYSTEM
from certhub.core.testing import assert_accessible, sign_in
from certhub.registry.models import Affiliation, Ban

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
NUMBER = "430102198001011233"


@pytest.fixture
def live_world(transactional_db, live_server):
    from certhub.registry.testing import build_world

    return build_world()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_an_officer_imposes_and_lifts_a_permanent_exit(live_server, live_world, desktop):
    lab = live_world.organizations["lab"]
    sign_in(desktop, live_server.url, "officer_province", live_world.PASSWORD)
    desktop.get_by_role("link", name="限制措施").click()
    desktop.wait_for_url(re.compile(r"/office/bans/$"))
    assert_accessible(desktop, context="the officers' list of bans, empty")
    desktop.get_by_role("link", name="登记限制措施").click()
    desktop.wait_for_url(re.compile(r"/office/bans/new/$"))
    assert_accessible(desktop, context="the form recording a ban")
    desktop.get_by_label("限制类型").select_option("PERMANENT_EXIT")
    desktop.get_by_label("被限制机构的统一社会信用代码").fill(lab.uscc)
    desktop.get_by_label("决定日期").fill("2026-03-02")
    desktop.get_by_label("决定机关").fill("湖南省市场监督管理局")
    desktop.get_by_label("起始日期").fill("2026-03-02")
    desktop.get_by_label("事由").fill("出具虚假检验检测报告")
    desktop.get_by_label("法律依据").fill("检验检测机构监督管理办法")
    # Without its decision number the ban is refused next to the field, and nothing is written.
    desktop.get_by_role("button", name="登记", exact=True).click()
    desktop.wait_for_load_state()
    assert desktop.locator("#id_decision_number_errors").inner_text() == "必填"
    assert Ban.objects.count() == 0
    assert_accessible(desktop, context="the ban form with an error")
    desktop.get_by_label("决定文号", exact=True).fill("湘市监罚〔2026〕1号")
    desktop.get_by_role("button", name="登记", exact=True).click()
    desktop.wait_for_url(re.compile(r"/office/bans/\d+/$"))
    sentence = (
        "湖南省产品质量检验检测研究院已被湖南省市场监督管理局于2026-03-02决定永久退出"
        "（决定文号湘市监罚〔2026〕1号），无期限"
    )
    assert desktop.locator("#ban-sentence").inner_text() == sentence
    assert_accessible(desktop, context="a ban's page with its lift form")
    desktop.get_by_label("解除决定文号").fill("湘市监撤〔2026〕2号")
    desktop.get_by_label("解除日期").fill("2026-06-01")
    desktop.get_by_label("解除原因").fill("行政复议撤销原决定")
    desktop.get_by_role("button", name="解除", exact=True).click()
    desktop.wait_for_load_state()
    assert desktop.locator(".message-success").inner_text() == "已解除：湘市监罚〔2026〕1号自2026-06-01起不再执行。"
    ban = Ban.objects.get()
    assert (str(ban.lifted_on), ban.lift_decision_number) == ("2026-06-01", "湘市监撤〔2026〕2号")


def test_a_banned_signatory_is_refused_on_the_key_people_page(live_server, live_world, desktop):
    from certhub.registry.actions import do_end_affiliation, do_impose_ban, do_start_affiliation

    lab = live_world.organizations["lab"]
    affiliation = do_start_affiliation(
        organization=lab,
        role="SIGNATORY",
        start=datetime.date(2020, 1, 1),
        name="刘建国",
        id_number=NUMBER,
        actor=SYSTEM,
    )
    do_end_affiliation(affiliation=affiliation, end=datetime.date(2025, 12, 31), actor=SYSTEM)
    do_impose_ban(
        kind="LIFETIME_BAN",
        person=affiliation.person,
        decision_number="湘市监罚〔2026〕11号",
        decided_on="2026-03-02",
        authority="湖南省市场监督管理局",
        starts="2026-03-02",
        reason="在报告上签署虚假结论",
        legal_basis="检验检测机构监督管理办法",
        actor=SYSTEM,
    )
    sign_in(desktop, live_server.url, "officer_changsha", live_world.PASSWORD)
    desktop.goto(f"{live_server.url}/office/organizations/{lab.pk}/people/")
    desktop.get_by_label("姓名").fill("刘建国")
    desktop.get_by_label("身份证件号码").fill(NUMBER)
    desktop.get_by_label("角色").select_option("SIGNATORY")
    desktop.get_by_label("起始日期").fill("2026-06-01")
    desktop.get_by_role("button", name="登记任职").click()
    desktop.wait_for_load_state()
    assert desktop.locator("#id_name_errors").inner_text() == (
        "刘建国已被湖南省市场监督管理局于2026-03-02决定终身禁入（决定文号湘市监罚〔2026〕11号），无期限"
    )
    assert NUMBER not in desktop.content()
    assert Affiliation.objects.filter(person=affiliation.person).count() == 1
    assert_accessible(desktop, context="the key-people page refusing a banned person")
