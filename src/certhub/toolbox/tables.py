"""Reading an enterprise's measurements into a table (C12): a CSV or XLSX file, or data typed or pasted into a
page. Every calculator, the API, saved datasets and the `certhub toolbox` command read through here, so a bad
file or cell is refused the same way everywhere, naming the row (as a spreadsheet numbers it, the header
being row 1) and the column (docs/architecture.md convention on bad input).

Cells are kept as written (strings); `numbers()` turns one column into floats when a computation needs it,
so a dataset can be stored once and another column picked later."""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from certhub.core.spreadsheets import read_xlsx_package
from certhub.toolbox.errors import InputError

MAX_ROWS = 200_000
# An XLSX expands when unzipped; refuse a workbook that would expand past this or at more than 200:1 (a zip
# bomb) before openpyxl opens it — 200,000 rows of a few columns are far below it.
MAX_UNZIPPED = 512 * 1024 * 1024

_XLSX_MAGIC = b"PK\x03\x04"
# Files people upload by mistake, recognised by their first bytes so that the refusal does not depend on the
# name: PDF, PNG, JPEG, GIF, the old binary Excel/Word format (OLE2), gzip, 7z, RAR.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
)
# "1,234.5": digits grouped by thousands with commas, as Excel writes them in a CSV.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


@dataclass(frozen=True)
class Table:
    """A header and its rows, each cell as written (blank cells are "")."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _not_a_table() -> InputError:
    return InputError("file", _("不是 CSV 或 XLSX 文件：请上传 CSV（UTF-8 或 GBK/GB18030 编码）或 Excel 的 .xlsx 文件"))


def read_table(data: bytes, filename: str) -> Table:
    """A CSV (UTF-8, UTF-8 with BOM or GB18030/GBK) or an XLSX (its first sheet), told apart by content, not by
    `filename` (which is only used in messages)."""
    if not data or not data.strip():
        raise InputError("file", _("文件为空"))
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(_BINARY_MAGIC) or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _not_a_table()
    text = _decode(data)
    return _table(_csv_rows(text), "file")


def parse_text(text: str) -> Table:
    """Data typed or pasted into a page: the first line is the header; cells separated by tabs (pasted from a
    spreadsheet), else commas, else runs of spaces."""
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise InputError("text", _("没有输入数据"))
    head = lines[0]
    rows: list[list[str]]
    if "\t" in head:
        rows = [line.split("\t") for line in lines]
    elif "," in head:
        rows = list(csv.reader(lines))
    else:
        rows = [line.split() for line in lines]
    return _table(rows, "text")


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312, what Excel on Chinese Windows
    saves). Both decoders are strict; bytes neither accepts, or control characters no text file has, mean the
    file is not a CSV."""
    candidates = ["utf-8-sig"] if data.startswith(codecs.BOM_UTF8) else ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text[:65536]):
            raise _not_a_table()
        return text
    raise _not_a_table()


def _csv_rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        if "\t" in first:
            delimiter = "\t"
        elif ";" in first:
            delimiter = ";"  # Excel in locales with a decimal comma
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _not_a_table() from None


def _read_xlsx(data: bytes) -> Table:
    package = read_xlsx_package(io.BytesIO(data))
    if package is None or not package.has_workbook:
        raise _not_a_table()
    if package.too_large(MAX_UNZIPPED):
        message = _("XLSX 解压后过大（压缩比 %(ratio)d:1），疑似压缩炸弹，已拒收")
        raise InputError("file", message % {"ratio": package.ratio})
    import openpyxl  # lazy: a heavy library only XLSX uploads need

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise InputError("file", _("XLSX 文件已损坏，无法读取：请用 Excel 重新另存为 .xlsx")) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for cells in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(cell) for cell in cells])
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return _table(rows, "file")


def _cell_text(cell: Any) -> str:
    """An XLSX cell as a person would read it in the sheet: 74.03 not 74.03000000000001, TRUE, 2026-03-01."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat(sep=" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell).strip()


def _table(rows: list[list[str]], field: str) -> Table:
    """Header checks and row checks shared by files and typed text. Blank rows after the data are dropped;
    a blank row inside the data is kept, so that row numbers in messages are the spreadsheet's own (a blank
    cell is then refused where a number is needed, naming that row)."""
    rows = [[cell.strip() for cell in row] for row in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise InputError(field, _("文件为空") if field == "file" else _("没有输入数据"))
    numbered = list(enumerate(rows, start=1))
    header_number, header = numbered[0]
    while header and not header[-1]:
        header = header[:-1]
    if not header:
        raise InputError(field, _("第一行为空：第一行应为列名（表头）"), row=header_number)
    if all(_is_number(cell) for cell in header if cell):
        raise InputError(field, _("第一行应为列名（表头），不能是数字：请在数据上方加一行列名"), row=header_number)
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name:
            raise InputError(field, _("第 %(index)d 列没有列名") % {"index": index}, row=header_number)
        if name in seen:
            raise InputError(field, _("列名“%(name)s”重复") % {"name": name}, row=header_number)
        seen.add(name)
    body = numbered[1:]
    if not body:
        raise InputError(field, _("只有表头，没有数据行"))
    if len(body) > MAX_ROWS:
        raise InputError(field, _("数据超过 %(max)s 行，请拆分后分别分析") % {"max": f"{MAX_ROWS:,}"})
    width = len(header)
    out: list[tuple[str, ...]] = []
    for number, row in body:
        if len(row) > width and any(row[width:]):
            raise InputError(field, _("第 %(row)d 行在表头以外的列有内容") % {"row": number})
        cells = row[:width] + [""] * (width - len(row))
        out.append(tuple(cells))
    return Table(columns=tuple(header), rows=tuple(out))


def _is_number(cell: str) -> bool:
    try:
        _to_float(cell)
    except ValueError:
        return False
    return True


def _to_float(cell: str) -> float:
    text = unicodedata.normalize("NFKC", cell).strip().replace("\u2212", "-")
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not text or not re.match(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", text):
        raise ValueError(cell)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(cell)
    return value


def number(cell: str) -> float:
    """One cell as a number by the rule of `numbers()`; ValueError when it is not one."""
    return _to_float(cell)


def _column_index(table: Table, column: str) -> int:
    try:
        return table.columns.index(column)
    except ValueError:
        message = _("没有名为“%(column)s”的列（有：%(columns)s）")
        raise InputError(column, message % {"column": column, "columns": "、".join(table.columns)}) from None


def numbers(table: Table, column: str) -> np.ndarray:
    """One column as floats. "1,234.5" and full-width digits (１２３．４) are read as numbers (NFKC); a blank or
    anything else is refused naming its row and column."""
    index = _column_index(table, column)
    out = np.empty(len(table.rows), dtype=float)
    for i, row in enumerate(table.rows):
        cell = row[index]
        if not cell:
            raise InputError(column, _("单元格为空，需要一个数值"), row=i + 2, column=column)
        try:
            out[i] = _to_float(cell)
        except ValueError:
            raise InputError(column, _("“%(cell)s”不是数值") % {"cell": cell[:40]}, row=i + 2, column=column) from None
    return out


def labels(table: Table, column: str) -> list[str]:
    """One column as text (subgroup, sample or category labels); a blank label is refused naming its row."""
    index = _column_index(table, column)
    out = [row[index] for row in table.rows]
    for i, cell in enumerate(out):
        if not cell:
            raise InputError(column, _("单元格为空，需要一个标签"), row=i + 2, column=column)
    return out
