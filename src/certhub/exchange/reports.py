"""Downloads: a submission's report as CSV or XLSX, and the blank templates per kind and format (C2).
The templates are generated from exchange.fields, the same tables the importer reads with."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import orjson
from django.utils.translation import gettext as _

from certhub.core.spreadsheets import CsvWriter, append_row
from certhub.exchange.fields import COLUMNS
from certhub.exchange.models import Submission

REPORT_HEADER = ["row", "field", "value", "severity", "message"]


def report_header() -> list[str]:
    return [_("行号"), _("字段"), _("值"), _("类别"), _("原因")]


def report_rows(submission: Submission) -> Iterator[list[object]]:
    labels = {"error": _("错误"), "note": _("已规范化")}
    for row, field, value, severity, message in submission.problems.values_list(
        "row", "field", "value", "severity", "message"
    ).iterator(chunk_size=2000):
        yield [row, field, value, labels.get(severity, severity), message]


def report_csv(submission: Submission) -> Iterator[bytes]:
    """Streamed, UTF-8 with a BOM so that Excel shows the Chinese correctly."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer, lineterminator="\r\n")
    writer.writerow(report_header())
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode()
    for row in report_rows(submission):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue().encode()


def report_xlsx(submission: Submission) -> bytes:
    import openpyxl  # lazy: a heavy library only XLSX downloads need
    from openpyxl.writer.excel import save_workbook

    workbook = openpyxl.Workbook(write_only=True)
    summary = workbook.create_sheet(_("概况"))
    for label, value in (
        (_("报送编号"), submission.pk),
        (_("文件"), submission.filename),
        (_("SHA-256"), submission.sha256),
        (_("状态"), submission.get_state_display()),
        (_("数据行数"), submission.total_rows),
        (_("新增"), submission.created_count),
        (_("更新"), submission.updated_count),
        (_("无变化"), submission.unchanged_count),
        (_("退回"), submission.rejected_count),
        (_("说明"), submission.message),
    ):
        append_row(summary, [str(label), value])
    sheet = workbook.create_sheet(_("问题"))
    append_row(sheet, report_header())
    for row in report_rows(submission):
        append_row(sheet, row)
    out = io.BytesIO()
    save_workbook(workbook, out)  # openpyxl's writer (not a model save)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    columns = COLUMNS[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.zh for c in columns])
    writer.writerow([c.example for c in columns])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode()


def template_jsonl(kind: str) -> bytes:
    return orjson.dumps({c.key: c.example for c in COLUMNS[kind] if c.example}) + b"\n"


def template_xlsx(kind: str) -> bytes:
    import openpyxl  # lazy: a heavy library only XLSX downloads need
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import save_workbook

    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]  # the one sheet of a new workbook, its active one
    sheet.title = _("数据")
    columns = COLUMNS[kind]
    sheet.append([c.zh for c in columns])
    sheet.append([c.example for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.zh) * 2 + 4)
        if column.kind == "date" or column.key in ("number", "entity_id", "gtin", "ccc_product"):
            # Text cells: Excel must not turn codes into numbers or dates into serials.
            for row in (2, 3, 4, 5):
                sheet.cell(row=row, column=index).number_format = "@"
    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("中文列名"), _("英文列名"), _("必填"), _("说明"), _("其他可用列名")])
    for column in columns:
        notes.append(
            [column.zh, column.key, _("是") if column.required else "", str(column.help), "、".join(column.aliases)]
        )
    out = io.BytesIO()
    save_workbook(workbook, out)  # openpyxl's writer (not a model save)
    return out.getvalue()


TEMPLATES = {
    "csv": (template_csv, "text/csv; charset=utf-8"),
    "xlsx": (template_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jsonl": (template_jsonl, "application/x-ndjson"),
}
