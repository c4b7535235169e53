"""The certified-products page and API (C7, C13): the same criteria and the same rules at both; every hit
with its product, model, trademark, GTIN, factory, certificate number, holder, status and expiry; a
photo of an EAN-13 (drawn here with python-barcode) read into the GTIN search; bad input refused with its
field and reason at each entry point."""

from __future__ import annotations

import datetime
import io

import barcode
import pytest
from barcode.writer import ImageWriter
from django.test import Client
from PIL import Image

from certhub.core.testing import element_text, table_cells
from certhub.registry import actions
from certhub.registry.testing import certificate_data

pytestmark = pytest.mark.django_db

FRIDGE_ROW = [
    "家用电冰箱",
    "BCD-218",
    "星城",
    "6901234567892",
    "—",
    "2025010701000123",
    "长沙星城电器有限公司",
    "有效",
    "2030-02-28",
]
HEADER = ["产品名称", "型号", "商标", "商品条码", "生产企业", "证书编号", "获证组织", "状态", "有效期至"]
CHECK_DIGIT = "GTIN校验位错误"
NO_BARCODE = "图片中没有找到商品条码（EAN-13、EAN-8或UPC-A）：请让条码横向充满取景框、对准焦点后重试"


@pytest.fixture
def washers(world):
    """A suspended CCC certificate for two washing machines made in a named factory."""
    hunan = world.actor("cb_hunan")
    certificate = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data(
            "2025010702000701",
            world.organizations["hengyang"],
            scheme="CCC",
            ccc_product="0703",
            scope="家用电动洗衣机",
            standards="GB 4706.24-2008",
            expiry_date="2030-02-28",
            products=[
                {"name": "滚筒洗衣机", "model": "XQG100-14", "trademark": "湘江", "gtin": "036000291452"},
                {"name": "波轮洗衣机", "model": "XQB80-2", "trademark": "湘江"},
            ],
            particulars={"factory": "衡阳湘江机械制造有限公司洗衣机厂"},
        ),
        actor=hunan,
    )
    return actions.do_change_certificate_status(
        certificate=certificate,
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 9, 1),
        reason="监督抽查不合格",
        actor=hunan,
    )


WASHER_1 = [
    "滚筒洗衣机",
    "XQG100-14",
    "湘江",
    "036000291452",
    "衡阳湘江机械制造有限公司洗衣机厂",
    "2025010702000701",
    "衡阳湘江机械制造有限公司",
    "暂停",
    "2030-02-28",
]
WASHER_2 = ["波轮洗衣机", "XQB80-2", "湘江", "—", *WASHER_1[4:]]


def found_rows(client, query):
    response = client.get(f"/products/?{query}")
    assert response.status_code == 200
    cells = table_cells(response, "products-table")
    assert cells[0] == HEADER
    return cells[1:]


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("gtin=6901234567892", [FRIDGE_ROW]),
        ("gtin=0036000291452", [WASHER_1]),  # the UPC-A as an EAN-13
        ("model=bcd+218", [FRIDGE_ROW]),
        ("model=XQ", [WASHER_1, WASHER_2]),
        ("q=%E6%B3%A2%E8%BD%AE", [WASHER_2]),  # 波轮
        ("trademark=%E6%98%9F%E5%9F%8E", [FRIDGE_ROW]),  # 星城
        ("factory=%E6%B4%97%E8%A1%A3%E6%9C%BA%E5%8E%82", [WASHER_1, WASHER_2]),  # 洗衣机厂
        ("trademark=%E6%B9%98%E6%B1%9F&model=XQB", [WASHER_2]),
    ],
)
def test_the_page_finds_exactly_the_products_of_each_criterion(world, washers, query, rows):
    assert found_rows(Client(), query) == rows


def test_the_certificate_number_links_to_its_public_page(world, washers):
    response = Client().get("/products/?gtin=6901234567892")
    assert '<a class="code" href="/certificates/2025010701000123/?body=CNCA-R-2004-117">' in response.content.decode()


def test_nothing_found_and_nothing_asked_say_so(world):
    client = Client()
    assert element_text(client.get("/products/?model=ZZZ-1"), "products-none").startswith(
        "没有找到符合条件的获证产品。"
    )
    assert "请扫描条码，或输入至少一项查询条件。" in client.get("/products/").content.decode()


