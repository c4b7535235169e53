"""Licence seals (C8 electronic certificate with QR): a licence's electronic certificate carries a signed QR
code like a certification certificate's, in the same format, signed with the same keys and checked against
the same trust list (docs/seals.md, "Licence seals"). The licensing app gives the licence's facts as a
`LicenceSeal`; this module signs them, reads them back, and draws the PDF certificate.

A seal is a function of the licence's facts and the signing key: `iat` is the start of the licence's first
valid day (Beijing), or when the signing key came into use if later, so the same licence gives the same QR
text and the same PDF bytes until a fact or the key changes."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate, Paragraph, Spacer, Table

from certhub.core.absolute_urls import absolute_url
from certhub.seal.claims import MAX_TEXT, LicenceClaims, LicenceSeal
from certhub.seal.cose import SealError, sign, wrap
from certhub.seal.display import Verdict
from certhub.seal.keyfiles import SigningUnavailable, load_private_key
from certhub.seal.pdf import MARGIN, QR_SIZE, draw_qr, font_name
from certhub.seal.queries import SHANGHAI, NotSealable, SealCheck, certificate_check, signing_key, trusted_keys
from certhub.seal.trust import TrustedKey, VerifiedLicenceSeal, VerifiedSeal, numeric_date, verify_any_seal

__all__ = [
    "LICENCE_STATUS_LABELS",
    "LICENCE_TYPE_LABELS",
    "LicenceRecord",
    "LicenceSeal",
    "LicenceSealCheck",
    "check_any_seal",
    "licence_claims",
    "licence_pdf",
    "read_licence_seal",
    "register_licence_lookup",
    "seal_licence",
]

# The words for the codes a licence seal carries; a code not listed is shown as it is.
LICENCE_TYPE_LABELS: Mapping[str, Any] = {
    "CMA": gettext_lazy("检验检测机构资质认定"),
    "PRODUCTION": gettext_lazy("工业产品生产许可证"),
}
LICENCE_STATUS_LABELS: Mapping[str, Any] = {
    "ACTIVE": gettext_lazy("有效"),
    "SUSPENDED": gettext_lazy("暂停"),
    "REVOKED": gettext_lazy("撤销"),
    "CANCELLED": gettext_lazy("注销"),
    "EXPIRED": gettext_lazy("过期"),
}


def licence_type_label(code: str) -> str:
    return str(LICENCE_TYPE_LABELS.get(code, code))


def licence_status_label(code: str) -> str:
    return str(LICENCE_STATUS_LABELS.get(code, code))


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=SHANGHAI)


def licence_expiry(data: LicenceSeal) -> datetime.datetime:
    """The end of the licence's last valid day, Beijing time (docs/architecture.md invariant 5)."""
    return _start_of(data.valid_until + datetime.timedelta(days=1))


def _check_input(data: LicenceSeal) -> None:
    """A LicenceSeal comes from the licensing records, not from a person: anything a verifier would refuse
    is a programming error, raised before anything is signed."""
    for name in ("number", "licence_type", "holder_name", "holder_uscc", "status"):
        value = getattr(data, name)
        if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
            raise ValueError(f"LicenceSeal.{name} must be text of 1 to {MAX_TEXT} characters, not {value!r}")
    if len(data.scope_digest) != 32:
        raise ValueError("LicenceSeal.scope_digest must be the 32-byte SHA-256 of the scope (claims.scope_digest)")
    if data.valid_until < data.valid_from:
        raise ValueError("LicenceSeal.valid_until is before valid_from")
    if data.ledger_index is not None and data.ledger_index < 0:
        raise ValueError("LicenceSeal.ledger_index must not be negative")


def licence_claims(data: LicenceSeal, *, key: TrustedKey, now: datetime.datetime) -> LicenceClaims:
    """What the seal of `data` signed with `key` says at `now`. It never outlives the licence nor the key."""
    expires = licence_expiry(data)
    if key.valid_until is not None:
        expires = min(expires, key.valid_until)
    issued = max(numeric_date(key.valid_from), min(numeric_date(now), numeric_date(_start_of(data.valid_from))))
    return LicenceClaims(issuer=settings.SEAL_ISSUER, issued_at=issued, expires_at=numeric_date(expires), licence=data)


