"""What a seal says: a CWT claims map (RFC 8392) with the certificate under one private claim, the way
DCC puts its payload under -260 (C3 anti-forgery; docs/seals.md has the table).

    {1: issuer, 4: expiry, 6: issued at, -65537: {1: number, 2: scheme code, 3: holder name,
     4: holder credit code, 5: body approval number, 6: SHA-256 of the scope, 7: status, 8: ledger index}}

A licence's electronic certificate (C8) carries the same outer claims and its licence under the next
private key instead:

    {1: issuer, 4: expiry, 6: issued at, -65538: {1: number, 2: licence type code, 3: holder name,
     4: holder credit code, 5: valid from, 6: valid until, 7: SHA-256 of the scope, 8: status, 9: ledger index}}

-65537 is the first key RFC 8392 §9.1 leaves for private use (integers below -65536): -260 is
registered to DCC's `hcert`, so CertHub does not borrow it. Inside, small integers keep the QR code
small. Unknown keys are ignored when reading, so later versions can add claims without breaking
verifiers already in the field."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, TypeGuard

import cbor2
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.seal.cose import SealError, cbor_loads

CLAIM_ISSUER = 1
CLAIM_EXPIRY = 4
CLAIM_ISSUED_AT = 6
CLAIM_CERTIFICATE = -65537
# The next private-use key (RFC 8392 §9.1): a seal carries one of the two maps, never both.
CLAIM_LICENCE = -65538
# Licence dates are full-date text (RFC 3339 §5.6, YYYY-MM-DD): a legal date in Beijing, not a moment.
FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# NumericDate bounds: 1970 to the last second of 9999, so that every accepted value is a datetime.
MAX_NUMERIC_DATE = 253_402_300_799
MAX_TEXT = 400


class CertificateClaim(IntEnum):
    """The keys of the certificate map under CLAIM_CERTIFICATE."""

    NUMBER = 1
    SCHEME = 2
    HOLDER_NAME = 3
    HOLDER_USCC = 4
    CERTIFICATION_BODY = 5
    SCOPE_DIGEST = 6
    STATUS = 7
    LEDGER_INDEX = 8


class LicenceClaim(IntEnum):
    """The keys of the licence map under CLAIM_LICENCE."""

    NUMBER = 1
    LICENCE_TYPE = 2
    HOLDER_NAME = 3
    HOLDER_USCC = 4
    VALID_FROM = 5
    VALID_UNTIL = 6
    SCOPE_DIGEST = 7
    STATUS = 8
    LEDGER_INDEX = 9


def scope_digest(scope: str) -> bytes:
    """SHA-256 of the scope text exactly as registered (UTF-8): the scope itself is too long for a QR
    code, and the digest still tells whether the scope read on the page is the one that was sealed."""
    return hashlib.sha256(scope.encode("utf-8")).digest()


def from_numeric_date(value: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


@dataclass(frozen=True)
class SealClaims:
    """A seal's claims, decoded. Times are NumericDate (seconds since 1970 UTC)."""

    issuer: str
    issued_at: int
    expires_at: int
    number: str
    scheme: str
    holder_name: str
    holder_uscc: str
    certification_body: str
    scope_digest: bytes
    status: str
    ledger_index: int | None = None

    @property
    def issued_at_time(self) -> datetime.datetime:
        return from_numeric_date(self.issued_at)

    @property
    def expires_at_time(self) -> datetime.datetime:
        return from_numeric_date(self.expires_at)

    def to_payload(self) -> bytes:
        """The CBOR claims map, in deterministic encoding (RFC 8949 §4.2): the same claims always give the
        same bytes, so the same certificate state gives the same seal."""
        certificate: dict[int, Any] = {
            CertificateClaim.NUMBER: self.number,
            CertificateClaim.SCHEME: self.scheme,
            CertificateClaim.HOLDER_NAME: self.holder_name,
            CertificateClaim.HOLDER_USCC: self.holder_uscc,
            CertificateClaim.CERTIFICATION_BODY: self.certification_body,
            CertificateClaim.SCOPE_DIGEST: self.scope_digest,
            CertificateClaim.STATUS: self.status,
        }
        if self.ledger_index is not None:
            certificate[CertificateClaim.LEDGER_INDEX] = self.ledger_index
        claims = {
            CLAIM_ISSUER: self.issuer,
            CLAIM_EXPIRY: self.expires_at,
            CLAIM_ISSUED_AT: self.issued_at,
            CLAIM_CERTIFICATE: {int(k): v for k, v in certificate.items()},
        }
        return cbor2.dumps(claims, canonical=True)

    @classmethod
    def from_payload(cls, payload: bytes) -> SealClaims:
        """Read a signed payload; SealError("bad_claims") names the first claim missing or of the wrong type."""
        claims = cbor_loads(payload, what=gettext_lazy("签名内容"))
        if not isinstance(claims, Mapping):
            raise _bad(_("签名内容应为CWT声明映射"))
        certificate = claims.get(CLAIM_CERTIFICATE)
        if not isinstance(certificate, Mapping):
            raise _bad(_("缺少证书声明（%(key)d）：这不是认证通的证书防伪二维码") % {"key": CLAIM_CERTIFICATE})
        ledger_index = certificate.get(CertificateClaim.LEDGER_INDEX)
        if ledger_index is not None and not _is_count(ledger_index):
            raise _bad(_("账本序号应为非负整数"))
        digest = certificate.get(CertificateClaim.SCOPE_DIGEST)
        if not isinstance(digest, bytes) or len(digest) != 32:
            raise _bad(_("认证范围摘要应为32字节的SHA-256"))
        return cls(
            issuer=_text(claims, CLAIM_ISSUER, gettext_lazy("签发方")),
            issued_at=_date(claims, CLAIM_ISSUED_AT, gettext_lazy("签发时间")),
            expires_at=_date(claims, CLAIM_EXPIRY, gettext_lazy("有效期")),
            number=_text(certificate, CertificateClaim.NUMBER, gettext_lazy("证书编号")),
            scheme=_text(certificate, CertificateClaim.SCHEME, gettext_lazy("认证制度")),
            holder_name=_text(certificate, CertificateClaim.HOLDER_NAME, gettext_lazy("获证组织名称")),
            holder_uscc=_text(certificate, CertificateClaim.HOLDER_USCC, gettext_lazy("统一社会信用代码")),
            certification_body=_text(certificate, CertificateClaim.CERTIFICATION_BODY, gettext_lazy("认证机构批准号")),
            scope_digest=digest,
            status=_text(certificate, CertificateClaim.STATUS, gettext_lazy("签发时状态")),
            ledger_index=ledger_index,
        )

    def as_dict(self) -> dict[str, Any]:
        """The claims as JSON-able values, named as the API and the command print them."""
        return {
            "issuer": self.issuer,
            "issued_at": self.issued_at_time.isoformat(),
            "expires_at": self.expires_at_time.isoformat(),
            "number": self.number,
            "scheme": self.scheme,
            "holder_name": self.holder_name,
            "holder_uscc": self.holder_uscc,
            "certification_body": self.certification_body,
            "scope_sha256": self.scope_digest.hex(),
            "status": self.status,
            "ledger_index": self.ledger_index,
        }


