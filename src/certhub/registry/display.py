"""How pages present registry facts: status words and tones, the certificate banner, audit diffs.

Presentation only: every fact shown here is read from the registry or derived from it by date; no
state is decided here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.registry.choices import BodyStatus, CertificateStatus, ReportConclusion
from certhub.registry.dates import surveillance_due_date
from certhub.registry.models import Certificate

# Colour is never the only signal (the word is always shown); tones map to CSS classes. Keyed by str: a model
# field holds the plain value, which hashes and compares like its TextChoices member.
CERTIFICATE_TONES: dict[str, str] = {
    CertificateStatus.ACTIVE: "valid",
    CertificateStatus.SUSPENDED: "suspended",
    CertificateStatus.WITHDRAWN: "revoked",
    CertificateStatus.CANCELLED: "ended",
    CertificateStatus.EXPIRED: "ended",
    CertificateStatus.DRAFT: "draft",
}
BODY_TONES: dict[str, str] = {
    BodyStatus.ACTIVE: "valid",
    BodyStatus.SUSPENDED: "suspended",
    BodyStatus.REVOKED: "revoked",
    BodyStatus.CLOSED: "ended",
}
CONCLUSION_TONES: dict[str, str] = {ReportConclusion.PASS: "valid", ReportConclusion.FAIL: "revoked",
                    ReportConclusion.INFORMATIVE: "draft"}  # fmt: skip

INVALID_WARNING = gettext_lazy("此证书目前无效，不得作为有效认证证明使用。")


def status_tone(value: str) -> str:
    """The CSS tone of any registry status or conclusion value."""
    return CERTIFICATE_TONES.get(value) or BODY_TONES.get(value) or CONCLUSION_TONES.get(value) or "draft"


@dataclass
class StatusBanner:
    """The big statement at the top of a certificate page: a word, a tone and the sentences under it."""

    tone: str
    word: str
    headline: str
    lines: list[str] = field(default_factory=list)
    invalid: bool = False


def certificate_banner(certificate: Certificate, today: datetime.date | None = None) -> StatusBanner:
    """State the certificate's status in words: the status, since when, why, and what it means."""
    today = today or timezone.localdate()
    status = certificate.status
    word = str(CertificateStatus(status).label)
    last = _last_event(certificate)
    reason = last.reason if last is not None else ""
    since = certificate.status_changed_on.isoformat()
    expiry = certificate.expiry_date.isoformat()
    if status == CertificateStatus.ACTIVE and certificate.expiry_date < today:
        # The body has not yet recorded the expiry; the date speaks for itself (a derived fact).
        return StatusBanner(
            tone="ended",
            word=_("已过有效期"),
            invalid=True,
            headline=_("此证书的有效期已于%(date)s届满") % {"date": expiry},
            lines=[_("登记状态仍为“有效”，但认证机构尚未更新状态。"), str(INVALID_WARNING)],
        )
    if status == CertificateStatus.ACTIVE:
        return StatusBanner(
            tone="valid",
            word=word,
            headline=_("此证书在登记库中状态为有效，有效期至%(date)s") % {"date": expiry},
        )
    if status == CertificateStatus.DRAFT:
        return StatusBanner(tone="draft", word=word, headline=_("此证书是草稿，尚未发布，公众不可见"))
    headlines: dict[str, str] = {
        CertificateStatus.SUSPENDED: _("此证书自%(date)s起暂停"),
        CertificateStatus.WITHDRAWN: _("此证书已于%(date)s被撤销"),
        CertificateStatus.CANCELLED: _("此证书已于%(date)s注销"),
        CertificateStatus.EXPIRED: _("此证书已于%(date)s过期失效"),
    }
    lines = [_("原因：%(reason)s") % {"reason": reason}] if reason else []
    lines.append(str(INVALID_WARNING))
    headline = headlines[status] % {"date": since}
    return StatusBanner(tone=CERTIFICATE_TONES[status], word=word, headline=headline, lines=lines, invalid=True)


def _last_event(certificate: Certificate) -> Any:
    events = list(certificate.events.all())  # prefetched by access_certificate, in order
    return events[-1] if events else None


@dataclass
class Surveillance:
    due: datetime.date | None
    overdue: bool


def surveillance_of(certificate: Certificate, today: datetime.date | None = None) -> Surveillance:
    return Surveillance(due=surveillance_due_date(certificate), overdue=certificate.surveillance_overdue(today))


# ---------------------------------------------------------------- audit diffs


@dataclass
class Change:
    field: str
    before: Any
    after: Any


def _label(model: type[models.Model] | None, attname: str) -> str:
    if model is not None:
        for model_field in model._meta.concrete_fields:
            if model_field.attname == attname:
                return str(model_field.verbose_name)
    return attname


def audit_changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None, model: type[models.Model] | None = None
) -> list[Change]:
    """The fields an audit row changed, labelled with the model's field names; a creation lists every
    recorded field (before is empty)."""
    before, after = before or {}, after or {}
    keys = list(after) + [k for k in before if k not in after]
    return [Change(_label(model, k), before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
