"""Field checks shared by the actions, the API and the bulk paths. Each returns a message or None."""

from __future__ import annotations

import datetime
import functools
import unicodedata
from typing import Any

from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.cn import uscc as uscc_module
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError


def normalize_text(value: Any) -> str:
    """NFKC turns full-width letters and digits into ASCII; stray spaces are trimmed."""
    text = value if isinstance(value, str) else str(value or "")
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


def compact_uscc(value: Any) -> str:
    """A credit code as written, in its compact upper-case form (not yet checked)."""
    return normalize_text(value).upper().replace(" ", "").replace("-", "")


def clean_uscc(value: Any) -> tuple[str, str | None]:
    """Validate a Unified Social Credit Code (GB 32100-2015) with python-stdnum; return (code, error)."""
    code = compact_uscc(value)
    if not code:
        return code, _("必填")
    problem = _uscc_problem(code)
    if problem is None:
        return code, None
    if problem == "length":
        return code, _("统一社会信用代码须为18位，收到%(n)d位") % {"n": len(code)}
    if problem == "checksum":
        return code, _("统一社会信用代码校验位错误")
    if problem == "format":
        return code, _("统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）")
    return code, _("统一社会信用代码无效")


@functools.lru_cache(maxsize=65536)
def _uscc_problem(code: str) -> str | None:
    """What is wrong with an upper-case, compact code, or None. Cached: a bulk file names the same
    holders again and again, and the check is pure."""
    try:
        uscc_module.validate(code)
    except InvalidLength:
        return "length"
    except InvalidChecksum:
        return "checksum"
    except (InvalidFormat, InvalidComponent):
        return "format"
    except ValidationError:
        return "invalid"
    return None


def clean_gtin(value: Any) -> tuple[str, str | None]:
    code = normalize_text(value).replace(" ", "")
    if not code:
        return "", None
    if len(code) not in (8, 12, 13, 14):
        return code, _("GTIN须为8、12、13或14位数字")
    try:
        return ean.validate(code), None
    except ValidationError:
        return code, _("GTIN校验位错误")


def clean_date(value: Any) -> tuple[datetime.date | None, str | None]:
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    text = normalize_text(value)
    if not text:
        return None, _("必填")
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return datetime.date.fromisoformat(text), None  # the common case, without strptime's cost
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date(), None
        except ValueError:
            continue
    return None, _("日期格式应为YYYY-MM-DD，收到“%(v)s”") % {"v": text[:40]}


def require_text(value: Any, max_length: int) -> tuple[str, str | None]:
    text = normalize_text(value)
    if not text:
        return text, _("必填")
    if len(text) > max_length:
        return text, _("长度不得超过%(n)d个字符") % {"n": max_length}
    return text, None


def optional_text(value: Any, max_length: int) -> tuple[str, str | None]:
    text = normalize_text(value)
    if len(text) > max_length:
        return text, _("长度不得超过%(n)d个字符") % {"n": max_length}
    return text, None
