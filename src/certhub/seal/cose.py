"""The layers of a seal's QR text, after the EU Digital COVID Certificate (DCC) container (C3
anti-forgery): `QC1:` + Base45 (RFC 9285) of zlib (RFC 1950) of a COSE_Sign1 (RFC 9052 §4.2, CBOR tag
18) whose payload is a CBOR Web Token claims map (RFC 8392), signed with EdDSA over Ed25519 (COSE
algorithm -8, RFC 9053 §2.2). The key id (protected header label 4) is the first 8 bytes of SHA-256 of
the raw 32-byte public key.

Pure functions, no database: the offline verifier (`certhub seal verify --keys`), the page, the API
and the benchmark all use them. Every way a text can be wrong ends in `SealError` with a code and a
specific reason; nothing else escapes from `unwrap` and `parse_cose_sign1` (the fuzz tests hold this).
`unwrap` takes the prefix as a parameter so that the same code reads real DCC files (`HC1:`) in the
tests: the layers are the same, only the context identifier differs."""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.core.errors import DomainError

PREFIX = "QC1:"
DCC_PREFIX = "HC1:"
COSE_SIGN1_TAG = 18
CWT_TAG = 61  # RFC 8392 §6: a CWT may wrap the COSE object in this tag (DCC files do)
HEADER_ALGORITHM = 1
HEADER_KID = 4
ALGORITHM_EDDSA = -8
ALGORITHM_NAMES = {-7: "ES256", -35: "ES384", -36: "ES512", -37: "PS256", -8: "EdDSA", -257: "RS256"}
KID_BYTES = 8
SIGNATURE_BYTES = 64
# A QR code holds at most 4,296 alphanumeric characters; anything longer was not scanned from one.
MAX_TEXT_CHARS = 4_296
# What a seal may inflate to. Ours are a few hundred bytes; the bound stops a small text from
# expanding into megabytes (a zlib bomb) before it is refused.
MAX_INFLATED_BYTES = 16_384
MAX_CBOR_DEPTH = 16
BASE45_ALPHABET = frozenset(base45.BASE45_CHARSET)


class SealError(DomainError):
    """A QR text that is not a genuine, valid seal. `code` names the layer or rule that refused it and
    `message` says why, in words a person at a counter can act on. The API answers 422 with them."""

    status = 422


def key_id(public_key: bytes) -> bytes:
    """The key id of a raw 32-byte Ed25519 public key: the first 8 bytes of its SHA-256 (as DCC derives
    its kid from the signer's certificate)."""
    return hashlib.sha256(public_key).digest()[:KID_BYTES]


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The bytes a COSE_Sign1 signs (RFC 9052 §4.4): ["Signature1", protected, external_aad = h'', payload]."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


@dataclass(frozen=True)
class CoseSign1:
    """A parsed COSE_Sign1: the four members as they were on the wire, and the protected header decoded."""

    protected: bytes
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes
    header: dict[Any, Any]
    tags: tuple[int, ...]

    @property
    def algorithm(self) -> Any:
        return self.header.get(HEADER_ALGORITHM, self.unprotected.get(HEADER_ALGORITHM))

    @property
    def kid(self) -> Any:
        """The key id: from the protected header, else from the unprotected one (as DCC verifiers do)."""
        if HEADER_KID in self.header:
            return self.header[HEADER_KID]
        return self.unprotected.get(HEADER_KID)

    def signed_bytes(self) -> bytes:
        return sig_structure(self.protected, self.payload)


