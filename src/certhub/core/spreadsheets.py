"""Cells of the CSV and XLSX files CertHub writes, safe to open in a spreadsheet program (C14).

Those files carry text that certification bodies, labs and officers typed (a submission's values, its file
name, registry free text). A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` (and a
tab or carriage return before them) as a formula — `=HYPERLINK(…)` or `+cmd|…` (OWASP "CSV injection").
One rule for every file: in CSV such a text gets a leading apostrophe, which spreadsheets read as "text";
in XLSX every text is written as a string cell, never as a formula, and keeps its exact characters."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMULA_STARTS = frozenset("=+-@\t\r")


def csv_text(value: str) -> str:
    """`value` as a CSV cell a spreadsheet shows as text."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


class CsvWriter:
    """csv.writer whose every text cell goes through csv_text (numbers and dates are never formulas)."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_text(value) if isinstance(value, str) else value for value in row])


def append_row(sheet: Any, values: Iterable[object]) -> None:
    """Append `values` to an openpyxl worksheet (write-only or not) with every text a string cell: openpyxl
    itself would store a text that starts with `=` as a formula."""
    from openpyxl.cell import WriteOnlyCell  # lazy: a heavy library only XLSX downloads need
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if isinstance(sheet, WriteOnlyWorksheet):  # its rows cannot be read back: build the cells
        cells: list[object] = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        return
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


# ---------------------------------------------------------------- reading an uploaded XLSX (C14)
@dataclass(frozen=True)
class XlsxPackage:
    """What an uploaded XLSX's zip directory says, read before openpyxl opens the workbook: whether it holds
    a workbook at all, and how far it would expand. Every reader of uploaded XLSX (submissions, the toolbox)
    refuses by the same measure, each with its own words."""

    has_workbook: bool
    unzipped: int
    packed: int

    @property
    def ratio(self) -> int:
        return self.unzipped // self.packed

    def too_large(self, limit: int) -> bool:
        """Past `limit` bytes unzipped, or expanding more than 200:1 beyond 10 MiB (a zip bomb)."""
        return self.unzipped > limit or (self.unzipped > 200 * self.packed and self.unzipped > 10 * 1024 * 1024)


def read_xlsx_package(source: str | Path | IO[bytes]) -> XlsxPackage | None:
    """The package's directory of `source` (a path or a binary file), or None when it is not a zip."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return None
    return XlsxPackage(
        has_workbook=any(m.filename == "xl/workbook.xml" for m in members),
        unzipped=sum(m.file_size for m in members),
        packed=sum(m.compress_size for m in members) or 1,
    )
