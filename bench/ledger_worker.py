"""The measuring half of bench/ledger.py, run in its own process with Django set up on the benchmark's
PostgreSQL database: `python -m bench.ledger_worker ENTRIES ACTIONS OUT.json`."""

from __future__ import annotations

import datetime
import io
import json
import random
import statistics
import sys
import time
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402

from certhub.core import regulated  # noqa: E402
from certhub.ledger import log, merkle  # noqa: E402
from certhub.ledger.models import Entry, Head, Node  # noqa: E402


def figures(times: list[float]) -> dict[str, Any]:
    ordered = sorted(times)
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(ordered) * 1000, 4),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 4),
    }


class HookTimer:
    """Wraps the ledger's end hook to add up the time spent appending (the ledger's share of an action)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.saved = list(regulated.ACTION_END_HOOKS)

    def __enter__(self) -> HookTimer:
        def timed() -> None:
            started = time.perf_counter()
            for hook in self.saved:
                hook()
            self.seconds += time.perf_counter() - started

        regulated.ACTION_END_HOOKS[:] = [timed]
        return self

    def __exit__(self, *exc: object) -> None:
        regulated.ACTION_END_HOOKS[:] = self.saved


def measure_appends(actions: int) -> dict[str, Any]:
    from certhub.registry.actions import do_bulk_create_certificates, do_change_certificate_status
    from certhub.registry.testing import build_world, certificate_data, ensure_reference_data

    ensure_reference_data()
    world = build_world()
    actor = world.actor("cb_hunan")
    holder, body = world.organizations["maker"], world.bodies["hunan"]
    batch = 2000

    def bulk(prefix: str) -> list[Any]:
        rows = [certificate_data(f"{prefix}-{i}", holder) for i in range(batch)]
        return do_bulk_create_certificates(body=body, rows=rows, actor=actor)

    # Single-record actions on distinct certificates (each with its own short history), after a warm-up.
    targets = [c for n in range((actions + 50) // batch + 1) for c in bulk(f"TARGET-{n}")][: actions + 50]
    for certificate in targets[:50]:
        do_change_certificate_status(
            certificate=certificate,
            to_status="SUSPENDED",
            effective_date=datetime.date(2026, 1, 5),
            reason="监督审核不通过",
            actor=actor,
        )
    with HookTimer() as single:
        started = time.perf_counter()
        for certificate in targets[50:]:
            do_change_certificate_status(
                certificate=certificate,
                to_status="SUSPENDED",
                effective_date=datetime.date(2026, 1, 5),
                reason="监督审核不通过",
                actor=actor,
            )
        single_total = time.perf_counter() - started
    # Bulk actions: 2,000 new certificates each, one entry per certificate.
    rounds = 5
    with HookTimer() as many:
        started = time.perf_counter()
        for n in range(rounds):
            bulk(f"BULK-{n}")
        bulk_total = time.perf_counter() - started
    return {
        "actions": actions,
        "with_per_s": round(actions / single_total, 1),
        "with_ms": round(single_total / actions * 1000, 4),
        "ledger_ms": round(single.seconds / actions * 1000, 4),
        "share": round(single.seconds / single_total, 4),
        "appends_per_s": round(actions / single.seconds, 1),
        "bulk_entries_per_s": round(rounds * batch / many.seconds, 1),
        "bulk_share": round(many.seconds / bulk_total, 4),
    }


def build_log(entries: int) -> tuple[list[bytes], bytes, float, int]:
    """A synthetic log of `entries` leaves written into the ledger's tables as appends write them."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE ledger_entry DROP CONSTRAINT IF EXISTS ledger_entry_audit_id_key")
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'ledger_entry'::regclass AND contype = 'f'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE ledger_entry DROP CONSTRAINT "{name}"')
        cursor.execute("TRUNCATE ledger_entry, ledger_node, ledger_head, ledger_checkpoint")
    leaves: list[bytes] = []
    edge, node_count = log.Edge(0, []), 0
    chunk = 500_000
    raw = connection.connection
    for start in range(0, entries, chunk):
        entry_text, node_text, nodes = io.StringIO(), io.StringIO(), []
        for index in range(start, min(entries, start + chunk)):
            document = f'{{"sequence":{index}}}'
            leaf = merkle.leaf_hash(document.encode())
            leaves.append(leaf)
            edge.append(leaf, nodes)
            entry_text.write(f"{index}\t\\\\x{leaf.hex()}\t{document}\t{index}\t\\\\x\n")
        for key, value in nodes:
            node_text.write(f"{key}\t\\\\x{value.hex()}\n")
        node_count += len(nodes)
        with raw.cursor() as cursor:
            with cursor.copy('COPY ledger_entry ("index", leaf_hash, entry, audit_id, salt) FROM STDIN') as copy:
                copy.write(entry_text.getvalue())
            with cursor.copy("COPY ledger_node (key, hash) FROM STDIN") as copy:
                copy.write(node_text.getvalue())
        print(f"  wrote {min(entries, start + chunk):,} entries", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_head (id, size, frontier, updated_at) VALUES (1, %s, %s, now())",
            [edge.size, b"".join(edge.frontier)],
        )
        cursor.execute("VACUUM (ANALYZE) ledger_entry")
        cursor.execute("VACUUM (ANALYZE) ledger_node")
    return leaves, edge.root(), time.perf_counter() - started, node_count


