"""Readers for export files: the tests assert on what a downloader gets."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

import orjson


def csv_rows(path: Path) -> list[dict[str, str]]:
    text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def jsonl_records(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


def export_names(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []
