"""/verify/ in a real browser (Debian's Chromium through Playwright) on a phone-sized screen: paste a seal,
a tampered seal, the seal of a certificate suspended since, choose a photo, and point a camera at it."""

from __future__ import annotations

import datetime
import io
import os
import re
from pathlib import Path

import pytest
import segno
from PIL import Image

from certhub.core.testing import assert_accessible, fits_the_phone, screenshot
from certhub.registry import actions as registry_actions
from certhub.registry.models import Certificate
from certhub.seal.cose import wrap
from certhub.seal.queries import seal_text
from certhub.seal.tests.helpers import cose_of
from conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CCC = "2025010701000123"


@pytest.fixture
def live_world(transactional_db, live_server, key_dir):
    from certhub.core.actors import SYSTEM
    from certhub.registry.testing import build_world
    from certhub.seal.actions import do_create_seal_key

    world = build_world()
    do_create_seal_key(actor=SYSTEM)
    return world


def paste_and_verify(page, text: str) -> None:
    page.get_by_label("二维码内容").fill(text)
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_selector("#verify-result")


def test_paste_genuine_tampered_and_suspended(live_server, live_world, phone):
    text = seal_text(Certificate.objects.get(number=CCC))
    phone.goto(live_server.url + f"/certificates/{CCC}/")
    # The certificate page shows the code and links the check.
    assert phone.locator("#seal-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    assert_accessible(phone, context="a certificate with its seal")
    phone.get_by_role("link", name="核验二维码").click()
    phone.wait_for_url(re.compile(r"/verify/$"))
    assert_accessible(phone, context="the seal check")

    paste_and_verify(phone, text)
    assert phone.locator("#verify-word").inner_text() == "签名真实"
    assert phone.locator("#verify-headline").inner_text() == "防伪二维码真实，证书当前有效"
    assert fits_the_phone(phone)
    screenshot(phone, "verify-genuine-phone")
    assert_accessible(phone, context="a genuine seal's result")

    altered = bytearray(cose_of(text))
    altered[-1] ^= 0x01
    paste_and_verify(phone, wrap(bytes(altered)))
    assert phone.locator("#verify-word").inner_text() == "未通过核验"
    assert (
        phone.locator("#verify-reason").inner_text() == "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"
    )
    assert_accessible(phone, context="a tampered seal's result")

    paste_and_verify(phone, "QC1:" + text[10:])
    assert phone.locator("#verify-word").inner_text() == "未通过核验"

    registry_actions.do_change_certificate_status(
        certificate=Certificate.objects.get(number=CCC),
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 10, 1),
        reason="监督抽查不合格",
        actor=live_world.actor("cb_hunan"),
    )
    paste_and_verify(phone, text)
    assert phone.locator("#verify-word").inner_text() == "签名真实"
    assert phone.locator("#verify-headline").inner_text() == "防伪二维码真实，但此证书已于2025-10-01暂停"
    assert "暂停" in phone.locator("#verify-current").inner_text()
    screenshot(phone, "verify-suspended-phone")
    assert_accessible(phone, context="a suspended certificate's seal result")
    assert phone.console_errors == []


def test_choosing_a_photo_checks_it_at_once(live_server, live_world, phone, tmp_path):
    text = seal_text(Certificate.objects.get(number=CCC))
    picture = tmp_path / "certificate.png"
    segno.make_qr(text, error="q").save(picture, kind="png", scale=5, border=4)
    phone.goto(live_server.url + "/verify/")
    phone.get_by_label("或上传二维码照片").set_input_files(str(picture))
    phone.wait_for_selector("#verify-result")
    assert_accessible(phone, context="a photo's result")
    assert phone.locator("#verify-headline").inner_text() == "防伪二维码真实，证书当前有效"
    assert phone.console_errors == []


def y4m_of(text: str, path: Path) -> None:
    """A one-frame YUV4MPEG2 video of the QR code, which Chromium plays as its fake camera."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="q").save(buffer, kind="png", scale=6, border=6)
    code = Image.open(buffer).convert("L")
    frame = Image.new("L", (640, 480), 190)
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    chroma = bytes([128]) * (320 * 240)
    path.write_bytes(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\nFRAME\n" + frame.tobytes() + chroma + chroma)


def test_pointing_the_camera_at_the_code(live_server, live_world, browser, tmp_path):
    """Chromium's fake camera shows the code; without BarcodeDetector (Linux), frames go to /verify/scan/."""
    text = seal_text(Certificate.objects.get(number=CCC))
    video = tmp_path / "camera.y4m"
    y4m_of(text, video)
    # A second Chromium from the same Playwright, whose camera plays the video.
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
        context = camera_browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server.url + "/verify/")
        page.get_by_role("button", name="用摄像头扫描").click()
        page.wait_for_selector("#verify-result", timeout=20_000)
        assert page.locator("#verify-headline").inner_text() == "防伪二维码真实，证书当前有效"
        assert_accessible(page, context="the seal check after the camera")
        assert page.get_by_label("二维码内容").input_value() == text
        assert errors == []
    finally:
        camera_browser.close()


def test_a_licence_certificates_seal_photographed_and_pasted(live_server, live_world, phone, tmp_path, monkeypatch):
    """A licence's electronic certificate (C8): a photo of its code, then the code pasted altered. The seal alone
    is read here (no licensing records behind it: licensing's own tests read the current record)."""
    from certhub.seal import licences

    monkeypatch.setattr(licences, "_lookups", [])
    from certhub.seal.claims import LicenceSeal, scope_digest
    from certhub.seal.licences import seal_licence

    licence = LicenceSeal(
        number="231812050123",
        licence_type="CMA",
        holder_name="湖南湘检检测技术有限公司",
        holder_uscc="91430100MA4L0ABC1M",
        valid_from=datetime.date(2025, 3, 3),
        valid_until=datetime.date(2031, 3, 2),
        scope_digest=scope_digest("食品 / 蔬菜 / 农药残留"),
        status="ACTIVE",
        ledger_index=12,
    )
    text = seal_licence(licence)
    picture = tmp_path / "licence.png"
    segno.make_qr(text, error="q").save(picture, kind="png", scale=5, border=4)
    phone.goto(live_server.url + "/verify/")
    phone.get_by_label("或上传二维码照片").set_input_files(str(picture))
    phone.wait_for_selector("#verify-result")
    assert phone.locator("#verify-word").inner_text() == "签名真实"
    assert phone.locator("#verify-headline").inner_text() == (
        "防伪二维码真实：此许可证电子证书由认证通签发，内容未被改动"
    )
    claims = phone.locator("#verify-claims")
    assert claims.locator("div", has_text="许可证编号").locator("dd").inner_text() == "231812050123"
    assert claims.locator("div", has_text="许可类别").locator("dd").inner_text() == "检验检测机构资质认定 CMA"
    assert claims.locator("div", has_text="有效期限").locator("dd").inner_text() == "2025-03-03 — 2031-03-02"
    assert fits_the_phone(phone)
    screenshot(phone, "verify-licence-phone")
    assert_accessible(phone, context="a licence seal's result")

    altered = bytearray(cose_of(text))
    altered[-1] ^= 0x01
    paste_and_verify(phone, wrap(bytes(altered)))
    assert phone.locator("#verify-word").inner_text() == "未通过核验"
    assert (
        phone.locator("#verify-reason").inner_text() == "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"
    )
    assert phone.console_errors == []
