"""`certhub ledger verify`: recompute the whole log from its stored entries and check everything that
was derived from them or published about them (C4).

- each entry's index runs on without a gap, its `sequence` is its index, and its stored leaf hash is
  SHA-256(0x00 ‖ entry);
- every stored subtree hash (the nodes proofs are answered from) equals the one recomputed;
- the head's size and right edge equal the recomputed ones;
- every stored checkpoint's root equals the recomputed root at its size, its note is signed by a given
  key and says what the row says, and each is consistent with the next (an RFC 9162 proof from the
  stored hashes, checked with merkle.verify_consistency);
- each entry agrees with the audit row it records: action, subject type, actor role, and the salted
  digests of the states before and after (so an audit row changed after the fact is caught too).

It reads the log in index order, in batches, holding only the right edge of the tree in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import orjson

from certhub.core.audit import salted_digest
from certhub.ledger import log, merkle, note
from certhub.ledger.models import LEVEL_SHIFT, Checkpoint, Entry, Head, Node

BATCH = 20_000
MAX_PROBLEMS = 50


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    more_problems: int = 0

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.more_problems += 1

    @property
    def ok(self) -> bool:
        return not self.problems


def _batches(size: int) -> Iterator[list[tuple]]:
    fields = (
        "index",
        "leaf_hash",
        "entry",
        "salt",
        "audit__event_type",
        "audit__subject_type",
        "audit__subject_id",
        "audit__actor_role",
        "audit__before",
        "audit__after",
    )
    for start in range(0, size, BATCH):
        rows = Entry.objects.filter(index__gte=start, index__lt=start + BATCH).order_by("index")
        yield list(rows.values_list(*fields))


def _check_audit(report: Report, index: int, document: dict, salt: bytes, audit: tuple) -> None:
    event_type, subject_type, _subject_id, actor_role, before, after = audit
    expected = {
        "action": event_type,
        "subject_type": subject_type,
        "actor_role": actor_role,
        "before_digest": salted_digest(salt, before),
        "after_digest": salted_digest(salt, after),
    }
    for key, value in expected.items():
        if document.get(key) != value:
            report.problem(f"entry {index}: its {key} does not match the audit row it records")


def _stored_nodes(nodes: list[tuple[int, bytes]]) -> dict[int, bytes]:
    """The stored nodes with the keys of `nodes`: those of one batch lie in one key range per level."""
    levels: dict[int, list[int]] = {}
    for key, _hash in nodes:
        levels.setdefault(key >> LEVEL_SHIFT, []).append(key)
    found: dict[int, bytes] = {}
    for keys in levels.values():
        rows = Node.objects.filter(key__gte=min(keys), key__lte=max(keys)).values_list("key", "hash")
        found.update((key, bytes(value)) for key, value in rows)
    return found


def verify_ledger(
    verifiers: list[note.Verifier], *, check_audit: bool = True, progress: Callable[[int], object] | None = None
) -> Report:
    report = Report()
    head = Head.objects.filter(id=1).first()
    size = Entry.objects.count()
    checkpoints = list(Checkpoint.objects.order_by("tree_size"))
    roots: dict[int, bytes] = {}
    wanted = {c.tree_size for c in checkpoints}
    edge = log.Edge(0, [])
    for batch in _batches(max(size, head.size if head else 0)):
        nodes: list[tuple[int, bytes]] = []
        for index, stored_leaf, text, salt, *audit in batch:
            if index != edge.size:
                report.problem(f"entry {edge.size} is missing (the next stored entry is {index})")
                return report
            leaf = merkle.leaf_hash(text.encode())
            if bytes(stored_leaf) != leaf:
                report.problem(f"entry {index}: the stored leaf hash does not match the entry")
            try:
                document = orjson.loads(text)
            except orjson.JSONDecodeError:
                report.problem(f"entry {index}: not JSON")
                document = {}
            if document.get("sequence") != index:
                report.problem(f"entry {index}: its sequence is {document.get('sequence')!r}")
            if check_audit:
                _check_audit(report, index, document, bytes(salt), tuple(audit))
            edge.append(leaf, nodes)
            if edge.size in wanted:
                roots[edge.size] = edge.root()
        stored = _stored_nodes(nodes)
        for key, value in nodes:
            if stored.get(key) != value:
                level, position = key >> LEVEL_SHIFT, key & ((1 << LEVEL_SHIFT) - 1)
                report.problem(f"stored subtree hash {level}/{position} does not match the entries under it")
        report.entries = edge.size
        if progress:
            progress(len(batch))
    if head is None or head.size != edge.size or bytes(head.frontier) != b"".join(edge.frontier):
        report.problem(f"the head (size {head.size if head else 0}) does not match the {edge.size} entries")
    _check_checkpoints(report, checkpoints, roots, verifiers)
    return report


def _check_checkpoints(
    report: Report, checkpoints: list[Checkpoint], roots: dict[int, bytes], verifiers: list[note.Verifier]
) -> None:
    previous: Checkpoint | None = None
    for checkpoint in checkpoints:
        report.checkpoints += 1
        size = checkpoint.tree_size
        if size not in roots:
            report.problem(f"checkpoint {size}: the log has fewer entries than it signed")
            continue
        if bytes(checkpoint.root_hash) != roots[size]:
            report.problem(f"checkpoint {size}: its root is not the root of the first {size} entries")
        try:
            body = note.Checkpoint.parse(note.open_note(checkpoint.note, verifiers).text)
        except note.NoteError as error:
            report.problem(f"checkpoint {size}: {error}")
        else:
            if (body.size, body.root_hash) != (size, roots[size]):
                report.problem(f"checkpoint {size}: the signed note says size {body.size} and another root")
        if previous is not None and previous.tree_size in roots:
            try:
                proof = log.consistency_proof(previous.tree_size, size)
                merkle.verify_consistency(previous.tree_size, size, proof, roots[previous.tree_size], roots[size])
            except merkle.ProofError as error:
                report.problem(f"checkpoints {previous.tree_size} → {size}: not consistent ({error})")
        previous = checkpoint
