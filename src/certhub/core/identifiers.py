"""One grammar for every number a user creates (C14; issue 14 finding 1): certificate and test report
numbers, approval and CMA numbers, penalty decision numbers, inspector and inspection item codes.

An identifier is read as NFKC (full-width letters, digits and the full-width solidus become their ASCII
forms, so "／" is caught as "/"), trimmed, and then must be:
- printable: no control characters (newline, NUL, tab), no whitespace of any kind inside it;
- free of format characters (Unicode category Cf: U+202E right-to-left override, U+200B zero-width space,
  …), which make a number read differently from what it is (visual spoofing);
- free of path separators ("/" and "\\") and of "..", and not starting with "." — numbers become URL path
  segments and file names, where those change the path;
- within its length limit.

Each refusal says which rule the value broke (the field is named by the caller: a form field, an API
field, a file's row and column). Numbers CertHub generates itself (case, plan and batch numbers) follow
the grammar by construction.

Numbers stored before the grammar existed may still hold such characters: the URL converter below
(`identifier`) reverses and resolves any non-empty text, so a page linking to such a record still
renders and the record stays reachable."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext as _

SEPARATORS = frozenset("/\\")
DEFAULT_MAX_LENGTH = 64


def normalize_identifier(value: Any) -> str:
    text = value if isinstance(value, str) else str(value if value is not None else "")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.strip()


def identifier_problem(text: str, max_length: int = DEFAULT_MAX_LENGTH) -> str | None:
    """Why normalised, non-empty `text` is not an identifier (a translated sentence), or None."""
    if len(text) > max_length:
        return _("长度不得超过%(max_length)d个字符") % {"max_length": max_length}
    if text.isascii() and text.isprintable() and " " not in text:
        bad = None  # the common case: only the separators and dots remain to be checked
    else:
        bad = next((char for char in text if not char.isprintable() or char.isspace()), None)
    if bad is not None:
        codepoint = f"U+{ord(bad):04X}"
        if unicodedata.category(bad) == "Cf":
            return _("不得含有不可见的格式字符（%(codepoint)s，如从右到左覆盖）") % {"codepoint": codepoint}
        return _("不得含有空格、换行或控制字符（%(codepoint)s）") % {"codepoint": codepoint}
    if SEPARATORS.intersection(text):
        return _("不得含有路径分隔符“/”或“\\”")
    if ".." in text or text.startswith("."):
        return _("不得含有“..”，也不得以“.”开头")
    return None


def clean_identifier(value: Any, max_length: int = DEFAULT_MAX_LENGTH, *, required: bool = True) -> str:
    """The identifier in its clean form; ValueError(message) when it breaks the grammar. Empty is ""
    when not `required`."""
    text = normalize_identifier(value)
    if not text:
        if required:
            raise ValueError(_("必填"))
        return ""
    problem = identifier_problem(text, max_length)
    if problem is not None:
        raise ValueError(problem)
    return text


class IdentifierConverter:
    """URL converter `<identifier:number>`: any non-empty text, "/" and newlines included, so that a
    number stored before the grammar existed still reverses (a page listing it renders) and resolves
    (the record stays reachable). Use it only for a last path segment or one followed by a literal
    suffix that no other route of the same prefix shares."""

    regex = r"(?s:.+)"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: Any) -> str:
        text = str(value)
        if not text:
            raise ValueError("an identifier is never empty")
        return text
