"""A proof of work for the public complaint form (C10 abuse control) that needs no third-party service: the
server hands out a challenge signed with the site's key (django.core.signing: a random salt, the difficulty
and the time it was made); the filer's browser (static/complaints/pow.js) finds a number whose SHA-256 with the
salt begins with that many zero bits, about 2**bits tries — a moment for one person, a real cost for a script
filing thousands. The salt is stored on the complaint it was spent on (unique), so a solved challenge files
once. ALTCHA's libraries do the same; Django's signer and hashlib already cover it without a new dependency."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from certhub.core.errors import ValidationFailed

SIGNING_SALT = "certhub.complaints.proof-of-work"
FIELD = "proof"


@dataclass(frozen=True)
class Challenge:
    token: str
    salt: str
    bits: int


def new_challenge(bits: int | None = None) -> Challenge:
    """A fresh signed challenge of `bits` (default CERTHUB_COMPLAINT_POW_BITS) leading zero bits."""
    bits = int(settings.CERTHUB_COMPLAINT_POW_BITS) if bits is None else bits
    salt = secrets.token_hex(16)
    return Challenge(signing.dumps({"s": salt, "b": bits}, salt=SIGNING_SALT), salt, bits)


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def digest(salt: str, nonce: str) -> bytes:
    return hashlib.sha256(f"{salt}:{nonce}".encode()).digest()


def solve(token: str) -> str:
    """The nonce for a challenge (what the browser's script does; tests and scripted clients use it)."""
    payload = signing.loads(token, salt=SIGNING_SALT)
    nonce = 0
    while leading_zero_bits(digest(payload["s"], str(nonce))) < payload["b"]:
        nonce += 1
    return str(nonce)


def verified_salt(token: str, nonce: str) -> str:
    """The challenge's salt when `nonce` solves the signed, unexpired `token` at the difficulty in force;
    otherwise ValidationFailed on the form's `proof` field."""

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed({FIELD: [message]}, code="proof_of_work")

    if not token or not nonce:
        raise refuse(_("缺少人机验证结果：请在浏览器中启用JavaScript，等待验证完成后再提交"))
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=int(settings.CERTHUB_COMPLAINT_POW_SECONDS))
    except signing.SignatureExpired:
        raise refuse(_("人机验证已过期，请刷新页面后重新提交")) from None
    except signing.BadSignature:
        raise refuse(_("人机验证无效，请刷新页面后重新提交")) from None
    salt, bits = str(payload.get("s", "")), int(payload.get("b", 0))
    if bits < int(settings.CERTHUB_COMPLAINT_POW_BITS) or len(nonce) > 20:
        raise refuse(_("人机验证无效，请刷新页面后重新提交"))
    if leading_zero_bits(digest(salt, nonce)) < bits:
        raise refuse(_("人机验证未通过，请刷新页面后重新提交"))
    return salt
