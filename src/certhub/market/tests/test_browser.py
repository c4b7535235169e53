"""The on-site check (/market/check/) in a real browser (Debian's Chromium through Playwright) on a phone, as
the issue's "Done when" reads: an inspector in a shop points the phone's camera at a product's barcode (a fake
camera playing a video of an EAN-13) and sees "covered" for the certified model; an officer types a made-up
certificate number off a label, sees "not in the registry — probable forgery", and opens a case from it in one
step. Every state is checked with axe-core (WCAG 2.1 AA) and for sideways scrolling."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import barcode
import pytest
from barcode.writer import ImageWriter
from PIL import Image

from certhub.cases.models import Case
from certhub.core.actors import SYSTEM
from certhub.core.choices import Role
from certhub.core.models import Region, User
from certhub.core.testing import PHONE, assert_accessible, fits_the_phone, screenshot, sign_in
from certhub.market.models import MarketCheck
from certhub.registry import actions as registry_actions
from certhub.registry.testing import World, make_uscc
from conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CCC = "2025010701000123"  # the world's refrigerator certificate, BCD-218, GTIN 6901234567892
SHOP_USCC = make_uscc(50, "430104")
SHOP = "长沙五一路家电商行有限公司"


@pytest.fixture
def live_world(transactional_db, live_server) -> World:
    from certhub.registry.testing import build_world

    world = build_world()
    world.users["inspector"] = User.objects.create_user(
        username="inspector",
        password=World.PASSWORD,
        role=Role.INSPECTOR,
        region=Region.objects.get(code="430104"),
        department="长沙市市场监管综合行政执法支队",
    )
    world.organizations["shop"] = registry_actions.do_create_organization(
        data={
            "uscc": SHOP_USCC,
            "name": SHOP,
            "region": "430104",
            "industry_section": "F",
            "industry_division": "52",
        },
        actor=SYSTEM,
    )
    return world


def y4m_of_ean13(digits: str, path: Path) -> None:
    """A one-frame YUV4MPEG2 video of the EAN-13 barcode (python-barcode draws it), which Chromium plays as
    its fake camera: the barcode as a shop's label shows it, filling most of the frame."""
    buffer = io.BytesIO()
    barcode.get("ean13", digits, writer=ImageWriter()).write(
        buffer, options={"format": "PNG", "module_width": 0.45, "module_height": 18.0, "quiet_zone": 4.0}
    )
    code = Image.open(buffer).convert("L")
    code.thumbnail((600, 440))
    frame = Image.new("L", (640, 480), 235)
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    chroma = bytes([128]) * (320 * 240)
    path.write_bytes(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\nFRAME\n" + frame.tobytes() + chroma + chroma)


def test_an_inspector_scans_a_certified_product_with_the_camera(live_server, live_world, browser, tmp_path):
    """Chromium's fake camera shows the barcode; without BarcodeDetector (Linux), frames go to the server."""
    video = tmp_path / "camera.y4m"
    y4m_of_ean13("690123456789", video)  # python-barcode adds the check digit: 6901234567892
    camera_browser = browser.browser_type.launch(
        executable_path=os.environ.get("CERTHUB_CHROMIUM", "/usr/bin/chromium"),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        context.set_default_timeout(10_000)
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, live_server.url, "inspector", World.PASSWORD, lands_on="/inspections/office/tasks/")
        page.get_by_role("link", name="现场检查").click()
        page.wait_for_url(re.compile(r"/market/check/$"))
        assert_accessible(page, context="the on-site check")
        page.get_by_label("店铺或经营者").fill(SHOP)
        page.get_by_role("button", name="用摄像头扫描条码").click()
        page.wait_for_selector("#onsite-result", timeout=30_000)
        assert page.locator("#onsite-verdict").inner_text() == "已覆盖（证书或自我声明有效）"
        check = MarketCheck.objects.get()
        assert page.locator("#onsite-reason").inner_text() == check.reason
        assert check.reason == (
            f"商品条码6901234567892是证书{CCC}（持证人长沙星城电器有限公司）所列的产品，"
            f"证书在{check.checked_on.isoformat()}有效"
        )
        assert (check.gtin, check.verdict, check.channel, check.shop) == ("6901234567892", "covered", "onsite", SHOP)
        assert page.locator("#onsite-record").get_by_role("link", name=CCC).is_visible()
        # Ready for the next product of the same shop.
        assert page.get_by_label("店铺或经营者").input_value() == SHOP
        assert page.get_by_label("商品条码").input_value() == ""
        assert fits_the_phone(page)
        screenshot(page, "market-onsite-covered-phone")
        assert_accessible(page, context="a covered product's result")

        # The next product's label carries a number the registry does not hold; a case is the officers' to open.
        page.get_by_label("证书或自我声明编号").fill("2025010799990001")
        page.get_by_label("产品名称").fill("双门家用电冰箱")
        page.get_by_role("button", name="核查").click()
        page.wait_for_selector("#onsite-result[data-verdict=forged_number]")
        assert page.locator("#onsite-verdict").inner_text() == "编号不在登记库中（疑似伪造）"
        assert page.locator("#onsite-report").inner_text() == "该检查已登记，违规线索将由本辖区监管人员立案处置。"
        assert page.get_by_role("button", name="立案处置").count() == 0
        assert_accessible(page, context="a forged number's result for an inspector")
        assert errors == []
    finally:
        camera_browser.close()


def test_an_officer_finds_a_made_up_number_and_opens_a_case_in_one_step(live_server, live_world, phone):
    sign_in(phone, live_server.url, "officer_changsha", World.PASSWORD)
    phone.goto(live_server.url + "/market/check/")
    # A mistyped barcode is refused next to its field, nothing recorded.
    phone.get_by_label("商品条码").fill("6901234567891")
    phone.get_by_role("button", name="核查").click()
    phone.wait_for_selector("#id_gtin_errors")
    assert phone.locator("#id_gtin_errors").inner_text() == "GTIN校验位错误"
    assert MarketCheck.objects.count() == 0
    assert_accessible(phone, context="a refused barcode")
    # The refusal's status (422) is the one message the browser logs.
    assert phone.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    phone.console_errors.clear()
    phone.get_by_label("商品条码").fill("")
    phone.get_by_label("证书或自我声明编号").fill("2025 0107 9999 0001")
    phone.get_by_label("产品名称").fill("双门家用电冰箱")
    phone.get_by_label("型号").fill("BCD-218")
    phone.get_by_label("店铺或经营者", exact=True).fill(SHOP)
    phone.get_by_label("经营者统一社会信用代码").fill(SHOP_USCC)
    phone.get_by_role("button", name="核查").click()
    phone.wait_for_selector("#onsite-result")
    assert phone.locator("#onsite-verdict").inner_text() == "编号不在登记库中（疑似伪造）"
    assert phone.locator("#onsite-reason").inner_text() == (
        "所称编号2025010799990001在登记库中既不是证书也不是自我声明，疑似伪造"
    )
    assert fits_the_phone(phone)
    screenshot(phone, "market-onsite-forged-phone")
    assert_accessible(phone, context="a forged number's result")

    check = MarketCheck.objects.get()
    assert Case.objects.count() == 0
    phone.get_by_role("button", name="立案处置").click()
    phone.wait_for_url(re.compile(r"/cases/AJ-\d{4}-430100-0001/$"))
    case = Case.objects.get()
    assert case.market_check == check
    assert (case.subject_type, case.subject_id) == ("organization", live_world.organizations["shop"].pk)
    assert_accessible(phone, context="the case opened from the check")
    assert phone.console_errors == []
