"""Licence seals (C8 electronic certificate with QR): the claim map under -65538, the seal signed with the
certificate keys, the PDF whose QR code reads back as the seal, `certhub seal verify` offline, the /verify/
page and the API; an altered licence seal refused as an altered certificate seal is."""

from __future__ import annotations

import datetime
import io
import json
import re
from collections import Counter

import cbor2
import httpx
import pytest
import schemathesis
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image
from pypdf import PdfReader, PdfWriter

from certhub.core.testing import element, element_text, pdf_text
from certhub.seal import licences, qr
from certhub.seal.claims import LicenceClaims, LicenceSeal, SealClaims, read_claims, scope_digest
from certhub.seal.cose import SealError, decode, sign, wrap
from certhub.seal.keyfiles import SigningUnavailable
from certhub.seal.licences import (
    LicenceRecord,
    _lookups,
    licence_pdf,
    read_licence_seal,
    register_licence_lookup,
    seal_licence,
)
from certhub.seal.queries import NotSealable, seal_text, trust_list
from certhub.seal.tests.helpers import (
    EXAMPLE_KEY,
    EXAMPLE_TRUSTED,
    cose_of,
    example_text,
    filled_rectangles,
    resigned,
)
from certhub.seal.trust import jwk_set, numeric_date, verify_any_seal, verify_seal

UTC = datetime.UTC
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
DURING = datetime.datetime(2026, 6, 1, tzinfo=UTC)
SCOPE = "食品 / 蔬菜 / 农药残留 / GB 23200.113-2018"
LICENCE = LicenceSeal(
    number="231812050123",
    licence_type="CMA",
    holder_name="湖南湘检检测技术有限公司",
    holder_uscc="91430100MA4L0ABC1M",
    valid_from=datetime.date(2025, 3, 3),
    valid_until=datetime.date(2031, 3, 2),
    scope_digest=scope_digest(SCOPE),
    status="ACTIVE",
    ledger_index=12,
)
EXAMPLE = LicenceClaims(
    issuer="certhub.hunan.example",
    issued_at=int(datetime.datetime(2025, 3, 3, tzinfo=SHANGHAI).timestamp()),
    expires_at=int(datetime.datetime(2031, 3, 3, tzinfo=SHANGHAI).timestamp()),
    licence=LICENCE,
)
ALTERED = "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"
OFFLINE_OUTPUT = [
    "  许可证编号 · licence: 231812050123",
    "  许可类别 · licence type: CMA",
    "  持证单位 · holder: 湖南湘检检测技术有限公司",
    "  统一社会信用代码 · USCC: 91430100MA4L0ABC1M",
    "  有效期自 · valid from: 2025-03-03",
    "  有效期至 · valid until: 2031-03-02",
    "  签发时状态 · status when signed: ACTIVE",
    f"  许可范围SHA-256 · scope digest: {scope_digest(SCOPE).hex()}",
    "  账本序号 · ledger index: 12",
    "  签发时间 · issued at: 2025-03-02T16:00:00+00:00",
    "  二维码失效时间 · seal expires at: 2031-03-02T16:00:00+00:00",
    "  签发方 · issuer: certhub.hunan.example",
]


def example_licence_text() -> str:
    return wrap(sign(EXAMPLE.to_payload(), EXAMPLE_KEY))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def trust_file(tmp_path):
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(jwk_set([EXAMPLE_TRUSTED], issuer="certhub.hunan.example")))
    return path


def tampered(text: str) -> str:
    """The seal with the holder's name changed inside the signed payload, the signature left as it was."""
    cose = cbor2.loads(cose_of(text))
    protected, unprotected, payload, signature = cose.value
    claims = cbor2.loads(payload)
    claims[-65538][3] = "冒名检测有限公司"
    return wrap(cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])))


# ------------------------------------------------------------------ the claim map


