"""QR codes out (segno) and in (zxing-cpp). A seal's text is Base45, whose 45 characters are exactly the
QR alphanumeric set, so the code is encoded in alphanumeric mode (5.5 bits a character). Error
correction level Q (25 %) as DCC recommends: a printed certificate gets folded, stamped and photocopied."""

from __future__ import annotations

import functools
import io

import segno
import zxingcpp
from django.utils.translation import gettext as _
from segno.writers import write_svg  # type: ignore[attr-defined]  # segno's own stubs omit segno.writers

from certhub.core import images
from certhub.core.images import decode_slot
from certhub.seal.cose import SealError

__all__ = ["MAX_IMAGE_BYTES", "DecoderBusy", "decode_image", "decode_slot", "make", "matrix", "svg"]

ERROR_CORRECTION = "q"
# Reading photos is bounded in pixels, bytes and concurrent decodes (core.images, C14; issue 14 finding 3).
MAX_IMAGE_BYTES = images.MAX_IMAGE_BYTES
QR_FORMATS = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


class DecoderBusy(SealError):
    """Every decode slot is taken: try again in a moment (503, Retry-After)."""

    status = 503

    def __init__(self) -> None:
        super().__init__(_("二维码识别繁忙，请稍后再试"), code="busy")


@functools.lru_cache(maxsize=512)
def make(text: str) -> segno.QRCode:
    """The QR code of a text. Choosing the mask (ISO/IEC 18004 §7.8.3) is most of the cost, some 30 ms for a
    seal; a seal's text changes only with its certificate, so the codes of the latest texts are kept."""
    return segno.make_qr(text, error=ERROR_CORRECTION, boost_error=False)


def svg(text: str, *, title: str = "") -> bytes:
    """A standalone SVG of the code, dark modules as one path (scales to any print size)."""
    code = make(text)
    buffer = io.BytesIO()
    write_svg(
        code.matrix,
        code.symbol_size(scale=1, border=0),
        buffer,
        scale=4,
        border=4,
        xmldecl=True,
        title=title or None,
        svgclass=None,
        lineclass=None,
    )
    return buffer.getvalue()


def matrix(text: str) -> list[list[bool]]:
    """The modules, row by row (True = dark), without the quiet zone: for drawing the code in a PDF."""
    return [[bool(module) for module in row] for row in make(text).matrix]


def decode_image(data: bytes) -> str:
    """The text of the first QR code in an image (a photo of a certificate, a camera frame), or SealError
    with code `bad_image` (not an image we can read), `too_large` (too many pixels) or `no_code` (no QR
    code found in it); DecoderBusy when every decode slot of the process is taken (core.images)."""
    try:
        texts = images.read_codes(data, QR_FORMATS)
    except images.DecoderBusy:
        raise DecoderBusy from None
    except images.ImageRefused as refusal:
        raise SealError(refusal.message, code=refusal.code) from None
    if not texts:
        raise SealError(_("图片中没有找到二维码：请让二维码充满取景框、对准焦点，避免反光后重试"), code="no_code")
    return texts[0]
