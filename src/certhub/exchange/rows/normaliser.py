"""Normalising a raw row's values (Excel serial dates, Chinese dates, status and type words, spacing) and
saying so, and the plan both planners return: what each row will do and the problems found (C2)."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from certhub.exchange.choices import Severity
from certhub.exchange.fields import Column
from certhub.exchange.readers import RawRow
from certhub.registry.choices import PARTICULARS, CertificateStatus, SchemeKind

# (row, field, value, message, severity): one line of a submission's report.
Problem = tuple[int, str, str, str, str]

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)
EXCEL_SERIAL = re.compile(r"^\d{5}(\.0+)?$")
CHINESE_DATE = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")
SPACES = re.compile(r"\s{2,}")
ISO_LIKE = re.compile(r"^\d{4}([-/])\d{2}\1\d{2}$")  # already a date format check_date reads: no note
LIST_SEPARATOR = re.compile(r"\s*[;；\n]\s*")

# Status words a body may use: CertHub's names, the Chinese labels, IAF CertSearch's terms (domain-facts
# §2.2). IAF's Hidden is its Draft.
STATUS_WORDS = {
    **{s.value: s.value for s in CertificateStatus},
    **{str(s.label): s.value for s in CertificateStatus},
    "VALID": "ACTIVE",
    "过期": "EXPIRED",
    "失效": "EXPIRED",
    "CANCELED": "CANCELLED",
    "REVOKED": "WITHDRAWN",
    "HIDDEN": "DRAFT",
    "暂停使用": "SUSPENDED",
    "撤消": "WITHDRAWN",
}
UNSUPPORTED_STATUS = {"INACTIVE", "PENDING", "DELETED", "CB WITHDRAWN"}
TYPE_WORDS = {
    **{k.value: k.value for k in SchemeKind},
    **{str(k.label): k.value for k in SchemeKind},
    "PRODUCT CERTIFICATION": SchemeKind.PRODUCT,
    "MANAGEMENT SYSTEM": SchemeKind.MANAGEMENT_SYSTEM,
    "MANAGEMENT SYSTEM CERTIFICATION": SchemeKind.MANAGEMENT_SYSTEM,
    "SERVICE CERTIFICATION": SchemeKind.SERVICE,
    "体系认证": SchemeKind.MANAGEMENT_SYSTEM,
    "两型": SchemeKind.TWO_ORIENTED,
}
TYPE_WORDS = {key.upper(): value for key, value in TYPE_WORDS.items()}
# Registry field names back to the submission's column names, for reports.
FIELD_NAMES = {
    "holder_uscc": "entity_id",
    "products[0].name": "product_name",
    "products[0].model": "product_model",
    "products[0].trademark": "trademark",
    "products[0].gtin": "gtin",
    **{f"particulars.{key}": key for key in PARTICULARS},
}


def excel_serial(number: float) -> datetime.date | None:
    if 1 <= number < 2958466 and float(number).is_integer():
        return EXCEL_EPOCH + datetime.timedelta(days=int(number))
    return None


class Normaliser:
    """Turns a raw row's values into clean text and dates, noting each change it makes: full-width
    characters to half-width (NFKC), stray spaces, Excel date serials, Chinese-style dates."""

    def __init__(self, columns: list[Column]) -> None:
        self.columns = {c.key: c for c in columns}

    def __call__(self, raw: RawRow) -> tuple[dict[str, Any], list[Problem]]:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        row = raw.number
        for key, value in raw.values.items():
            column = self.columns.get(key)
            if column is None:  # JSON's `products` list: checked by the registry's rules
                values[key] = value
                continue
            if (
                column.kind != "date"
                and type(value) is str
                and value.isascii()
                and len(value) <= column.max_length
                and not value[:1].isspace()
                and not value[-1:].isspace()
                and "  " not in value
                and "\t" not in value
                and "\n" not in value
            ):
                values[key] = value  # already clean: nothing to normalise (the common case, kept cheap)
            elif column.kind == "date":
                values[key] = self._date(row, column, value, problems)
            elif column.kind == "list" and isinstance(value, list):
                values[key] = [self._text(row, column, item, problems) for item in value]
            else:
                values[key] = self._text(row, column, value, problems)
        return values, problems

    def _text(self, row: int, column: Column, value: Any, problems: list[Problem]) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # an XLSX number cell holding a code: 6901234567892.0 → "6901234567892"
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()[:10]
        text = value if isinstance(value, str) else str(value)
        if text.isascii():
            cleaned = text
        else:
            cleaned = unicodedata.normalize("NFKC", text)
            if cleaned != text:
                problems.append((row, column.key, text[:200], _("全角字符已转为半角"), Severity.NOTE))
        stripped = cleaned.strip()
        if "  " in stripped or "\t" in stripped or "\n" in stripped or "\u3000" in stripped:
            stripped = SPACES.sub(" ", stripped)
        if stripped != cleaned:
            problems.append((row, column.key, cleaned[:200], _("已去除多余空格"), Severity.NOTE))
        if len(stripped) > column.max_length:
            problems.append(
                (
                    row,
                    column.key,
                    stripped[:200],
                    _("长度不得超过%(max_length)d个字符") % {"max_length": column.max_length},
                    Severity.ERROR,
                )
            )
        return stripped

    def _date(self, row: int, column: Column, value: Any, problems: list[Problem]) -> Any:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            day = excel_serial(value)
            if day is None:
                problems.append((row, column.key, str(value)[:200], _("不是有效的日期"), Severity.ERROR))
                return None
            problems.append(
                (row, column.key, str(value), _("Excel日期序列号已转换为%(day)s") % {"day": day}, Severity.NOTE)
            )
            return day
        text = self._text(row, column, value, problems)
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return text  # YYYY-MM-DD, the registry's own format: check_date checks it
        if EXCEL_SERIAL.match(text):
            day = excel_serial(float(text))
            if day is not None:
                problems.append(
                    (row, column.key, text, _("Excel日期序列号已转换为%(day)s") % {"day": day}, Severity.NOTE)
                )
                return day
        match = CHINESE_DATE.match(text)
        if match and not ISO_LIKE.match(text):
            try:
                day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return text
            problems.append((row, column.key, text, _("日期已规范为%(day)s") % {"day": day}, Severity.NOTE))
            return day
        return text


def prepare_row(
    normalise: Normaliser, raw: RawRow, rejected: dict[int, list[Problem]] | None
) -> tuple[dict[str, Any], list[Problem]]:
    """A raw row's normalised values, with the problems the reader and the file-wide checks found."""
    values, problems = normalise(raw)
    if raw.problem:
        problems.append((raw.number, raw.problem[0], raw.problem[1], raw.problem[2], Severity.ERROR))
    if rejected and raw.number in rejected:
        problems.extend(rejected[raw.number])
    return values, problems


