"""How a submission's rows are grouped and checked for repeats while they stream (C2): chunks that never split
the adjacent rows of one report, and a number seen earlier in the same file found with 8 bytes per row, so that
memory stays bounded whatever the file's size (exchange.pipeline)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from itertools import islice

from django.utils.translation import gettext as _

from certhub.core.validation import compact_uscc
from certhub.exchange.choices import Severity, SubmissionKind
from certhub.exchange.readers import RawRow
from certhub.exchange.rows import Problem, report_key


class Duplicates:
    """Finds a certificate number seen earlier in the same file, keeping 8 bytes per row, not the number.
    For reports, a number may span adjacent rows (one per item); seen again later, it is a duplicate."""

    def __init__(self, kind: str = SubmissionKind.CERTIFICATES) -> None:
        self.first_row: dict[int, int] = {}
        self.reports = kind == SubmissionKind.REPORTS
        self.organizations = kind == SubmissionKind.ORGANIZATIONS
        self.previous = ""

    def check(self, raw: RawRow) -> list[Problem]:
        field = "report_number" if self.reports else "uscc" if self.organizations else "number"
        number = str(raw.values.get(field) or "").strip().upper()
        if self.organizations:
            number = compact_uscc(number)
        if self.reports:
            if number == self.previous:
                return []
            self.previous = number
        if not number:
            return []
        key = int.from_bytes(hashlib.blake2b(number.encode(), digest_size=8).digest(), "big")
        first = self.first_row.setdefault(key, raw.number)
        if first == raw.number:
            return []
        message = _("与第%(first)d行的证书编号重复") % {"first": first}
        if self.organizations:
            message = _("与第%(first)d行的统一社会信用代码重复") % {"first": first}
        if self.reports:
            message = _("报告编号已在第%(first)d行出现：同一报告的各行须相邻，不同报告不得同号") % {"first": first}
        return [(raw.number, field, number[:200], message, Severity.ERROR)]

    def rejected(self, chunk: list[RawRow]) -> dict[int, list[Problem]]:
        """The chunk's rows that repeat an earlier number, with the problem to report."""
        found = {}
        for raw in chunk:
            problems = self.check(raw)
            if problems:
                found[raw.number] = problems
        return found


def chunks(rows: Iterator[RawRow], size: int, kind: str = SubmissionKind.CERTIFICATES) -> Iterator[list[RawRow]]:
    """Rows `size` at a time; for reports, a chunk never splits the adjacent rows of one report."""
    if kind != SubmissionKind.REPORTS:
        while batch := list(islice(rows, size)):
            yield batch
        return
    chunk: list[RawRow] = []
    for raw in rows:
        if len(chunk) >= size and report_key(raw) != report_key(chunk[-1]):
            yield chunk
            chunk = []
        chunk.append(raw)
    if chunk:
        yield chunk
