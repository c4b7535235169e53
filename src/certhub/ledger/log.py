"""Appending to the ledger and answering proofs from its stored subtree hashes (C4).

Appending. Every audit row an action writes is queued (core.audit); when the outermost action ends,
still inside its transaction, `append_queued` turns the queue into entries:

    {"action", "actor_role", "after_digest", "before_digest", "sequence", "subject_id", "subject_type",
     "time"}                                              as RFC 8785 JSON, leaf = SHA-256(0x00 ‖ JSON)

It locks the head row, so entries get gapless indexes in commit order; the lock is held only from the
end of the action to its commit. The head keeps the right edge of the tree (the hashes of its complete
subtrees, largest first), so an append reads nothing else: each new leaf closes the subtrees it
completes, and their hashes are stored as nodes.

Proofs. Every hash a proof needs is the hash of a range of leaves the RFC's recursion splits off; such a
range is a few complete subtrees, each a stored node (or a leaf hash). A proof in a log of 10,000,000
entries therefore reads about 50 stored hashes in two queries, whatever the size."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from certhub.core import bulk, canonical
from certhub.core.audit import LedgerItem, take_ledger_queue
from certhub.core.regulated import RegulatedWriteError, in_action
from certhub.ledger import merkle
from certhub.ledger.models import LEVEL_SHIFT, Entry, Head, Node, node_key
from certhub.ledger.subjects import public_ids

HASH = merkle.HASH_SIZE


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def entry_time(moment: datetime.datetime) -> str:
    """UTC to the microsecond, as RFC 3339 with a Z: one form for every entry."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_json(sequence: int, time: str, item: LedgerItem, subject_id: str) -> bytes:
    """The published entry for `item` at `sequence` (RFC 8785: sorted keys, no spaces, UTF-8)."""
    return canonical.dumps(
        {
            "sequence": sequence,
            "time": time,
            "action": item.action,
            "subject_type": item.subject_type,
            "subject_id": subject_id,
            "before_digest": item.before_digest,
            "after_digest": item.after_digest,
            "actor_role": item.actor_role,
        }
    )


# ------------------------------------------------------------------------------------------- appending


@dataclass
class Edge:
    """The tree's size and right edge, as the head row holds them."""

    size: int
    frontier: list[bytes]

    @classmethod
    def of(cls, size: int, frontier: bytes) -> Edge:
        frontier = bytes(frontier)
        return cls(size, [frontier[i : i + HASH] for i in range(0, len(frontier), HASH)])

    def append(self, leaf: bytes, nodes: list[tuple[int, bytes]]) -> None:
        """Add one leaf; the subtrees it completes go to `nodes` as (key, hash)."""
        index, level, node = self.size, 0, leaf
        while (index >> level) & 1:
            node = merkle.node_hash(self.frontier.pop(), node)
            level += 1
            nodes.append((node_key(level, index >> level), node))
        self.frontier.append(node)
        self.size += 1

    def root(self) -> bytes:
        return merkle.fold(self.frontier)


def _lock_head() -> Edge:
    """Lock the head row until commit (creating it the first time) and read it."""
    table = Head._meta.db_table
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT size, frontier FROM {table} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} (id, size, frontier, updated_at) VALUES (1, 0, %s, %s) "  # noqa: S608
                "ON CONFLICT (id) DO NOTHING",
                [b"", timezone.now()],
            )
            cursor.execute(f"SELECT size, frontier FROM {table} WHERE id = 1{lock}")  # noqa: S608
            row = cursor.fetchone()
    return Edge.of(row[0], row[1])


def append_queued() -> None:
    """core.regulated's end hook: append the ending action's queued audit rows as entries."""
    items = take_ledger_queue()
    if items:
        append(items)


# The head this process last wrote (PostgreSQL). A single action's append starts from it without reading
# the head and writes entries, nodes and the new head in one statement that applies only if the head
# still holds exactly that size and right edge: a compare-and-swap, so that a stale guess (another
# process appended, or the action that wrote it was rolled back) costs a retry, never a wrong tree. The
# right edge and size determine the whole tree's hashes, so equal edges mean the append is right.
_last_head: Edge | None = None
SMALL = 64  # entries: up to this many go in the one statement; more stream through COPY


def append(items: Sequence[LedgerItem]) -> list[int]:
    """Append one entry per item, in order, inside the current action; return their indexes."""
    global _last_head
    if not in_action():
        raise RegulatedWriteError("ledger entries are appended only inside an action")
    ids = public_ids(items)
    time = entry_time(timezone.now())
    small = connection.vendor == "postgresql" and len(items) <= SMALL
    if small and _last_head is not None:
        guess = Edge(_last_head.size, list(_last_head.frontier))
        expected = (guess.size, b"".join(guess.frontier))
        entries, nodes = _grow(guess, items, ids, time)
        if _write_small(entries, nodes, guess, expected):
            _last_head = guess
            return [row[0] for row in entries]
    edge = _lock_head()
    entries, nodes = _grow(edge, items, ids, time)
    if small:
        _write_small(entries, nodes, edge, None)
    else:
        bulk.insert_rows(Entry, entries)
        bulk.insert_rows(Node, nodes)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Head._meta.db_table} SET size = %s, frontier = %s, updated_at = %s WHERE id = 1",  # noqa: S608
                [edge.size, b"".join(edge.frontier), timezone.now()],
            )
    _last_head = edge if connection.vendor == "postgresql" else None
    return [row[0] for row in entries]


