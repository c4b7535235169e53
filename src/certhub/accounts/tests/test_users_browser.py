"""Done when (issue 14): "an administrator creates an inspector who sees only their tasks" — in a real browser
(Debian's Chromium through Playwright) on a phone, against a live server: the administrator opens the user
pages from the back office, creates an enforcement inspector linked to their entry in the inspector pool;
the new inspector sets their password from the one-time link in their e-mail, signs in, lands on their own
tasks, and finds the rest of the back office closed to them."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from certhub.core.actors import SYSTEM
from certhub.core.models import User
from certhub.core.testing import PHONE, assert_accessible, fits_the_phone, screenshot, sign_in
from certhub.inspections import actions
from certhub.inspections.testing import MARKET, build_inspection_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUALIFIED = ["ENTERPRISE", "CERTIFIED_PRODUCT", "CERTIFICATION_BODY", "LAB"]
PASSWORD = "Xiang-jiang 2026 river"


@pytest.fixture
def drawn(world):
    """The inspection world, with two pool entries that have no sign-in yet, drawn 60 days ago:
    XZ4301020009 inspects the 3rd and the 6th target."""
    started = timezone.now() - datetime.timedelta(days=60)
    with time_machine.travel(started, tick=False):
        inspection = build_inspection_world(world.PASSWORD)
        for code, region in (("XZ4301020009", "430102"), ("XZ4301040010", "430104")):
            actions.do_create_inspector(
                code=code, name="周新", department=MARKET, region=region, qualifications=QUALIFIED, actor=SYSTEM
            )
        batch = actions.do_commit_batch(batch=inspection.batch, actor=SYSTEM)
    with time_machine.travel(batch.sources_available_at + datetime.timedelta(seconds=1), tick=False):
        return actions.do_draw_batch(batch=batch, sources=["1 2 3 4 5 6 7", "1 2 3 4 5"], actor=SYSTEM)


def test_an_administrator_creates_an_inspector_who_sees_only_their_tasks(live_server, world, drawn, phone, browser):
    base = live_server.url
    sign_in(phone, base, "admin", world.PASSWORD)
    phone.get_by_role("link", name="用户管理").click()
    phone.wait_for_url(re.compile(r"/account/users/$"))
    assert_accessible(phone, context="the users")
    phone.get_by_role("link", name="新建用户").click()
    phone.get_by_label("用户名").fill("xz4301020009")
    phone.get_by_label("姓名").fill("周新")
    phone.get_by_label("电子邮件").fill("zhouxin@amr.furong.example")
    phone.get_by_label("角色").select_option(label="执法检查人员")
    phone.get_by_label("辖区").select_option("430102")
    phone.get_by_label("部门").fill("芙蓉区市场监督管理局")
    phone.get_by_label("对应名录库中的检查人员").select_option(label="XZ4301020009 周新")
    assert fits_the_phone(phone)
    screenshot(phone, "user-create-phone")
    assert_accessible(phone, context="the new user form")
    phone.get_by_role("button", name="创建用户").click()
    user = User.objects.get(username="xz4301020009")
    phone.wait_for_url(re.compile(rf"/account/users/{user.pk}/$"))
    assert phone.locator(".message").inner_text() == "已创建用户xz4301020009，设置密码的链接已发往其电子邮箱。"
    assert phone.locator("#user-role").inner_text() == "执法检查人员"
    assert_accessible(phone, context="a new user with the message")
    assert (user.role, user.region_id, user.inspector.code) == ("INSPECTOR", "430102", "XZ4301020009")
    assert fits_the_phone(phone)
    # The list, filtered to inspectors, on the phone.
    phone.get_by_role("link", name="用户管理").click()
    phone.get_by_label("角色").select_option(label="执法检查人员")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_url(re.compile(r"role=INSPECTOR"))
    assert phone.locator("#user-table tbody tr").all_inner_texts()[0].split()[:2] == ["xz4301020009", "周新"]
    assert fits_the_phone(phone)
    screenshot(phone, "user-list-phone")
    assert_accessible(phone, context="the users, filtered")
    assert phone.console_errors == []

    # The new inspector, in their own browser: the link from the e-mail, a password, then sign-in.
    [message] = mail.outbox
    link = re.search(r"http://localhost:8000(/account/users/set-password/\S+/)", message.body).group(1)
    inspector = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True).new_page()
    try:
        inspector.goto(base + link)
        assert_accessible(inspector, context="the set-password form")
        inspector.get_by_label("新密码", exact=True).fill(PASSWORD)
        inspector.get_by_label("新密码确认").fill(PASSWORD)
        inspector.get_by_role("button", name="设置密码").click()
        inspector.wait_for_url(re.compile(r"/login/$"))
        assert_accessible(inspector, context="the sign-in page after setting the password")
        sign_in(inspector, base, "xz4301020009", PASSWORD, lands_on="/inspections/office/tasks/")
        # Their two tasks (the 3rd and the 6th target), nothing else.
        first_cells = inspector.locator("#my-task-table tbody tr td:first-child")
        names = [task.target_name for task in drawn.tasks.filter(sequence__in=[3, 6]).order_by("sequence")]
        assert sorted(cell.split("\n")[0].strip() for cell in first_cells.all_inner_texts()) == sorted(names)
        navigation = inspector.locator(".site-nav").inner_text()
        assert "我的检查任务" in navigation and "监管后台" not in navigation
        assert fits_the_phone(inspector)
        assert_accessible(inspector, context="an inspector's tasks")
        screenshot(inspector, "inspector-tasks-phone")
        for path in ("/office/organizations/", "/risk/", "/cases/", "/statistics/", "/inspections/office/plans/"):
            response = inspector.goto(base + path)
            assert response is not None and response.status == 403, path
        other = drawn.tasks.get(sequence=1)
        response = inspector.goto(base + f"/inspections/office/tasks/{other.pk}/result/")
        assert_accessible(inspector, context="a page not found")
        assert response is not None and response.status == 404
    finally:
        inspector.context.close()
