"""Factories for complaint tests and the demo: evidence files as people send them, and filing through the
action with the proof of work solved as the browser solves it."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from certhub.complaints import actions
from certhub.complaints.models import Complaint
from certhub.core.actors import ANONYMOUS, Actor

CAMERA = "CertHub Test Phone"


def photo(*, size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A JPEG as a phone takes it: with EXIF naming the camera, its model and the time."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:12:01 09:30:00"  # DateTime
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png(size: tuple[int, int] = (20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(out, format="PNG")
    return out.getvalue()


def file_complaint(actor: Actor = ANONYMOUS, **overrides: Any) -> tuple[Complaint, str]:
    """A tip-off about a forged certificate, with any field overridden."""
    data: dict[str, Any] = {
        "kind": "TIP_OFF",
        "certificate_number": "CNCA-QMS-2025-9999",
        "subject_name": "长沙星城电器有限公司",
        "product": "家用电冰箱",
        "text": "门店展示的质量管理体系认证证书编号在官网查不到，疑似伪造。",
    }
    data.update(overrides)
    return actions.do_file_complaint(**data, actor=actor)
