"""Publicly verifiable random selection for 双随机 inspections (C5; 国办发〔2015〕58号).

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
from bisect import bisect_left, insort
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


# ------------------------------------------------------------------ one batch: strata, then inspectors
#
# A batch draw is one stream of selections numbered 0, 1, 2, … across everything it picks: first the
# targets of each stratum in turn (A, B, C, D), then each selected target's inspectors, slot by slot. With
# one stratum and no inspectors it is exactly `steps` above, so a batch is RFC 3797's method applied
# to several lists one after the other with a single counter, never reusing a selection number.


class Stream:
    """The numbered digests of one draw: `next_value()` is digest(index ‖ key ‖ index) of the next number
    as an unsigned integer."""

    def __init__(self, sources: Sequence[str], algorithm: str) -> None:
        if algorithm not in ALGORITHMS:
            raise DrawError(f"unknown algorithm {algorithm!r}: use {' or '.join(ALGORITHMS)}")
        self.key = key_string(sources).encode("ascii")
        self.width = INDEX_BYTES[algorithm]
        self.limit = 1 << (8 * self.width)
        self.digest = DIGESTS[algorithm]
        self.algorithm = algorithm
        self.used = 0

    def next_value(self) -> int:
        if self.used >= self.limit:
            raise DrawError(
                f"{self.algorithm} numbers selections with {self.width} bytes: a draw may make at most "
                f"{self.limit:,} selections (targets and inspector slots together); use sha256"
            )
        index = self.used.to_bytes(self.width, "big")
        self.used += 1
        return int.from_bytes(self.digest(index + self.key + index).digest(), "big")


@dataclass(frozen=True)
class StratumDraw:
    """How many to pick (`count`) from a stratum of `size` members listed in a fixed order."""

    name: str
    size: int
    count: int


def select_strata(strata: Sequence[StratumDraw], stream: Stream) -> list[tuple[str, int]]:
    """(stratum, 1-based position in that stratum) for every pick, in selection order."""
    chosen: list[tuple[str, int]] = []
    for stratum in strata:
        if not 0 <= stratum.count <= stratum.size:
            raise DrawError(f"stratum {stratum.name}: cannot draw {stratum.count} from {stratum.size} members")
        left = SortedList(range(1, stratum.size + 1))
        for _ in range(stratum.count):
            chosen.append((stratum.name, left.pop(stream.next_value() % len(left))))
    return chosen


@dataclass(frozen=True)
class PoolInspector:
    """One member of the inspector pool snapshot, in pool order."""

    code: str
    department: str
    region: str


@dataclass(frozen=True)
class AssignmentTarget:
    """A selected target as assignment sees it: its id, its region (for the own-county rule) and the
    codes of inspectors with a declared or recorded conflict with it."""

    target: str
    region: str
    conflicts: frozenset[str] = frozenset()


class AssignmentError(DrawError):
    """The inspector pool cannot staff a target under the rules; the message says exactly why."""


def slot_departments(departments: Sequence[str], per_target: int) -> list[str]:
    """The department of each inspector slot of a target: one from each department of a joint
    inspection first (联合抽查), then round again until `per_target` slots are filled."""
    if not departments:
        raise DrawError("no department: a draw needs the department(s) whose inspectors it assigns")
    if per_target < max(2, len(departments)):
        raise DrawError(
            f"{per_target} inspector(s) a target is too few: at least 2 (国办发〔2015〕58号), and one from each "
            f"of the {len(departments)} departments of a joint inspection"
        )
    return [departments[j % len(departments)] for j in range(per_target)]


def assign_inspectors(
    targets: Sequence[AssignmentTarget],
    inspectors: Sequence[PoolInspector],
    departments: Sequence[str],
    per_target: int,
    stream: Stream,
    *,
    own_county_rule: bool = False,
) -> list[list[str]]:
    """Inspector codes for each target, in order (docs/inspections.md, "Assigning inspectors").

    For each slot, the candidates are the slot department's inspectors with the fewest assignments so
    far in this draw (workload balance), in pool order; the next digest modulo their number picks one.
    If the one picked may not inspect this target (already on it, a conflict with it, or, under the
    own-county rule, working in its county), the next digest picks again, until an allowed inspector
    is found; when none of the least-loaded is allowed, the next load level is tried."""
    slots = slot_departments(departments, per_target)
    position = {inspector.code: index for index, inspector in enumerate(inspectors)}
    regions = [inspector.region for inspector in inspectors]
    load = [0] * len(inspectors)
    # Per department: load → the pool positions with that load, in pool order (plain sorted lists: a
    # pool of thousands moves in C faster than any tree).
    buckets: dict[str, dict[int, list[int]]] = {d: {0: []} for d in departments}
    county_size: dict[tuple[str, str], int] = {}
    for index, inspector in enumerate(inspectors):
        if inspector.department in buckets:
            buckets[inspector.department][0].append(index)
            key = (inspector.department, inspector.region)
            county_size[key] = county_size.get(key, 0) + 1
    next_value = stream.next_value
    result: list[list[str]] = []
    for target in targets:
        chosen: list[int] = []
        conflicted = {position[c] for c in target.conflicts if c in position}
        county = target.region if own_county_rule else None
        for department in slots:
            by_load = buckets[department]
            # At most this many of any bucket can be barred from this target.
            barred = len(conflicted) + len(chosen) + (county_size.get((department, county), 0) if county else 0)
            pick = -1
            for level in sorted(by_load):
                bucket = by_load[level]
                if len(bucket) <= barred and all(
                    i in chosen or i in conflicted or regions[i] == county for i in bucket
                ):
                    continue
                while pick < 0:
                    candidate = bucket[next_value() % len(bucket)]
                    if not (candidate in chosen or candidate in conflicted or regions[candidate] == county):
                        pick = candidate
                break
            if pick < 0:
                raise AssignmentError(
                    _staffing_failure(target, department, inspectors, conflicted, chosen, own_county_rule)
                )
            chosen.append(pick)
            level = load[pick]
            bucket = by_load[level]
            del bucket[bisect_left(bucket, pick)]
            if not bucket:
                del by_load[level]
            load[pick] = level + 1
            insort(by_load.setdefault(level + 1, []), pick)
        result.append([inspectors[i].code for i in chosen])
    return result


def _staffing_failure(
    target: AssignmentTarget,
    department: str,
    inspectors: Sequence[PoolInspector],
    conflicted: set[int],
    chosen: list[int],
    own_county_rule: bool,
) -> str:
    members = [i for i, inspector in enumerate(inspectors) if inspector.department == department]
    same_county = [i for i in members if own_county_rule and inspectors[i].region == target.region]
    return (
        f"target {target.target}: no inspector of {department} is left for it — the department has "
        f"{len(members)} in the pool, {len([i for i in members if i in conflicted])} with a conflict with this "
        f"target, {len(same_county)} excluded by the own-county rule, "
        f"{len([i for i in members if i in chosen])} already assigned to it"
    )
