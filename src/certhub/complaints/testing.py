"""Factories for complaint tests and the demo: a tip-off filed through the action."""

from __future__ import annotations

from typing import Any

from certhub.complaints import actions
from certhub.complaints.models import Complaint
from certhub.core.actors import ANONYMOUS, Actor


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
