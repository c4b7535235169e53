"""A product's barcode read from a photo or a camera frame (C7, C13: a shopper or an inspector points a
phone at the box): the retail symbologies that carry a GTIN — EAN-13, EAN-8 and UPC-A (GS1 General
Specifications §5.2) — read with the bounded decoder the seal check uses (core.images)."""

from __future__ import annotations

import zxingcpp
from django.utils.translation import gettext as _

from certhub.core.errors import ValidationFailed
from certhub.core.images import ImageRefused, read_codes
from certhub.core.validation import check_gtin

GTIN_FORMATS = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.EAN8, zxingcpp.BarcodeFormat.UPCA]
)


def read_gtin(data: bytes) -> str:
    """The GTIN of the first retail barcode in an image whose check digit is right, as printed (8, 12 or
    13 digits). core.images.ImageRefused with code `no_code` when there is none; `bad_image`/`too_large`
    for an image that cannot be read; DecoderBusy when every decode slot is taken."""
    for text in read_codes(data, GTIN_FORMATS):
        try:
            return check_gtin(text)
        except ValidationFailed:
            continue
    raise ImageRefused(
        _("图片中没有找到商品条码（EAN-13、EAN-8或UPC-A）：请让条码横向充满取景框、对准焦点后重试"), code="no_code"
    )