def test_the_licence_claim_map_is_the_documented_table():
    assert cbor2.loads(EXAMPLE.to_payload()) == {
        1: "certhub.hunan.example",
        4: EXAMPLE.expires_at,
        6: EXAMPLE.issued_at,
        -65538: {
            1: "231812050123",
            2: "CMA",
            3: "湖南湘检检测技术有限公司",
            4: "91430100MA4L0ABC1M",
            5: "2025-03-03",
            6: "2031-03-02",
            7: scope_digest(SCOPE),
            8: "ACTIVE",
            9: 12,
        },
    }
    assert LicenceClaims.from_payload(EXAMPLE.to_payload()) == EXAMPLE
    assert read_claims(EXAMPLE.to_payload()) == EXAMPLE
    # Without a ledger entry the key is absent, and reads back as None.
    unrecorded = LicenceClaims(
        EXAMPLE.issuer, EXAMPLE.issued_at, EXAMPLE.expires_at, LicenceSeal(**{**LICENCE.__dict__, "ledger_index": None})
    )
    assert 9 not in cbor2.loads(unrecorded.to_payload())[-65538]
    assert read_claims(unrecorded.to_payload()) == unrecorded
    # A certificate's payload still reads as a certificate's.
    assert isinstance(read_claims(cose_of_payload(example_text())), SealClaims)


def cose_of_payload(text: str) -> bytes:
    return decode(text).payload


def test_unknown_keys_are_ignored():
    claims = cbor2.loads(EXAMPLE.to_payload())
    claims[-65538][42] = "a later claim"
    claims[-70000] = {"1": 2}
    text = resigned(cbor2.dumps(claims, canonical=True))
    seal = verify_any_seal(text, {EXAMPLE_TRUSTED.kid: EXAMPLE_TRUSTED}, now=DURING)
    assert seal.claims == EXAMPLE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({5: "2025-3-3"}, "签名内容有误：缺少“有效期起始日”（5），或不是YYYY-MM-DD格式的日期"),
        ({6: "2031-02-30"}, "签名内容有误：缺少“有效期截止日”（6），或不是YYYY-MM-DD格式的日期"),
        ({6: 22340}, "签名内容有误：缺少“有效期截止日”（6），或不是YYYY-MM-DD格式的日期"),
        ({7: b"short"}, "签名内容有误：许可范围摘要应为32字节的SHA-256"),
        ({2: ""}, "签名内容有误：缺少“许可类别”（2），或不是文本"),
        ({9: -1}, "签名内容有误：账本序号应为非负整数"),
    ],
)
def test_a_signed_but_malformed_licence_claim_is_refused_by_name(change, message):
    claims = cbor2.loads(EXAMPLE.to_payload())
    claims[-65538].update(change)
    with pytest.raises(SealError) as refused:
        verify_any_seal(resigned(cbor2.dumps(claims)), {EXAMPLE_TRUSTED.kid: EXAMPLE_TRUSTED}, now=DURING)
    assert (refused.value.code, refused.value.message) == ("bad_claims", message)


def test_the_certificate_reader_refuses_a_licence_seal_as_before():
    with pytest.raises(SealError) as refused:
        verify_seal(example_licence_text(), {EXAMPLE_TRUSTED.kid: EXAMPLE_TRUSTED}, now=DURING)
    assert refused.value.message == "签名内容有误：缺少证书声明（-65537）：这不是认证通的证书防伪二维码"


# ------------------------------------------------------------------ offline: certhub seal verify --keys


def test_verify_a_licence_seal_offline_with_the_trust_list_file(trust_file):
    # No django_db mark: any query would fail this test.
    output = run("seal", "verify", example_licence_text(), "--keys", str(trust_file), "--at", "2026-06-01")
    assert output.splitlines() == [
        f"valid: 许可证防伪二维码真实 · genuine licence seal, key {EXAMPLE_TRUSTED.kid_text} ({trust_file})",
        *OFFLINE_OUTPUT,
    ]


