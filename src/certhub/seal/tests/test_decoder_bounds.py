"""The QR photo decoder is bounded (C14; issue 14 finding 3): no image is decoded at more than
CERTHUB_QR_MAX_PIXELS (a larger PNG is refused from its header, a larger JPEG is decoded scaled down by
its own DCT), and at most CERTHUB_QR_DECODE_CONCURRENCY decodes run at once; the next is told to retry."""

from __future__ import annotations

import io

import pytest
import segno
from django.test import Client
from PIL import Image, ImageFile

from certhub.core.testing import element_text
from certhub.seal import qr
from certhub.seal.queries import seal_text

pytestmark = pytest.mark.django_db

SIDE = 6300  # the finding's image: 6,300 × 6,300 white pixels, a few kilobytes as PNG
TOO_MANY = "图片像素过多（6300×6300，上限1200万像素）：请缩小后再试"
BUSY = {"code": "busy", "message": "二维码识别繁忙，请稍后再试"}


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The sizes of the images Pillow decodes (ImageFile.load allocates the pixels; Image.open does not;
    a decoded image's load is called again by convert, at no cost)."""
    sizes: set[tuple[int, int]] = set()
    original = ImageFile.ImageFile.load

    def load(self):
        sizes.add(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


@pytest.fixture
def client_and_token():
    client = Client(enforce_csrf_checks=True)
    token = client.get("/verify/").cookies["csrftoken"].value
    return client, token


def upload(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def white_png(side: int = SIDE) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (side, side), 1).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def test_a_6300_square_png_is_refused_from_its_header_without_decoding(client_and_token, decoded_sizes):
    client, token = client_and_token
    data = white_png()
    assert len(data) < 100_000  # small on the wire: the danger is in the pixels
    response = client.post("/verify/scan/", {"image": upload(data, "bomb.png")}, headers={"X-CSRFToken": token})
    assert (response.status_code, response.json()) == (422, {"code": "too_large", "message": TOO_MANY})
    assert decoded_sizes == set()
    page = client.post("/verify/", {"csrfmiddlewaretoken": token, "qr": "", "image": upload(data, "bomb.png")})
    assert (page.status_code, element_text(page, "verify-reason")) == (200, TOO_MANY)
    assert decoded_sizes == set()


def test_a_large_jpeg_is_decoded_scaled_down_and_still_read(client_and_token, decoded_sizes, world, seal_key):
    client, token = client_and_token
    text = seal_text(world.certificates["ccc"])
    picture = Image.new("L", (SIDE, SIDE), 255)
    code = segno.make_qr(text, error="q")
    scale = 4000 // code.symbol_size(border=0)[0]
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=0)
    picture.paste(Image.open(io.BytesIO(buffer.getvalue())).convert("L"), (1000, 1000))
    jpeg = io.BytesIO()
    picture.save(jpeg, format="JPEG", quality=80)
    del picture
    decoded_sizes.clear()
    response = client.post(
        "/verify/scan/", {"image": upload(jpeg.getvalue(), "big.jpg")}, headers={"X-CSRFToken": token}
    )
    assert (response.status_code, response.json()) == (200, {"qr": text})
    assert decoded_sizes == {(3150, 3150)}  # half a side: the first DCT scale within 12 million pixels


def test_the_limit_is_a_setting(client_and_token, decoded_sizes, settings):
    settings.CERTHUB_QR_MAX_PIXELS = 1_000_000
    client, token = client_and_token
    response = client.post("/verify/scan/", {"image": upload(white_png(1001), "a.png")}, headers={"X-CSRFToken": token})
    assert response.json() == {"code": "too_large", "message": "图片像素过多（1001×1001，上限100万像素）：请缩小后再试"}
    response = client.post("/verify/scan/", {"image": upload(white_png(1000), "b.png")}, headers={"X-CSRFToken": token})
    assert response.json()["code"] == "no_code"
    assert decoded_sizes == {(1000, 1000)}


def test_decodes_beyond_the_pool_are_told_to_retry(client_and_token, decoded_sizes, settings):
    settings.CERTHUB_QR_DECODE_CONCURRENCY = 2
    client, token = client_and_token
    data = white_png(200)
    with qr.decode_slot(), qr.decode_slot():  # two decodes under way in this process
        response = client.post("/verify/scan/", {"image": upload(data, "f.png")}, headers={"X-CSRFToken": token})
        assert (response.status_code, response.json(), response["Retry-After"]) == (503, BUSY, "1")
        page = client.post("/verify/", {"csrfmiddlewaretoken": token, "qr": "", "image": upload(data, "f.png")})
        assert (page.status_code, element_text(page, "verify-reason")) == (503, BUSY["message"])
        assert decoded_sizes == set()
    with qr.decode_slot():  # one under way: a slot is free
        response = client.post("/verify/scan/", {"image": upload(data, "f.png")}, headers={"X-CSRFToken": token})
        assert (response.status_code, response.json()["code"]) == (422, "no_code")
    assert decoded_sizes == {(200, 200)}
