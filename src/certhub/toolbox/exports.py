"""A toolbox result as tables, and those tables as CSV, XLSX and a PDF report (C12): the points with their
limits and every violation for a control chart, the indices with their confidence intervals for
capability, the rows of a Pareto or quality-cost analysis. The page shows the same tables
(`tables_of`), so a download never says anything the page did not."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.toolbox import render, runs
from certhub.toolbox.capability import INDICES, Capability
from certhub.toolbox.pareto import Pareto
from certhub.toolbox.quality_cost import COST_KINDS, QualityCost
from certhub.toolbox.spc import SpcResult, rule_text

PDF_FONT = "STSong-Light"  # reportlab's built-in CID font for Simplified Chinese, as the statistics report uses

PDF_ROWS = 500  # rows of one table in the PDF report

INDEX_NAMES = {"cp": "Cp", "cpl": "Cpl", "cpu": "Cpu", "cpk": "Cpk", "cpm": "Cpm", "pp": "Pp", "ppk": "Ppk"}


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _n(value: float | None, digits: int = 6) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}g}"


def _pct(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value * 100:.2f}%"


def violations(result: SpcResult) -> list[dict[str, Any]]:
    """Every violation as the page lists it: chart, sample (its label and position), rule in words."""
    out = []
    for series in result.charts:
        for v in series.violations:
            out.append(
                {
                    "series": str(runs.SERIES_NAMES[series.name]),
                    "position": v.index + 1,
                    "label": series.labels[v.index] if v.index < len(series.labels) else str(v.index + 1),
                    "rule": v.rule,
                    "text": rule_text(v.rule),
                }
            )
    return out


def _spc_sheets(result: SpcResult) -> list[Sheet]:
    sheets = []
    header = (_("序号"), _("样本"), _("值"), _("中心线"), _("下控制限"), _("上控制限"), _("阶段"), _("判异"))
    for series in result.charts:
        rules: dict[int, list[str]] = {}
        for v in series.violations:
            rules.setdefault(v.index, []).append(v.rule)
        rows: list[tuple[Any, ...]] = []
        for i, point in enumerate(series.points):
            rows.append(
                (
                    i + 1,
                    series.labels[i] if i < len(series.labels) else str(i + 1),
                    _n(float(point), 10),
                    _n(series.center, 10),
                    _n(float(series.lcl[i]), 10),
                    _n(float(series.ucl[i]), 10),
                    _("第一阶段") if i < series.phase1 else _("第二阶段"),
                    " ".join(rules.get(i, [])),
                )
            )
        sheets.append(Sheet(str(runs.SERIES_NAMES[series.name]), header, rows))
    listed: list[tuple[Any, ...]] = [(v["series"], v["position"], v["label"], v["text"]) for v in violations(result)]
    sheets.append(Sheet(_("判异"), (_("图"), _("序号"), _("样本"), _("规则")), listed))
    return sheets


def _capability_sheets(cap: Capability) -> list[Sheet]:
    level = f"{cap.confidence:.0%}"
    indices = [
        (INDEX_NAMES[key], _n(getattr(cap, key), 4), _n(cap.ci[key][0], 4), _n(cap.ci[key][1], 4))
        for key in INDICES
        if key in cap.ci
    ]
    summary = [
        (_("样本量"), str(cap.n)),
        (_("均值"), _n(cap.mean, 7)),
        (_("组内标准差"), _n(cap.sigma_within, 7)),
        (_("整体标准差"), _n(cap.sigma_overall, 7)),
        (_("规格下限 LSL"), _n(cap.lsl, 7)),
        (_("规格上限 USL"), _n(cap.usl, 7)),
        (_("目标值"), _n(cap.target, 7)),
        (_("预计低于下限"), _pct(cap.expected_below)),
        (_("预计高于上限"), _pct(cap.expected_above)),
        (_("实际低于下限"), _pct(cap.observed_below)),
        (_("实际高于上限"), _pct(cap.observed_above)),
        (_("正态性检验"), f"{cap.normality.test} p = {_n(cap.normality.p_value, 4)}"),
        (_("结论"), cap.verdict),
    ]
    return [
        Sheet(
            _("能力指数"),
            (
                _("指数"),
                _("值"),
                _("%(level)s 置信下限") % {"level": level},
                _("%(level)s 置信上限") % {"level": level},
            ),
            indices,
        ),
        Sheet(_("概况"), (_("项目"), _("值")), summary),
    ]


def _pareto_sheets(p: Pareto) -> list[Sheet]:
    rows = [
        (r.category, _n(r.count, 10), _pct(r.share), _pct(r.cumulative), _("是") if r.vital else "") for r in p.rows
    ]
    return [Sheet(_("排列图"), (_("类别"), _("数量"), _("占比"), _("累计占比"), _("关键少数")), rows)]


COST_NAMES = {
    "prevention": gettext_lazy("预防成本"),
    "appraisal": gettext_lazy("鉴定成本"),
    "internal_failure": gettext_lazy("内部损失成本"),
    "external_failure": gettext_lazy("外部损失成本"),
}


def _cost_sheets(qc: QualityCost) -> list[Sheet]:
    names = [str(COST_NAMES[k]) for k in COST_KINDS]
    header = (_("期间"), *names, _("合计"), _("销售额"), _("占销售额比"))
    rows = [
        (
            p.period,
            *(_n(p.costs[k], 12) for k in COST_KINDS),
            _n(p.total, 12),
            _n(p.sales, 12),
            _pct(p.total_share),
        )
        for p in qc.periods
    ]
    trend = [(str(COST_NAMES[k]) if k in COST_NAMES else _("合计"), _pct(v)) for k, v in qc.trend.items()]
    return [
        Sheet(_("质量成本"), header, rows),
        Sheet(_("趋势（占销售额比每期变化，最小二乘斜率）"), (_("项目"), _("每期变化")), trend),
    ]


def tables_of(run: runs.Run) -> list[Sheet]:
    result: Any = run.result
    if isinstance(result, SpcResult):
        return _spc_sheets(result)
    if isinstance(result, Capability):
        return _capability_sheets(result)
    if isinstance(result, Pareto):
        return _pareto_sheets(result)
    return _cost_sheets(result)


def _safe(cell: Any) -> Any:
    """A cell that a spreadsheet would run as a formula is written as text (CSV injection)."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(run: runs.Run, title: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(title)])
    for label, value in runs.parameter_rows(run):
        writer.writerow([label, _safe(value)])
    for sheet in tables_of(run):
        writer.writerow([])
        writer.writerow([sheet.title])
        writer.writerow(sheet.header)
        writer.writerows([[_safe(c) for c in row] for row in sheet.rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read the Chinese as UTF-8


def to_xlsx(run: runs.Run, title: str) -> bytes:
    from openpyxl import Workbook  # lazy: only the download needs it

    book = Workbook(write_only=True)
    params = book.create_sheet(_("参数")[:31])
    params.append([_safe(title)])
    for label, value in runs.parameter_rows(run):
        params.append([label, _safe(value)])
    used: set[str] = set()
    for sheet in tables_of(run):
        name = sheet.title.replace("/", " ")[:28]
        while name in used:
            name += "_"
        used.add(name)
        ws = book.create_sheet(name)
        ws.append(list(sheet.header))
        for row in sheet.rows:
            ws.append([_safe(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(run: runs.Run, title: str) -> bytes:
    from reportlab.lib import colors  # lazy: a heavy library only the PDF needs
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    title_style = ParagraphStyle("title", fontName=PDF_FONT, fontSize=16, leading=22, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=PDF_FONT, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=7.5, leading=10, wordWrap="CJK")

    def table(header: tuple[str, ...] | None, rows: list[tuple[Any, ...]]) -> Table:
        data = ([list(header)] if header else []) + [list(r) for r in rows]
        result = Table([[Paragraph(str(v), cell) for v in row] for row in data], repeatRows=1 if header else 0)
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    *([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6"))] if header else []),
                ]
            )
        )
        return result

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm)
    story: list[Any] = [Paragraph(title, title_style), table(None, list(runs.parameter_rows(run)))]
    for flowable in render.flowables(run, width=doc.width):
        story += [Spacer(1, 4 * mm), flowable]
    if isinstance(run.result, Capability):
        story.append(Paragraph(run.result.verdict, heading))
        if run.result.normality.warning:
            story.append(Paragraph(run.result.normality.warning, cell))
    for sheet in tables_of(run):
        if not sheet.rows:
            continue
        story += [Paragraph(sheet.title, heading)]
        if len(sheet.rows) > PDF_ROWS:  # a report, not a data dump: every row is in the CSV and Excel downloads
            note = _("共 %(count)d 行，这里列出前 %(shown)d 行；全部数据见 CSV 或 Excel 下载。")
            story.append(Paragraph(note % {"count": len(sheet.rows), "shown": PDF_ROWS}, cell))
        story.append(table(sheet.header, sheet.rows[:PDF_ROWS]))
    doc.build(story)
    return buffer.getvalue()
