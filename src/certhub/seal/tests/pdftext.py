"""Just enough PDF reading for the tests: the fonts a file embeds, and its text decoded through the fonts'
ToUnicode maps (a subset font's glyph codes are not characters, so the bytes alone do not show the text)."""

from __future__ import annotations

import base64
import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
STREAM = re.compile(rb"^(.*?)stream\r?\n", re.S)


def objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """{number: (dictionary, decoded stream or None)}; a stream is read by its /Length."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in OBJECT.finditer(pdf):
        body = match.group(2)
        stream = STREAM.match(body)
        if stream is None:
            found[int(match.group(1))] = (body, None)
            continue
        header = stream.group(1)
        length_match = re.search(rb"/Length\s+(\d+)", header)
        assert length_match is not None, header
        length = int(length_match.group(1))
        data = body[stream.end() : stream.end() + length]
        if b"/ASCII85Decode" in header:
            data = base64.a85decode(data.strip().removesuffix(b"~>"), adobe=False)
        if b"/FlateDecode" in header:
            data = zlib.decompress(data)
        found[int(match.group(1))] = (header, data)
    return found


def embedded_fonts(pdf: bytes) -> list[str]:
    """The BaseFont names of the fonts whose program is embedded (FontFile2: TrueType)."""
    names = []
    parsed = objects(pdf)
    for header, _data in parsed.values():
        if b"/FontFile2" in header:
            name = re.search(rb"/FontName\s*/([^\s/>]+)", header)
            assert name is not None, header
            names.append(name.group(1).decode())
    return names


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, unicode in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(unicode.decode()).decode("utf-16-be")
    return mapping


def _string(literal: bytes) -> bytes:
    """A PDF literal string's bytes (escapes resolved)."""
    out, index = bytearray(), 0
    while index < len(literal):
        byte = literal[index]
        if byte == 0x5C:  # backslash
            index += 1
            escaped = literal[index : index + 1]
            if escaped.isdigit():
                octal = re.match(rb"[0-7]{1,3}", literal[index:])
                assert octal is not None, literal
                digits = octal.group(0)
                out.append(int(digits, 8))
                index += len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(escaped, escaped)
        else:
            out.append(byte)
        index += 1
    return bytes(out)


def text(pdf: bytes) -> str:
    """The text drawn on the pages, one line per text-showing operator, decoded with each font's map."""
    parsed = objects(pdf)
    maps: dict[bytes, dict[int, str]] = {}
    # Font resource names (/F2+0) → font objects → their ToUnicode streams.
    for header, data in parsed.values():
        if data is not None:
            continue
        for name, number in re.findall(rb"/(F[\w+]+)\s+(\d+) 0 R", header):
            font_header = parsed.get(int(number), (b"", None))[0]
            to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", font_header)
            if to_unicode:
                maps[name] = _cmap(parsed[int(to_unicode.group(1))][1] or b"")
    lines = []
    for _header, data in parsed.values():
        if data is None or b"BT" not in data:
            continue
        font: bytes | None = None
        for token in re.finditer(rb"/(F[\w+]+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", data, re.S):
            if token.group(1):
                font = token.group(1)
                continue
            raw = _string(token.group(2))
            mapping = maps.get(font) if font is not None else None
            lines.append("".join(mapping.get(b, "?") for b in raw) if mapping else raw.decode("latin-1"))
    return "\n".join(lines)


def filled_rectangles(pdf: bytes) -> list[tuple[float, float, float, float]]:
    """Every `x y w h re f*` drawn (the QR code's modules), in points."""
    found: list[tuple[float, float, float, float]] = []
    for _header, data in objects(pdf).values():
        if data is None:
            continue
        for match in re.finditer(rb"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re f\*", data):
            x, y, width, height = (float(v) for v in match.groups())
            found.append((x, y, width, height))
    return found