def measure_proofs(entries: int) -> dict[str, Any]:
    leaves, root, build_s, nodes = build_log(entries)
    rnd = random.Random(4)
    assert log.root_at(entries) == root == merkle.fold(log.Edge.of(entries, Head.objects.get().frontier).frontier)
    inclusion, consistency = [], []
    for _ in range(50):  # warm the cache of the index pages a proof walks
        log.inclusion_proof(rnd.randrange(entries), entries)
    for _ in range(2000):
        index = rnd.randrange(entries)
        started = time.perf_counter()
        proof = log.inclusion_proof(index, entries)
        inclusion.append(time.perf_counter() - started)
        merkle.verify_inclusion(leaves[index], index, entries, proof, root)
    old_roots: dict[int, bytes] = {}
    for _ in range(2000):
        first = rnd.randrange(1, entries)
        started = time.perf_counter()
        proof = log.consistency_proof(first, entries)
        consistency.append(time.perf_counter() - started)
        if len(old_roots) < 5:
            old_roots[first] = merkle.root_hash(leaves[:first])
            merkle.verify_consistency(first, entries, proof, old_roots[first], root)
    peer_inclusion, peer_consistency = [], []
    for _ in range(3):
        index, first = rnd.randrange(entries), rnd.randrange(1, entries)
        started = time.perf_counter()
        naive = merkle.inclusion_proof(leaves, index, entries)
        peer_inclusion.append(time.perf_counter() - started)
        assert naive == log.inclusion_proof(index, entries)
        started = time.perf_counter()
        naive = merkle.consistency_proof(leaves, first, entries)
        peer_consistency.append(time.perf_counter() - started)
        assert naive == log.consistency_proof(first, entries)
    return {
        "entries": entries,
        "nodes": nodes,
        "build_s": round(build_s, 1),
        "inclusion": figures(inclusion),
        "consistency": figures(consistency),
        "inclusion_peer": figures(peer_inclusion),
        "consistency_peer": figures(peer_consistency),
        "entry_count": Entry.objects.count(),
        "node_count": Node.objects.count(),
    }


def main() -> None:
    entries, actions, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    result = {"append": measure_appends(actions)}
    print(f"  appends measured ({actions} actions each way)", flush=True)
    result["proofs"] = measure_proofs(entries)
    with open(out, "w") as file:
        json.dump(result, file, indent=2)


if __name__ == "__main__":
    main()
