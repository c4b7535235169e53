"""The self-assessment's picture and PDF report (卓越绩效自评, C12): the profile — the share of each
category's points earned, beside the previous year's — drawn by the toolbox's figures (matplotlib), and a
reportlab report with the totals, the comparison, every item's score, band and evidence."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.plots import to_flowable
from certhub.toolbox import excellence
from certhub.toolbox.figures import profile_chart
from certhub.toolbox.models import Assessment

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# reportlab's built-in CID font for Simplified Chinese (as the statistics report uses): nothing to install.
PDF_FONT = "STSong-Light"


def profile_figure(summary: excellence.Summary, previous: excellence.Summary | None, *, title: str) -> Figure:
    """Each category's share of its points (toolbox.figures.profile_chart takes shares 0–1)."""
    labels = [f"{row.category.code} {row.category.title}" for row in summary.categories]
    shares = [share / 100 for share in summary.profile]
    before = [share / 100 for share in previous.profile] if previous else None
    return profile_chart(labels, shares, title=title, previous=before)


def _number(value: object) -> str:
    return "" if value is None else f"{value}"


def report_pdf(assessment: Assessment) -> bytes:
    """The assessment as a PDF: title, edition, totals per category beside the previous year, the profile
    chart, then each item with its points, score, band and evidence."""
    from reportlab.lib import colors  # lazy: a heavy library only the PDF needs
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    title_style = ParagraphStyle("title", fontName=PDF_FONT, fontSize=18, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=PDF_FONT, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=8, leading=11, wordWrap="CJK")

    def table(rows: list[list[object]], widths: list[float]) -> Table:
        result = Table(
            [[Paragraph(_number(value), cell) for value in row] for row in rows], colWidths=widths, repeatRows=1
        )
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d1db")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f3f7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return result

    standard = excellence.standard()
    summary = excellence.summary_of(assessment)
    previous = excellence.previous_of(assessment)
    previous_summary = excellence.summary_of(previous) if previous else None
    scores = excellence.scores_of(assessment)
    heading_text = _("%(year)s 年度卓越绩效自评报告") % {"year": assessment.year}
    story: list[Flowable] = [
        Paragraph(heading_text, title_style),
        Paragraph(
            _(
                "依据 %(edition)s《%(title)s》· 总分 %(total)s / %(points)s · "
                "已评 %(scored)s / %(items)s 个条款 · 生成日期：%(today)s"
            )
            % {
                "edition": assessment.edition,
                "title": standard.title,
                "total": summary.total,
                "points": standard.points,
                "scored": summary.scored,
                "items": len(standard.items),
                "today": timezone.localdate().isoformat(),
            },
            body,
        ),
    ]
    if assessment.title:
        story.append(Paragraph(assessment.title, body))
    story.append(Paragraph(_("各类目得分"), heading))
    previous_label = _("%(year)s 年") % {"year": previous.year} if previous else _("上一年度")
    rows: list[list[object]] = [[_("类目"), _("分值"), _("本年度"), previous_label, _("变化")]]
    rows += [
        [row.label, row.points, row.current, row.previous, row.change]
        for row in excellence.compare(summary, previous_summary)
    ]
    story.append(table(rows, [70 * mm, 20 * mm, 25 * mm, 25 * mm, 25 * mm]))
    story.append(Spacer(1, 4 * mm))
    chart_title = _("%(year)s 年度卓越绩效自评：各类目得分率") % {"year": assessment.year}
    story.append(to_flowable(profile_figure(summary, previous_summary, title=chart_title), width=170 * mm))
    story.append(Paragraph(_("各条款得分和证据"), heading))
    item_rows: list[list[object]] = [[_("条款"), _("分值"), _("得分"), _("评分区间"), _("证据说明")]]
    for item in standard.items:
        score = scores.get(item.code)
        band = excellence.band_of(item, score.score if score else None)
        item_rows.append(
            [
                f"{item.code} {item.title}",
                item.points,
                score.score if score else _("未评分"),
                band.label if band else "",
                score.evidence if score else "",
            ]
        )
    story.append(table(item_rows, [45 * mm, 14 * mm, 16 * mm, 22 * mm, 73 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_("结构和分值依据：") + standard.source, cell))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=heading_text, leftMargin=18 * mm, rightMargin=18 * mm).build(story)
    return out.getvalue()
