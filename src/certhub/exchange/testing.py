"""Helpers for tests and benchmarks: certificate rows as a body would submit them, written as files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from certhub.exchange.fields import CERTIFICATE_COLUMNS

ENGLISH = [c.key for c in CERTIFICATE_COLUMNS]
CHINESE = [c.zh for c in CERTIFICATE_COLUMNS]


def certificate_row(number: str, holder_uscc: str, holder_name: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "number": number,
        "status": "ACTIVE",
        "scheme": "QMS",
        "scope": "电气设备的设计和生产",
        "standards": "GB/T 19001-2016/ISO 9001:2015",
        "issue_date": "2026-10-08",
        "expiry_date": "2029-10-07",
        "entity_name": holder_name,
        "entity_id": holder_uscc,
        "accreditation_body": "CNAS",
    }
    row.update(overrides)
    return row


def csv_text(rows: Iterable[dict[str, Any]], header: list[str] | None = None, chinese: bool = False) -> str:
    """Rows as CSV with every column of the template (Chinese or English headers), blanks where not given."""
    keys = header or ENGLISH
    names = [CHINESE[ENGLISH.index(k)] if chinese and k in ENGLISH else k for k in keys]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(k, "") for k in keys])
    return out.getvalue()


def write_csv(path: Path, rows: Iterable[dict[str, Any]], *, encoding: str = "utf-8", **kwargs: Any) -> Path:
    path.write_bytes(csv_text(rows, **kwargs).encode(encoding))
    return path


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    return path
