"""Exports of the KPI dashboard (C11): an XLSX workbook with one sheet per group of figures
(numbers as numbers, shares formatted as percentages) and the PDF report pack for the joint meeting
(联席会议) — title, date, the three KPIs per region against their targets, the maps of the prefectures (on the
province's pack, where a tile layout allows), the other tables and the charts.
Both are built from a stats.queries.Dashboard, i.e. from the stored figures only."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.display import localized_name
from certhub.core.spreadsheets import append_row
from certhub.market.choices import CheckChannel, Verdict
from certhub.market.models import Campaign, MarketCheck
from certhub.market.queries import campaign_tally
from certhub.registry.choices import GradedSubject, RiskGrade
from certhub.stats import charts
from certhub.stats.campaigns import tally_rows
from certhub.stats.choices import KPIS, TARGETS, CaseAge, InspectionKey
from certhub.stats.queries import Dashboard, Kpi, status_choices

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet
    from reportlab.platypus import Flowable

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT_FORMAT = "0.0%"


def _case_labels() -> list[str]:
    return [_("在办"), _("已超期"), *(str(label) for label in CaseAge.labels)]


def _met_text(kpi: Kpi) -> str:
    if kpi.met is None:
        return _("无数据")
    return _("达标") if kpi.met else _("未达标")


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _title(board: Dashboard) -> str:
    return _("%(region)s质量认证工作统计") % {"region": localized_name(board.region)}


# ----------------------------------------------------------------------------------------- XLSX


def workbook(board: Dashboard) -> bytes:
    """The dashboard as an XLSX workbook: 说明, 主要目标, 证书, 双随机抽查, 风险等级, 在办案件, 逐日趋势."""
    from openpyxl import Workbook  # lazy: a heavy library only the XLSX export needs
    from openpyxl.styles import Font

    book = Workbook()
    about = book.worksheets[0]  # the one sheet of a new workbook, its active one
    about.title = _("说明")
    for pair in (
        (_("标题"), _title(board)),
        (_("地区"), localized_name(board.region)),
        (_("地区代码"), board.region.code),
        (_("统计日期"), board.day),
        (_("生成时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ):
        append_row(about, pair)
    about["B4"].number_format = "yyyy-mm-dd"

    def sheet(title: str, header: list[str]) -> Worksheet:
        ws: Worksheet = book.create_sheet(title)
        append_row(ws, header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        return ws

    header = [_("地区"), _("地区代码")]
    for metric in KPIS:
        label = str(board.own.kpis[KPIS.index(metric)].label)
        header += [
            f"{label}·{_('分子')}",
            f"{label}·{_('分母')}",
            f"{label}·{_('比率')}",
            f"{label}·{_('目标')}",
            f"{label}·{_('是否达标')}",
        ]
    ws = sheet(_("主要目标"), header)
    for row in board.rows:
        values: list[object] = [row.name, row.region.code]
        for kpi in row.kpis:
            values += [
                kpi.numerator,
                kpi.denominator,
                _share(kpi.numerator, kpi.denominator),
                float(kpi.target) / 100,
                _met_text(kpi),
            ]
        append_row(ws, values)
        for offset in range(len(KPIS)):
            ws.cell(ws.max_row, 5 + offset * 5).number_format = PERCENT_FORMAT
            ws.cell(ws.max_row, 6 + offset * 5).number_format = "0%"

    statuses = status_choices()
    ws = sheet(_("证书"), [_("认证制度代码"), _("认证制度"), _("类别"), *(label for _v, label in statuses), _("合计")])
    for scheme in board.schemes:
        append_row(ws, [scheme.code, scheme.name, scheme.kind_label, *scheme.by_status, scheme.total])

    ws = sheet(
        _("双随机抽查"), [_("地区"), _("地区代码"), *(str(label) for label in InspectionKey.labels), _("按时公示率")]
    )
    for row in board.rows:
        on_time = _share(
            row.count("inspections", InspectionKey.ON_TIME), row.count("inspections", InspectionKey.PUBLISHED)
        )
        append_row(ws, [row.name, row.region.code, *row.inspections, on_time])
        ws.cell(ws.max_row, 3 + len(InspectionKey.values)).number_format = PERCENT_FORMAT

    grade_header = [_("地区"), _("地区代码")]
    for subject_label in GradedSubject.labels:
        grade_header += [f"{subject_label}·{grade}" for grade in RiskGrade.values]
    ws = sheet(_("风险等级"), grade_header)
    for row in board.rows:
        append_row(
            ws, [row.name, row.region.code, *(n for subject in GradedSubject.values for n in row.grade_mix(subject))]
        )

    ws = sheet(_("在办案件"), [_("地区"), _("地区代码"), *_case_labels()])
    for row in board.rows:
        append_row(ws, [row.name, row.region.code, *row.cases])

    ws = sheet(_("逐日趋势"), [_("日期"), *(str(kpi.label) for kpi in board.own.kpis)])
    days = sorted({day for points in board.series.values() for day, _rate in points})
    by_metric = {metric: dict(points) for metric, points in board.series.items()}
    for day in days:
        rates = [by_metric.get(metric, {}).get(day) for metric in KPIS]
        append_row(ws, [day, *(float(rate) / 100 if rate is not None else None for rate in rates)])
        ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"
        for column in range(2, 2 + len(KPIS)):
            ws.cell(ws.max_row, column).number_format = PERCENT_FORMAT

    for worksheet in book.worksheets:
        worksheet.column_dimensions["A"].width = 18
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# ----------------------------------------------------------------------------------------- PDF


def _register_font() -> None:
    """reportlab's built-in CID font for Simplified Chinese: no font file, works offline."""
    from reportlab.pdfbase import pdfmetrics  # lazy: a heavy library only the PDF report needs
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if charts.PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(charts.PDF_FONT))


