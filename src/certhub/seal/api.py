"""Seal endpoints of API v1 (C3 anti-forgery; docs/seals.md): a certificate's seal as QR text
and as SVG, verification of a QR text with the certificate's current status, and the trust list of
public keys anyone may download to verify seals offline."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import orjson
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.decorators import decorate_view

from certhub.core.absolute_urls import absolute_url
from certhub.core.api_auth import request_actor
from certhub.core.ratelimit import limit_anonymous
from certhub.core.schemas import ErrorOut
from certhub.seal import qr
from certhub.seal.cose import decode
from certhub.seal.display import current_record, verdict
from certhub.seal.licences import LicenceSealCheck, check_any_seal, licence_verdict
from certhub.seal.queries import access_sealed_certificate, seal_text, trust_list
from certhub.seal.schemas import SealOut, SealVerifyIn, SealVerifyOut, TrustListOut
from certhub.seal.trust import kid_text

router = Router()

SVG_RESPONSE = {
    "responses": {
        200: {
            "description": "the QR code as an SVG image",
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
        }
    }
}


def _query(body: str) -> str:
    return "?" + urlencode({"body": body})


@router.get(
    "certificates/{number}/seal",
    response={200: SealOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    tags=["seals"],
    summary="A certificate's signed QR seal",
)
def get_seal(request: HttpRequest, number: str, body: str = "") -> HttpResponse:
    """The seal of an active certificate: its QR text (`QC1:` + Base45(zlib(COSE_Sign1)), docs/seals.md),
    the URL of the QR code as SVG and of the printable PDF certificate. The same certificate state always
    gives the same text; any change to the record gives a new one. 404 when the registry has no such
    number; 409 when the certificate is not active (a suspended, withdrawn, cancelled or expired
    certificate carries no seal) or when several bodies use the number (pass `body`, the approval
    number); 503 when no signing key is available."""
    certificate = access_sealed_certificate(request_actor(request), number, body=body.strip())
    text = seal_text(certificate)
    approval = certificate.certification_body.approval_number
    path = quote(certificate.number, safe="")
    answer = {
        "qr": text,
        "svg": absolute_url(f"/api/v1/certificates/{path}/seal.svg{_query(approval)}"),
        "pdf": absolute_url(reverse("seal:certificate_pdf", args=[certificate.number]) + _query(approval)),
        "kid": kid_text(decode(text).kid),
    }
    return HttpResponse(orjson.dumps(answer), content_type="application/json")


@router.get(
    "certificates/{number}/seal.svg",
    response={404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    tags=["seals"],
    summary="A certificate's signed QR seal as an SVG image",
    openapi_extra=SVG_RESPONSE,
)
def get_seal_svg(request: HttpRequest, number: str, body: str = "") -> HttpResponse:
    """The QR code of the seal (error correction level Q), as an SVG image; the errors as for `/seal`."""
    certificate = access_sealed_certificate(request_actor(request), number, body=body.strip())
    image = qr.svg(seal_text(certificate), title=_("证书%(number)s防伪二维码") % {"number": certificate.number})
    response = HttpResponse(image, content_type="image/svg+xml")
    # The image changes whenever the record does: caches must ask again (the answer is cheap).
    response["Cache-Control"] = "no-cache"
    return response


@router.post(
    "seals/verify",
    response={200: SealVerifyOut, 422: ErrorOut, 429: ErrorOut},
    tags=["seals"],
    summary="Verify a QR seal and read the certificate's or licence's current status",
)
@decorate_view(limit_anonymous)
def verify(request: HttpRequest, payload: SealVerifyIn) -> HttpResponse:
    """Check a QR text read from a certificate: every layer, the signature against this installation's
    trust list, the key's validity window and the seal's dates; then the certificate's record as it
    stands now, which may differ from the status it had when signed. A seal that is not genuine or no
    longer valid is refused with 422, a code naming the rule (`bad_prefix`, `bad_base45`,
    `bad_compression`, `not_cbor`, `not_cose_sign1`, `bad_algorithm`, `unknown_key`, `bad_signature`,
    `bad_claims`, `key_not_yet_valid`, `key_retired`, `key_expired`, `seal_expired`, …) and the reason.
    A licence's electronic certificate carries the same kind of seal: its answer has `"kind": "licence"`, the
    licence's claims (`licence_type`, `valid_from`, `valid_until`, …) and `current` from the licensing
    records (null when they cannot be read here)."""
    check = check_any_seal(payload.qr)
    if isinstance(check, LicenceSealCheck):
        return HttpResponse(orjson.dumps(licence_answer(check)), content_type="application/json")
    answer: dict[str, Any] = {
        "genuine": True,
        "kid": check.seal.key.kid_text,
        "message": verdict(check).headline,
        "claims": check.seal.claims.as_dict(),
        "current": current_record(check),
    }
    return HttpResponse(orjson.dumps(answer), content_type="application/json")


def licence_answer(check: LicenceSealCheck) -> dict[str, Any]:
    """A genuine licence seal (C8): `kind` says so; `current` is the licensing records' answer, null when
    this installation cannot read them."""
    current: dict[str, Any] | None = None
    if check.looked_up:
        record = check.record
        current = {"found": False}
        if record is not None:
            current = {
                "found": True,
                "status": record.status,
                "status_label": record.status_label,
                "status_changed": check.status_changed,
                "ledger_index": record.ledger_index,
                "url": record.url or None,
            }
    return {
        "genuine": True,
        "kind": "licence",
        "kid": check.seal.key.kid_text,
        "message": licence_verdict(check).headline,
        "claims": check.seal.claims.as_dict(),
        "current": current,
    }


@router.get("trust/keys", response={200: TrustListOut}, tags=["seals"], summary="The trust list: seal public keys")
def get_trust_list(request: HttpRequest) -> HttpResponse:
    """Every public key that signs or has signed seals, as a JWK Set (RFC 7517; Ed25519 keys per RFC 8037)
    with the issuer. `kid` is standard base64 of the key id (the first 8 bytes of SHA-256 of the raw
    public key), as DCC trust lists write it; `nbf` is when the key began signing, `retired` when it
    stopped (if it has), `exp` when seals signed with it stop being accepted (if set), all NumericDate.
    Save it to verify seals offline: `certhub seal verify --keys trust.json "QC1:…"`."""
    response = HttpResponse(orjson.dumps(trust_list()), content_type="application/json")
    response["Cache-Control"] = "public, max-age=300"
    return response