def _bad(message: str) -> SealError:
    return SealError(_("签名内容有误：%(reason)s") % {"reason": message}, code="bad_claims")


def _is_count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _text(claims: Mapping[Any, Any], key: int, name: Any) -> str:
    value = claims.get(key)
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        raise _bad(_("缺少“%(name)s”（%(key)d），或不是文本") % {"name": name, "key": key})
    return value


def _date(claims: Mapping[Any, Any], key: int, name: Any) -> int:
    value = claims.get(key)
    if not _is_count(value) or value > MAX_NUMERIC_DATE:
        raise _bad(_("缺少“%(name)s”（%(key)d），或不是有效的时间") % {"name": name, "key": key})
    return value


def _full_date(claims: Mapping[Any, Any], key: int, name: Any) -> datetime.date:
    value = claims.get(key)
    if isinstance(value, str) and FULL_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise _bad(_("缺少“%(name)s”（%(key)d），或不是YYYY-MM-DD格式的日期") % {"name": name, "key": key})


@dataclass(frozen=True)
class LicenceSeal:
    """What a licence's seal states (C8 electronic certificate): the licence as decided, in the words the
    licensing records use. `licence_type` is the procedure's code (`CMA`, `PRODUCTION`); `scope_digest` is
    `scope_digest(scope text)`; `status` is the licence's status name when sealed."""

    number: str
    licence_type: str
    holder_name: str
    holder_uscc: str
    valid_from: datetime.date
    valid_until: datetime.date
    scope_digest: bytes
    status: str
    ledger_index: int | None = None


