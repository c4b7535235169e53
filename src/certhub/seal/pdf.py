"""A printable certificate: one A4 page with the record and its seal (C3 anti-forgery: the
paper carries the signed QR code, so anyone can check it offline with the published keys).

The Chinese font is embedded (a subset of the glyphs used), so the page prints the same on a machine
with no Chinese fonts; its file is settings.PDF_FONT (CERTHUB_PDF_FONT). The output is invariant: the
same certificate state gives the same bytes."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas

from certhub.core.errors import DomainError
from certhub.registry.models import Certificate
from certhub.seal import qr

FONT_NAME = "CertHubCJK"
MARGIN = 20 * mm
QR_SIZE = 45 * mm


class PdfFontMissing(DomainError):
    """The configured font cannot be used; the message names the file and the fix."""

    status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message, code="pdf_font_missing")


@functools.cache
def _register_font(path: str) -> str:
    """Register the font file once per process (reportlab keeps a global registry by name)."""
    name = f"{FONT_NAME}-{len(pdfmetrics.getRegisteredFontNames())}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except (OSError, TTFError) as error:
        raise PdfFontMissing(
            _(
                "PDF字体%(path)s无法使用（%(error)s）：请安装fonts-wqy-microhei，或用CERTHUB_PDF_FONT指定含中文字形的TrueType字体"
            )
            % {"path": path, "error": error}
        ) from None
    return name


def font_name() -> str:
    path = str(settings.PDF_FONT)
    if not Path(path).is_file():
        raise PdfFontMissing(
            _("PDF字体文件%(path)s不存在：请安装fonts-wqy-microhei，或用CERTHUB_PDF_FONT指定含中文字形的TrueType字体")
            % {"path": path}
        )
    return _register_font(path)


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text to fit `width`, between any two characters (Chinese has no spaces to break at)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for character in paragraph:
            if line and pdfmetrics.stringWidth(line + character, font, size) > width:
                lines.append(line)
                line = ""
            line += character
        lines.append(line)
    return lines


def certificate_pdf(certificate: Certificate, seal: str, *, verify_url: str) -> bytes:
    """The certificate as a one-page PDF with its seal. `seal` is the QR text (seal.queries.seal_text);
    `verify_url` is where a person without a QR reader can paste it."""
    font = font_name()
    page = canvas.Canvas(io.BytesIO(), pagesize=A4, invariant=True, pageCompression=1)
    page.setTitle(_("认证证书 %(number)s") % {"number": certificate.number})
    page.setAuthor(settings.SEAL_ISSUER)
    page.setCreator("CertHub")
    width, height = A4
    text_width = width - 2 * MARGIN
    y = height - MARGIN - 10 * mm

    page.setFont(font, 24)
    page.drawCentredString(width / 2, y, _("认证证书"))
    y -= 9 * mm
    page.setFont(font, 11)
    page.drawCentredString(width / 2, y, certificate.scheme.name)
    y -= 16 * mm

    body = certificate.certification_body
    # (label, value, at most this many lines): the scope may be long; the rest fit on a line or two.
    rows = [
        (_("证书编号"), certificate.number, 2),
        (_("获证组织"), certificate.holder_name, 2),
        (_("统一社会信用代码"), certificate.holder.uscc, 1),
        (_("认证制度"), f"{certificate.scheme.code} {certificate.scheme.name}", 2),
        (_("认证范围"), certificate.scope or "—", 10),
        (_("依据标准"), certificate.standards or "—", 3),
        (_("初次发证日期"), certificate.original_issue_date.isoformat(), 1),
        (_("发证日期"), certificate.issue_date.isoformat(), 1),
        (_("有效期至"), certificate.expiry_date.isoformat(), 1),
        (_("认证机构"), f"{body.name}（{body.approval_number}）", 2),
    ]
    label_width = 36 * mm
    size, leading = 11, 6.5 * mm
    qr_top = MARGIN + 18 * mm + QR_SIZE
    floor = MARGIN + 14 * mm  # the notes under the record

    def width_at(baseline: float) -> float:
        """Beside the QR code, lines stop short of it."""
        full = text_width - label_width
        return full - QR_SIZE - 6 * mm if baseline < qr_top + 2 * mm else full

    for label, value, most in rows:
        if y < floor:
            break
        page.setFont(font, size)
        page.setFillGray(0.35)
        page.drawString(MARGIN, y, label)
        page.setFillGray(0)
        lines = _lines(value, font, size, width_at(y - most * leading))
        shown = [line for index, line in enumerate(lines[:most]) if y - index * leading >= floor]
        if len(shown) < len(lines):
            # The registry holds the whole text; the paper says where to read the rest.
            shown[-1] = shown[-1][: max(len(shown[-1]) - 8, 0)] + _("……（详见登记库）")
        for line in shown:
            page.drawString(MARGIN + label_width, y, line)
            y -= leading
        y -= 2 * mm

    draw_qr(page, seal, x=width - MARGIN - QR_SIZE, y=MARGIN + 18 * mm, size=QR_SIZE)
    page.setFont(font, 9)
    caption_x = width - MARGIN - QR_SIZE / 2
    page.drawCentredString(caption_x, MARGIN + 12 * mm, _("扫码核验真伪和当前状态"))
    page.setFont(font, 8)
    page.setFillGray(0.35)
    notes = [
        _("本证书信息以认证通登记库为准。二维码内含签名，可用公开的信任列表离线核验；"),
        _("联网核验另可查看证书的当前状态。核验地址：%(url)s") % {"url": verify_url},
    ]
    for offset, note in enumerate(notes):
        page.drawString(MARGIN, MARGIN + 4 * mm - offset * 4.5 * mm, note)
    return page.getpdfdata()


def draw_qr(page: canvas.Canvas, text: str, *, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles (sharp at any printer resolution), one per run of dark modules in
    a row, with its quiet zone of four modules left white."""
    modules = qr.matrix(text)
    count = len(modules)
    cell = size / (count + 8)
    origin_x, origin_y = x + 4 * cell, y + 4 * cell
    page.setFillGray(0)
    for row, line in enumerate(modules):
        bottom = origin_y + (count - 1 - row) * cell
        column = 0
        while column < count:
            if not line[column]:
                column += 1
                continue
            start = column
            while column < count and line[column]:
                column += 1
            page.rect(origin_x + start * cell, bottom, (column - start) * cell, cell, stroke=0, fill=1)
