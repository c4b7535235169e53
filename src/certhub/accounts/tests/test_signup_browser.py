"""The applicant's side (C8): in a real browser (Debian's Chromium through Playwright) on a
phone, against a live server — a person signs up, confirms the e-mail address from the link in the mail,
signs in, links the account to a lab's organization with the code sent to the organization's registered
contact e-mail, and the account acts for it; and an officer of the region, at a desk, approves a request
for an organization without a registered contact. Each page passes the axe-core check (WCAG 2.1 AA)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from certhub.accounts.signup import actions
from certhub.accounts.testing import do_register_contact_email
from certhub.core.actors import ANONYMOUS, SYSTEM, Actor
from certhub.core.models import User
from certhub.core.testing import assert_accessible, fits_the_phone, screenshot, sign_in
from certhub.registry import actions as registry_actions
from certhub.registry.testing import make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Xiangjiang-lab 2026 spring"
DESK = {"width": 1280, "height": 900}


def test_a_new_lab_signs_up_confirms_its_address_and_links_by_the_code(live_server, world, phone):
    base = live_server.url
    organization = registry_actions.do_create_organization(
        data={"uscc": make_uscc(90, "430104"), "name": "长沙岳麓检测技术有限公司", "region": "430104"}, actor=SYSTEM
    )
    do_register_contact_email(organization=organization, email="zhang.li@yuelu-testing.example", actor=SYSTEM)
    phone.goto(base + "/")
    phone.get_by_role("link", name="登录").click()
    phone.get_by_role("link", name="注册企业账号").click()
    phone.wait_for_url(re.compile(r"/account/signup/$"))
    assert_accessible(phone, context="the sign-up form")
    phone.get_by_label("用户名").fill("liu_fang")
    phone.get_by_label("姓名").fill("刘芳")
    phone.get_by_label("电子邮件").fill("liufang@mail.example")
    phone.get_by_label("密码").fill("short")
    phone.get_by_label("我已阅读并同意用户协议").check()
    phone.get_by_role("button", name="注册").click()
    assert phone.locator("#id_password_errors").inner_text() == "密码太短，至少需要12个字符。"
    assert_accessible(phone, context="the sign-up form with an error")
    assert not User.objects.filter(username="liu_fang").exists()
    # The refused form is answered 422, which the browser reports; nothing else went wrong.
    assert phone.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    phone.console_errors.clear()
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_label("我已阅读并同意用户协议").check()
    assert fits_the_phone(phone)
    screenshot(phone, "sign-up-phone")
    phone.get_by_role("button", name="注册").click()
    phone.wait_for_url(re.compile(r"/account/signup/sent/$"))
    assert phone.locator("#sign-up-sent").inner_text().startswith("我们已向你填写的电子邮箱发送邮件。")
    assert_accessible(phone, context="the sign-up sent page")

    [message] = mail.outbox
    assert message.to == ["liufang@mail.example"]
    path = re.search(r"http://localhost:8000(/account/signup/confirm/\S+/)", message.body).group(1)
    phone.goto(base + path)
    assert_accessible(phone, context="the confirmation page")
    phone.get_by_role("button", name="确认邮箱").click()
    phone.wait_for_url(re.compile(r"/login/$"))
    assert phone.locator(".message").inner_text() == "电子邮箱已确认。请登录，然后关联你所在的机构。"

    sign_in(phone, base, "liu_fang", PASSWORD, lands_on="/account/organization/")
    assert phone.locator("#link-state").inner_text() == "本账号尚未关联机构，暂不能代表任何机构办理业务。"
    assert_accessible(phone, context="the link page of an unlinked account")
    phone.get_by_label("统一社会信用代码").fill(organization.uscc)
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r"/account/organization/$"))
    assert phone.locator(".message").inner_text() == (
        "验证码已发送至该机构登记的联系邮箱z***@yuelu-testing.example，请向机构索取后在下面填写。"
    )
    code_mail = mail.outbox[-1]
    assert code_mail.to == ["zhang.li@yuelu-testing.example"]
    code = re.search(r"验证码：(\d{6})", code_mail.body).group(1)
    assert fits_the_phone(phone)
    screenshot(phone, "link-code-phone")
    assert_accessible(phone, context="the code form")
    phone.get_by_label("验证码", exact=True).fill(code)
    phone.get_by_role("button", name="确认关联").click()
    phone.wait_for_url(re.compile(r"/account/organization/$"))
    assert phone.locator("#link-state").inner_text() == "本账号代表“长沙岳麓检测技术有限公司”办理业务。"
    assert_accessible(phone, context="a linked account")
    assert User.objects.get(username="liu_fang").organization_id == organization.pk
    assert phone.console_errors == []


def test_an_officer_of_the_region_approves_a_request_without_a_registered_contact(live_server, world, phone, browser):
    base = live_server.url
    user = actions.do_sign_up(
        username="chen_gang", name="陈刚", email="chengang@mail.example", password=PASSWORD, accepted_terms=True,
        actor=ANONYMOUS,
    )  # fmt: skip
    actions.do_confirm_email(user=user, actor=Actor.from_user(user))
    hengyang = world.organizations["hengyang"]  # 衡阳 (430405): no registered contact e-mail
    sign_in(phone, base, "chen_gang", PASSWORD, lands_on="/account/organization/")
    phone.get_by_label("统一社会信用代码").fill(hengyang.uscc)
    phone.get_by_label("申请说明（选填）").fill("我是该公司质量部主管")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r"/account/organization/$"))
    assert phone.locator("#awaiting-officer").inner_text() == (
        "申请已提交，等待机构所在地（珠晖区）的监管人员审核。审核结果会发到你的电子邮箱。"
    )
    assert fits_the_phone(phone)
    assert_accessible(phone, context="a request awaiting an officer")

    desk = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    try:
        sign_in(desk, base, "officer_hengyang", world.PASSWORD)
        desk.get_by_role("link", name="机构关联申请").click()
        desk.wait_for_url(re.compile(r"/account/organization-requests/$"))
        row = desk.locator("#link-request-table tbody tr")
        assert row.count() == 1
        assert "衡阳湘江机械制造有限公司" in row.inner_text() and "我是该公司质量部主管" in row.inner_text()
        assert_accessible(desk, context="the officers' link requests")
        screenshot(desk, "link-requests-desk")
        desk.get_by_role("button", name="批准").click()
        desk.wait_for_url(re.compile(r"/account/organization-requests/$"))
        assert desk.locator(".message").inner_text() == "已批准：账号chen_gang关联衡阳湘江机械制造有限公司。"
        assert desk.locator("#no-requests").inner_text() == "没有待审核的申请。"
        assert_accessible(desk, context="the list after approving")
    finally:
        desk.context.close()
    assert User.objects.get(username="chen_gang").organization_id == hengyang.pk
    assert [m.subject for m in mail.outbox][-1] == "认证通：机构关联申请已批准"
    phone.reload()
    assert phone.locator("#link-state").inner_text() == "本账号代表“衡阳湘江机械制造有限公司”办理业务。"
    assert phone.console_errors == []