def sign(payload: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """A tagged COSE_Sign1 over `payload` with EdDSA, the key id in the protected header."""
    kid = key_id(private_key.public_key().public_bytes_raw())
    protected = cbor2.dumps({HEADER_ALGORITHM: ALGORITHM_EDDSA, HEADER_KID: kid})
    signature = private_key.sign(sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def wrap(cose: bytes, prefix: str = PREFIX) -> str:
    """COSE bytes → QR text: zlib at the best compression (smaller QR codes), then Base45."""
    return prefix + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def unwrap(text: str, prefix: str = PREFIX) -> bytes:
    """QR text → the COSE bytes inside, or SealError naming the layer that failed."""
    if not isinstance(text, str):
        raise SealError(_("二维码内容应为文本"), code="bad_prefix")
    # A pasted code may carry a line break or leading spaces; a space inside is Base45 and is kept.
    text = text.lstrip().strip("\r\n\t")
    if len(text) > MAX_TEXT_CHARS + len(prefix):
        raise SealError(
            _("内容过长（%(text_length)d个字符），不是从二维码中读出的") % {"text_length": len(text)},
            code="too_long",
        )
    if not text.startswith(prefix):
        raise SealError(_prefix_reason(text, prefix), code="bad_prefix")
    encoded = text[len(prefix) :]
    if not BASE45_ALPHABET.issuperset(encoded):
        position, character = next((i, c) for i, c in enumerate(encoded, len(prefix) + 1) if c not in BASE45_ALPHABET)
        raise SealError(
            _("第%(position)d个字符“%(char)s”不在Base45字符集中：二维码内容被改动或抄错")
            % {"position": position, "char": _printable(character)},
            code="bad_base45",
        )
    if len(encoded) % 3 == 1:
        raise SealError(
            _("Base45内容长度不对（%(encoded_length)d个字符）：二维码内容不完整，可能被截断")
            % {"encoded_length": len(encoded)},
            code="bad_base45",
        )
    try:
        compressed = base45.b45decode(encoded)
    except ValueError:
        raise SealError(
            _("Base45内容无效：有一组字符超出取值范围，二维码内容被改动或抄错"), code="bad_base45"
        ) from None
    return _inflate(compressed)


def _prefix_reason(text: str, prefix: str) -> str:
    if not text:
        return _("内容为空：请粘贴或扫描证书上的二维码")
    if prefix == PREFIX and text.startswith(DCC_PREFIX):
        return _("这是欧盟数字新冠证书（HC1:），不是认证通证书防伪二维码（应以“QC1:”开头）")
    if text[:4].upper() == prefix:
        return _("前缀应为大写的“%(prefix)s”") % {"prefix": prefix}
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", text):
        return _("这是一个网址，不是认证通证书防伪二维码（应以“%(prefix)s”开头）") % {"prefix": prefix}
    return _("不是认证通证书防伪二维码：内容应以“%(prefix)s”开头，此内容以“%(start)s”开头") % {
        "prefix": prefix,
        "start": _printable(text[:8]),
    }


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _inflate(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, MAX_INFLATED_BYTES)
    except zlib.error:
        raise SealError(_("解压失败（zlib）：内容不是压缩数据，或已损坏"), code="bad_compression") from None
    if inflater.unconsumed_tail:
        raise SealError(
            _("解压后超过%(limit)d字节，不是认证通的防伪二维码") % {"limit": MAX_INFLATED_BYTES}, code="bad_compression"
        )
    if not inflater.eof:
        raise SealError(_("压缩数据不完整：二维码内容被截断"), code="bad_compression")
    if inflater.unused_data:
        raise SealError(_("压缩数据之后还有多余内容：二维码内容被改动"), code="bad_compression")
    return data


def cbor_loads(data: bytes, *, what: Any) -> Any:
    """Decode exactly one CBOR item filling `data`, refusing duplicate map keys (a COSE header with two
    algorithms must not be read one way here and another way elsewhere) and deep nesting."""
    stream = io.BytesIO(data)
    try:
        decoder = cbor2.CBORDecoder(stream, max_depth=MAX_CBOR_DEPTH, allow_duplicate_keys=False)
        value = decoder.decode()
    # cbor2 reports malformed input with CBORDecodeError, but a tag's own decoder (dates, bignums, regular
    # expressions, sets…) can raise ValueError, TypeError, OverflowError and others: any of them means
    # the bytes are not the CBOR expected, and is answered as such.
    except Exception:
        raise SealError(_("%(what)s不是有效的CBOR数据") % {"what": what}, code="not_cbor") from None
    if stream.tell() != len(data):
        raise SealError(
            _("%(what)s的CBOR数据之后还有%(extra)d字节多余内容") % {"what": what, "extra": len(data) - stream.tell()},
            code="not_cbor",
        )
    return value


def parse_cose_sign1(data: bytes) -> CoseSign1:
    """COSE bytes → CoseSign1: tag 18 (optionally inside the CWT tag 61) around
    [protected bstr, unprotected map, payload bstr, signature bstr]; the protected header a CBOR map."""
    item = cbor_loads(data, what=gettext_lazy("解压后的内容"))
    tags: list[int] = []
    while isinstance(item, cbor2.CBORTag) and len(tags) < 2:
        tags.append(item.tag)
        item = item.value
    if tags not in ([COSE_SIGN1_TAG], [CWT_TAG, COSE_SIGN1_TAG]):
        raise SealError(
            _("不是COSE_Sign1签名结构：应带CBOR标签18，实际为%(found)s")
            % {"found": ", ".join(map(str, tags)) or _("无标签")},
            code="not_cose_sign1",
        )
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise SealError(_("不是COSE_Sign1签名结构：应为四个成员的数组"), code="not_cose_sign1")
    protected, unprotected, payload, signature = item
    if not isinstance(protected, bytes) or not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise SealError(_("不是COSE_Sign1签名结构：受保护头、内容和签名应为字节串"), code="not_cose_sign1")
    if not isinstance(unprotected, Mapping):
        raise SealError(_("不是COSE_Sign1签名结构：非保护头应为映射"), code="not_cose_sign1")
    header = cbor_loads(protected, what=gettext_lazy("受保护头")) if protected else {}
    if not isinstance(header, Mapping):
        raise SealError(_("不是COSE_Sign1签名结构：受保护头应为映射"), code="not_cose_sign1")
    return CoseSign1(protected, dict(unprotected), payload, signature, dict(header), tuple(tags))


def decode(text: str, prefix: str = PREFIX) -> CoseSign1:
    """QR text → CoseSign1 (every layer checked, the signature not yet)."""
    return parse_cose_sign1(unwrap(text, prefix))


def check_signature(cose: CoseSign1, public_key: bytes) -> None:
    """Refuse anything but a valid EdDSA signature by `public_key` over the COSE_Sign1's Sig_structure."""
    check_algorithm(cose)
    if len(cose.signature) != SIGNATURE_BYTES:
        raise SealError(
            _("签名长度为%(signature_length)d字节，Ed25519签名应为64字节：内容被改动或截断")
            % {"signature_length": len(cose.signature)},
            code="bad_signature",
        )
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(cose.signature, cose.signed_bytes())
    except InvalidSignature:
        raise SealError(
            _("签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的"), code="bad_signature"
        ) from None


def check_algorithm(cose: CoseSign1) -> None:
    algorithm = cose.header.get(HEADER_ALGORITHM)
    if algorithm == ALGORITHM_EDDSA:
        return
    if algorithm is None:
        found = _("未声明") if HEADER_ALGORITHM not in cose.unprotected else _("仅在非保护头中声明")
    else:
        found = f"{algorithm!r} ({ALGORITHM_NAMES[algorithm]})" if algorithm in ALGORITHM_NAMES else repr(algorithm)
    raise SealError(
        _("签名算法%(found)s不被接受：认证通只使用EdDSA（Ed25519，COSE算法-8），并须在受保护头中声明")
        % {"found": found[:40]},
        code="bad_algorithm",
    )