def seal_licence(data: LicenceSeal, *, now: datetime.datetime | None = None) -> str:
    """The QR text (`QC1:…`) of a licence's seal, signed with the key that signs certificates' seals.
    NotSealable (409) when the licence's validity has ended; SigningUnavailable (503) when no key can sign.
    Which statuses deserve a seal is the licensing rule's to decide; the status is sealed as given."""
    now = now or timezone.now()
    _check_input(data)
    if licence_expiry(data) <= now:
        raise NotSealable(
            _("许可证“%(number)s”的有效期已于%(date)s届满，不再签发防伪二维码")
            % {"number": data.number, "date": data.valid_until.isoformat()}
        )
    key = signing_key(now)
    if key is None:
        raise SigningUnavailable(_("尚无可用的签章密钥：请管理员运行“certhub seal keys --new”"))
    claims = licence_claims(data, key=key.trusted(), now=now)
    return wrap(sign(claims.to_payload(), load_private_key(key.kid_bytes)))


def read_licence_seal(
    payload: str,
    *,
    keys: Mapping[bytes, TrustedKey] | None = None,
    now: datetime.datetime | None = None,
    issuer: str | None = None,
) -> VerifiedLicenceSeal:
    """A licence seal's QR text checked completely (every layer, the signature, the key's window, the
    dates), against `keys` (a trust list read with trust.keys_from_jwk_set) or this installation's keys.
    SealError with the reason when it is not genuine or not valid, or when it is a certificate's seal."""
    seal = verify_any_seal(
        payload,
        trusted_keys() if keys is None else keys,
        now=now or timezone.now(),
        issuer=settings.SEAL_ISSUER if issuer is None else issuer,
    )
    if not isinstance(seal, VerifiedLicenceSeal):
        raise SealError(_("这是证书的防伪二维码，不是许可证的：请在核验页面核验证书"), code="not_licence")
    return seal


# ------------------------------------------------------------------ the electronic certificate (PDF)

QR_ZONE = QR_SIZE + 24 * mm  # the first page's bottom band: the code, its caption and the notes
FOOTER = 10 * mm


