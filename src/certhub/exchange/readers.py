"""Reading a submitted file as rows, streamed: CSV (UTF-8 or GB18030/GBK), XLSX, JSON Lines (C2).

Everything here reads; nothing writes. A file that cannot be read at all raises FileRejected with the
reason a person can act on; a single bad row becomes that row's problem, not the file's."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.utils.translation import gettext as _

from certhub.core.jsonlimits import MAX_DEPTH, too_deep
from certhub.core.spreadsheets import read_xlsx_package
from certhub.exchange.choices import SubmissionFormat
from certhub.exchange.fields import LOOKUP, Column, HeaderError, header_key, resolve_header

BLOCK = 1024 * 1024
csv.field_size_limit(1024 * 1024)


class FileRejected(Exception):
    """The whole file is refused: `problems` are (field, value, message) for row 0 (the file)."""

    def __init__(self, message: str, problems: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or [("", "", message)]


@dataclass
class Received:
    """A received file: where it is, what it is called, its size and digest, and its format."""

    path: Path
    name: str
    size: int
    sha256: str
    file_format: str
    encoding: str = ""


@dataclass
class RawRow:
    """One data row as read: its number as the submitter sees it (the spreadsheet row or the file's line),
    its values by column key, and any problem the reader itself found."""

    number: int
    values: dict[str, Any]
    problem: tuple[str, str, str] | None = None


def file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(BLOCK):
            size += len(block)
            digest.update(block)
    return size, digest.hexdigest()


def sniff_format(path: Path, name: str) -> str:
    """By content first (an XLSX is a zip), then by the name's ending."""
    with path.open("rb") as stream:
        head = stream.read(8)
    lower = name.lower()
    if head.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        return SubmissionFormat.XLSX
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return SubmissionFormat.JSONL
    return SubmissionFormat.CSV


def receive(path: Path, name: str) -> Received:
    """Check what can be checked without reading rows: empty, too large, format."""
    size, sha256 = file_digest(path)
    if size == 0:
        raise FileRejected(_("文件为空"))
    if size > settings.SUBMISSION_MAX_BYTES:
        raise FileRejected(
            _("文件大小%(size)s字节，超过上限%(limit)s字节：请拆分后分批报送")
            % {"size": f"{size:,}", "limit": f"{settings.SUBMISSION_MAX_BYTES:,}"}
        )
    return Received(path=path, name=name, size=size, sha256=sha256, file_format=sniff_format(path, name))


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else GB18030 (a superset of GBK and
    GB2312, what Excel on Chinese Windows saves), else refuse naming the line and byte. Both decoders are
    strict, so the answer is exact rather than a guess."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected(_("文件为UTF-16编码：请另存为“CSV UTF-8（逗号分隔）”"))
    candidates = ["utf-8-sig"] if head.startswith(codecs.BOM_UTF8) else ["utf-8", "gb18030"]
    failure: tuple[int, int, int] | None = None
    for encoding in candidates:
        failure = _decode_failure(path, encoding)
        if failure is None:
            return encoding
    assert failure is not None
    line, offset, byte = failure
    raise FileRejected(
        _(
            "文件编码无法识别：第%(line)d行（文件第%(offset)d字节，0x%(byte)02X）既不是UTF-8也不是GB18030/GBK：请另存为UTF-8"
        )
        % {"line": line, "offset": offset + 1, "byte": byte}
    )


def _decode_failure(path: Path, encoding: str) -> tuple[int, int, int] | None:
    """None if the file decodes; else (line, byte offset, byte) of the first undecodable byte."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, lines = 0, 1
    with path.open("rb") as stream:
        while True:
            block = stream.read(BLOCK)
            final = not block
            try:
                decoder.decode(block, final=final)
            except UnicodeDecodeError as error:
                where = offset + max(error.start, 0)
                with path.open("rb") as again:
                    before = again.read(where)
                    bad = again.read(1)
                return before.count(b"\n") + 1, where, bad[0] if bad else 0
            if final:
                return None
            lines += block.count(b"\n")
            offset += len(block)


def read_rows(received: Received, kind: str) -> Iterator[RawRow]:
    """The file's data rows, streamed. Raises FileRejected for a file-level problem (before any row)."""
    if received.file_format == SubmissionFormat.XLSX:
        return _xlsx_rows(received, kind)
    if received.file_format == SubmissionFormat.JSONL:
        received.encoding = "utf-8"
        return _jsonl_rows(received, kind)
    received.encoding = detect_encoding(received.path)
    return _csv_rows(received, kind)


def _header(kind: str, headers: list[object]) -> list[Column | None]:
    try:
        return resolve_header(kind, headers)
    except HeaderError as error:
        raise FileRejected(error.problems[0][2], error.problems) from None


def _csv_rows(received: Received, kind: str) -> Iterator[RawRow]:
    stream = io.TextIOWrapper(received.path.open("rb"), encoding=received.encoding, newline="")
    try:
        sample = stream.read(64 * 1024)
        stream.seek(0)
        delimiter = ","
        first_line = sample.split("\n", 1)[0]
        if first_line.count("\t") > first_line.count(",") and first_line.count("\t") > 0:
            delimiter = "\t"  # "Text (tab delimited)" from Excel
        reader = csv.reader(stream, delimiter=delimiter)
        try:
            headers = next(reader)
        except StopIteration:
            raise FileRejected(_("文件为空")) from None
        except csv.Error as error:
            raise FileRejected(_("第1行无法读取：%(error)s") % {"error": error}) from None
        columns = _header(kind, list(headers))
        return _csv_body(stream, reader, columns)
    except BaseException:
        stream.close()
        raise


def _csv_body(stream: io.TextIOWrapper, reader: Any, columns: list[Column | None]) -> Iterator[RawRow]:
    width = len(columns)
    number = 1
    with stream:
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield RawRow(number, {}, ("", "", _("本行无法读取：%(error)s") % {"error": error}))
                continue
            if not any(cell.strip() for cell in cells):
                continue
            problem = None
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                problem = ("", "", _("本行有%(cells)d列，表头只有%(width)d列") % {"cells": len(cells), "width": width})
            values = {column.key: cell for column, cell in zip(columns, cells, strict=False) if column is not None}
            yield RawRow(number, values, problem)


def check_xlsx(path: Path) -> None:
    """An XLSX is a zip with a workbook inside. Refuse anything else, and anything that would expand
    past SUBMISSION_XLSX_MAX_UNZIPPED or at more than 200:1 (a zip bomb), before openpyxl opens it."""
    package = read_xlsx_package(path)
    if package is None:
        raise FileRejected(_("不是有效的XLSX文件（无法按zip格式打开）：请用Excel另存为.xlsx"))
    if not package.has_workbook:
        raise FileRejected(_("不是有效的XLSX文件（缺少工作簿xl/workbook.xml）：旧版.xls请另存为.xlsx"))
    limit = settings.SUBMISSION_XLSX_MAX_UNZIPPED
    if package.too_large(limit):
        raise FileRejected(
            _("XLSX解压后为%(unzipped)s字节（压缩比%(ratio)d:1），超过上限%(limit)s字节或200:1，疑似压缩炸弹，已拒收")
            % {"unzipped": f"{package.unzipped:,}", "ratio": package.ratio, "limit": f"{limit:,}"}
        )


def _xlsx_rows(received: Received, kind: str) -> Iterator[RawRow]:
    import openpyxl  # lazy: a heavy library only XLSX submissions need

    check_xlsx(received.path)
    try:
        workbook = openpyxl.load_workbook(received.path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise FileRejected(_("XLSX文件已损坏，无法读取：%(error)s") % {"error": str(error)[:200]}) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = next(rows)
    except StopIteration:
        workbook.close()
        raise FileRejected(_("工作表“%(sheet)s”为空") % {"sheet": sheet.title}) from None
    try:
        columns = _header(kind, list(headers))
    except FileRejected:
        workbook.close()
        raise
    return _xlsx_body(workbook, rows, columns)


def _xlsx_body(workbook: Any, rows: Iterator[tuple[Any, ...]], columns: list[Column | None]) -> Iterator[RawRow]:
    width = len(columns)
    try:
        for number, cells in enumerate(rows, start=2):
            if not any(cell is not None and str(cell).strip() for cell in cells):
                continue
            problem = None
            if len(cells) > width and any(c is not None and str(c).strip() for c in cells[width:]):
                problem = ("", "", _("本行在表头以外的列有内容"))
            values = {
                column.key: ("" if cell is None else cell)
                for column, cell in zip(columns, cells, strict=False)
                if column is not None
            }
            yield RawRow(number, values, problem)
    finally:
        workbook.close()


def _jsonl_rows(received: Received, kind: str) -> Iterator[RawRow]:
    lookup = LOOKUP[kind]
    with received.path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield RawRow(number, {}, ("", "", _("不是有效的JSON：%(error)s") % {"error": str(error)[:120]}))
                continue
            if too_deep(record):
                yield RawRow(number, {}, ("", "", _("JSON嵌套超过%(limit)d层") % {"limit": MAX_DEPTH}))
                continue
            yield json_row(number, record, lookup, header_key)


def json_row(number: int, record: Any, lookup: dict[str, Column], header_key: Any) -> RawRow:
    """One JSON object as a row: its keys are matched like CSV headers; `products` (a list of objects)
    is accepted as it is."""
    if not isinstance(record, dict):
        return RawRow(number, {}, ("", "", _("应为JSON对象")))
    values: dict[str, Any] = {}
    for key, value in record.items():
        if key == "products":
            values["products"] = value
            continue
        column = lookup.get(header_key(key))
        if column is None:
            return RawRow(number, values, (str(key)[:64], "", _("未知字段“%(field)s”") % {"field": str(key)[:60]}))
        values[column.key] = value
    return RawRow(number, values, None)
