"""Reading what the statistics pages and exports produce: figures by key, HTML fragments, PDF text."""

from __future__ import annotations

import base64
import re
import zlib

from certhub.stats.models import Figure
from certhub.stats.testing import DAY


def figure(metric: str, region: str, key: str = "") -> tuple[int, int | None] | None:
    row = Figure.objects.filter(day=DAY, metric=metric, region_code=region, key=key).first()
    return None if row is None else (row.numerator, row.denominator)


def element(html: str, element_id: str) -> str:
    """The markup of the element with `element_id` up to its closing tag (no nesting of the same tag)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element #{element_id}"
    return match.group(2)


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def row(html: str, table_id: str, region: str) -> list[str]:
    """The cells' text of the row of `region` in the table `table_id`."""
    table = element(html, table_id)
    match = re.search(rf'<tr data-region="{region}">(.*?)</tr>', table, re.S)
    assert match, f"no row {region} in #{table_id}"
    return [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        c = literal[i]
        if c == 0x5C:  # backslash
            nxt = literal[i + 1 : i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4]).group(0)
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text a reportlab PDF draws with the CID font (UTF-16BE strings in ASCII85+Flate content streams),
    one line per text-showing operator."""
    lines = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        try:
            content = zlib.decompress(base64.a85decode(raw[:-2] if raw.endswith(b"~>") else raw))
        except (ValueError, zlib.error):
            continue
        for literal in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", content, re.S):
            text = _unescape(literal)
            try:
                lines.append(text.decode("utf-16-be"))
            except UnicodeDecodeError:
                lines.append(text.decode("latin-1"))
    return "\n".join(lines)
