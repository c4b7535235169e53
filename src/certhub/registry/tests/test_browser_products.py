"""/products/ in a real browser (Debian's Chromium through Playwright) on a phone-sized screen: type a
model, photograph a box's barcode, and point the camera at it (Chromium's fake camera playing an EAN-13
drawn by python-barcode); each result checked against WCAG 2.1 AA with axe-core."""

from __future__ import annotations

import io
import os
from pathlib import Path

import barcode
import pytest
from barcode.writer import ImageWriter
from PIL import Image

from certhub.core.testing import PHONE, assert_accessible, fits_the_phone, screenshot
from conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRIDGE = ["家用电冰箱", "BCD-218", "星城", "6901234567892", "—", "2025010701000123", "长沙星城电器有限公司", "有效"]


@pytest.fixture
def live_world(transactional_db, live_server):
    from certhub.registry.testing import build_world

    return build_world()


def ean13_png(digits: str) -> bytes:
    buffer = io.BytesIO()
    barcode.get("ean13", digits, writer=ImageWriter()).write(buffer, options={"format": "PNG"})
    return buffer.getvalue()


def first_row(page) -> list[str]:
    cells = page.locator("#products-table tbody tr").first.locator("td")
    return [text.strip() for text in cells.all_inner_texts()][:8]


def test_typing_a_model_and_photographing_a_barcode_on_a_phone(live_server, live_world, phone, tmp_path):
    phone.goto(live_server.url + "/products/")
    assert_accessible(phone, context="the products page")
    phone.get_by_label("型号").fill("bcd 218")
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_selector("#products-table")
    assert first_row(phone) == FRIDGE
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the products found by model")
    screenshot(phone, "products-phone")

    photo = tmp_path / "box.png"
    photo.write_bytes(ean13_png("690123456789"))
    phone.goto(live_server.url + "/products/")
    phone.get_by_label("或拍摄商品条码照片").set_input_files(str(photo))  # sent at once by barcode.js
    phone.wait_for_selector("#products-table")
    assert phone.get_by_label("商品条码（GTIN）").input_value() == "6901234567892"
    assert first_row(phone) == FRIDGE

    blank = tmp_path / "blank.png"
    Image.new("L", (400, 300), 255).save(blank)
    phone.get_by_label("或拍摄商品条码照片").set_input_files(str(blank))
    phone.wait_for_selector("#product-scan-refusal")
    assert phone.locator("#product-scan-refusal").inner_text() == (
        "图片中没有找到商品条码（EAN-13、EAN-8或UPC-A）：请让条码横向充满取景框、对准焦点后重试"
    )
    assert_accessible(phone, context="a photo without a barcode")
    assert phone.console_errors == []


def y4m_of(png: bytes, path: Path) -> None:
    """A one-frame YUV4MPEG2 video of the barcode, which Chromium plays as its fake camera."""
    code = Image.open(io.BytesIO(png)).convert("L")
    frame = Image.new("L", (640, 480), 200)
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    chroma = bytes([128]) * (320 * 240)
    path.write_bytes(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\nFRAME\n" + frame.tobytes() + chroma + chroma)


def test_pointing_the_camera_at_a_barcode(live_server, live_world, browser, tmp_path):
    """Without BarcodeDetector (Chromium on Linux), frames go to /products/scan/; the GTIN found searches."""
    video = tmp_path / "camera.y4m"
    y4m_of(ean13_png("690123456789"), video)
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
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server.url + "/products/?model=XYZ")  # a criterion typed before is dropped by a scan
        page.get_by_role("button", name="用摄像头扫描条码").click()
        page.wait_for_selector("#products-table", timeout=20_000)
        assert page.get_by_label("商品条码（GTIN）").input_value() == "6901234567892"
        assert page.get_by_label("型号").input_value() == ""
        assert first_row(page) == FRIDGE
        assert_accessible(page, context="the products found by the camera")
        assert errors == []
    finally:
        camera_browser.close()
