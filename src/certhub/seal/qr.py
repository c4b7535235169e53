"""QR codes out (segno) and in (zxing-cpp). A seal's text is Base45, whose 45 characters are exactly the
QR alphanumeric set, so the code is encoded in alphanumeric mode (5.5 bits a character). Error
correction level Q (25 %) as DCC recommends: a printed certificate gets folded, stamped and photocopied."""

from __future__ import annotations

import contextlib
import functools
import io
import threading
import warnings
from collections.abc import Iterator

import segno
import zxingcpp
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from segno.writers import write_svg  # type: ignore[attr-defined]  # segno's own stubs omit segno.writers

from certhub.seal.cose import SealError

ERROR_CORRECTION = "q"
MAX_IMAGE_BYTES = 12 * 1024 * 1024
# Decoding is bounded twice (C14; issue 14 finding 3: a 6,300 × 6,300 PNG of a few kilobytes took
# 135 MB, and a dozen at once 1.7 GB). Pixels: the image's header is read first (Pillow decodes lazily)
# and no image of more than CERTHUB_QR_MAX_PIXELS is ever decoded: a JPEG larger than that is decoded
# scaled down by its own DCT (Image.draft: 1/2, 1/4 or 1/8 a side, the memory of the small image only),
# any other image is refused. At most 4 bytes a pixel, so one decode holds at most 4 × the limit.
# Concurrency: at most CERTHUB_QR_DECODE_CONCURRENCY decodes run at once in a process; the next is
# answered "busy" (503) at once rather than queued, so memory stays bounded whatever the traffic.
DEFAULT_MAX_PIXELS = 12_000_000  # a 12-megapixel phone photo, 4,000 × 3,000
DEFAULT_DECODE_CONCURRENCY = 2
JPEG_SCALE = 8  # the most Image.draft shrinks a JPEG's side by


class DecoderBusy(SealError):
    """Every decode slot is taken: try again in a moment (503, Retry-After)."""

    status = 503

    def __init__(self) -> None:
        super().__init__(_("二维码识别繁忙，请稍后再试"), code="busy")


def max_pixels() -> int:
    return int(getattr(settings, "CERTHUB_QR_MAX_PIXELS", DEFAULT_MAX_PIXELS))


@functools.cache
def _slots(concurrency: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(concurrency)


@contextlib.contextmanager
def decode_slot() -> Iterator[None]:
    """Hold one of the process's decode slots, or raise DecoderBusy when all are taken (no waiting)."""
    slots = _slots(max(1, int(getattr(settings, "CERTHUB_QR_DECODE_CONCURRENCY", DEFAULT_DECODE_CONCURRENCY))))
    if not slots.acquire(blocking=False):
        raise DecoderBusy
    try:
        yield
    finally:
        slots.release()


def _too_many_pixels(width: int, height: int) -> SealError:
    return SealError(
        _("图片像素过多（%(width)d×%(height)d，上限%(limit)d万像素）：请缩小后再试")
        % {"width": width, "height": height, "limit": max_pixels() // 10_000},
        code="too_large",
    )


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
    with decode_slot():
        image = _open_bounded(data)
        results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    if not results:
        raise SealError(_("图片中没有找到二维码：请让二维码充满取景框、对准焦点，避免反光后重试"), code="no_code")
    return results[0].text


def _open_bounded(data: bytes) -> Image.Image:
    """The image in greyscale, never decoded at more than max_pixels() (see DEFAULT_MAX_PIXELS)."""
    limit = max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))  # reads the header only
            width, height = image.size
            if width * height > limit:
                if image.format != "JPEG" or width * height > limit * JPEG_SCALE**2:
                    raise _too_many_pixels(width, height)
                # Decoded scaled down by the JPEG's own DCT, at the first scale within the limit.
                scale = next(s for s in (2, 4, 8) if (width // s) * (height // s) <= limit)
                image.draft("L", (width // scale, height // scale))
                if image.width * image.height > limit:
                    raise _too_many_pixels(width, height)
            image.load()
            return image.convert("L")
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
