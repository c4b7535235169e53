"""Fixed keys and claims for the seal tests and the worked example in docs/data-formats.md."""

from __future__ import annotations

import datetime
import zlib

import base45
import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certhub.seal.cose import PREFIX, key_id, sign, wrap
from certhub.seal.docs import EXAMPLE_CLAIMS, EXAMPLE_KEY, EXAMPLE_KID, EXAMPLE_PUBLIC, EXAMPLE_TRUSTED

__all__ = ["EXAMPLE_CLAIMS", "EXAMPLE_KEY", "EXAMPLE_KID", "EXAMPLE_PUBLIC", "EXAMPLE_TRUSTED"]

UTC = datetime.UTC
DURING = datetime.datetime(2026, 6, 1, tzinfo=UTC)  # a moment when the example seal is valid


def example_text() -> str:
    return wrap(sign(EXAMPLE_CLAIMS.to_payload(), EXAMPLE_KEY))


def rewrap(cose: bytes) -> str:
    """COSE bytes as QR text, for handcrafted bad seals."""
    return wrap(cose)


def raw_text(data: bytes) -> str:
    """Arbitrary bytes as QR text without compression (to reach the layers after zlib with any bytes)."""
    return PREFIX + base45.b45encode(zlib.compress(data)).decode()


def cose_of(text: str) -> bytes:
    return zlib.decompress(base45.b45decode(text[len(PREFIX) :]))


def resigned(
    payload: bytes,
    key: Ed25519PrivateKey = EXAMPLE_KEY,
    *,
    protected: dict | None = None,
    unprotected: dict | None = None,
    tag: int = 18,
) -> str:
    """A COSE_Sign1 built by hand (a chosen header or tag) and signed properly with `key`."""
    from certhub.seal.cose import sig_structure

    header = protected if protected is not None else {1: -8, 4: key_id(key.public_key().public_bytes_raw())}
    protected_bytes = cbor2.dumps(header)
    signature = key.sign(sig_structure(protected_bytes, payload))
    return wrap(cbor2.dumps(cbor2.CBORTag(tag, [protected_bytes, unprotected or {}, payload, signature])))
