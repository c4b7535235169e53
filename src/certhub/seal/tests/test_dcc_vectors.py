"""The decoder's layers against real EU Digital COVID Certificate files (tests/vectors/dcc/, from
eu-digital-green-certificates/dgc-testdata, Apache-2.0): a seal is the same container with another
prefix (`QC1:` for `HC1:`), so the same code must read them, refuse the broken ones at the right layer,
and build the exact Sig_structure their ES256 and PS256 signatures were made over."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from pathlib import Path

import base45
import cbor2
import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from certhub.seal import qr
from certhub.seal.cose import DCC_PREFIX, SealError, check_algorithm, decode, unwrap

VECTORS = Path(__file__).resolve().parents[4] / "tests" / "vectors" / "dcc"


def vector(name: str) -> dict:
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))


def test_the_vectors_are_there():
    assert sorted(p.stem for p in VECTORS.glob("*.json")) == [
        "B1",
        "CBO2",
        "CO1",
        "CO19",
        "CO28",
        "CO3",
        "CO5",
        "H1",
        "H2",
        "H3",
        "Q1",
        "Z1",
        "Z2",
    ]


@pytest.mark.parametrize("name", ["CO1", "CO3", "CO5", "CO19", "CO28"])
def test_valid_containers_unwrap_to_the_published_cose_bytes(name):
    case = vector(name)
    cose = unwrap(case["PREFIX"], DCC_PREFIX)
    if "COSE" in case:
        assert cose.hex() == case["COSE"].lower()
    if "COMPRESSED" in case:
        assert zlib.decompress(bytes.fromhex(case["COMPRESSED"])) == cose
    parsed = decode(case["PREFIX"], DCC_PREFIX)
    # The payload is a CWT claims map with DCC's own claim -260 (hcert).
    claims = cbor2.loads(parsed.payload)
    assert {1, 4, 6, -260} <= set(claims)
    assert parsed.tags == ((61, 18) if name == "CO28" else (18,))


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("H1", "bad_prefix"),
        ("H2", "bad_prefix"),
        ("H3", "bad_prefix"),
        ("B1", "bad_base45"),
        ("Z1", "bad_compression"),
        ("Z2", "bad_compression"),
        ("CBO2", "not_cbor"),
    ],
)
def test_broken_containers_are_refused_at_their_layer(name, code):
    case = vector(name)
    expected = case["EXPECTEDRESULTS"]
    with pytest.raises(SealError) as caught:
        decode(case["PREFIX"], DCC_PREFIX)
    assert caught.value.code == code
    layer = {
        "bad_prefix": "EXPECTEDUNPREFIX",
        "bad_base45": "EXPECTEDB45DECODE",
        "bad_compression": "EXPECTEDCOMPRESSION",
    }
    if code in layer:
        assert expected[layer[code]] is False


def test_a_dcc_file_is_not_taken_for_a_seal():
    with pytest.raises(SealError) as caught:
        decode(vector("CO3")["PREFIX"])
    assert caught.value.code == "bad_prefix"
    assert caught.value.message == "这是欧盟数字新冠证书（HC1:），不是认证通证书防伪二维码（应以“QC1:”开头）"


@pytest.mark.parametrize(("name", "algorithm"), [("CO3", "-7 (ES256)"), ("CO1", "-37 (PS256)")])
def test_dcc_algorithms_are_not_accepted_for_seals(name, algorithm):
    with pytest.raises(SealError) as caught:
        check_algorithm(decode(vector(name)["PREFIX"], DCC_PREFIX))
    assert caught.value.code == "bad_algorithm"
    assert caught.value.message.startswith(f"签名算法{algorithm}不被接受")


def _verify_dcc(case: dict) -> None:
    """Verify a DCC signature the way its specification says, over our Sig_structure."""
    parsed = decode(case["PREFIX"], DCC_PREFIX)
    der = base64.b64decode(case["TESTCTX"]["CERTIFICATE"])
    certificate = x509.load_der_x509_certificate(der)
    # DCC's kid: the first 8 bytes of SHA-256 of the signer's DER certificate.
    assert parsed.kid == hashlib.sha256(der).digest()[:8]
    public_key = certificate.public_key()
    if parsed.algorithm == -7:
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        half = len(parsed.signature) // 2
        r, s = int.from_bytes(parsed.signature[:half]), int.from_bytes(parsed.signature[half:])
        public_key.verify(encode_dss_signature(r, s), parsed.signed_bytes(), ec.ECDSA(hashes.SHA256()))
    else:
        assert parsed.algorithm == -37
        assert isinstance(public_key, rsa.RSAPublicKey)
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        public_key.verify(parsed.signature, parsed.signed_bytes(), pss, hashes.SHA256())


@pytest.mark.parametrize("name", ["CO1", "CO3", "CO28"])
def test_valid_dcc_signatures_verify_over_our_sig_structure(name):
    assert vector(name)["EXPECTEDRESULTS"]["EXPECTEDVERIFY"] is True
    _verify_dcc(vector(name))


def test_the_dcc_kid_in_the_unprotected_header_is_read():
    case = vector("CO19")
    parsed = decode(case["PREFIX"], DCC_PREFIX)
    assert 4 not in parsed.header
    _verify_dcc(case)


def test_the_invalid_dcc_signature_does_not_verify():
    case = vector("CO5")
    assert case["EXPECTEDRESULTS"]["EXPECTEDVERIFY"] is False
    with pytest.raises((InvalidSignature, ValueError)):
        _verify_dcc(case)


def test_a_real_dcc_qr_image_reads_back_as_its_text():
    case = vector("CO28")
    assert qr.decode_image(base64.b64decode(case["2DCODE"])) == case["PREFIX"]
    with pytest.raises(SealError) as caught:
        qr.decode_image(base64.b64decode(vector("Q1")["2DCODE"]))
    assert caught.value.code == "bad_image"
    assert vector("Q1")["EXPECTEDRESULTS"]["EXPECTEDPICTUREDECODE"] is False


def test_base45_agrees_with_rfc_9285():
    for data, text in [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
    ]:
        assert base45.b45encode(data).decode() == text
        assert unwrap("QC1:" + base45.b45encode(zlib.compress(data)).decode()) == data