def licence_pdf(
    data: LicenceSeal,
    *,
    title: str,
    lines: list[tuple[str, str]],
    scope_rows: list[list[str]],
    scope_header: Sequence[str] = (),
) -> bytes:
    """The licence's electronic certificate: A4, the title, the record `lines` (label, value), the signed QR
    code on the first page, and the scope as a table (`scope_header` repeated on every page) that runs onto
    as many pages as it needs. Every page names the licence number and its page. The wqy font is embedded
    (a subset) as in the certificate PDF; the same licence and key give the same bytes."""
    text = seal_licence(data)
    font = font_name()
    verify_url = absolute_url(reverse("seal:verify"))
    width, height = A4
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=settings.SEAL_ISSUER,
        creator="CertHub",
        invariant=True,
        pageCompression=1,
    )
    frame_width = width - 2 * MARGIN

    def footer(page: Canvas, doc: BaseDocTemplate) -> None:
        page.saveState()
        page.setFont(font, 8)
        page.setFillGray(0.35)
        page.drawRightString(
            width - MARGIN,
            MARGIN - 6 * mm,
            _("%(number)s · 第%(page)d页") % {"number": data.number, "page": doc.page},
        )
        page.restoreState()

    def first_page(page: Canvas, doc: BaseDocTemplate) -> None:
        draw_qr(page, text, x=width - MARGIN - QR_SIZE, y=MARGIN + 14 * mm, size=QR_SIZE)
        page.saveState()
        page.setFont(font, 9)
        page.drawCentredString(width - MARGIN - QR_SIZE / 2, MARGIN + 9 * mm, _("扫码核验真伪"))
        page.setFont(font, 8)
        page.setFillGray(0.35)
        notes = [
            _("本电子证书的二维码内含认证通签名，可用公开的信任列表离线核验。"),
            _("核验地址：%(url)s") % {"url": verify_url},
        ]
        for offset, note in enumerate(notes):
            page.drawString(MARGIN, MARGIN + 4 * mm - offset * 4.5 * mm, note)
        page.restoreState()
        footer(page, doc)

    first_frame = Frame(
        MARGIN, MARGIN + QR_ZONE, frame_width, height - 2 * MARGIN - QR_ZONE, id="first", showBoundary=0
    )
    later_frame = Frame(MARGIN, MARGIN, frame_width, height - 2 * MARGIN, id="later", showBoundary=0)
    document.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first_frame], onPage=first_page),
            PageTemplate(id="later", frames=[later_frame], onPage=footer),
        ]
    )

    def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.45, wordWrap="CJK", **extra)

    title_style = style("title", 22, alignment=1, spaceAfter=4 * mm)
    subtitle_style = style("subtitle", 11, alignment=1, spaceAfter=8 * mm)
    label_style = style("label", 10.5, textColor=(0.35, 0.35, 0.35))
    value_style = style("value", 10.5)
    heading_style = style("heading", 13, spaceBefore=6 * mm, spaceAfter=3 * mm)
    cell_style = style("cell", 9)

    def paragraph(value: str, paragraph_style: ParagraphStyle) -> Paragraph:
        # Paragraph reads a small markup language; the records' text is text.
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(escaped.replace("\n", "<br/>"), paragraph_style)

    story: list[Any] = [
        NextPageTemplate("later"),
        paragraph(title, title_style),
        paragraph(licence_type_label(data.licence_type), subtitle_style),
    ]
    if lines:
        record = Table(
            [[paragraph(label, label_style), paragraph(value or "—", value_style)] for label, value in lines],
            colWidths=[38 * mm, frame_width - 38 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
        )
        story.append(record)
    story.append(paragraph(_("许可范围"), heading_style))
    rows = [[paragraph(cell, cell_style) for cell in row] for row in scope_rows]
    if scope_header:
        rows.insert(0, [paragraph(cell, cell_style) for cell in scope_header])
    if not scope_rows:
        story.append(paragraph("—", value_style))
    else:
        columns = max(len(row) for row in rows)
        rows = [row + [paragraph("", cell_style)] * (columns - len(row)) for row in rows]
        story.append(
            Table(
                rows,
                colWidths=[frame_width / columns] * columns,
                repeatRows=1 if scope_header else 0,
                style=[
                    ("GRID", (0, 0), (-1, -1), 0.5, (0.45, 0.45, 0.45)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    *([("LINEBELOW", (0, 0), (-1, 0), 1.2, (0, 0, 0))] if scope_header else []),
                ],
            )
        )
    story.append(Spacer(1, 2 * mm))
    document.build(story)
    return buffer.getvalue()


# ------------------------------------------------------------------ verifying online


@dataclass(frozen=True)
class LicenceRecord:
    """What the licensing records say now about a sealed licence: whether it is in force, its status and
    the word for it, and the public page that shows it."""

    valid: bool
    status: str
    status_label: str
    url: str = ""
    ledger_index: int | None = None


LicenceLookup = Callable[[LicenceSeal], "LicenceRecord | None"]
_lookups: list[LicenceLookup] = []


def register_licence_lookup(lookup: LicenceLookup) -> None:
    """Let the verify page and API read a sealed licence's current record. The licensing app sits above
    seal in the layers (docs/architecture.md), so it hands its lookup down from its AppConfig.ready: given
    the sealed facts, the current record, or None when there is no such licence."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def current_licence(licence: LicenceSeal) -> tuple[bool, LicenceRecord | None]:
    """(whether any lookup is registered, the record it found)."""
    for lookup in _lookups:
        record = lookup(licence)
        if record is not None:
            return True, record
    return bool(_lookups), None


@dataclass(frozen=True)
class LicenceSealCheck:
    """A genuine licence seal, and the licence's current record when the licensing records can be read
    (`looked_up`); `record` is None when they were read and hold no such licence."""

    seal: VerifiedLicenceSeal
    looked_up: bool
    record: LicenceRecord | None

    @property
    def status_changed(self) -> bool:
        return self.record is not None and self.record.status != self.seal.claims.licence.status


def check_any_seal(text: str, *, now: datetime.datetime | None = None) -> SealCheck | LicenceSealCheck:
    """The /verify/ page's and the API's check: a certificate's seal as queries.check_seal reads it, a
    licence's seal against the same keys, then the licence's current record if it can be read."""
    seal = verify_any_seal(text, trusted_keys(), now=now or timezone.now(), issuer=settings.SEAL_ISSUER)
    if isinstance(seal, VerifiedSeal):
        return certificate_check(seal)
    looked_up, record = current_licence(seal.claims.licence)
    return LicenceSealCheck(seal, looked_up, record)


def licence_verdict(check: LicenceSealCheck) -> Verdict:
    """What the page says about a genuine licence seal (C8): genuine is not the same as in force."""
    licence = check.seal.claims.licence
    if not check.looked_up:
        return Verdict(
            "valid",
            _("防伪二维码真实：此许可证电子证书由认证通签发，内容未被改动"),
            [_("二维码中的内容是签发时的许可证信息；许可证此后可能变更、暂停或撤销，当前状态请以发证机关的公示为准。")],
        )
    record = check.record
    if record is None:
        return Verdict(
            "ended",
            _("防伪二维码签名真实，但许可记录中查不到此许可证"),
            [_("请向发证机关核实；查不到的许可证不能视为有效许可证。")],
        )
    if record.valid and not check.status_changed:
        return Verdict("valid", _("防伪二维码真实，许可证当前有效"))
    return Verdict(
        "ended",
        _("防伪二维码真实，但许可证“%(number)s”当前状态为“%(status)s”")
        % {"number": licence.number, "status": record.status_label},
        [_("签发二维码时许可证有效；此后状态已变更，请以许可记录的当前状态为准。")],
    )