def _grow(edge: Edge, items: Sequence[LedgerItem], ids: list[str], time: str) -> tuple[list[list], list]:
    """Add the items to `edge`: their entry rows and the subtree hashes they complete."""
    entries: list[list] = []
    nodes: list[tuple[int, bytes]] = []
    for item, subject_id in zip(items, ids, strict=True):
        sequence = edge.size
        document = entry_json(sequence, time, item, subject_id)
        leaf = merkle.leaf_hash(document)
        edge.append(leaf, nodes)
        entries.append([sequence, leaf, document.decode(), item.audit_id, item.salt])
    return entries, nodes


def _write_small(
    entries: list[list], nodes: list[tuple[int, bytes]], edge: Edge, expected: tuple[int, bytes] | None
) -> bool:
    """Entries, nodes and the new head in one statement (PostgreSQL); with `expected`, only if the head
    is still (size, right edge) as expected. Returns whether it was written. Only placeholders are joined
    into the statement; every value is a parameter."""
    condition = " AND size = %s AND frontier = %s" if expected else ""
    entry_rows = ", ".join(["(%s::bigint, %s::bytea, %s::text, %s::bigint, %s::bytea)"] * len(entries))
    node_rows = ", ".join(["(%s::bigint, %s::bytea)"] * len(nodes))
    sql = (
        "WITH h AS (UPDATE ledger_head SET size = %s, frontier = %s, updated_at = %s "  # noqa: S608
        f"WHERE id = 1{condition} RETURNING id), "
        'e AS (INSERT INTO ledger_entry ("index", leaf_hash, entry, audit_id, salt) '
        f"SELECT * FROM (VALUES {entry_rows}) v WHERE EXISTS (SELECT FROM h))"
    )
    params: list = [edge.size, b"".join(edge.frontier), timezone.now(), *(expected or ())]
    params += [value for row in entries for value in row]
    if nodes:
        sql += f", n AS (INSERT INTO ledger_node (key, hash) SELECT * FROM (VALUES {node_rows}) v "  # noqa: S608
        sql += "WHERE EXISTS (SELECT FROM h))"
        params += [value for row in nodes for value in row]
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} SELECT count(*) FROM h", params)  # noqa: S608
        return cursor.fetchone()[0] == 1


# ------------------------------------------------------------------------------------------- reading


def tree_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT size FROM {Head._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def _stored(subtrees: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The hashes of complete subtrees (level, index): leaves from the entries, the rest from the nodes."""
    wanted = set(subtrees)
    leaves = [index for level, index in wanted if level == 0]
    keys = [node_key(level, index) for level, index in wanted if level > 0]
    found: dict[tuple[int, int], bytes] = {}
    mask = (1 << LEVEL_SHIFT) - 1
    with connection.cursor() as cursor:
        for condition, values in bulk.matching("key", keys):
            cursor.execute(f"SELECT key, hash FROM {Node._meta.db_table} WHERE {condition}", values)  # noqa: S608
            found.update(((key >> LEVEL_SHIFT, key & mask), bytes(value)) for key, value in cursor.fetchall())
        for condition, values in bulk.matching('"index"', leaves):
            cursor.execute(f'SELECT "index", leaf_hash FROM {Entry._meta.db_table} WHERE {condition}', values)  # noqa: S608
            found.update(((0, index), bytes(value)) for index, value in cursor.fetchall())
    missing = wanted - found.keys()
    if missing:
        raise merkle.ProofError(f"the log is missing stored hashes for subtrees {sorted(missing)[:5]}")
    return found


def range_hashes(ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH(D[a:b]) for each (a, b), from stored hashes."""
    parts = [merkle.complete_subtrees(a, b) for a, b in ranges]
    stored = _stored(subtree for part in parts for subtree in part)
    return [merkle.fold([stored[subtree] for subtree in part]) for part in parts]


def _check_size(size: int) -> None:
    current = tree_size()
    if size > current:
        raise merkle.ProofError(f"the log holds {current} entries, not {size}")


def root_at(size: int) -> bytes:
    """The root of the tree of the first `size` entries."""
    _check_size(size)
    if size == 0:
        return merkle.EMPTY_ROOT
    return range_hashes([(0, size)])[0]


def inclusion_proof(index: int, size: int) -> list[bytes]:
    ranges = merkle.inclusion_ranges(index, size)
    _check_size(size)
    return range_hashes(ranges)


def consistency_proof(first: int, second: int) -> list[bytes]:
    ranges = merkle.consistency_ranges(first, second)
    _check_size(second)
    return range_hashes(ranges)
