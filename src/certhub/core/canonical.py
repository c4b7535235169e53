"""RFC 8785 (JSON Canonicalization Scheme) bytes of a value, as the ledger hashes them (C4).

`rfc8785` is the reference implementation and decides every case. It is pure Python, though, and an
import of a million certificates hashes two states and one entry per certificate; for the plain JSON
those are made of (strings, booleans, null, integers of at most 2**53 in magnitude, lists, and objects
with ASCII keys) orjson with sorted keys writes the same bytes — the same escapes, no spaces, UTF-8, and
for ASCII keys code-point order is the UTF-16 order RFC 8785 sorts by. Anything else (a float, whose
RFC 8785 form follows ECMAScript's number printing; a non-ASCII key) goes to rfc8785. The test suite
checks the two agree on generated values of every shape."""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785

SAFE_INTEGER = 2**53 - 1  # beyond this an RFC 8785 number is not an exact integer


def dumps(value: Any) -> bytes:
    if _plain(value):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return rfc8785.dumps(value)


def is_plain(value: Any) -> bool:
    """Whether orjson with sorted keys writes `value`'s RFC 8785 bytes (see above): a bulk writer that knows
    most of a state is plain by construction checks only the parts that came from outside."""
    return _plain(value)


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, str | bool):
        return True
    if isinstance(value, int):
        return -SAFE_INTEGER <= value <= SAFE_INTEGER
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and key.isascii() and _plain(item) for key, item in value.items())
    return False
