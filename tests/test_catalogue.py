"""The English catalogue is complete: every message has a translation that gettext will use (a fuzzy entry
is skipped when the catalogue is compiled, so its page shows Chinese to an English reader), and plural
messages read as English plurals."""

from __future__ import annotations

import ast
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "src/certhub/locale/en/LC_MESSAGES/django.po"


def entries() -> list[tuple[list[str], str, list[str]]]:
    """(flags, msgid, msgstrs) of every entry but the header."""
    found = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        flags: list[str] = []
        fields: dict[str, list[str]] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("msg"):
                current, _, literal = line.partition(" ")
                fields.setdefault(current, []).append(ast.literal_eval(literal))
            elif line.startswith('"') and current is not None:
                fields[current][-1] += ast.literal_eval(line)
        msgid = "".join(fields.get("msgid", []))
        if msgid:
            strings = [value for key, values in fields.items() if key.startswith("msgstr") for value in values]
            found.append((flags, msgid, strings))
    return found


def test_every_message_has_a_translation_gettext_uses():
    problems = [msgid for flags, msgid, strings in entries() if "fuzzy" in flags or not strings or not all(strings)]
    assert problems == []
    assert len(entries()) > 1400


def test_plural_messages_read_as_english_plurals():
    with translation.override("en"):
        assert translation.ngettext("剩余%(counter)s个工作日", "剩余%(counter)s个工作日", 3) % {"counter": 3} == (
            "3 working days left"
        )
        assert translation.ngettext("%(counter)s个工作日", "%(counter)s个工作日", 1) % {"counter": 1} == (
            "1 working day"
        )
        assert translation.ngettext("%(counter)s条未读", "%(counter)s条未读", 2) % {"counter": 2} == "2 unread"
