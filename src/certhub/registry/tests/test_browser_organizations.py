"""Organization stewardship in a real browser (Chromium through Playwright, axe-core on every state): the
enterprise keeps its contact and declares a product on a phone; the officer corrects a record at a desk."""

from __future__ import annotations

import re

import pytest

from certhub.core.testing import assert_accessible, fits_the_phone, sign_in
from certhub.registry.models import ManufacturedProduct, Organization, OrganizationName

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(transactional_db, live_server):
    from certhub.registry.testing import build_world

    return build_world()


def test_enterprise_keeps_its_contact_and_declares_a_product_on_a_phone(live_server, live_world, phone):
    # An enterprise lands on its own certificates; the link to its own page is in the navigation.
    uscc = live_world.organizations["maker"].uscc
    sign_in(phone, live_server.url, "maker", live_world.PASSWORD, lands_on=f"/certificates/?q={uscc}")
    phone.get_by_role("link", name="本企业信息").click()
    phone.wait_for_url(re.compile(r"/my-organization/$"))
    assert_accessible(phone, context="the enterprise's own page")
    assert fits_the_phone(phone)
    phone.get_by_label("联系邮箱").fill("not-an-address")
    phone.get_by_role("button", name="保存联系方式").click()
    phone.wait_for_load_state()
    assert phone.locator("#id_contact-contact_email_errors").inner_text() == "电子邮箱格式不正确"
    assert_accessible(phone, context="the contact form with an error")
    phone.console_errors.clear()  # the refused form's 422
    phone.get_by_label("联系邮箱").fill("qa@xingcheng.example")
    phone.get_by_label("联系电话").fill("0731-8888 1234")
    phone.get_by_role("button", name="保存联系方式").click()
    phone.wait_for_load_state()
    assert phone.locator(".message").inner_text() == "联系方式已保存。"
    maker = Organization.objects.get(pk=live_world.organizations["maker"].pk)
    assert (maker.contact_email, maker.contact_phone) == ("qa@xingcheng.example", "0731-8888 1234")
    phone.get_by_label("CCC目录产品代码").fill("0701")
    phone.get_by_role("button", name="登记生产此产品").click()
    phone.wait_for_load_state()
    assert phone.locator("#products tbody tr td").first.inner_text() == "0701"
    assert_accessible(phone, context="the enterprise's page with a declared product")
    assert fits_the_phone(phone)
    assert list(ManufacturedProduct.objects.filter(organization=maker).values_list("source", flat=True)) == ["declared"]
    phone.get_by_role("button", name="撤回0701").click()
    phone.wait_for_load_state()
    assert phone.locator(".message").inner_text() == "已撤回自报产品。"
    assert not ManufacturedProduct.objects.filter(organization=maker).exists()
    assert phone.console_errors == []


def test_officer_corrects_an_organization_and_its_former_name_is_shown(live_server, live_world, browser):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    try:
        sign_in(page, live_server.url, "officer_changsha", live_world.PASSWORD)
        maker = live_world.organizations["maker"]
        page.goto(f"{live_server.url}/office/organizations/{maker.pk}/history/")
        page.get_by_role("link", name="更正登记信息").click()
        assert_accessible(page, context="the organization correction form")
        page.get_by_label("行政区划代码").fill("439999")
        page.get_by_role("button", name="保存更正").click()
        page.wait_for_load_state()
        assert page.locator("#id_region_code_errors").inner_text() == "未知的行政区划代码“439999”"
        assert_accessible(page, context="the correction form with an error")
        page.get_by_label("行政区划代码").fill("430104")
        page.get_by_label("名称").fill("长沙星城智能电器有限公司")
        page.get_by_label("登记状态").select_option("DEREGISTERED")
        page.get_by_role("button", name="保存更正").click()
        page.wait_for_load_state()
        assert page.locator("#registration-status").inner_text() == "注销"
        assert page.locator("#former-names li").first.inner_text().startswith("长沙星城电器有限公司")
        assert OrganizationName.objects.filter(organization_id=maker.pk, name="长沙星城电器有限公司").exists()
        assert_accessible(page, context="the corrected organization")
    finally:
        page.context.close()