def _kpi_cell(kpi: Kpi) -> str:
    if kpi.rate is None:
        return _("无数据")
    return f"{kpi.numerator}/{kpi.denominator} = {kpi.rate}%（{_met_text(kpi)}）"


# The maps at 0.78 point per unit: two to a row on A4 within the margins (2 × 310 units ≈ 2 × 85 mm).
MAP_SCALE = 0.78
# The bars, lines and stacks 450 points wide (≈ 159 mm), as the hand-drawn charts were (360 units × 1.25).
CHART_WIDTH = 450


def _map_note() -> str:
    return _(
        "示意图：每个方块代表一个市州，按大致相对位置排列，不代表实际边界和面积。颜色越深比率越高；"
        "打钩为达标，打叉为未达标，灰色斜线为无数据。"
    )


def report(board: Dashboard) -> bytes:
    """The report pack for the joint meeting (联席会议) as PDF bytes."""
    from reportlab.lib import colors  # lazy: a heavy library only the PDF report needs
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    font = charts.PDF_FONT
    title_style = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=11, wordWrap="CJK")

    def table(rows: list[list[object]], widths: list[float] | None = None) -> Table:
        data = [[Paragraph(str(value), cell) for value in row] for row in rows]
        result = Table(data, colWidths=widths, repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor(charts.LINE)),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f3f7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return result

    def figure(plot: charts.Plot) -> list[Flowable]:
        caption = f"{plot.title}。{plot.description}" if plot.description else plot.title
        return [charts.plot_flowable(plot, width=CHART_WIDTH), Paragraph(caption, cell)]

    story: list[Flowable] = [
        Paragraph(_title(board), title_style),
        Paragraph(
            _("联席会议材料 · 统计日期：%(day)s · 生成日期：%(today)s")
            % {"day": board.day.isoformat(), "today": timezone.localdate().isoformat()},
            body,
        ),
        Paragraph(_("口径：湘政发〔2018〕28号主要目标。数据来自每日统计汇总（certhub stats aggregate）。"), body),
        Paragraph(_("一、三项主要目标"), heading),
    ]
    targets = [f"{board.own.kpis[i].label}（{_('目标')} ≥ {TARGETS[m]}%）" for i, m in enumerate(KPIS)]
    kpi_rows: list[list[object]] = [[_("地区"), *targets]]
    kpi_rows += [[row.name, *(_kpi_cell(kpi) for kpi in row.kpis)] for row in board.rows]
    story.append(table(kpi_rows, [30 * mm, 48 * mm, 48 * mm, 48 * mm]))
    maps = charts.kpi_maps(board)
    if maps:  # the province's pack: the same maps as the page, two to a row
        story += [Paragraph(_("各市州示意图"), heading), Paragraph(_map_note(), body)]
        cells = [[Paragraph(chart.title, cell), charts.to_drawing(chart, scale=MAP_SCALE)] for chart in maps]
        grid = [cells[i : i + 2] + [""] * (2 - len(cells[i : i + 2])) for i in range(0, len(cells), 2)]
        map_table = Table(grid, colWidths=[89 * mm, 89 * mm])
        map_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
        story.append(map_table)
    for bars, line in charts.kpi_charts(board):
        # The page's pictures as vector drawings (core.plots.to_flowable), each with its title and the
        # accessible description (the target line) as a caption: the PDF's text layer says what they show.
        story += [Spacer(1, 4 * mm), *figure(bars)]
        if len(board.series.get(bars.metric, [])) > 1:  # a line needs two days at least
            story += figure(line)

    story.append(Paragraph(_("二、证书（按认证制度和状态）"), heading))
    statuses = status_choices()
    story.append(
        table(
            [
                [_("认证制度"), _("类别"), *(label for _v, label in statuses), _("合计")],
                *([f"{s.name}（{s.code}）", s.kind_label, *s.by_status, s.total] for s in board.schemes),
            ]
        )
    )

    story.append(Paragraph(_("三、双随机抽查完成和按时公示"), heading))
    story.append(
        table(
            [
                [_("地区"), *(str(label) for label in InspectionKey.labels)],
                *([row.name, *row.inspections] for row in board.rows),
            ]
        )
    )

    story.append(Paragraph(_("四、风险等级分布（企业；未评级的按B级计）"), heading))
    story.append(table([[_("地区"), *RiskGrade.values], *([row.name, *row.grade_mix()] for row in board.rows)]))
    story += figure(charts.grade_chart(board))

    story.append(Paragraph(_("五、在办案件及办理时长（工作日）"), heading))
    story.append(table([[_("地区"), *_case_labels()], *([row.name, *row.cases] for row in board.rows)]))

    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        title=_title(board),
        author="CertHub",
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
    )
    document.build(story)
    return output.getvalue()


