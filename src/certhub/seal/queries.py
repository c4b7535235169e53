"""Reading seals: the signing key, a certificate's seal, the trust list, and a seal checked online against
the registry's current record (C3: verified offline with the published keys, and online for
current status).

A seal is a pure function of the certificate's current state and the signing key: the claims are read
from the record as it is, `iat` is when that record last changed (or when the signing key came into use,
if later), and Ed25519 signatures are deterministic. So the same state always gives the same QR text,
nothing needs storing or invalidating, and any change (a suspension, a new ledger entry, a renamed
holder, a new signing key) gives a new seal at once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import ANONYMOUS, Actor
from certhub.core.errors import Conflict
from certhub.ledger.queries import latest_index
from certhub.registry.choices import CertificateStatus
from certhub.registry.models import Certificate
from certhub.registry.queries import access_certificate, certificates_visible_to, refuse_ambiguous_number
from certhub.seal.claims import SealClaims, scope_digest
from certhub.seal.cose import sign, wrap
from certhub.seal.keyfiles import SigningUnavailable, load_private_key
from certhub.seal.models import SealKey
from certhub.seal.trust import TrustedKey, VerifiedSeal, jwk_set, numeric_date, verify_seal

SHANGHAI = ZoneInfo("Asia/Shanghai")


class NotSealable(Conflict):
    """The certificate exists but its state allows no seal. 409, not 404: "not in the registry" is a
    different answer, one that says the paper is a forgery (C3)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_active")


def access_sealed_certificate(actor: Actor, number: str, *, body: str = "") -> Certificate:
    """The certificate a seal is asked for, resolved as GET /certificates/{number} resolves it: a number
    shared by several bodies needs `body` (409 lists them), an unknown one is 404."""
    body = refuse_ambiguous_number(certificates_visible_to(actor), number, body)
    return access_certificate(actor, number, body=body)


def signing_key(now: datetime.datetime | None = None) -> SealKey | None:
    """The key that signs now: the newest one in its window that is not retired."""
    now = now or timezone.now()
    return (
        SealKey.objects.filter(retired_at__isnull=True, valid_from__lte=now)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .order_by("-valid_from", "-id")
        .first()
    )


def certificate_expiry(certificate: Certificate) -> datetime.datetime:
    """The end of the last day of validity, Beijing time (invariant 5: legal dates are in Asia/Shanghai)."""
    day_after = certificate.expiry_date + datetime.timedelta(days=1)
    return datetime.datetime.combine(day_after, datetime.time(), tzinfo=SHANGHAI)


def certificate_claims(certificate: Certificate, key: SealKey) -> SealClaims:
    """What a seal of this certificate signed with `key` says. It never outlives its key: `exp` is the
    certificate's expiry or the key's own end, whichever comes first."""
    expires = certificate_expiry(certificate)
    if key.valid_until is not None:
        expires = min(expires, key.valid_until)
    return SealClaims(
        issuer=settings.SEAL_ISSUER,
        issued_at=max(numeric_date(certificate.updated_at), numeric_date(key.valid_from)),
        expires_at=numeric_date(expires),
        number=certificate.number,
        scheme=certificate.scheme.code,
        holder_name=certificate.holder_name,
        holder_uscc=certificate.holder.uscc,
        certification_body=certificate.certification_body.approval_number,
        scope_digest=scope_digest(certificate.scope),
        status=certificate.status,
        ledger_index=latest_index(certificate._meta.label_lower, str(certificate.pk)),
    )


def seal_text(certificate: Certificate, *, now: datetime.datetime | None = None) -> str:
    """The QR text of an active certificate's seal (`QC1:…`). NotSealable for any other state;
    SigningUnavailable when there is no signing key to use."""
    now = now or timezone.now()
    if certificate.status != CertificateStatus.ACTIVE:
        raise NotSealable(
            _("证书“%(number)s”当前状态为“%(status)s”，只有有效证书才有防伪二维码")
            % {"number": certificate.number, "status": CertificateStatus(certificate.status).label}
        )
    if certificate_expiry(certificate) <= now:
        raise NotSealable(
            _("证书“%(number)s”的有效期已于%(date)s届满，不再签发防伪二维码")
            % {"number": certificate.number, "date": certificate.expiry_date.isoformat()}
        )
    key = signing_key(now)
    if key is None:
        raise SigningUnavailable(_("尚无可用的签章密钥：请管理员运行“certhub seal keys --new”"))
    claims = certificate_claims(certificate, key)
    return wrap(sign(claims.to_payload(), load_private_key(key.kid_bytes)))


def trusted_keys() -> dict[bytes, TrustedKey]:
    """Every key ever used, by key id: retired keys too, each with its window."""
    keys = (key.trusted() for key in SealKey.objects.order_by("valid_from", "id"))
    return {key.kid: key for key in keys}


def trust_list() -> dict[str, object]:
    """The published JWK Set (GET /api/v1/trust/keys)."""
    return jwk_set(trusted_keys().values(), issuer=settings.SEAL_ISSUER)


@dataclass(frozen=True)
class SealCheck:
    """A genuine seal and what the registry says now about the certificate it names. `certificate` is
    None when the registry has no public certificate under that number and body."""

    seal: VerifiedSeal
    certificate: Certificate | None
    changed_fields: list[str] = field(default_factory=list)
    current_ledger_index: int | None = None

    @property
    def status_changed(self) -> bool:
        return self.certificate is not None and self.certificate.status != self.seal.claims.status

    @property
    def record_changed(self) -> bool:
        """The registry recorded something about the certificate after the seal was signed."""
        claimed = self.seal.claims.ledger_index
        return claimed is not None and self.current_ledger_index is not None and self.current_ledger_index > claimed


def check_seal(text: str, *, now: datetime.datetime | None = None) -> SealCheck:
    """Verify a seal against this installation's keys, then look up the certificate's current record.
    Raises SealError when the seal is not genuine or not valid."""
    return certificate_check(verify_seal(text, trusted_keys(), now=now or timezone.now(), issuer=settings.SEAL_ISSUER))


def certificate_check(seal: VerifiedSeal) -> SealCheck:
    """A genuine certificate seal beside the certificate's current public record."""
    claims = seal.claims
    # The public's view of the registry: whoever holds the paper sees what anyone may see.
    certificate = (
        certificates_visible_to(ANONYMOUS)
        .filter(number=claims.number, certification_body__approval_number=claims.certification_body)
        .select_related("scheme", "holder", "certification_body")
        .first()
    )
    if certificate is None:
        return SealCheck(seal, None)
    changed = [
        name
        for name, claimed, current in (
            ("holder_name", claims.holder_name, certificate.holder_name),
            ("holder_uscc", claims.holder_uscc, certificate.holder.uscc),
            ("scheme", claims.scheme, certificate.scheme.code),
            ("scope", claims.scope_digest, scope_digest(certificate.scope)),
        )
        if claimed != current
    ]
    index = latest_index(certificate._meta.label_lower, str(certificate.pk))
    return SealCheck(seal, certificate, changed, index)
