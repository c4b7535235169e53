"""Fixed keys and claims for the seal tests and the worked example in docs/data-formats.md, and what the
certificate PDF embeds and draws (read with pypdf; its text through certhub.core.testing.pdf_text)."""

from __future__ import annotations

import datetime
import io
import itertools
import zlib

import base45
import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

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


def embedded_fonts(pdf: bytes) -> list[str]:
    """The names of the fonts whose TrueType program the PDF embeds (a FontFile2 in the font descriptor)."""
    names = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page["/Resources"]
        assert isinstance(resources, DictionaryObject)
        fonts = resources["/Font"]
        assert isinstance(fonts, DictionaryObject)
        for font in fonts.values():
            font = font.get_object()
            for each in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = each.get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    names.append(str(descriptor.get_object()["/FontName"]).removeprefix("/"))
    return names


def filled_rectangles(pdf: bytes) -> list[tuple[float, float, float, float]]:
    """Every rectangle filled as drawn (`x y w h re` then `f*`: the QR code's modules), in points."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for page in reader.pages:
        operations = ContentStream(page.get_contents(), reader).operations
        for (operands, operator), (_, following) in itertools.pairwise(operations):
            if operator == b"re" and following == b"f*":
                x, y, width, height = (float(v) for v in operands)
                found.append((x, y, width, height))
    return found
