"""Evidence files of a complaint (C10): images and PDFs, each checked by its content and size
(core.uploads), at most CERTHUB_COMPLAINT_EVIDENCE_MAX_FILES of at most CERTHUB_COMPLAINT_EVIDENCE_MAX_BYTES
each; an image is re-encoded from its pixels alone, so that its metadata (the camera, the time, the place a
phone writes into EXIF, XMP, comments) is not kept — it would tell about the complainant — and only then
stored by digest."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from certhub.core.errors import ValidationFailed
from certhub.core.uploads import IMAGE_KINDS, CheckedUpload, check_upload

FIELD = "evidence"


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    checked: CheckedUpload
    data: bytes


def max_bytes() -> int:
    return int(settings.CERTHUB_COMPLAINT_EVIDENCE_MAX_BYTES)


def max_files() -> int:
    return int(settings.CERTHUB_COMPLAINT_EVIDENCE_MAX_FILES)


def without_metadata(data: bytes, kind: str) -> bytes:
    """The image's pixels, turned upright as its orientation tag says, in a new file of the same format that
    carries nothing else."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        mode = "RGB" if kind == "jpeg" else ("RGBA" if image.mode not in ("RGB", "RGBA", "L") else image.mode)
        if kind == "jpeg" and image.mode == "L":
            mode = "L"
        pixels = image.convert(mode)
        clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, format=IMAGE_KINDS[kind], **({"quality": 90} if kind == "jpeg" else {}))
    return out.getvalue()


def checked_evidence(files: Sequence[tuple[str, bytes]]) -> list[EvidenceFile]:
    """Every file checked (ValidationFailed on `evidence`, naming the file and the reason, at the first that
    fails; nothing is stored here), images re-encoded without their metadata."""
    if len(files) > max_files():
        raise ValidationFailed(
            {FIELD: [_("最多上传%(max)d个证据文件，收到%(count)d个") % {"max": max_files(), "count": len(files)}]},
            code="bad_upload",
        )
    result = []
    for name, data in files:
        try:
            checked = check_upload(name, data, field=FIELD, max_bytes=max_bytes())
        except ValidationFailed as failed:
            reason = failed.errors[FIELD][0]
            raise ValidationFailed(
                {FIELD: [_("“%(name)s”：%(reason)s") % {"name": name, "reason": reason}]}, code="bad_upload"
            ) from None
        if checked.kind in IMAGE_KINDS:
            data = without_metadata(data, checked.kind)
            checked = check_upload(name, data, field=FIELD, max_bytes=max(max_bytes(), len(data)))
        result.append(EvidenceFile(name[:200], checked, data))
    return result