def test_an_altered_licence_seal_is_refused_like_an_altered_certificate_seal(trust_file):
    messages = []
    for text in (example_text(), example_licence_text()):
        with pytest.raises(CommandError) as refused:
            run("seal", "verify", tampered_any(text), "--keys", str(trust_file), "--at", "2026-06-01")
        messages.append((refused.value.returncode, str(refused.value)))
    assert messages == [
        (1, "invalid [bad_signature]: 签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"),
        (1, "invalid [bad_signature]: 签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"),
    ]
    with pytest.raises(CommandError) as refused:
        run("seal", "verify", tampered(example_licence_text()), "--keys", str(trust_file), "--at", "2026-06-01")
    assert str(refused.value) == (
        "invalid [bad_signature]: 签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"
    )
    with pytest.raises(CommandError) as expired:
        run("seal", "verify", example_licence_text(), "--keys", str(trust_file), "--at", "2031-03-03")
    assert str(expired.value) == "invalid [seal_expired]: 签名真实，但此二维码已于2031-03-03 00:00过期"


def tampered_any(text: str) -> str:
    """The last byte of the signature flipped."""
    altered = bytearray(cose_of(text))
    altered[-1] ^= 0x01
    return wrap(bytes(altered))


# ------------------------------------------------------------------ signing with the installation's key


def qr_of_first_page(pdf: bytes) -> str:
    """Rasterize the first page's filled squares of the code's module size (4 pixels a point) and read the
    code with zxing-cpp, as the certificate PDF's test does."""
    first = PdfReader(io.BytesIO(pdf))
    assert len(first.pages) >= 1
    only_first = io.BytesIO()
    writer = PdfWriter()
    writer.add_page(first.pages[0])
    writer.write(only_first)
    rectangles = filled_rectangles(only_first.getvalue())
    cell = Counter(round(h, 3) for _x, _y, _w, h in rectangles).most_common(1)[0][0]
    rectangles = [r for r in rectangles if round(r[3], 3) == cell]
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
    return qr.decode_image(buffer.getvalue())


LINES = [
    ("证书编号", "231812050123"),
    ("机构名称", "湖南湘检检测技术有限公司"),
    ("统一社会信用代码", "91430100MA4L0ABC1M"),
    ("有效期", "2025-03-03 至 2031-03-02"),
]
HEADER = ["序号", "类别", "检测对象", "项目/参数", "依据的标准（方法）"]


@pytest.mark.django_db
def test_seal_pdf_qr_read_back_and_verified_offline(world, seal_key, tmp_path, settings):
    settings.CERTHUB_SITE_URL = "https://certhub.example"
    rows = [[str(n), "食品", "蔬菜", f"农药残留{n}", "GB 23200.113-2018"] for n in range(1, 121)]
    pdf = licence_pdf(LICENCE, title="检验检测机构资质认定证书", lines=LINES, scope_rows=rows, scope_header=HEADER)
    text = seal_licence(LICENCE)
    # The same licence and key give the same seal and the same document.
    assert seal_licence(LICENCE) == text
    assert (
        licence_pdf(LICENCE, title="检验检测机构资质认定证书", lines=LINES, scope_rows=rows, scope_header=HEADER) == pdf
    )

    assert qr_of_first_page(pdf) == text
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 3, "120 scope rows run over several pages"
    assert reader.metadata.title == "检验检测机构资质认定证书"
    lines = pdf_text(pdf).splitlines()
    # The first page: the code's caption and notes and the page's footer, then the title and the record.
    assert lines[:22] == [
        "扫码核验真伪",
        "本电子证书的二维码内含认证通签名，可用公开的信任列表离线核验。",
        "核验地址：https://certhub.example/verify/",
        "231812050123 · 第1页",
        "检验检测机构资质认定证书",
        "检验检测机构资质认定",
        *[part for line in LINES for part in line],
        "许可范围",
        *HEADER,
        "1",
        "食品",
    ]
    assert [line for line in lines if line.startswith("农药残留")] == [f"农药残留{n}" for n in range(1, 121)]
    # The header is repeated on every page the table reaches; every page names the licence and its number.
    assert lines.count("依据的标准（方法）") == pages
    assert [line for line in lines if line.startswith("231812050123 · ")] == [
        f"231812050123 · 第{n}页" for n in range(1, pages + 1)
    ]
    assert "核验地址：https://certhub.example/verify/" in lines

    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(trust_list()))
    output = run("seal", "verify", qr_of_first_page(pdf), "--keys", str(trust)).splitlines()
    assert output[0] == f"valid: 许可证防伪二维码真实 · genuine licence seal, key {seal_key.kid} ({trust})"
    assert output[1:10] == OFFLINE_OUTPUT[:9]
    issued = max(numeric_date(seal_key.valid_from), numeric_date(datetime.datetime(2025, 3, 3, tzinfo=SHANGHAI)))
    assert output[10] == f"  签发时间 · issued at: {datetime.datetime.fromtimestamp(issued, tz=UTC).isoformat()}"
    seal = read_licence_seal(text)
    assert (seal.claims.licence, seal.key.kid_text) == (LICENCE, seal_key.kid)
    with pytest.raises(CommandError) as refused:
        run("seal", "verify", tampered(text), "--keys", str(trust))
    assert str(refused.value) == "invalid [bad_signature]: 签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"


