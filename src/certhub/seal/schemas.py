"""Seal endpoints' schemas: the seal of a certificate, a verification, the trust list (docs/seals.md)."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class SealOut(Schema):
    qr: str = Field(description="the QR text: QC1: + Base45(zlib(COSE_Sign1))")
    svg: str = Field(description="URL of the QR code as an SVG image")
    pdf: str = Field(description="URL of the printable certificate (PDF) carrying the QR code")
    kid: str = Field(description="the signing key's id, standard base64 of 8 bytes, as in the trust list")


class SealVerifyIn(Schema):
    qr: str = Field(max_length=5000, description="the text read from the QR code")


class SealClaimsOut(Schema):
    issuer: str
    issued_at: str
    expires_at: str
    number: str
    scheme: str
    holder_name: str
    holder_uscc: str
    certification_body: str
    scope_sha256: str
    status: str
    ledger_index: int | None


class LicenceClaimsOut(Schema):
    issuer: str
    issued_at: str
    expires_at: str
    number: str
    licence_type: str = Field(description="the licence type's code: CMA or PRODUCTION")
    holder_name: str
    holder_uscc: str
    valid_from: str = Field(description="the licence's first valid day, YYYY-MM-DD")
    valid_until: str = Field(description="the licence's last valid day, YYYY-MM-DD")
    scope_sha256: str
    status: str
    ledger_index: int | None


class SealCurrentRecordOut(Schema):
    found: bool
    status: str | None = None
    status_label: str | None = None
    status_changed_on: str | None = None
    status_changed: bool = False
    changed_fields: list[str] = []
    ledger_index: int | None = None
    record_changed: bool = False
    url: str | None = None


class LicenceCurrentRecordOut(Schema):
    found: bool
    status: str | None = None
    status_label: str | None = None
    status_changed: bool = False
    ledger_index: int | None = None
    url: str | None = None


class SealVerifyOut(Schema):
    genuine: bool
    kind: str = Field(
        "certificate", description="`licence` for a licence's electronic certificate; absent for a certificate"
    )
    kid: str
    message: str
    claims: SealClaimsOut | LicenceClaimsOut
    current: SealCurrentRecordOut | LicenceCurrentRecordOut | None


class TrustKeyOut(Schema):
    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str
    nbf: int
    retired: int | None = None
    exp: int | None = None


class TrustListOut(Schema):
    iss: str
    keys: list[TrustKeyOut]
