"""The seal format without a database: a round trip, and every way a QR text can be wrong refused with its
own code and reason (C3 anti-forgery)."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import zlib

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certhub.seal.claims import CLAIM_CERTIFICATE, SealClaims
from certhub.seal.cose import PREFIX, SealError, decode, key_id, sign, wrap
from certhub.seal.tests.helpers import (
    DURING,
    EXAMPLE_CLAIMS,
    EXAMPLE_KEY,
    EXAMPLE_KID,
    EXAMPLE_TRUSTED,
    UTC,
    cose_of,
    example_text,
    raw_text,
    resigned,
)
from certhub.seal.trust import TrustedKey, verify_seal

KEYS = {EXAMPLE_KID: EXAMPLE_TRUSTED}


def refusal(text: str, keys=None, now=DURING) -> tuple[str, str]:
    with pytest.raises(SealError) as caught:
        verify_seal(text, KEYS if keys is None else keys, now=now, issuer="certhub.hunan.example")
    return caught.value.code, caught.value.message


def test_round_trip_gives_back_every_claim():
    text = example_text()
    assert text.startswith("QC1:")
    assert set(text[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    seal = verify_seal(text, KEYS, now=DURING, issuer="certhub.hunan.example")
    assert seal.claims == EXAMPLE_CLAIMS
    assert seal.key == EXAMPLE_TRUSTED
    assert seal.claims.as_dict() == {
        "issuer": "certhub.hunan.example",
        "issued_at": "2025-03-01T01:00:00+00:00",
        "expires_at": "2028-02-28T16:00:00+00:00",
        "number": "CNCA-QMS-2025-0001",
        "scheme": "QMS",
        "holder_name": "长沙星城电器有限公司",
        "holder_uscc": "914301040000000437",
        "certification_body": "CNCA-R-2004-117",
        "scope_sha256": "2f24244b8208fbec737502a7edf65cc3c8ad427e3b1c100effa72724f77ea72c",
        "status": "ACTIVE",
        "ledger_index": 41,
    }


def test_the_cose_object_has_the_documented_structure():
    cose = cbor2.loads(cose_of(example_text()))
    assert cose.tag == 18
    protected, unprotected, payload, signature = cose.value
    assert cbor2.loads(protected) == {1: -8, 4: EXAMPLE_KID}
    assert unprotected == {}
    assert len(signature) == 64
    claims = cbor2.loads(payload)
    assert sorted(claims) == [-65537, 1, 4, 6]
    assert claims[CLAIM_CERTIFICATE][1] == "CNCA-QMS-2025-0001"
    assert sorted(claims[CLAIM_CERTIFICATE]) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_signing_is_deterministic_and_kid_is_the_public_key_digest():
    assert example_text() == example_text()
    public = EXAMPLE_KEY.public_key().public_bytes_raw()
    assert hashlib.sha256(public).digest()[:8] == EXAMPLE_KID
    assert key_id(public) == EXAMPLE_KID


def test_a_seal_without_ledger_index_omits_the_claim():
    claims = dataclasses.replace(EXAMPLE_CLAIMS, ledger_index=None)
    text = wrap(sign(claims.to_payload(), EXAMPLE_KEY))
    assert 8 not in cbor2.loads(cbor2.loads(cose_of(text)).value[2])[CLAIM_CERTIFICATE]
    assert verify_seal(text, KEYS, now=DURING).claims.ledger_index is None


def test_a_pasted_code_may_carry_line_breaks_and_leading_spaces():
    text = example_text()
    assert verify_seal(f"  {text}\r\n", KEYS, now=DURING).claims == EXAMPLE_CLAIMS


# ------------------------------------------------------------------ each layer refused with its reason


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("", "bad_prefix", "内容为空：请粘贴或扫描证书上的二维码"),
        ("HC1:NCFOXN%TS3DH", "bad_prefix", "这是欧盟数字新冠证书（HC1:），不是认证通证书防伪二维码（应以“QC1:”开头）"),
        ("qc1:ABC", "bad_prefix", "前缀应为大写的“QC1:”"),
        ("https://example.com/x", "bad_prefix", "这是一个网址，不是认证通证书防伪二维码（应以“QC1:”开头）"),
        ("CNCA-QMS-2025-0001", "bad_prefix", "不是认证通证书防伪二维码：内容应以“QC1:”开头，此内容以“CNCA-QMS”开头"),
        ("QC1:AB#C", "bad_base45", "第7个字符“#”不在Base45字符集中：二维码内容被改动或抄错"),
        ("QC1:abc", "bad_base45", "第5个字符“a”不在Base45字符集中：二维码内容被改动或抄错"),
        ("QC1:ABCD", "bad_base45", "Base45内容长度不对（4个字符）：二维码内容不完整，可能被截断"),
        ("QC1:::::::", "bad_base45", "Base45内容无效：有一组字符超出取值范围，二维码内容被改动或抄错"),
        (
            "QC1:" + base45.b45encode(b"not zlib at all").decode(),
            "bad_compression",
            "解压失败（zlib）：内容不是压缩数据，或已损坏",
        ),
        ("QC1:" + "0" * 4400, "too_long", "内容过长（4404个字符），不是从二维码中读出的"),
    ],
    ids=[
        "empty",
        "dcc",
        "lowercase",
        "url",
        "number",
        "bad-char",
        "lowercase-base45",
        "length",
        "overflow",
        "not-zlib",
        "too-long",
    ],
)
def test_malformed_text_is_refused_at_its_layer(text, code, message):
    assert refusal(text) == (code, message)


def test_truncated_text_is_refused():
    text = example_text()
    # Cut at a Base45 group boundary (the length stays valid), so that zlib is what notices.
    cut = text[: 4 + ((len(text) - 4) // 3 - 5) * 3]
    assert refusal(cut) == ("bad_compression", "压缩数据不完整：二维码内容被截断")
    assert refusal(text[:-1])[0] == "bad_base45"


def test_a_zlib_bomb_is_refused_before_it_inflates():
    text = PREFIX + base45.b45encode(zlib.compress(b"\x00" * 1_000_000, 9)).decode()
    assert len(text) < 4296
    assert refusal(text) == ("bad_compression", "解压后超过16384字节，不是认证通的防伪二维码")


def test_bytes_after_the_zlib_stream_are_refused():
    text = PREFIX + base45.b45encode(zlib.compress(cose_of(example_text())) + b"x").decode()
    assert refusal(text) == ("bad_compression", "压缩数据之后还有多余内容：二维码内容被改动")


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"\xff\xfe", "not_cbor", "解压后的内容不是有效的CBOR数据"),
        (cbor2.dumps("text") + b"\x00", "not_cbor", "解压后的内容的CBOR数据之后还有1字节多余内容"),
        (cbor2.dumps({"a": 1}), "not_cose_sign1", "不是COSE_Sign1签名结构：应带CBOR标签18，实际为无标签"),
        (
            cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", []])),
            "not_cose_sign1",
            "不是COSE_Sign1签名结构：应带CBOR标签18，实际为98",
        ),
        (cbor2.dumps([b"", {}, b"", b""]), "not_cose_sign1", "不是COSE_Sign1签名结构：应带CBOR标签18，实际为无标签"),
        (
            cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b""])),
            "not_cose_sign1",
            "不是COSE_Sign1签名结构：应为四个成员的数组",
        ),
        (
            cbor2.dumps(cbor2.CBORTag(18, ["x", {}, b"", b""])),
            "not_cose_sign1",
            "不是COSE_Sign1签名结构：受保护头、内容和签名应为字节串",
        ),
        (
            cbor2.dumps(cbor2.CBORTag(18, [b"", [], b"", b""])),
            "not_cose_sign1",
            "不是COSE_Sign1签名结构：非保护头应为映射",
        ),
        (cbor2.dumps(cbor2.CBORTag(18, [b"\xff", {}, b"", b""])), "not_cbor", "受保护头不是有效的CBOR数据"),
        (
            cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps([1]), {}, b"", b""])),
            "not_cose_sign1",
            "不是COSE_Sign1签名结构：受保护头应为映射",
        ),
        (
            cbor2.dumps(cbor2.CBORTag(18, [b"\xa2\x01\x27\x01\x26", {}, b"", b""])),
            "not_cbor",
            "受保护头不是有效的CBOR数据",
        ),
    ],
    ids=[
        "not-cbor",
        "trailing",
        "map",
        "other-tag",
        "untagged",
        "three",
        "text-protected",
        "array-unprotected",
        "bad-protected",
        "array-protected",
        "duplicate-alg",
    ],
)
def test_cbor_that_is_not_a_cose_sign1_is_refused(data, code, message):
    assert refusal(raw_text(data)) == (code, message)


def test_wrong_algorithm_is_refused_even_when_the_signature_is_good():
    payload = EXAMPLE_CLAIMS.to_payload()
    assert refusal(resigned(payload, protected={1: -7, 4: EXAMPLE_KID})) == (
        "bad_algorithm",
        "签名算法-7 (ES256)不被接受：认证通只使用EdDSA（Ed25519，COSE算法-8），并须在受保护头中声明",
    )
    assert refusal(resigned(payload, protected={4: EXAMPLE_KID}, unprotected={1: -8})) == (
        "bad_algorithm",
        "签名算法仅在非保护头中声明不被接受：认证通只使用EdDSA（Ed25519，COSE算法-8），并须在受保护头中声明",
    )


def test_tag_61_around_the_cose_sign1_is_read_as_dcc_files_use_it():
    inner = cbor2.loads(cose_of(example_text()))
    text = wrap(cbor2.dumps(cbor2.CBORTag(61, inner)))
    assert verify_seal(text, KEYS, now=DURING).claims == EXAMPLE_CLAIMS


def test_unknown_and_missing_key_ids_are_refused():
    other = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
    text = wrap(sign(EXAMPLE_CLAIMS.to_payload(), other))
    kid = key_id(other.public_key().public_bytes_raw())
    assert refusal(text) == (
        "unknown_key",
        f"签名密钥{base64.b64encode(kid).decode()}不在信任列表中：不是认证通签发的，或本地信任列表需要更新",
    )
    assert refusal(resigned(EXAMPLE_CLAIMS.to_payload(), protected={1: -8})) == (
        "unknown_key",
        "密钥标识（kid）缺失或不是8字节：不是认证通签发的防伪二维码",
    )


def test_a_kid_copied_onto_another_keys_signature_fails_the_signature():
    other = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
    text = resigned(EXAMPLE_CLAIMS.to_payload(), other, protected={1: -8, 4: EXAMPLE_KID})
    assert refusal(text) == ("bad_signature", "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的")


def test_an_altered_payload_fails_the_signature():
    cose = cbor2.loads(cose_of(example_text()))
    protected, unprotected, payload, signature = cose.value
    forged = dataclasses.replace(EXAMPLE_CLAIMS, holder_name="伪造电器有限公司").to_payload()
    text = wrap(cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, forged, signature])))
    assert refusal(text) == ("bad_signature", "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的")
    short = wrap(cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload, signature[:40]])))
    assert refusal(short) == (
        "bad_signature",
        "签名长度为40字节，Ed25519签名应为64字节：内容被改动或截断",
    )


def test_every_single_byte_change_of_the_cose_object_is_refused():
    original = cose_of(example_text())
    for position in range(len(original)):
        altered = bytearray(original)
        altered[position] ^= 0x01
        with pytest.raises(SealError):
            verify_seal(wrap(bytes(altered)), KEYS, now=DURING)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({1: "x", 4: 1, 6: 1}, "签名内容有误：缺少证书声明（-65537）：这不是认证通的证书防伪二维码"),
        ([1, 2], "签名内容有误：签名内容应为CWT声明映射"),
        ({1: "x", 4: 1, 6: 1, -65537: {6: b"\x00" * 32}}, "签名内容有误：缺少“证书编号”（1），或不是文本"),
        (
            {1: 5, 4: 1, 6: 1, -65537: {1: "N", 2: "S", 3: "H", 4: "U", 5: "B", 6: b"\x00" * 32, 7: "ACTIVE"}},
            "签名内容有误：缺少“签发方”（1），或不是文本",
        ),
        (
            {1: "x", 4: True, 6: 1, -65537: {1: "N", 2: "S", 3: "H", 4: "U", 5: "B", 6: b"\x00" * 32, 7: "ACTIVE"}},
            "签名内容有误：缺少“有效期”（4），或不是有效的时间",
        ),
        (
            {1: "x", 4: 1, 6: 1, -65537: {1: "N", 2: "S", 3: "H", 4: "U", 5: "B", 6: b"\x00" * 31, 7: "ACTIVE"}},
            "签名内容有误：认证范围摘要应为32字节的SHA-256",
        ),
        (
            {1: "x", 4: 1, 6: 1, -65537: {1: "N", 2: "S", 3: "H", 4: "U", 5: "B", 6: b"\x00" * 32, 7: "A", 8: -1}},
            "签名内容有误：账本序号应为非负整数",
        ),
    ],
    ids=["no-certificate", "not-a-map", "no-number", "issuer-type", "bool-expiry", "short-digest", "negative-index"],
)
def test_signed_but_malformed_claims_are_refused(claims, message):
    assert refusal(resigned(cbor2.dumps(claims))) == ("bad_claims", message)


def test_a_payload_that_is_not_cbor_is_refused_after_the_signature():
    assert refusal(resigned(b"\xff")) == ("not_cbor", "签名内容不是有效的CBOR数据")


# ------------------------------------------------------------------ dates: the seal's and the key's window


def test_an_expired_seal_is_refused_and_so_is_one_issued_in_the_future():
    after = datetime.datetime(2028, 2, 28, 16, 0, tzinfo=UTC)
    assert refusal(example_text(), now=after) == ("seal_expired", "签名真实，但此二维码已于2028-02-29 00:00过期")
    assert verify_seal(example_text(), KEYS, now=after - datetime.timedelta(seconds=1)).claims == EXAMPLE_CLAIMS
    before = datetime.datetime(2025, 3, 1, 0, 54, tzinfo=UTC)
    assert refusal(example_text(), now=before) == (
        "not_yet_valid",
        "签发时间2025-03-01 09:00晚于当前时间：请检查本机时钟",
    )


def test_the_keys_window_bounds_the_seals_it_signed():
    late_key = dataclasses.replace(EXAMPLE_TRUSTED, valid_from=datetime.datetime(2025, 6, 1, tzinfo=UTC))
    assert refusal(example_text(), keys={EXAMPLE_KID: late_key}) == (
        "key_not_yet_valid",
        f"签发时间2025-03-01 09:00早于密钥{late_key.kid_text}的启用时间2025-06-01 08:00",
    )
    retired = dataclasses.replace(EXAMPLE_TRUSTED, retired_at=datetime.datetime(2025, 2, 1, tzinfo=UTC))
    assert refusal(example_text(), keys={EXAMPLE_KID: retired}) == (
        "key_retired",
        f"签发时间2025-03-01 09:00晚于密钥{retired.kid_text}的停用时间2025-02-01 08:00",
    )
    # Retired after signing: the seal stays valid until the key's end.
    later = dataclasses.replace(
        EXAMPLE_TRUSTED,
        retired_at=datetime.datetime(2025, 4, 1, tzinfo=UTC),
        valid_until=datetime.datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert verify_seal(example_text(), {EXAMPLE_KID: later}, now=datetime.datetime(2025, 12, 31, tzinfo=UTC))
    assert refusal(example_text(), keys={EXAMPLE_KID: later}) == (
        "key_expired",
        f"签名真实，但签名密钥{later.kid_text}已于2026-01-01 08:00失效，此二维码不再被接受",
    )


def test_an_issuer_other_than_the_trust_lists_is_refused():
    text = wrap(sign(dataclasses.replace(EXAMPLE_CLAIMS, issuer="elsewhere.example").to_payload(), EXAMPLE_KEY))
    assert refusal(text) == ("bad_issuer", "签发方为“elsewhere.example”，信任列表属于“certhub.hunan.example”")


def test_claims_are_read_back_exactly():
    payload = EXAMPLE_CLAIMS.to_payload()
    assert SealClaims.from_payload(payload) == EXAMPLE_CLAIMS
    assert decode(example_text()).payload == payload


def test_trusted_key_as_jwk():
    key = TrustedKey(
        EXAMPLE_KID,
        EXAMPLE_TRUSTED.public_key,
        datetime.datetime(2025, 1, 1, tzinfo=UTC),
        valid_until=datetime.datetime(2030, 1, 1, tzinfo=UTC),
        retired_at=datetime.datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert key.jwk() == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(EXAMPLE_TRUSTED.public_key).rstrip(b"=").decode(),
        "kid": base64.b64encode(EXAMPLE_KID).decode(),
        "use": "sig",
        "alg": "EdDSA",
        "nbf": 1735689600,
        "retired": 1767225600,
        "exp": 1893456000,
    }
