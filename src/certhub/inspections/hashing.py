"""The Merkle root of a frozen target pool, on two cores when the pool is large (C5: the root is
published when a batch is announced). Pure Python, no Django: it runs as its own small process too.

RFC 9162 splits a tree of n leaves at k, the largest power of two below n: root = node(MTH(first k),
MTH(rest)). For a pool of a million, another process (`python -m certhub.inspections.hashing`) builds and
hashes the first k leaves from the columns it is sent while this one does the rest; each half is the
same code. Leaves are RFC 8785 JSON texts of [stratum, key, county, credit code] (docs/inspections.md)."""

from __future__ import annotations

import gc
import hashlib
import re
import subprocess
import sys
from collections.abc import Sequence

import orjson

CONTROL_OR_BACKSLASH = re.compile(rb"[\\\x00-\x1f]")
# Below this many members a second process costs more than it saves.
PARALLEL_FROM = 200_000
EMPTY_ROOT = hashlib.sha256(b"").digest()


def public_fields(row: Sequence[object]) -> tuple[object, object, object]:
    """(key, county, credit code) of a pool row: (id, key, county) for an enterprise, its own organization,
    else (id, key, county, credit code, organization id)."""
    return (row[1], row[2], row[3] if len(row) > 3 else row[1])


def target_leaves(strata: Sequence[str], members: Sequence[Sequence[object]]) -> list[bytes]:
    """Each member's leaf. Plain strings (no quote, backslash or control character, as every registry key
    is) are written directly — checked afterwards on all the leaves at once: exactly eight quotes a leaf
    and no backslash or control character —; anything else goes through orjson, whose output for a list of
    strings is RFC 8785's."""
    if members and len(members[0]) > 3:
        leaves = [f'["{s}","{m[1]}","{m[2]}","{m[3]}"]'.encode() for s, m in zip(strata, members, strict=True)]
    else:
        leaves = [f'["{s}","{m[1]}","{m[2]}","{m[1]}"]'.encode() for s, m in zip(strata, members, strict=True)]
    joined = b"".join(leaves)
    if joined.count(b'"') == 8 * len(leaves) and not CONTROL_OR_BACKSLASH.search(joined):
        return leaves
    return [orjson.dumps([s, *public_fields(m)]) for s, m in zip(strata, members, strict=True)]


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH of the leaves (RFC 9162 §2.1.1; the same tree as ledger.merkle.root_hash), with the hashing
    inlined: a million leaves make two million SHA-256 calls, and call overhead would be half the time."""
    sha256 = hashlib.sha256
    level = [sha256(b"\x00" + leaf).digest() for leaf in leaves]
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        paired = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


class PoolRoot:
    """MTH of a pool's leaves, begun now and read with `result()`. For a large pool another process hashes
    the first k leaves while this one hashes the rest here and then, until `result()`, does whatever the
    caller has left to do (the snapshot is encoded meanwhile)."""

    def __init__(self, strata: Sequence[str], members: Sequence[Sequence[object]]) -> None:
        self.strata, self.members = strata, members
        n = len(members)
        self.worker: subprocess.Popen[bytes] | None = None
        if n < PARALLEL_FROM:
            self.right = root(target_leaves(strata, members))
            return
        self.k = _split(n)
        try:
            self.worker = subprocess.Popen(  # this module, this interpreter
                [sys.executable, "-m", "certhub.inspections.hashing"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            self.worker.stdin.write(orjson.dumps([strata[: self.k], members[: self.k]]))  # type: ignore[union-attr]
            self.worker.stdin.close()  # type: ignore[union-attr]
        except OSError:
            self.worker = None
        self.right = root(target_leaves(strata[self.k :], members[self.k :]))

    def result(self) -> bytes:
        if len(self.members) < PARALLEL_FROM:
            return self.right
        left = b""
        if self.worker is not None:
            left = self.worker.stdout.read()  # type: ignore[union-attr]
            self.worker.wait()
        if len(left) != 32 or self.worker is None or self.worker.returncode != 0:
            # The second process failed (no memory, no fork): the same root on one core.
            left = root(target_leaves(self.strata[: self.k], self.members[: self.k]))
        return hashlib.sha256(b"\x01" + left + self.right).digest()


def target_pool_root(strata: Sequence[str], members: Sequence[Sequence[object]]) -> bytes:
    """MTH of the pool's leaves (two processes for a large pool)."""
    return PoolRoot(strata, members).result()


def main() -> None:
    """Worker: read [strata, members] as JSON on stdin, write their 32-byte root."""
    gc.disable()  # a million short-lived rows, no cycles
    strata, members = orjson.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(root(target_leaves(strata, members)))


if __name__ == "__main__":
    main()
