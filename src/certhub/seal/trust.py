"""Which keys are trusted, and the rules a seal must pass (C3: verifiable offline with the
authority's published public keys).

The trust list is a JWK Set (RFC 7517 §5) of Ed25519 keys (RFC 8037: kty OKP, crv Ed25519, x = the raw
public key in base64url). Each key's `kid` is standard base64 of the 8-byte key id, as DCC trust lists
write it. Each key also carries its validity window as NumericDate members, which RFC 7517 §4 allows:

- `nbf`: the key signs from this moment; a seal claiming an earlier issue time is refused;
- `retired` (optional): the key stopped signing then; a seal claiming a later issue time is refused;
- `exp` (optional): after this moment no seal signed with the key is accepted at all.

`verify_seal` is pure: give it the text, the trusted keys and the time. The database (queries) and a
trust-list file (`certhub seal verify --keys`) both end up here."""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from certhub.seal.claims import MAX_NUMERIC_DATE, LicenceClaims, SealClaims, from_numeric_date, read_claims
from certhub.seal.cose import KID_BYTES, PREFIX, SealError, check_algorithm, check_signature, decode, key_id

# Clocks differ: a seal issued a few minutes "in the future" by the verifier's clock is not refused.
CLOCK_LEEWAY = datetime.timedelta(minutes=5)
SHANGHAI = ZoneInfo("Asia/Shanghai")
PUBLIC_KEY_BYTES = 32


class TrustListError(ValueError):
    """A trust list (JWK Set) that cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class TrustedKey:
    """A public key a seal may be signed with, and its window."""

    kid: bytes
    public_key: bytes
    valid_from: datetime.datetime
    valid_until: datetime.datetime | None = None
    retired_at: datetime.datetime | None = None

    @property
    def kid_text(self) -> str:
        return kid_text(self.kid)

    def jwk(self) -> dict[str, Any]:
        """This key as a JWK with its window (see the module docstring for the members)."""
        document: dict[str, Any] = {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": base64.urlsafe_b64encode(self.public_key).rstrip(b"=").decode(),
            "kid": self.kid_text,
            "use": "sig",
            "alg": "EdDSA",
            "nbf": numeric_date(self.valid_from),
        }
        if self.retired_at is not None:
            document["retired"] = numeric_date(self.retired_at)
        if self.valid_until is not None:
            document["exp"] = numeric_date(self.valid_until)
        return document


@dataclass(frozen=True)
class VerifiedSeal:
    """A seal whose signature, key and window all hold."""

    claims: SealClaims
    key: TrustedKey


@dataclass(frozen=True)
class VerifiedLicenceSeal:
    """A licence's seal (C8) whose signature, key and window all hold."""

    claims: LicenceClaims
    key: TrustedKey


def kid_text(kid: bytes) -> str:
    """Standard base64 of the key id (12 characters with one `=`), as in DCC trust lists."""
    return base64.b64encode(kid).decode()


