"""Reading the administrator's data-migration file of labs (registry.lab_migration describes it; C1, C8).

XLSX: one worksheet per sheet, named by the sheet's Chinese or English name (机构/labs, 资质认定范围/scope,
授权签字人/signatories, 关键人员/key_people), headers in the first row; other worksheets (instructions) are
skipped. CSV (UTF-8 or GB18030/GBK): one table whose first column, 表/sheet, names each row's sheet, with the
columns of all four sheets side by side. The same checks as every submitted file come first (exchange.readers:
empty, too large, undecodable, an unsafe or damaged XLSX, a zip bomb); openpyxl reads through defusedxml.
Nothing here writes; registry.actions.migration applies what is read."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from certhub.exchange.choices import SubmissionFormat
from certhub.exchange.fields import header_key
from certhub.exchange.readers import FileRejected, check_xlsx, detect_encoding, receive
from certhub.registry.lab_migration import (
    SHEET_COLUMN,
    SHEETS,
    LabMigration,
    MigrationRefused,
    Problem,
    Row,
    Sheet,
)


def _names(*texts: object) -> set[str]:
    with translation.override("zh-hans"):
        return {header_key(str(text)) for text in texts}


def _sheet_lookup() -> dict[str, Sheet]:
    return {name: sheet for sheet in SHEETS for name in _names(sheet.key, sheet.label, sheet.english)}


def _column_lookup(sheets: tuple[Sheet, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for sheet in sheets:
        for column in sheet.columns:
            for name in _names(column.key, column.label, column.english):
                table[name] = column.key
    return table


def cell_text(value: Any) -> Any:
    """A cell as the registry reads it: dates stay dates, whole numbers lose Excel's ".0", None is ""."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def read_lab_migration(path: Path, name: str) -> LabMigration:
    """The file's rows by sheet. Raises FileRejected for a file that cannot be read at all, and
    MigrationRefused for headers that do not fit (every one listed)."""
    received = receive(path, name)
    migration = LabMigration(name=name, sha256=received.sha256)
    if received.file_format == SubmissionFormat.XLSX:
        migration.rows = _xlsx_rows(path)
    elif received.file_format == SubmissionFormat.CSV:
        migration.rows = _csv_rows(path, detect_encoding(path))
    else:
        raise FileRejected(_("数据迁移文件须为CSV或XLSX"))
    return migration


def _header(sheet: Sheet | None, cells: list[Any], lookup: dict[str, str], where: str) -> list[str | None]:
    """Each header cell's column key (None for an empty one); unknown and missing columns refuse the file."""
    keys: list[str | None] = []
    problems: list[Problem] = []
    for cell in cells:
        text = header_key(cell)
        if not text:
            keys.append(None)
            continue
        key = lookup.get(text)
        if key is None:
            problems.append(Problem(where, 1, str(cell)[:40], _("未知列")))
        keys.append(key)
    for required in [c for c in sheet.columns if c.required] if sheet else []:
        if required.key not in keys:
            problems.append(Problem(where, 1, required.key, _("缺少此列")))
    if problems:
        raise MigrationRefused(problems)
    return keys


def _xlsx_rows(path: Path) -> list[Row]:
    import openpyxl  # lazy: a heavy library only XLSX files need

    check_xlsx(path)
    # Opened as a stream: openpyxl would judge a path by its name's ending, and uploads are stored unnamed.
    with path.open("rb") as stream:
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged workbook
            raise FileRejected(_("XLSX文件已损坏，无法读取：%(error)s") % {"error": str(error)[:200]}) from None
        return _workbook_rows(workbook)


def _workbook_rows(workbook: Any) -> list[Row]:
    sheets = _sheet_lookup()
    rows: list[Row] = []
    found = False
    problems: list[Problem] = []
    try:
        for worksheet in workbook.worksheets:
            sheet = sheets.get(header_key(worksheet.title))
            if sheet is None:
                continue
            found = True
            cells = worksheet.iter_rows(values_only=True)
            headers = next(cells, None)
            if headers is None:
                continue
            try:
                keys = _header(sheet, list(headers), _column_lookup((sheet,)), sheet.key)
            except MigrationRefused as refused:
                problems += refused.problems
                continue
            for number, values in enumerate(cells, start=2):
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                row = {k: cell_text(v) for k, v in zip(keys, values, strict=False) if k is not None}
                rows.append(Row(sheet.key, number, row))
    finally:
        workbook.close()
    if problems:
        raise MigrationRefused(problems)
    if not found:
        raise FileRejected(_("工作簿中没有“机构”“资质认定范围”“授权签字人”或“关键人员”工作表"))
    return rows


def _csv_rows(path: Path, encoding: str) -> list[Row]:
    sheets = _sheet_lookup()
    with io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="") as stream:
        reader = csv.reader(stream)
        try:
            headers = next(reader)
        except StopIteration:
            raise FileRejected(_("文件为空")) from None
        except csv.Error as error:
            raise FileRejected(_("第1行无法读取：%(error)s") % {"error": error}) from None
        lookup = _column_lookup(SHEETS) | {
            name: SHEET_COLUMN.key for name in _names(SHEET_COLUMN.key, SHEET_COLUMN.label, SHEET_COLUMN.english)
        }
        keys = _header(None, headers, lookup, "")
        if SHEET_COLUMN.key not in keys:
            raise MigrationRefused([Problem("", 1, SHEET_COLUMN.key, _("缺少此列"))])
        rows: list[Row] = []
        problems: list[Problem] = []
        try:
            lines = list(enumerate(reader, start=2))
        except csv.Error as error:
            raise FileRejected(
                _("第%(line)d行无法读取：%(error)s") % {"line": reader.line_num, "error": error}
            ) from None
        for number, cells in lines:
            if not any(cell.strip() for cell in cells):
                continue
            values: dict[str, str] = {}
            for key, cell in zip(keys, cells, strict=False):
                # One key may head two columns (名称 and 姓名 are both `name`): the one filled in counts.
                if key is not None and (cell.strip() or key not in values):
                    values[key] = cell
            sheet = sheets.get(header_key(values.get(SHEET_COLUMN.key, "")))
            if sheet is None:
                problems.append(
                    Problem("", number, SHEET_COLUMN.key, _("应为机构、资质认定范围、授权签字人或关键人员"))
                )
                continue
            rows.append(Row(sheet.key, number, values))
    if problems:
        raise MigrationRefused(problems)
    return rows