@pytest.mark.django_db
def test_a_short_scope_and_an_empty_one(world, seal_key):
    short = licence_pdf(LICENCE, title="工业产品生产许可证", lines=LINES, scope_rows=[["电线电缆", "BV 450/750V"]])
    assert len(PdfReader(io.BytesIO(short)).pages) == 1
    assert "BV 450/750V" in pdf_text(short).splitlines()
    empty = licence_pdf(LICENCE, title="工业产品生产许可证", lines=[], scope_rows=[])
    assert pdf_text(empty).splitlines()[4:] == ["工业产品生产许可证", "检验检测机构资质认定", "许可范围", "—"]


@pytest.mark.django_db
def test_no_seal_for_an_ended_licence_nor_without_a_key(world, key_dir):
    with pytest.raises(SigningUnavailable) as no_key:
        seal_licence(LICENCE)
    assert no_key.value.message == "尚无可用的签章密钥：请管理员运行“certhub seal keys --new”"
    with pytest.raises(NotSealable) as ended:
        seal_licence(LICENCE, now=datetime.datetime(2031, 3, 3, tzinfo=SHANGHAI))
    assert ended.value.message == "许可证“231812050123”的有效期已于2031-03-02届满，不再签发防伪二维码"


@pytest.mark.django_db
def test_reading_a_certificate_seal_as_a_licence_is_refused(world, seal_key):
    with pytest.raises(SealError) as refused:
        read_licence_seal(seal_text(world.certificates["ccc"]))
    assert (refused.value.code, refused.value.message) == (
        "not_licence",
        "这是证书的防伪二维码，不是许可证的：请在核验页面核验证书",
    )


# ------------------------------------------------------------------ online: /verify/ and the API


def post_verify(client, text: str):
    return client.post("/verify/", {"qr": text})


