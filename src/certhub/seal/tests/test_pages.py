"""The seal on the certificate page, the printable PDF, and /verify/ (paste, photo, camera frame), through
Django's test client with CSRF checks on."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import segno
from django.test import Client
from PIL import Image

from certhub.core.actors import SYSTEM
from certhub.core.testing import element, element_text, pdf_text
from certhub.registry import actions as registry_actions
from certhub.seal import qr
from certhub.seal.actions import do_retire_seal_key
from certhub.seal.cose import wrap
from certhub.seal.queries import seal_text
from certhub.seal.tests.helpers import cose_of, embedded_fonts, filled_rectangles

pytestmark = pytest.mark.django_db

CCC = "2025010701000123"


def png(text: str, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(text, error="q").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def photo(text: str) -> bytes:
    """The code as a phone would take it: smaller than the picture, off-centre, on a grey desk, as JPEG."""
    code = Image.open(io.BytesIO(png(text, scale=5))).convert("L")
    picture = Image.new("L", (code.width + 300, code.height + 200), 170)
    picture.paste(code, (190, 60))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def post_verify(client: Client, **data):
    page = client.get("/verify/")
    token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[0]
    return client.post("/verify/", {"csrfmiddlewaretoken": token, **data})


# ------------------------------------------------------------------ the certificate page and the PDF


def test_the_certificate_page_shows_the_seal_and_links_the_pdf(client, world, seal_key):
    response = client.get(f"/certificates/{CCC}/")
    content = response.content.decode()
    assert response.status_code == 200
    text = seal_text(world.certificates["ccc"])
    assert element(response, "seal-text").raw_text == text
    assert f'src="/api/v1/certificates/{CCC}/seal.svg?body=CNCA-R-2004-117"' in content
    assert f'href="/certificates/{CCC}/certificate.pdf?body=CNCA-R-2004-117" id="seal-pdf"' in content
    assert 'alt="证书2025010701000123的防伪二维码"' in content


def test_a_suspended_certificate_page_says_why_it_has_no_seal(client, world, seal_key):
    response = client.get("/certificates/CNCA-QMS-2025-0002/")
    assert element_text(response, "seal-unavailable") == (
        "证书“CNCA-QMS-2025-0002”当前状态为“暂停”，只有有效证书才有防伪二维码"
    )
    assert "seal-pdf" not in response.content.decode()


def test_without_a_key_the_page_still_renders(client, world, key_dir):
    response = client.get(f"/certificates/{CCC}/")
    assert response.status_code == 200
    assert element_text(response, "seal-unavailable") == "防伪二维码暂不可用，请稍后再试。"


def test_the_pdf_embeds_the_chinese_font_and_carries_the_record_and_the_seal(client, world, seal_key):
    response = client.get(f"/certificates/{CCC}/certificate.pdf", {"body": "CNCA-R-2004-117"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="certificate-{CCC}.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    fonts = embedded_fonts(pdf)
    assert len(fonts) == 1 and re.fullmatch(r"[A-Z]{6}\+WenQuanYiMicroHei-\d+", fonts[0]), fonts
    lines = pdf_text(pdf).splitlines()
    assert "认证证书" in lines
    assert CCC in lines
    assert "长沙星城电器有限公司" in lines
    assert world.organizations["maker"].uscc in lines
    assert "家用电冰箱" in lines
    assert "湖南标准认证有限公司（CNCA-R-2004-117）" in lines
    assert "2030-02-28" in lines
    assert "扫码核验真伪和当前状态" in lines
    # The same state gives the same document.
    assert client.get(f"/certificates/{CCC}/certificate.pdf").content == pdf


def test_the_pdfs_qr_code_reads_back_as_the_seal(client, world, seal_key):
    text = seal_text(world.certificates["ccc"])
    pdf = client.get(f"/certificates/{CCC}/certificate.pdf").content
    rectangles = filled_rectangles(pdf)
    # Rasterize the drawn modules (4 pixels a point) with a white margin, and read the code with zxing-cpp.
    left = min(x for x, _y, _w, _h in rectangles)
    bottom = min(y for _x, y, _w, _h in rectangles)
    right = max(x + w for x, _y, w, _h in rectangles)
    top = max(y + h for _x, y, _w, h in rectangles)
    scale, margin = 4, 40
    image = Image.new(
        "L", (round((right - left) * scale) + 2 * margin, round((top - bottom) * scale) + 2 * margin), 255
    )
    for x, y, w, h in rectangles:
        box = (round((x - left) * scale) + margin, round((top - y - h) * scale) + margin)
        image.paste(0, (*box, box[0] + round(w * scale), box[1] + round(h * scale)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert qr.decode_image(buffer.getvalue()) == text


def test_a_certificate_without_a_seal_gets_a_page_not_a_pdf(client, world, seal_key):
    response = client.get("/certificates/CNCA-EMS-2024-0004/certificate.pdf")
    assert response.status_code == 409
    assert element_text(response, "unavailable-reason") == (
        "证书“CNCA-EMS-2024-0004”当前状态为“撤销”，只有有效证书才有防伪二维码"
    )
    shared = client.get("/certificates/CNCA-QMS-2025-0001/certificate.pdf")
    assert shared.status_code == 409
    assert 'href="?body=CNCA-R-2011-089"' in shared.content.decode()
    assert client.get("/certificates/NOPE-1/certificate.pdf").status_code == 404


def test_a_missing_font_is_named_with_the_fix(client, world, seal_key, settings, tmp_path):
    settings.PDF_FONT = str(tmp_path / "none.ttc")
    response = client.get(f"/certificates/{CCC}/certificate.pdf")
    assert response.status_code == 503
    assert element_text(response, "unavailable-reason") == (
        f"PDF字体文件{tmp_path}/none.ttc不存在：请安装fonts-wqy-microhei，或用CERTHUB_PDF_FONT指定含中文字形的TrueType字体"
    )


# ------------------------------------------------------------------ /verify/


def test_the_verify_page_may_use_the_camera_and_keeps_csrf(csrf_client, world, seal_key):
    page = csrf_client.get("/verify/")
    assert page.status_code == 200
    assert page["Permissions-Policy"] == "camera=(self), microphone=(), geolocation=()"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    content = page.content.decode()
    assert 'accept="image/*"' in content and 'capture="environment"' in content
    assert "<script>" not in content and "style=" not in content
    assert csrf_client.post("/verify/", {"qr": "QC1:"}).status_code == 403
    assert csrf_client.post("/verify/scan/", {}).status_code == 403
    # Other pages keep the camera off.
    assert csrf_client.get("/")["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"


def test_pasting_a_genuine_seal(csrf_client, world, seal_key):
    response = post_verify(csrf_client, qr=seal_text(world.certificates["ccc"]))
    assert response.status_code == 200
    assert element_text(response, "verify-word") == "签名真实"
    assert element_text(response, "verify-headline") == "防伪二维码真实，证书当前有效"
    assert 'data-result="genuine"' in response.content.decode()
    content = response.content.decode()
    assert f'<div><dt>证书编号</dt><dd class="code">{CCC}</dd></div>' in content
    assert f'<div><dt>签名密钥</dt><dd class="code">{seal_key.kid}</dd></div>' in content


def test_pasting_a_tampered_seal_shows_the_reason(csrf_client, world, seal_key):
    text = seal_text(world.certificates["ccc"])
    altered = bytearray(cose_of(text))
    altered[-1] ^= 0x01
    response = post_verify(csrf_client, qr=wrap(bytes(altered)))
    assert element_text(response, "verify-word") == "未通过核验"
    assert element_text(response, "verify-reason") == "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"
    empty = post_verify(csrf_client, qr="")
    assert element_text(empty, "verify-reason") == "请粘贴二维码内容，或上传二维码照片"


def test_a_suspended_certificates_seal_is_genuine_but_suspended(csrf_client, world, seal_key):
    text = seal_text(world.certificates["ccc"])
    registry_actions.do_change_certificate_status(
        certificate=world.certificates["ccc"],
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 10, 1),
        reason="监督抽查不合格",
        actor=world.actor("cb_hunan"),
    )
    response = post_verify(csrf_client, qr=text)
    assert element_text(response, "verify-word") == "签名真实"
    assert element_text(response, "verify-headline") == "防伪二维码真实，但此证书已于2025-10-01暂停"
    assert 'class="status-banner tone-suspended"' in response.content.decode()


def test_a_photo_of_the_code_is_read_and_checked(csrf_client, world, seal_key):
    text = seal_text(world.certificates["ccc"])
    upload = io.BytesIO(photo(text))
    upload.name = "certificate.jpg"
    response = post_verify(csrf_client, qr="", image=upload)
    assert element_text(response, "verify-headline") == "防伪二维码真实，证书当前有效"
    blank = io.BytesIO(_blank_jpeg())
    blank.name = "blank.jpg"
    refused = post_verify(csrf_client, qr="", image=blank)
    assert (
        element_text(refused, "verify-reason") == "图片中没有找到二维码：请让二维码充满取景框、对准焦点，避免反光后重试"
    )
    junk = io.BytesIO(b"not an image")
    junk.name = "x.jpg"
    assert element_text(post_verify(csrf_client, image=junk), "verify-reason") == (
        "无法识别此图片：请上传JPEG、PNG或WebP格式的照片"
    )


def _blank_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (200, 200), 200).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_the_frame_decoder_returns_the_text_or_the_reason(csrf_client, world, seal_key, monkeypatch):
    page = csrf_client.get("/verify/")
    token = page.cookies["csrftoken"].value
    text = seal_text(world.certificates["ccc"])
    frame = io.BytesIO(photo(text))
    frame.name = "frame.jpg"
    response = csrf_client.post("/verify/scan/", {"image": frame}, headers={"X-CSRFToken": token})
    assert (response.status_code, response.json()) == (200, {"qr": text})
    empty = io.BytesIO(_blank_jpeg())
    empty.name = "frame.jpg"
    response = csrf_client.post("/verify/scan/", {"image": empty}, headers={"X-CSRFToken": token})
    assert (response.status_code, response.json()) == (
        422,
        {"code": "no_code", "message": "图片中没有找到二维码：请让二维码充满取景框、对准焦点，避免反光后重试"},
    )
    missing = csrf_client.post("/verify/scan/", {}, headers={"X-CSRFToken": token})
    assert (missing.status_code, missing.json()) == (422, {"code": "bad_image", "message": "没有收到图片"})
    monkeypatch.setattr(qr, "MAX_IMAGE_BYTES", 1024 * 1024)
    large = io.BytesIO(b"\xff" * (1024 * 1024 + 1))
    large.name = "frame.jpg"
    response = csrf_client.post("/verify/scan/", {"image": large}, headers={"X-CSRFToken": token})
    assert (response.status_code, response.json()) == (422, {"code": "bad_image", "message": "图片过大（上限1 MB）"})


def test_a_seal_from_a_retired_and_ended_key_is_refused_on_the_page(csrf_client, world, seal_key):
    text = seal_text(world.certificates["ccc"])
    do_retire_seal_key(key=seal_key, valid_until=datetime.datetime.now(datetime.UTC), actor=SYSTEM)
    response = post_verify(csrf_client, qr=text)
    assert element_text(response, "verify-reason").startswith(f"签名真实，但签名密钥{seal_key.kid}已于")
