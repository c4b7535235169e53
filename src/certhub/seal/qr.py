"""QR codes out (segno) and in (zxing-cpp). A seal's text is Base45, whose 45 characters are exactly the
QR alphanumeric set, so the code is encoded in alphanumeric mode (5.5 bits a character). Error
correction level Q (25 %) as DCC recommends: a printed certificate gets folded, stamped and photocopied."""

from __future__ import annotations

import functools
import io
import warnings

import segno
import zxingcpp
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from segno.writers import write_svg  # type: ignore[attr-defined]  # segno's own stubs omit segno.writers

from certhub.seal.cose import SealError

ERROR_CORRECTION = "q"
# A phone photo is a few megapixels; far larger images are refused before they are decoded in memory.
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_BYTES = 12 * 1024 * 1024


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
    with code `bad_image` (not an image we can read) or `no_code` (no QR code found in it)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise SealError(_("图片过大（上限%(limit)d MB）") % {"limit": MAX_IMAGE_BYTES // 2**20}, code="bad_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise SealError(_("图片像素过多，请缩小后再试"), code="bad_image")
            image = image.convert("L")
    except SealError:
        raise
    # Pillow reports a broken or unknown file with one of several errors depending on the format.
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise SealError(_("无法识别此图片：请上传JPEG、PNG或WebP格式的照片"), code="bad_image") from None
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    if not results:
        raise SealError(_("图片中没有找到二维码：请让二维码充满取景框、对准焦点，避免反光后重试"), code="no_code")
    return results[0].text
