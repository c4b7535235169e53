"""Reading tables (C12): CSV in UTF-8, UTF-8 with BOM and GB18030, XLSX (first sheet), typed text; every bad
file or cell refused with the row and column named (issue 18, bad input)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pytest

from certhub.toolbox import tables
from certhub.toolbox.errors import InputError
from certhub.toolbox.tables import Table, labels, numbers, parse_text, read_table

NOT_A_TABLE = "不是 CSV 或 XLSX 文件：请上传 CSV（UTF-8 或 GBK/GB18030 编码）或 Excel 的 .xlsx 文件"
CSV = "样本,直径\n1,74.030\n1,74.002\n2,73.995\n"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("其他").append(["不读", "这张"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refused(call, *args) -> InputError:
    with pytest.raises(InputError) as error:
        call(*args)
    return error.value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings(encoding):
    table = read_table(CSV.encode(encoding), "a.csv")
    assert table == Table(("样本", "直径"), (("1", "74.030"), ("1", "74.002"), ("2", "73.995")))


def test_csv_by_content_not_by_name():
    assert read_table(CSV.encode(), "data.xlsx").columns == ("样本", "直径")
    assert read_table(xlsx([["a"], [1]]), "data.csv").rows == (("1",),)


def test_xlsx_first_sheet_cells_as_written():
    data = xlsx([["样本", "直径", "合格", "日期"], [1, 74.03, True, datetime(2026, 3, 1)], [2, 73.995, False, None]])
    table = read_table(data, "rings.xlsx")
    assert table.columns == ("样本", "直径", "合格", "日期")
    assert table.rows == (("1", "74.03", "TRUE", "2026-03-01"), ("2", "73.995", "FALSE", ""))
    assert numbers(table, "直径").tolist() == [74.03, 73.995]


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,  # an old .xls
        b"\x00\x01\x02binary\x00\xff",
        "a,b\n1,2\n".encode("utf-16"),
    ],
)
def test_not_csv_or_xlsx_refused(data):
    error = refused(read_table, data, "x.csv")
    assert (error.field, error.text()) == ("file", NOT_A_TABLE)


def test_zip_that_is_not_a_workbook_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    error = refused(read_table, out.getvalue(), "x.xlsx")
    assert error.text() == NOT_A_TABLE


def test_empty_file_refused():
    assert refused(read_table, b"", "x.csv").text() == "文件为空"
    assert refused(read_table, b"\n\n  \n", "x.csv").text() == "文件为空"


def test_header_problems_refused():
    assert (
        refused(read_table, b"1,2\n3,4\n", "x.csv").text()
        == "第一行应为列名（表头），不能是数字：请在数据上方加一行列名"
    )
    assert refused(read_table, b"a,a\n1,2\n", "x.csv").text() == "列名“a”重复"
    assert refused(read_table, b"a,,c\n1,2,3\n", "x.csv").text() == "第 2 列没有列名"
    assert refused(read_table, b"a,b\n", "x.csv").text() == "只有表头，没有数据行"
    assert refused(read_table, b",\na,b\n1,2\n", "x.csv").text() == "第一行为空：第一行应为列名（表头）"
    error = refused(read_table, b"a,b\n1,2\n3,4,5\n", "x.csv")
    assert error.text() == "第 3 行在表头以外的列有内容"


def test_too_many_rows_refused(monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    assert len(read_table(b"a\n1\n2\n3\n", "x.csv").rows) == 3
    assert refused(read_table, b"a\n1\n2\n3\n4\n", "x.csv").text() == "数据超过 3 行，请拆分后分别分析"
    assert refused(read_table, xlsx([["a"], [1], [2], [3], [4], [5], [6]]), "x.xlsx").text() == (
        "数据超过 3 行，请拆分后分别分析"
    )


def test_the_real_row_limit_is_200000():
    assert tables.MAX_ROWS == 200_000
    data = ("v\n" + "1\n" * 200_001).encode()
    assert refused(read_table, data, "x.csv").text() == "数据超过 200,000 行，请拆分后分别分析"


def test_numbers_accept_grouping_and_full_width():
    table = parse_text("v\n1,234.5\n１２３．４\n-0.5\n+2e3\n")
    assert table.rows == (
        ("1,234.5",),
        ("１２３．４",),
        ("-0.5",),
        ("+2e3",),
    )  # no comma in the header: split on spaces
    assert numbers(table, "v").tolist() == [1234.5, 123.4, -0.5, 2000.0]


def test_csv_with_grouped_numbers_quoted():
    table = read_table('批次,金额\n1,"1,234.5"\n2,"12,000"\n'.encode(), "x.csv")
    assert numbers(table, "金额").tolist() == [1234.5, 12000.0]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("abc", "第 3 行“直径”列：“abc”不是数值"),
        ("1.2.3", "第 3 行“直径”列：“1.2.3”不是数值"),
        ("12,34", "第 3 行“直径”列：“12,34”不是数值"),
        ("nan", "第 3 行“直径”列：“nan”不是数值"),
        ("inf", "第 3 行“直径”列：“inf”不是数值"),
        ("", "第 3 行“直径”列：单元格为空，需要一个数值"),
    ],
)
def test_non_numeric_cell_named_by_row_and_column(cell, text):
    table = Table(("样本", "直径"), (("1", "74.0"), ("1", cell)))
    error = refused(numbers, table, "直径")
    assert (error.field, error.row, error.column, error.text()) == ("直径", 3, "直径", text)
    assert error.as_dict() == {"field": "直径", "row": 3, "column": "直径", "message": text}


def test_non_numeric_cell_in_a_file_keeps_the_spreadsheet_row():
    """A blank row inside the data is kept, so the row named is the one the person sees in Excel."""
    table = read_table(xlsx([["直径"], [74.0], [None], [73.9], ["x"]]), "x.xlsx")
    assert refused(numbers, table, "直径").text() == "第 3 行“直径”列：单元格为空，需要一个数值"
    table = read_table(xlsx([["直径"], [74.0], [73.9], ["x"]]), "x.xlsx")
    assert refused(numbers, table, "直径").text() == "第 4 行“直径”列：“x”不是数值"


def test_unknown_column_refused():
    table = Table(("a", "b"), (("1", "2"),))
    assert refused(numbers, table, "c").text() == "没有名为“c”的列（有：a、b）"


def test_labels():
    table = Table(("样本",), (("1",), ("2",)))
    assert labels(table, "样本") == ["1", "2"]
    assert (
        refused(labels, Table(("样本",), (("1",), ("",))), "样本").text() == "第 3 行“样本”列：单元格为空，需要一个标签"
    )


def test_parse_text_separators():
    assert parse_text("a\tb\n1\t2\n") == Table(("a", "b"), (("1", "2"),))  # pasted from a spreadsheet
    assert parse_text("a,b\r\n1,2\r\n") == Table(("a", "b"), (("1", "2"),))
    assert parse_text("\n a  b \n1   2\n\n") == Table(("a", "b"), (("1", "2"),))
    assert refused(parse_text, "  \n").text() == "没有输入数据"
    error = refused(parse_text, "74.0\n73.9\n")
    assert (error.field, error.text()) == ("text", "第一行应为列名（表头），不能是数字：请在数据上方加一行列名")


def test_numbers_return_float_array():
    values = numbers(parse_text("v\n1\n2\n"), "v")
    assert isinstance(values, np.ndarray)
    assert values.dtype == np.float64
