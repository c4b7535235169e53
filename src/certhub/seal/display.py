"""Seal verification results in words, shared by the /verify/ page and the API (C3: a genuine
seal is not the same as a valid certificate; the page says both)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from certhub.registry.choices import CertificateStatus
from certhub.seal.queries import SealCheck

CHANGED_FIELD_LABELS = {
    "holder_name": gettext_lazy("获证组织名称"),
    "holder_uscc": gettext_lazy("统一社会信用代码"),
    "scheme": gettext_lazy("认证制度"),
    "scope": gettext_lazy("认证范围"),
}


@dataclass(frozen=True)
class Verdict:
    """What the page shows: a tone (valid, suspended, ended), a headline and explanatory lines."""

    tone: str
    headline: str
    lines: list[str] = field(default_factory=list)


def verdict(check: SealCheck) -> Verdict:
    certificate = check.certificate
    if certificate is None:
        return Verdict(
            "ended",
            _("防伪二维码签名真实，但登记库中查不到此证书"),
            [_("请向认证机构核实；查不到的证书不能视为有效证书。")],
        )
    lines = []
    if check.changed_fields:
        names = pgettext("list separator", "、").join(str(CHANGED_FIELD_LABELS[name]) for name in check.changed_fields)
        lines.append(_("签发此二维码后，登记库中的%(fields)s已变更，请以下方登记库当前记录为准。") % {"fields": names})
    elif check.record_changed:
        lines.append(_("签发此二维码后，登记库中此证书另有变更记录，请以当前记录为准。"))
    date = certificate.status_changed_on.isoformat()
    if certificate.status == CertificateStatus.ACTIVE:
        return Verdict("valid", _("防伪二维码真实，证书当前有效"), lines)
    headlines: dict[str, str] = {
        CertificateStatus.SUSPENDED: _("防伪二维码真实，但此证书已于%(date)s暂停"),
        CertificateStatus.WITHDRAWN: _("防伪二维码真实，但此证书已于%(date)s被撤销"),
        CertificateStatus.CANCELLED: _("防伪二维码真实，但此证书已于%(date)s注销"),
        CertificateStatus.EXPIRED: _("防伪二维码真实，但此证书已于%(date)s过期失效"),
    }
    tone = "suspended" if certificate.status == CertificateStatus.SUSPENDED else "ended"
    lines.insert(0, _("签发二维码时证书有效；此后状态已变更，当前不能视为有效证书。"))
    return Verdict(tone, headlines[certificate.status] % {"date": date}, lines)


def current_record(check: SealCheck) -> dict[str, Any]:
    """The certificate as the registry has it now, for the API."""
    certificate = check.certificate
    if certificate is None:
        return {"found": False}
    url = reverse("registry:certificate", args=[certificate.number])
    query = urlencode({"body": certificate.certification_body.approval_number})
    return {
        "found": True,
        "status": certificate.status,
        "status_label": str(CertificateStatus(certificate.status).label),
        "status_changed_on": certificate.status_changed_on.isoformat(),
        "status_changed": check.status_changed,
        "changed_fields": check.changed_fields,
        "ledger_index": check.current_ledger_index,
        "record_changed": check.record_changed,
        "url": f"{url}?{query}",
    }
