"""The registry's pages in a real browser (Debian's Chromium through Playwright) against a live server, as people
use them: on a phone, with a Chinese browser, without knowing any URL but the home page."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from certhub.core.testing import assert_accessible, sign_in
from certhub.registry.models import Certificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(transactional_db, live_server):
    from certhub.registry.testing import build_world

    return build_world()


def test_certification_body_suspends_a_certificate_and_the_public_sees_it(live_server, live_world, phone, browser):
    # Through the password and the authenticator code (core.testing.sign_in).
    sign_in(phone, live_server.url, "cb_hunan", live_world.PASSWORD, lands_on="/office/my-certificates/")
    assert_accessible(phone, context="a certification body's certificates")
    row = phone.locator("tbody tr", has_text="2025010701000123")
    row.get_by_role("link", name="变更状态").click()
    assert_accessible(phone, context="the change-of-status form")
    # A reason of spaces only passes the browser's own check and is refused by the server, next to the field.
    phone.get_by_label("变更为").select_option("SUSPENDED")
    phone.get_by_label("生效日期").fill("2025-10-08")
    phone.get_by_label("原因").fill("   ")
    phone.get_by_role("button", name="提交变更").click()
    phone.wait_for_load_state()
    assert phone.locator("#id_reason_errors").inner_text() == "这个字段是必填项。"
    # A screen reader reads the help and the error with the field.
    expect(phone.get_by_label("原因")).to_have_accessible_description("将在证书的公开状态记录中显示 这个字段是必填项。")
    assert Certificate.objects.get(number="2025010701000123").status == "ACTIVE"  # nothing changed
    assert_accessible(phone, context="the change-of-status form with an error")
    # Chromium logs the refused form's status (422); nothing else may fail.
    assert phone.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    phone.console_errors.clear()
    phone.get_by_label("变更为").select_option("SUSPENDED")
    phone.get_by_label("生效日期").fill("2025-10-08")
    phone.get_by_label("原因").fill("工厂检查发现产品一致性问题")
    phone.get_by_role("button", name="提交变更").click()
    phone.wait_for_url(re.compile(r"/office/my-certificates/$"))
    assert phone.locator(".message").inner_text() == "证书2025010701000123的状态已变更为“暂停”。"
    assert_accessible(phone, context="a certification body's certificates with the message")
    certificate = Certificate.objects.get(number="2025010701000123")
    assert (certificate.status, certificate.status_changed_on) == ("SUSPENDED", datetime.date(2025, 10, 8))

    # A member of the public, in a separate browser session, now sees the suspension.
    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    try:
        public.goto(live_server.url + "/certificates/?q=2025010701000123")
        assert_accessible(public, context="search results")
        public.get_by_role("link", name="2025010701000123").click()
        assert public.locator("#status-word").inner_text() == "暂停"
        assert public.locator(".status-line").first.inner_text() == "原因：工厂检查发现产品一致性问题"
        assert_accessible(public, context="a suspended certificate")
    finally:
        public.context.close()
    assert phone.console_errors == []


def test_live_scope_filter_on_a_lab_page(live_server, live_world, phone):
    phone.goto(live_server.url + "/labs/?parameter=铅")
    assert_accessible(phone, context="the labs found by a parameter")
    phone.get_by_role("link", name="湖南省产品质量检验检测研究院").click()
    assert phone.locator("#scope-table tbody tr").count() == 2
    assert_accessible(phone, context="a lab's page")
    phone.get_by_role("searchbox").fill("绝缘")
    # htmx swaps the table in place (no reload) once typing pauses, and puts the filter in the URL.
    expect(phone.locator("#scope-table tbody tr")).to_have_count(1)
    assert phone.locator("#scope-table tbody td[data-label='项目/参数']").inner_text() == "绝缘电阻"
    expect(phone).to_have_url(re.compile(r"\?q=%E7%BB%9D%E7%BC%98$"))
    assert_accessible(phone, context="a lab's scope, filtered")
    assert phone.console_errors == []