@pytest.mark.django_db
def test_the_verify_page_shows_a_licences_claims(client, world, seal_key, monkeypatch):
    # The seal alone, as an installation without licensing records reads it: no current-record lookup.
    monkeypatch.setattr(licences, "_lookups", [])
    text = seal_licence(LICENCE)
    response = post_verify(client, text)
    assert response.status_code == 200
    assert element(response, "verify-result").attrs["data-result"] == "genuine-licence"
    assert element_text(response, "verify-headline") == "防伪二维码真实：此许可证电子证书由认证通签发，内容未被改动"
    claims = element_text(response, "verify-claims")
    for expected in (
        "许可证编号 231812050123",
        "许可类别 检验检测机构资质认定 CMA",
        "持证单位 湖南湘检检测技术有限公司",
        "统一社会信用代码 91430100MA4L0ABC1M",
        "有效期限 2025-03-03 — 2031-03-02",
        "签发时状态 有效",
        f"许可范围摘要（SHA-256） {scope_digest(SCOPE).hex()}",
        "透明账本序号 12",
        f"签名密钥 {seal_key.kid}",
    ):
        assert expected in claims, (expected, claims)
    english = client.post("/verify/", {"qr": text}, HTTP_ACCEPT_LANGUAGE="en")
    english_claims = element_text(english, "verify-claims")
    assert "Licence number 231812050123" in english_claims
    assert "Licence type Inspection and testing body qualification (CMA) CMA" in english_claims

    refused = post_verify(client, tampered(text))
    assert element(refused, "verify-result").attrs["data-result"] == "refused"
    assert element_text(refused, "verify-reason") == "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"


@pytest.mark.django_db
def test_the_verify_page_reads_the_current_record_when_licensing_registers_a_lookup(client, world, seal_key):
    found = {"231812050123": LicenceRecord(False, "REVOKED", "撤销", url="/licences/231812050123/", ledger_index=30)}
    lookup = found.get

    def by_number(licence: LicenceSeal) -> LicenceRecord | None:
        return lookup(licence.number)

    register_licence_lookup(by_number)
    try:
        response = post_verify(client, seal_licence(LICENCE))
        assert element_text(response, "verify-headline") == ("防伪二维码真实，但许可证“231812050123”当前状态为“撤销”")
        assert element_text(response, "verify-current") == "当前状态 撤销 许可证记录 查看许可证的当前记录"
        found.clear()
        missing = post_verify(client, seal_licence(LICENCE))
        assert element_text(missing, "verify-headline") == "防伪二维码签名真实，但许可记录中查不到此许可证"
    finally:
        _lookups.remove(by_number)


@pytest.mark.django_db(transaction=True)
def test_the_api_verifies_a_licence_seal(live_server, world, seal_key, monkeypatch):
    monkeypatch.setattr(licences, "_lookups", [])
    text = seal_licence(LICENCE)
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as api:
        body = api.post("/seals/verify", json={"qr": text}).json()
        issued = max(numeric_date(seal_key.valid_from), numeric_date(datetime.datetime(2025, 3, 3, tzinfo=SHANGHAI)))
        assert body == {
            "genuine": True,
            "kind": "licence",
            "kid": seal_key.kid,
            "message": "防伪二维码真实：此许可证电子证书由认证通签发，内容未被改动",
            "claims": {
                "issuer": "certhub.hunan.example",
                "issued_at": datetime.datetime.fromtimestamp(issued, tz=UTC).isoformat(),
                "expires_at": "2031-03-02T16:00:00+00:00",
                "number": "231812050123",
                "licence_type": "CMA",
                "holder_name": "湖南湘检检测技术有限公司",
                "holder_uscc": "91430100MA4L0ABC1M",
                "valid_from": "2025-03-03",
                "valid_until": "2031-03-02",
                "scope_sha256": scope_digest(SCOPE).hex(),
                "status": "ACTIVE",
                "ledger_index": 12,
            },
            "current": None,
        }
        refused = api.post("/seals/verify", json={"qr": tampered(text)})
        assert (refused.status_code, refused.json()) == (
            422,
            {
                "code": "bad_signature",
                "message": "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的",
                "errors": {},
            },
        )
    assert re.fullmatch(r"QC1:[0-9A-Z $%*+\-./:]+", text)
    # The answer is the one the published OpenAPI document describes.
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operation = next(
        op
        for op in (r.ok() for r in schema.get_all_operations())
        if (op.method.upper(), op.path) == ("POST", "/api/v1/seals/verify")
    )
    case = operation.Case(body={"qr": text}, media_type="application/json")
    response = case.call(base_url=live_server.url)
    assert response.json()["kind"] == "licence"
    case.validate_response(response)
