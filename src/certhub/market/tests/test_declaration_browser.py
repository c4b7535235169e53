"""The self-declaration register in a real browser (Debian's Chromium through Playwright) against a live server,
on a phone: the producer registers a declaration — first citing a standard its report's lab was not qualified
for, refused next to the field, then as it should — finds it in its list and withdraws it; the public finds it
in the register by model. Every page passes axe-core's WCAG 2.1 AA check."""

from __future__ import annotations

import datetime
import re

import pytest

from certhub.core.testing import assert_accessible, fits_the_phone, sign_in
from certhub.market.models import SelfDeclaration
from certhub.market.tests.declaring import COMPRESSOR, GENERAL, add_compressor_lab, report
from certhub.registry.testing import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_producer_declares_on_a_phone_and_the_public_finds_it(live_server, phone, browser):
    world = build_world()
    add_compressor_lab(world)
    report(world, "XZ-2025-001")
    base = live_server.url
    uscc = world.organizations["maker"].uscc
    sign_in(phone, base, "maker", world.PASSWORD, lands_on=f"/certificates/?q={uscc}")

    phone.goto(base + "/market/declarations/mine/")
    assert phone.locator("h1").inner_text() == "本企业的自我声明"
    assert_accessible(phone, context="the producer's empty list")
    phone.get_by_role("link", name="登记自我声明").first.click()
    phone.wait_for_url(re.compile(r"/market/declarations/new/$"))
    phone.get_by_label("CCC目录代码").fill("0704")
    phone.get_by_label("产品名称").fill("全封闭制冷压缩机")
    phone.get_by_label("型号").fill("QD-65H\nQD-91H")
    phone.get_by_label("商标").fill("星城")
    phone.get_by_label("商品条码").fill("6923456789012")
    phone.get_by_label("依据标准").fill(f"{GENERAL}\nGB/T 3883.1-2014")
    phone.get_by_label("型式试验报告编号").fill("XZ-2025-001")
    phone.get_by_label("检验检测机构资质认定证书编号").fill(world.labs["main"].cma_number)
    phone.get_by_label("声明日期").fill("2025-06-10")
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the declaration form, filled in")
    phone.get_by_role("button", name="登记并公示").click()
    error = phone.locator("#id_standards_errors")
    assert error.inner_text() == (
        "第2行：检验检测机构湖南省产品质量检验检测研究院在报告签发日期（2025-06-01）的资质认定范围不含GB/T 3883.1-2014"
    )
    assert SelfDeclaration.objects.count() == 0
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the form with the refusal")
    # The refused form comes back with 422, which the browser reports; nothing else went wrong.
    assert phone.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    phone.console_errors.clear()
    phone.get_by_label("依据标准").fill(f"{GENERAL}\n{COMPRESSOR}")
    phone.get_by_role("button", name="登记并公示").click()
    phone.wait_for_url(re.compile(r"/market/declarations/ZS4301042025000001/$"))
    assert phone.locator(".message-success").inner_text() == "自我声明已登记并公布，编号ZS4301042025000001。"
    assert phone.locator("#declaration-number").inner_text() == "ZS4301042025000001"
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the declaration's page, with the withdrawal form")

    phone.goto(base + "/market/declarations/mine/")
    assert phone.locator("#declarations tbody tr td").first.inner_text() == "ZS4301042025000001"
    phone.get_by_role("link", name="ZS4301042025000001").click()
    phone.get_by_label("撤回原因").fill("型号停产")
    phone.get_by_label("撤回日期").fill(datetime.date(2025, 9, 1).isoformat())
    phone.get_by_role("button", name="撤回", exact=True).click()
    phone.locator(".message-success").filter(has_text="自我声明ZS4301042025000001已撤回。").wait_for()
    assert phone.locator("#withdrawal-reason").inner_text() == "型号停产"
    assert phone.locator("#withdraw-form").count() == 0
    assert_accessible(phone, context="the withdrawn declaration")
    declaration = SelfDeclaration.objects.get()
    assert (declaration.status, declaration.withdrawn_on) == ("withdrawn", datetime.date(2025, 9, 1))

    # The public, signed out, finds it by model, whatever the spelling.
    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = public.new_page()
    page.goto(base + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="自我声明").click()
    page.wait_for_url(re.compile(r"/market/declarations/$"))
    page.get_by_label("型号").fill("qd 91h")
    page.get_by_label("型号").press("Enter")
    page.wait_for_url(re.compile(r"model=qd"))
    rows = page.locator("#declarations tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text() == "ZS4301042025000001"
    assert fits_the_phone(page)
    assert_accessible(page, context="the public register, searched by model")
    public.close()
    assert phone.console_errors == []
