"""One nesting limit for every JSON value CertHub takes in (C14): API bodies and JSON Lines files.

The parser reads 1,024 levels, but orjson writes back at most 254, so a value nested between the two was
accepted and then failed when stored or reported (a 500). No CertHub record is more than a few levels deep
(a certificate's products are three), so MAX_DEPTH leaves ample room and stays far below what can be
written back; a deeper value is refused where it arrives, with the limit named."""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 32


def depth_of(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply `value` nests (a scalar is 0, `[]` is 1), counted up to `limit` + 1 (no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level) for child in children)
    return deepest


def too_deep(value: Any) -> bool:
    return depth_of(value) > MAX_DEPTH