def missing_required(row: int, values: dict[str, Any], required: list[Column]) -> list[Problem]:
    return [
        (row, c.key, "", _("必填（%(zh)s）") % {"zh": c.zh}, Severity.ERROR)
        for c in required
        if values.get(c.key) in (None, "")
    ]


@dataclass
class PlannedRow:
    """What one row will do. `certificate` is the registered one, if any; `cleaned` the validated contents."""

    number: int
    outcome: str
    cleaned: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    certificate: Any = None  # the registered certificate's compared fields (SimpleNamespace), if any
    changes: dict[str, Any] = field(default_factory=dict)
    status: tuple[str, datetime.date, str] | None = None  # (to_status, effective date, reason)


@dataclass
class ChunkPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def parse_status(word: Any) -> tuple[str | None, str | None]:
    """(status, None) or (None, the reason it is not one)."""
    text = str(word or "").strip()
    status = STATUS_WORDS.get(text.upper()) or STATUS_WORDS.get(text)
    if status:
        return status, None
    if text.upper() in UNSUPPORTED_STATUS:
        return None, _("状态“%(status)s”在本平台没有对应：草稿用DRAFT，暂停用SUSPENDED，终止用CANCELLED") % {
            "status": text[:45]
        }
    return None, _("未知状态“%(status)s”，应为%(all)s之一或其中文名称") % {
        "status": text[:45],
        "all": ", ".join(CertificateStatus.values),
    }
