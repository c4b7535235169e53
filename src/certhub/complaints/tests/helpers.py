"""What the complaint tests share: the form's data with the proof of work solved, and the counts that must
not move when something is refused."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from certhub.complaints import pow
from certhub.complaints.models import Complaint, ComplaintEvent, Evidence
from certhub.core.models import AuditEvent

TEXT = "门店展示的质量管理体系认证证书编号在官网查不到，疑似伪造。"


def form_data(**overrides: Any) -> dict[str, Any]:
    """The public form filled in for a tip-off about a forged certificate, its proof of work solved."""
    challenge = pow.new_challenge()
    data: dict[str, Any] = {
        "kind": "TIP_OFF",
        "certificate_number": "CNCA-QMS-2025-9999",
        "subject_name": "长沙星城电器有限公司",
        "product": "家用电冰箱",
        "region_code": "",
        "text": TEXT,
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "proof_token": challenge.token,
        "proof_nonce": pow.solve(challenge.token),
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int, int]:
    """Complaints, evidence files, history rows and audit rows."""
    return (
        Complaint.objects.count(),
        Evidence.objects.count(),
        ComplaintEvent.objects.count(),
        AuditEvent.objects.count(),
    )


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