def test_a_draft_s_products_are_never_found(world):
    actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data(
            "2025010701000702",
            world.organizations["maker"],
            scheme="CCC",
            ccc_product="0701",
            status="DRAFT",
            products=[{"name": "家用电冰箱", "model": "BCD-999", "gtin": "96385074"}],
        ),
        actor=world.actor("cb_hunan"),
    )
    assert Client().get("/api/v1/products?gtin=96385074").json()["items"] == []
    assert "products-table" not in Client().get("/products/?gtin=96385074").content.decode()


def test_the_page_pages(world):
    actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data(
            "2025010701000800",
            world.organizations["maker"],
            scheme="CCC",
            ccc_product="0701",
            products=[{"name": "家用电冰箱", "model": f"BCD-{300 + i}"} for i in range(25)],
        ),
        actor=world.actor("cb_hunan"),
    )
    client = Client()
    first = found_rows(client, "model=BCD-3")
    second = found_rows(client, "model=BCD-3&page=2")
    assert [row[1] for row in first] == [f"BCD-{300 + i}" for i in range(20)]
    assert [row[1] for row in second] == [f"BCD-{320 + i}" for i in range(5)]
    api = client.get("/api/v1/products?model=BCD-3&page=2").json()
    assert (api["count"], api["page"], [item["model"] for item in api["items"]]) == (
        25,
        2,
        [f"BCD-{320 + i}" for i in range(5)],
    )


# ------------------------------------------------------------------------------------ bad input


def test_a_gtin_with_a_wrong_check_digit_is_refused_on_the_page_and_in_the_api(world):
    client = Client()
    page = client.get("/products/?gtin=6901234567891&q=%E5%86%B0%E7%AE%B1")
    assert element_text(page, "id_gtin_errors") == CHECK_DIGIT
    assert "products-table" not in page.content.decode()
    api = client.get("/api/v1/products?gtin=6901234567891")
    assert (api.status_code, api.json()) == (
        422,
        {"code": "validation_failed", "message": f"gtin: {CHECK_DIGIT}", "errors": {"gtin": [CHECK_DIGIT]}},
    )
    short = client.get("/api/v1/products?gtin=12345")
    assert (short.status_code, short.json()["errors"]) == (422, {"gtin": ["GTIN须为8、12、13或14位数字"]})
    assert element_text(client.get("/products/?gtin=12345"), "id_gtin_errors") == "GTIN须为8、12、13或14位数字"


def test_text_too_long_is_refused_with_its_field(world):
    client = Client()
    api = client.get("/api/v1/products?model=" + "A" * 101)
    assert (api.status_code, api.json()["errors"]) == (422, {"model": ["长度不得超过100个字符"]})
    page = client.get("/products/?factory=" + "厂" * 101)
    assert element_text(page, "id_factory_errors") == "长度不得超过100个字符"
    assert "products-table" not in page.content.decode()


def test_the_api_answers_public_fields_only_and_nothing_without_criteria(world, washers):
    answer = Client().get("/api/v1/products?factory=%E6%B4%97%E8%A1%A3%E6%9C%BA%E5%8E%82").json()
    assert answer["count"] == 2
    assert answer["items"][0] == {
        "name": "滚筒洗衣机",
        "model": "XQG100-14",
        "trademark": "湘江",
        "gtin": "036000291452",
        "factory": "衡阳湘江机械制造有限公司洗衣机厂",
        "certificate": {
            "number": "2025010702000701",
            "status": "SUSPENDED",
            "status_label": "暂停",
            "holder_name": "衡阳湘江机械制造有限公司",
            "certification_body": {"name": "湖南标准认证有限公司", "approval_number": "CNCA-R-2004-117"},
            "ccc_product": "0703",
            "issue_date": "2025-03-01",
            "expiry_date": "2030-02-28",
            "valid_now": False,
        },
    }
    assert Client().get("/api/v1/products").json() == {
        "count": 0,
        "count_exact": True,
        "page": 1,
        "per_page": 20,
        "items": [],
    }


