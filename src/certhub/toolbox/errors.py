"""Bad input to a toolbox computation (C12): one exception for every entry point — calculator pages, the
API, the `certhub toolbox` command and saved studies — naming the field (and, for a cell of a table, its row
and column) and saying why, so that the person can find and fix it (docs/architecture.md convention on bad
input). Nothing is computed, shown or stored from input that raised it."""

from __future__ import annotations

from django.utils.translation import gettext as _


class InputError(ValueError):
    """`field` is the parameter at fault ("values", "lsl", "phase1", "file", a column name…); `row` is the
    row as a spreadsheet numbers it (the header is row 1) and `column` the column's name, when a cell is at
    fault."""

    def __init__(self, field: str, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.field = field
        self.message = message
        self.row = row
        self.column = column
        super().__init__(self.text())

    def text(self) -> str:
        """The whole sentence a person reads: where, then why."""
        if self.row is not None and self.column is not None:
            return _("第 %(row)s 行“%(column)s”列：%(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.column is not None:
            return _("“%(column)s”列：%(message)s") % {"column": self.column, "message": self.message}
        return self.message

    def as_dict(self) -> dict[str, object]:
        """The API's error body for this input (field, row, column, message)."""
        return {"field": self.field, "row": self.row, "column": self.column, "message": self.text()}
