"""Publicly verifiable random selection for 双随机 inspections (MISSION.md C5; 国办发〔2015〕58号).

A draw is announced before it runs: which public random sources (lottery results of a named future date,
for instance) will seed it. Once they are published, anyone holding the pool's order and the sources can
compute the same selection, so nobody — the regulator included — can pick targets by favour.

Two algorithms of the same structure, as pure functions:

- `rfc3797`: exactly RFC 3797 ("Publicly Verifiable Nominations Committee (NomCom) Random Selection") §4:
  the key string is made from the sources (each source's numbers sorted ascending, each followed by a
  period, each source closed by a slash); for the i-th selection (i from 0), the MD5 of the 2-byte
  big-endian i, the key string and i again, read as a 128-bit unsigned integer, modulo the number of pool
  members not yet chosen, picks the next member among those left, in pool order. Positions are 1-based.
- `sha256`: the same with SHA-256 and a 4-byte index, for draws of more than 65,536 (and MD5's age).

The RFC's worked example (tests/vectors/rfc3797/) is reproduced row by row in the test suite."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sortedcontainers import SortedList

ALGORITHMS = ("rfc3797", "sha256")
INDEX_BYTES = {"rfc3797": 2, "sha256": 4}
DIGESTS = {"rfc3797": hashlib.md5, "sha256": hashlib.sha256}
NUMBER = re.compile(r"\d+")
SEPARATORS = re.compile(r"[\s,;]+")


class DrawError(ValueError):
    """Inputs a draw cannot be computed from; the message says which and why."""


@dataclass(frozen=True)
class Step:
    """One selection: its 1-based number, the digest (upper-case hex, as RFC 3797 prints it), how many
    pool members were left to choose from, and the pool position (1-based) chosen."""

    number: int
    digest: str
    remaining: int
    position: int


def source_numbers(source: str) -> list[int]:
    """The numbers of one source, e.g. "2 5 12 8 10" (spaces, commas or semicolons between them)."""
    tokens = [t for t in SEPARATORS.split(source.strip()) if t]
    if not tokens:
        raise DrawError('a source is empty: give the published numbers, e.g. "2 5 12 8 10"')
    bad = [t for t in tokens if not NUMBER.fullmatch(t)]
    if bad:
        raise DrawError(f"source {source.strip()!r}: {bad[0]!r} is not a whole number (RFC 3797 sources are numbers)")
    return [int(t) for t in tokens]


def key_string(sources: Sequence[str]) -> str:
    """RFC 3797 §4's key: each source's numbers in ascending order, each followed by ".", then "/"."""
    if not sources:
        raise DrawError("no random source: a draw needs the published values it was announced to use")
    return "".join("".join(f"{n}." for n in sorted(source_numbers(s))) + "/" for s in sources)


def steps(pool_size: int, count: int, sources: Sequence[str], algorithm: str = "rfc3797") -> Iterator[Step]:
    """The selection, one step at a time (a pool of millions costs O(log n) a step)."""
    if algorithm not in ALGORITHMS:
        raise DrawError(f"unknown algorithm {algorithm!r}: use {' or '.join(ALGORITHMS)}")
    if pool_size < 1:
        raise DrawError(f"the pool is empty (size {pool_size}): nothing can be drawn")
    if not 1 <= count <= pool_size:
        raise DrawError(f"cannot draw {count} from a pool of {pool_size}: the count must be 1 to {pool_size}")
    width = INDEX_BYTES[algorithm]
    if count > 1 << (8 * width):
        raise DrawError(f"{algorithm} numbers selections with {width} bytes: at most {1 << (8 * width):,} a draw")
    key = key_string(sources).encode("ascii")
    digest = DIGESTS[algorithm]
    left = SortedList(range(1, pool_size + 1))
    for i in range(count):
        index = i.to_bytes(width, "big")
        value = digest(index + key + index).digest()
        remaining = len(left)
        position = left.pop(int.from_bytes(value, "big") % remaining)
        yield Step(i + 1, value.hex().upper(), remaining, position)


def select(pool_size: int, count: int, sources: Sequence[str], algorithm: str = "rfc3797") -> list[int]:
    """The pool positions chosen (1-based), in selection order."""
    return [step.position for step in steps(pool_size, count, sources, algorithm)]
