"""Reading codes from photos and camera frames (zxing-cpp), bounded: the QR code of a sealed certificate
(seal.qr) and the barcode of a product (registry.product_views) are read the same way.

Decoding is bounded twice (C14; issue 14 finding 3: a 6,300 × 6,300 PNG of a few kilobytes took
135 MB, and a dozen at once 1.7 GB). Pixels: the image's header is read first (Pillow decodes lazily)
and no image of more than CERTHUB_QR_MAX_PIXELS is ever decoded: a JPEG larger than that is decoded
scaled down by its own DCT (Image.draft: 1/2, 1/4 or 1/8 a side, the memory of the small image only),
any other image is refused. At most 4 bytes a pixel, so one decode holds at most 4 × the limit.
Concurrency: at most CERTHUB_QR_DECODE_CONCURRENCY decodes run at once in a process, whatever code
they read; the next is answered "busy" (503) at once rather than queued, so memory stays bounded
whatever the traffic."""

from __future__ import annotations

import contextlib
import functools
import io
import threading
import warnings
from collections.abc import Iterator

import zxingcpp
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from certhub.core.errors import DomainError

MAX_IMAGE_BYTES = 12 * 1024 * 1024
DEFAULT_MAX_PIXELS = 12_000_000  # a 12-megapixel phone photo, 4,000 × 3,000
DEFAULT_DECODE_CONCURRENCY = 2
JPEG_SCALE = 8  # the most Image.draft shrinks a JPEG's side by


class ImageRefused(DomainError):
    """An image that cannot be read: `code` is bad_image (not an image we can read), too_large (too many
    bytes or pixels) or no_code (no code of the kind asked in it). The API answers 422."""

    status = 422


class DecoderBusy(ImageRefused):
    """Every decode slot is taken: try again in a moment (503, Retry-After)."""

    status = 503

    def __init__(self) -> None:
        super().__init__(_("图片识别繁忙，请稍后再试"), code="busy")


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


def too_many_bytes() -> ImageRefused:
    return ImageRefused(_("图片过大（上限%(limit)d MB）") % {"limit": MAX_IMAGE_BYTES // 2**20}, code="bad_image")


def _too_many_pixels(width: int, height: int) -> ImageRefused:
    return ImageRefused(
        _("图片像素过多（%(width)d×%(height)d，上限%(limit)d万像素）：请缩小后再试")
        % {"width": width, "height": height, "limit": max_pixels() // 10_000},
        code="too_large",
    )


def read_codes(data: bytes, formats: zxingcpp.BarcodeFormats) -> list[str]:
    """The texts of the codes of `formats` in an image (a photo, a camera frame), in the order zxing-cpp
    finds them; empty when there is none. ImageRefused when the image is too large or unreadable,
    DecoderBusy when every decode slot is taken."""
    if len(data) > MAX_IMAGE_BYTES:
        raise too_many_bytes()
    with decode_slot():
        image = open_bounded(data)
        results = zxingcpp.read_barcodes(image, formats=formats)
    return [result.text for result in results]


def open_bounded(data: bytes) -> Image.Image:
    """The image in greyscale, never decoded at more than max_pixels() (see the module's note)."""
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
    except ImageRefused:
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
        raise ImageRefused(_("无法识别此图片：请上传JPEG、PNG或WebP格式的照片"), code="bad_image") from None