@dataclass(frozen=True)
class LicenceClaims:
    """A licence seal's claims, decoded: the outer CWT claims (NumericDate) and the licence."""

    issuer: str
    issued_at: int
    expires_at: int
    licence: LicenceSeal

    @property
    def issued_at_time(self) -> datetime.datetime:
        return from_numeric_date(self.issued_at)

    @property
    def expires_at_time(self) -> datetime.datetime:
        return from_numeric_date(self.expires_at)

    def to_payload(self) -> bytes:
        """The CBOR claims map in deterministic encoding, as SealClaims.to_payload."""
        licence = self.licence
        fields: dict[int, Any] = {
            LicenceClaim.NUMBER: licence.number,
            LicenceClaim.LICENCE_TYPE: licence.licence_type,
            LicenceClaim.HOLDER_NAME: licence.holder_name,
            LicenceClaim.HOLDER_USCC: licence.holder_uscc,
            LicenceClaim.VALID_FROM: licence.valid_from.isoformat(),
            LicenceClaim.VALID_UNTIL: licence.valid_until.isoformat(),
            LicenceClaim.SCOPE_DIGEST: licence.scope_digest,
            LicenceClaim.STATUS: licence.status,
        }
        if licence.ledger_index is not None:
            fields[LicenceClaim.LEDGER_INDEX] = licence.ledger_index
        claims = {
            CLAIM_ISSUER: self.issuer,
            CLAIM_EXPIRY: self.expires_at,
            CLAIM_ISSUED_AT: self.issued_at,
            CLAIM_LICENCE: {int(k): v for k, v in fields.items()},
        }
        return cbor2.dumps(claims, canonical=True)

    @classmethod
    def from_claims(cls, claims: Mapping[Any, Any]) -> LicenceClaims:
        """Read the decoded claims map of a licence seal; SealError("bad_claims") names the first claim
        missing or of the wrong type. Unknown keys are ignored, as in the certificate map."""
        licence = claims.get(CLAIM_LICENCE)
        if not isinstance(licence, Mapping):
            raise _bad(_("缺少许可证声明（%(key)d）：这不是认证通的许可证防伪二维码") % {"key": CLAIM_LICENCE})
        ledger_index = licence.get(LicenceClaim.LEDGER_INDEX)
        if ledger_index is not None and not _is_count(ledger_index):
            raise _bad(_("账本序号应为非负整数"))
        digest = licence.get(LicenceClaim.SCOPE_DIGEST)
        if not isinstance(digest, bytes) or len(digest) != 32:
            raise _bad(_("许可范围摘要应为32字节的SHA-256"))
        return cls(
            issuer=_text(claims, CLAIM_ISSUER, gettext_lazy("签发方")),
            issued_at=_date(claims, CLAIM_ISSUED_AT, gettext_lazy("签发时间")),
            expires_at=_date(claims, CLAIM_EXPIRY, gettext_lazy("有效期")),
            licence=LicenceSeal(
                number=_text(licence, LicenceClaim.NUMBER, gettext_lazy("许可证编号")),
                licence_type=_text(licence, LicenceClaim.LICENCE_TYPE, gettext_lazy("许可类别")),
                holder_name=_text(licence, LicenceClaim.HOLDER_NAME, gettext_lazy("持证单位名称")),
                holder_uscc=_text(licence, LicenceClaim.HOLDER_USCC, gettext_lazy("统一社会信用代码")),
                valid_from=_full_date(licence, LicenceClaim.VALID_FROM, gettext_lazy("有效期起始日")),
                valid_until=_full_date(licence, LicenceClaim.VALID_UNTIL, gettext_lazy("有效期截止日")),
                scope_digest=digest,
                status=_text(licence, LicenceClaim.STATUS, gettext_lazy("签发时状态")),
                ledger_index=ledger_index,
            ),
        )

    @classmethod
    def from_payload(cls, payload: bytes) -> LicenceClaims:
        claims = cbor_loads(payload, what=gettext_lazy("签名内容"))
        if not isinstance(claims, Mapping):
            raise _bad(_("签名内容应为CWT声明映射"))
        return cls.from_claims(claims)

    def as_dict(self) -> dict[str, Any]:
        """The claims as JSON-able values, named as the API and the command print them."""
        licence = self.licence
        return {
            "issuer": self.issuer,
            "issued_at": self.issued_at_time.isoformat(),
            "expires_at": self.expires_at_time.isoformat(),
            "number": licence.number,
            "licence_type": licence.licence_type,
            "holder_name": licence.holder_name,
            "holder_uscc": licence.holder_uscc,
            "valid_from": licence.valid_from.isoformat(),
            "valid_until": licence.valid_until.isoformat(),
            "scope_sha256": licence.scope_digest.hex(),
            "status": licence.status,
            "ledger_index": licence.ledger_index,
        }


def read_claims(payload: bytes) -> SealClaims | LicenceClaims:
    """The claims of any CertHub seal: a certificate's (-65537) or, when that map is absent, a licence's
    (-65538). A payload with neither is refused with the certificate's message, as before licences."""
    claims = cbor_loads(payload, what=gettext_lazy("签名内容"))
    if isinstance(claims, Mapping) and CLAIM_CERTIFICATE not in claims and CLAIM_LICENCE in claims:
        return LicenceClaims.from_claims(claims)
    return SealClaims.from_payload(payload)
