"""Cells of the CSV and XLSX files CertHub writes, safe to open in a spreadsheet program (C14).

Those files carry text that certification bodies, labs and officers typed (a submission's values, its file
name, registry free text). A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` (and a
tab or carriage return before them) as a formula — `=HYPERLINK(…)` or `+cmd|…` (OWASP "CSV injection").
One rule for every file: in CSV such a text gets a leading apostrophe, which spreadsheets read as "text";
in XLSX every text is written as a string cell, never as a formula, and keeps its exact characters."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

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
