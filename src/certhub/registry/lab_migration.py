"""The administrator's data migration of labs (C1, C8): what its file holds and how its problems are named.

Labs, their scope rows, signatories and key people change only through licensing, so that every scope row
has the decision behind it. A province that starts with CertHub has them on paper and in older systems;
the data migration brings them in once, each row with its own decision (the CMA decision number, or the
migration's own reference), through the same lab and people actions licensing uses
(registry.actions.migration). The file has four sheets (in CSV: a first column naming the sheet of each
row); their columns, with the Chinese and English headers either may use, are SHEETS below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise  # the Chinese header (translated for English pages)
    english: str  # the English header
    required: bool = True


@dataclass(frozen=True)
class Sheet:
    key: str
    label: Promise
    english: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


CMA = Column("cma_number", _("资质认定证书编号"), "cma_number")
NAME = Column("name", _("姓名"), "name")
ID_NUMBER = Column("id_number", _("身份证件号码"), "id_number")
DECISION = Column("decision", _("许可决定"), "decision")
VALID_FROM = Column("valid_from", _("批准日期"), "valid_from")
VALID_UNTIL = Column("valid_until", _("截止日期"), "valid_until", required=False)

LABS = Sheet(
    "labs",
    _("机构"),
    "labs",
    (
        Column("uscc", _("统一社会信用代码"), "credit_code"),
        Column("name", _("名称"), "name"),
        CMA,
        Column("valid_from", _("发证日期"), "valid_from"),
        Column("valid_until", _("有效期至"), "valid_until"),
        DECISION,
    ),
)
SCOPE = Sheet(
    "scope",
    _("资质认定范围"),
    "scope",
    (
        CMA,
        Column("field", _("领域"), "field"),
        Column("object", _("检测对象"), "object"),
        Column("parameter", _("项目/参数"), "parameter"),
        Column("standard", _("依据标准/方法"), "standard"),
        Column("limits", _("限制范围"), "limits", required=False),
        VALID_FROM,
        VALID_UNTIL,
        DECISION,
    ),
)
SIGNATORIES = Sheet(
    "signatories",
    _("授权签字人"),
    "signatories",
    (
        CMA,
        NAME,
        ID_NUMBER,
        Column("parameter", _("项目/参数"), "parameter"),
        Column("standard", _("依据标准/方法"), "standard"),
        VALID_FROM,
        VALID_UNTIL,
        DECISION,
    ),
)
KEY_PEOPLE = Sheet(
    "key_people",
    _("关键人员"),
    "key_people",
    (CMA, NAME, ID_NUMBER, Column("role", _("角色"), "role"), Column("start", _("起始日期"), "start"), DECISION),
)
SHEETS: tuple[Sheet, ...] = (LABS, SCOPE, SIGNATORIES, KEY_PEOPLE)
SHEET_BY_KEY = {sheet.key: sheet for sheet in SHEETS}
# The CSV form's first column: which sheet the row belongs to.
SHEET_COLUMN = Column("sheet", _("表"), "sheet")


@dataclass
class Row:
    """One data row as read: its sheet, its number as the sender sees it (the spreadsheet row or the CSV
    line) and its values by column key."""

    sheet: str
    number: int
    values: dict[str, Any]


@dataclass
class LabMigration:
    """A whole migration file, read: its name, SHA-256 and rows in file order."""

    name: str
    sha256: str
    rows: list[Row] = field(default_factory=list)

    def of(self, sheet: Sheet) -> list[Row]:
        return [row for row in self.rows if row.sheet == sheet.key]


@dataclass(frozen=True)
class Problem:
    """Why one row (row 0: the file) is refused, naming its sheet, row and column."""

    sheet: str
    row: int
    field: str
    reason: str

    @property
    def sheet_label(self) -> str:
        """The sheet's name; a problem of no one sheet (the CSV's sheet column, the file) is the file's."""
        sheet = SHEET_BY_KEY.get(self.sheet)
        return str(sheet.label) if sheet else str(_("文件"))

    @property
    def field_label(self) -> str:
        if self.field == SHEET_COLUMN.key:
            return str(SHEET_COLUMN.label)
        sheet = SHEET_BY_KEY.get(self.sheet)
        column = next((c for c in sheet.columns if c.key == self.field), None) if sheet else None
        return str(column.label) if column else self.field

    def __str__(self) -> str:
        where = f"{self.sheet_label} {_('第%(row)d行') % {'row': self.row}}" if self.row else self.sheet_label
        return f"{where} {self.field_label}：{self.reason}" if self.field else f"{where}：{self.reason}"


@dataclass
class MigrationSummary:
    """What a migration wrote (or, on a dry run, would write)."""

    labs: int = 0
    scope: int = 0
    signatories: int = 0
    key_people: int = 0
    people_created: int = 0
    dry_run: bool = False


class MigrationRefused(Exception):
    """The file is refused whole: nothing was written. `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = problems