# ------------------------------------------------------------------------------------ barcode photos


def ean13_png(digits: str) -> bytes:
    """A photo-like PNG of an EAN-13 barcode (python-barcode draws it with Pillow)."""
    buffer = io.BytesIO()
    barcode.get("ean13", digits, writer=ImageWriter()).write(buffer, options={"format": "PNG"})
    return buffer.getvalue()


def upload(data: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


@pytest.fixture
def client_and_token():
    client = Client(enforce_csrf_checks=True)
    token = client.get("/products/").cookies["csrftoken"].value
    return client, token


def test_a_photo_of_an_ean13_searches_its_gtin(world, client_and_token):
    client, token = client_and_token
    image = ean13_png("690123456789")  # python-barcode adds the check digit: 6901234567892
    response = client.post("/products/", {"csrfmiddlewaretoken": token, "image": upload(image, "box.png")})
    assert (response.status_code, response["Location"]) == (303, "/products/?gtin=6901234567892")
    assert found_rows(client, "gtin=6901234567892") == [FRIDGE_ROW]
    frame = client.post("/products/scan/", {"image": upload(image, "frame.png")}, headers={"X-CSRFToken": token})
    assert (frame.status_code, frame.json()) == (200, {"gtin": "6901234567892"})


def test_a_photo_without_a_barcode_or_not_an_image_says_why(world, client_and_token):
    client, token = client_and_token
    blank = io.BytesIO()
    Image.new("L", (400, 300), 255).save(blank, format="PNG")
    page = client.post("/products/", {"csrfmiddlewaretoken": token, "image": upload(blank.getvalue(), "a.png")})
    assert (page.status_code, element_text(page, "product-scan-refusal")) == (200, NO_BARCODE)
    frame = client.post("/products/scan/", {"image": upload(blank.getvalue(), "f.png")}, headers={"X-CSRFToken": token})
    assert (frame.status_code, frame.json()) == (422, {"code": "no_code", "message": NO_BARCODE})
    junk = client.post("/products/scan/", {"image": upload(b"not an image", "f.png")}, headers={"X-CSRFToken": token})
    assert (junk.status_code, junk.json()) == (
        422,
        {"code": "bad_image", "message": "无法识别此图片：请上传JPEG、PNG或WebP格式的照片"},
    )
    none = client.post("/products/scan/", {}, headers={"X-CSRFToken": token})
    assert (none.status_code, none.json()) == (422, {"code": "bad_image", "message": "没有收到图片"})


def test_a_huge_png_is_refused_from_its_header(world, client_and_token, settings):
    settings.CERTHUB_QR_MAX_PIXELS = 1_000_000
    client, token = client_and_token
    big = io.BytesIO()
    Image.new("1", (1001, 1001), 1).save(big, format="PNG")
    frame = client.post("/products/scan/", {"image": upload(big.getvalue(), "f.png")}, headers={"X-CSRFToken": token})
    assert (frame.status_code, frame.json()) == (
        422,
        {"code": "too_large", "message": "图片像素过多（1001×1001，上限100万像素）：请缩小后再试"},
    )


def test_the_decoder_s_slots_are_shared_with_the_seal_check(world, client_and_token, settings):
    from certhub.core.images import decode_slot

    settings.CERTHUB_QR_DECODE_CONCURRENCY = 1
    client, token = client_and_token
    with decode_slot():
        frame = client.post(
            "/products/scan/", {"image": upload(ean13_png("690123456789"), "f.png")}, headers={"X-CSRFToken": token}
        )
    assert (frame.status_code, frame.json(), frame["Retry-After"]) == (
        503,
        {"code": "busy", "message": "图片识别繁忙，请稍后再试"},
        "1",
    )


def test_the_page_in_english(world):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/products/"})
    response = client.get("/products/?gtin=6901234567891")
    assert element_text(response, "id_gtin_errors") == "The GTIN’s check digit is wrong"
    page = client.get("/products/?model=bcd218")
    assert "<h1>Certified products</h1>" in page.content.decode()
    assert table_cells(page, "products-table")[1][:4] == ["家用电冰箱", "BCD-218", "星城", "6901234567892"]