# ----------------------------------------------------------------------------------------- a campaign (C7)

# The export lists a campaign's checks up to this many rows (an XLSX sheet holds 1,048,576); the tally
# counts them all.
CHECK_ROWS_CAP = 200_000


def campaign_workbook(campaign: Campaign) -> bytes:
    """A campaign as an XLSX workbook: 说明 (the campaign), 核查结果 (the tally) and 检查记录 (its checks,
    oldest first, up to CHECK_ROWS_CAP), every text a string cell (core.spreadsheets)."""
    from openpyxl import Workbook  # lazy: a heavy library only the XLSX export needs

    tally = campaign_tally(campaign)
    book = Workbook(write_only=True)
    about = book.create_sheet(_("说明"))
    for pair in (
        (_("专项整治名称"), campaign.name),
        (_("地区代码"), campaign.region_code),
        (_("开始日期"), campaign.starts_on),
        (_("结束日期"), campaign.ends_on),
        (_("CCC目录产品"), " ".join(campaign.product_codes) or _("全部")),
        (_("说明"), campaign.description),
        (_("生成时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("检查记录行数"), min(tally["checked"], CHECK_ROWS_CAP)),
    ):
        append_row(about, pair)
    results = book.create_sheet(_("核查结果"))
    append_row(results, (_("项目"), _("数量")))
    for row in tally_rows(tally):
        append_row(results, row)
    checks = book.create_sheet(_("检查记录"))
    append_row(
        checks,
        (_("检查日期"), _("发现渠道"), _("平台"), _("店铺或经营者"), _("产品名称"), _("型号"), _("所称编号"),
         _("商品条码"), _("结论"), _("理由")),
    )  # fmt: skip
    channels, verdicts = dict(CheckChannel.choices), dict(Verdict.choices)
    rows = (
        MarketCheck.objects.filter(campaign=campaign)
        .order_by("checked_on", "id")
        .values_list("checked_on", "channel", "platform", "shop", "product_name", "model", "claimed_number", "gtin",
                     "verdict", "reason")[:CHECK_ROWS_CAP]
    )  # fmt: skip
    for day, channel, platform, shop, name, model, number, gtin, verdict, reason in rows.iterator(chunk_size=2_000):
        append_row(
            checks,
            (day, str(channels.get(channel, channel)), platform, shop, name, model, number, gtin,
             str(verdicts.get(verdict, verdict)), reason),
        )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