def numeric_date(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def jwk_set(keys: Iterable[TrustedKey], *, issuer: str) -> dict[str, Any]:
    """The published trust list: the issuer whose seals these keys sign, and the keys."""
    return {"iss": issuer, "keys": [key.jwk() for key in keys]}


def keys_from_jwk_set(document: Any) -> tuple[dict[bytes, TrustedKey], str | None]:
    """Read a JWK Set as `jwk_set` writes it: (keys by kid, the issuer if stated). A key whose `kid` is not
    the one its `x` gives is refused: the kid is derived, never chosen."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise TrustListError(_("信任列表应为JWK Set：一个带“keys”数组的JSON对象"))
    issuer = document.get("iss")
    if issuer is not None and not isinstance(issuer, str):
        raise TrustListError(_("信任列表的“iss”应为文本"))
    keys: dict[bytes, TrustedKey] = {}
    for position, entry in enumerate(document["keys"], start=1):
        key = _key_from_jwk(entry, position)
        keys[key.kid] = key
    return keys, issuer


def _key_from_jwk(entry: Any, position: int) -> TrustedKey:
    def refuse(reason: str) -> TrustListError:
        return TrustListError(_("信任列表第%(position)d个密钥：%(reason)s") % {"position": position, "reason": reason})

    if not isinstance(entry, dict):
        raise refuse(_("应为JSON对象"))
    if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
        raise refuse(_("只接受Ed25519密钥（kty OKP，crv Ed25519）"))
    x = entry.get("x")
    try:
        public_key = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)) if isinstance(x, str) else b""
    except (binascii.Error, ValueError):
        public_key = b""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise refuse(_("“x”应为32字节公钥的base64url编码"))
    kid = key_id(public_key)
    if entry.get("kid") != kid_text(kid):
        raise refuse(_("“kid”应为%(kid)s（公钥SHA-256的前8字节，标准base64）") % {"kid": kid_text(kid)})

    def moment(name: str, required: bool) -> datetime.datetime | None:
        value = entry.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_NUMERIC_DATE:
            raise refuse(_("“%(name)s”应为NumericDate（1970年以来的秒数）") % {"name": name})
        return from_numeric_date(value)

    valid_from = moment("nbf", True)
    assert valid_from is not None
    return TrustedKey(kid, public_key, valid_from, moment("exp", False), moment("retired", False))


def verify_seal(
    text: str,
    keys: Mapping[bytes, TrustedKey],
    *,
    now: datetime.datetime,
    issuer: str | None = None,
    prefix: str = PREFIX,
) -> VerifiedSeal:
    """Check a certificate's QR text completely: its layers, the algorithm, a known key, the signature, the
    claims, the key's window and the seal's own dates. Returns the claims, or raises SealError with the
    reason (a licence's seal is refused for want of the certificate claim; see verify_any_seal)."""
    payload, key = authenticate(text, keys, prefix=prefix)
    claims = SealClaims.from_payload(payload)
    _check_claims(claims, key, now=now, issuer=issuer)
    return VerifiedSeal(claims, key)


def verify_any_seal(
    text: str,
    keys: Mapping[bytes, TrustedKey],
    *,
    now: datetime.datetime,
    issuer: str | None = None,
    prefix: str = PREFIX,
) -> VerifiedSeal | VerifiedLicenceSeal:
    """As verify_seal, for a certificate's seal or a licence's (C8): the same layers, keys and rules, the
    claims read from whichever private map the signed payload carries."""
    payload, key = authenticate(text, keys, prefix=prefix)
    claims = read_claims(payload)
    _check_claims(claims, key, now=now, issuer=issuer)
    if isinstance(claims, LicenceClaims):
        return VerifiedLicenceSeal(claims, key)
    return VerifiedSeal(claims, key)


def authenticate(text: str, keys: Mapping[bytes, TrustedKey], *, prefix: str = PREFIX) -> tuple[bytes, TrustedKey]:
    """The signed payload and the trusted key that signed it, or SealError for the first layer that fails:
    nothing in the payload is read before its signature holds."""
    cose = decode(text, prefix)
    check_algorithm(cose)
    kid = cose.kid
    if not isinstance(kid, bytes) or len(kid) != KID_BYTES:
        raise SealError(_("密钥标识（kid）缺失或不是8字节：不是认证通签发的防伪二维码"), code="unknown_key")
    key = keys.get(kid)
    if key is None:
        raise SealError(
            _("签名密钥%(kid)s不在信任列表中：不是认证通签发的，或本地信任列表需要更新") % {"kid": kid_text(kid)},
            code="unknown_key",
        )
    check_signature(cose, key.public_key)
    return cose.payload, key


def _check_claims(
    claims: SealClaims | LicenceClaims, key: TrustedKey, *, now: datetime.datetime, issuer: str | None
) -> None:
    if issuer is not None and claims.issuer != issuer:
        raise SealError(
            _("签发方为“%(found)s”，信任列表属于“%(issuer)s”") % {"found": claims.issuer[:60], "issuer": issuer},
            code="bad_issuer",
        )
    check_window(claims, key, now)


def check_window(claims: SealClaims | LicenceClaims, key: TrustedKey, now: datetime.datetime) -> None:
    """The dates, checked only after the signature, so that each refusal below is about authentic claims."""
    issued, expires = claims.issued_at_time, claims.expires_at_time
    if claims.issued_at < numeric_date(key.valid_from):
        raise SealError(
            _("签发时间%(issued)s早于密钥%(kid)s的启用时间%(from)s")
            % {"issued": _local(issued), "kid": key.kid_text, "from": _local(key.valid_from)},
            code="key_not_yet_valid",
        )
    if key.retired_at is not None and claims.issued_at > numeric_date(key.retired_at):
        raise SealError(
            _("签发时间%(issued)s晚于密钥%(kid)s的停用时间%(retired)s")
            % {"issued": _local(issued), "kid": key.kid_text, "retired": _local(key.retired_at)},
            code="key_retired",
        )
    if key.valid_until is not None and now >= key.valid_until:
        raise SealError(
            _("签名真实，但签名密钥%(kid)s已于%(until)s失效，此二维码不再被接受")
            % {"kid": key.kid_text, "until": _local(key.valid_until)},
            code="key_expired",
        )
    if issued > now + CLOCK_LEEWAY:
        raise SealError(
            _("签发时间%(issued)s晚于当前时间：请检查本机时钟") % {"issued": _local(issued)}, code="not_yet_valid"
        )
    if now >= expires:
        raise SealError(
            _("签名真实，但此二维码已于%(expires)s过期") % {"expires": _local(expires)}, code="seal_expired"
        )


def _local(moment: datetime.datetime) -> str:
    """Beijing time, as people in the province read dates (docs/architecture.md invariant 5)."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
