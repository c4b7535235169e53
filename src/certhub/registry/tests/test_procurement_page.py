"""The procurement check page (C13 政府采购优先, "by API and page"): what a buyer reads for a
supplier and a product, the same answer as the API, bad credit codes shown next to the field; and on a
phone in a real browser."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from certhub.core.testing import (
    assert_accessible,
    by_class,
    element_text,
    fits_the_phone,
    page_text,
    screenshot,
    table_rows,
)
from certhub.registry.testing import make_uscc


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 6, 1))


def test_the_empty_form_is_linked_from_the_navigation(client, db):
    home = client.get("/")
    assert '<a href="/procurement/">采购查验</a>' in home.content.decode()
    page = client.get("/procurement/")
    assert page.status_code == 200
    assert '<a href="/procurement/" aria-current="page">采购查验</a>' in page.content.decode()
    assert "查验结果" not in page_text(page)
    assert "GET /api/v1/procurement/check?uscc=…&product=…" in page_text(page)


def test_a_certified_supplier_and_its_certificates(client, world, today):
    maker = world.organizations["maker"].uscc
    page = client.get("/procurement/", {"uscc": maker.lower()})
    assert element_text(page, "procurement-word") == "已获有效认证"
    assert element_text(page, "procurement-message") == (
        "该供应商目前持有2张有效认证证书：强制性产品认证、质量管理体系认证"
    )
    assert 'class="status-banner tone-valid"' in page.content.decode()
    assert element_text(page, "procurement-schemes") == "强制性产品认证 质量管理体系认证"
    assert "长沙星城电器有限公司" in page_text(page)
    assert table_rows(page) == [
        ["2025010701000123", "强制性产品认证", "湖南标准认证有限公司", "有效", "2030-02-28"],
        ["CNCA-QMS-2025-0001", "质量管理体系认证", "湖南标准认证有限公司", "有效", "2028-02-28"],
    ]
    assert "/certificates/2025010701000123/?body=CNCA-R-2004-117" in page.content.decode()


def test_a_product_by_name_and_by_ccc_code(client, world, today):
    maker = world.organizations["maker"].uscc
    page = client.get("/procurement/", {"uscc": maker, "product": "电冰箱"})
    assert element_text(page, "procurement-message") == "产品“电冰箱”目前有1张有效认证证书：强制性产品认证"
    assert table_rows(page) == [
        [
            "2025010701000123",
            "强制性产品认证",
            "湖南标准认证有限公司",
            "有效",
            "2030-02-28",
            "CCC目录产品、产品及型号、认证范围",
        ]
    ]
    by_code = client.get("/procurement/", {"uscc": maker, "product": "0701"})
    assert "0701 家用电冰箱和食品冷冻箱" in page_text(by_code)
    assert table_rows(by_code)[0][-1] == "CCC目录产品"
    missing = client.get("/procurement/", {"uscc": maker, "product": "电饭锅"})
    assert element_text(missing, "procurement-word") == "未查到有效认证"
    assert element_text(missing, "procurement-message") == "没有找到该供应商产品“电饭锅”目前有效的认证证书"
    assert by_class(missing, "empty") == ["登记库中没有该供应商与此产品相关的公开认证证书。"]


def test_suspended_and_withdrawn_certificates_are_shown_as_such(client, world, today):
    page = client.get("/procurement/", {"uscc": world.organizations["hengyang"].uscc})
    assert [row[0] + " " + row[3] for row in table_rows(page)] == [
        "CNCA-QMS-2025-0001 有效",
        "CNCA-QMS-2025-0002 暂停",
        "CNCA-EMS-2024-0004 撤销",
    ]


def test_unregistered_supplier_and_bad_credit_codes(client, world, today):
    unknown = make_uscc(4242, "430100")
    page = client.get("/procurement/", {"uscc": unknown})
    assert element_text(page, "procurement-word") == "登记库中没有此供应商"
    assert 'class="status-banner tone-unknown"' in page.content.decode()
    assert element_text(page, "procurement-message") == (
        f"登记库中没有统一社会信用代码为{unknown}的机构，不能认定其持有有效认证证书"
    )
    bad = client.get("/procurement/", {"uscc": "91430100MA4L1234", "product": "电冰箱"})
    assert bad.status_code == 200
    assert element_text(bad, "id_uscc_errors") == "统一社会信用代码须为18位，收到16位"
    assert 'value="91430100MA4L1234"' in bad.content.decode()  # what was typed is kept
    assert 'value="电冰箱"' in bad.content.decode()
    assert "查验结果" not in page_text(bad)
    empty = client.get("/procurement/", {"uscc": ""})
    assert element_text(empty, "id_uscc_errors") == "必填"


def test_the_page_and_the_api_give_the_same_answer(client, world, today):
    maker = world.organizations["maker"].uscc
    api = client.get("/api/v1/procurement/check", {"uscc": maker, "product": "电冰箱"}).json()
    page = client.get("/procurement/", {"uscc": maker, "product": "电冰箱"})
    assert element_text(page, "procurement-message") == api["message"]
    assert [row[0] for row in table_rows(page)] == [c["number"] for c in api["certificates"]]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_buyer_checks_a_supplier_on_a_phone(live_server, phone):
    from certhub.registry.testing import build_world

    world = build_world()
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="采购查验").click()
    phone.wait_for_url(re.compile(r"/procurement/$"))
    assert_accessible(phone, context="the empty procurement check")
    # A credit code two characters short: the form again, the error next to the field.
    phone.get_by_label("供应商统一社会信用代码").fill("91430100MA4L1234")
    phone.get_by_role("button", name="查验", exact=True).click()
    phone.wait_for_url(re.compile(r"/procurement/\?uscc="))
    assert phone.locator("#id_uscc_errors").inner_text() == "统一社会信用代码须为18位，收到16位"
    assert_accessible(phone, context="the procurement check with an error")
    phone.get_by_label("供应商统一社会信用代码").fill(world.organizations["maker"].uscc)
    phone.get_by_label("产品名称或CCC产品代码（可选）").fill("电冰箱")
    phone.get_by_role("button", name="查验", exact=True).click()
    phone.wait_for_url(re.compile(r"/procurement/\?uscc="))
    assert phone.locator("#procurement-word").inner_text() == "已获有效认证"
    assert phone.locator("table.data-table tbody tr").count() == 1
    # The page fits the phone: nothing scrolls sideways.
    assert fits_the_phone(phone)
    screenshot(phone, "procurement-phone")
    assert_accessible(phone, context="a supplier checked")
    assert phone.console_errors == []
