"""The transparency ledger at scale (issue 4, "Performance"), on PostgreSQL, side by side in one run:

1. appending inside actions: a real single-record action (a certificate suspended, 2,000 certificates
   one after another), with the time spent in the ledger's end hook added up, so the ledger's share of
   an action and the appends it sustains per second are printed; and bulk actions (2,000 new
   certificates each), as entries appended per second;
2. proofs at 10,000,000 entries: a log of that size is written straight into the ledger's tables (leaf
   hashes and stored subtree hashes computed as ledger.log computes them), then random inclusion and
   consistency proofs are answered from the store (p50, p99), each checked against the root; beside them
   the peer, a naive recompute of the same proofs from the 10,000,000 leaf hashes in memory
   (ledger.merkle's list functions), on a few samples.

The database is the benchmark's PostgreSQL cluster (bench/db.py), with a fresh database `certhub_ledger`
whose ledger tables lose their foreign key to the audit log for the synthetic part."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.db import ROOT, PostgresDatabase

TARGET_ACTIONS_PER_SECOND = 2000
TARGET_PROOF_P50_MS = 2.0


def measure(entries: int, actions: int, run_dir: Path) -> dict[str, Any]:
    db = PostgresDatabase("ledger")
    db.start()
    try:
        print(f"\n== ledger: appends in actions, then proofs at {entries:,} entries (PostgreSQL)", flush=True)
        env = db.fresh_django_env(CERTHUB_KEY_DIR=str(run_dir / "keys"))
        out = run_dir / "ledger.json"
        subprocess.run(
            [sys.executable, "-m", "bench.ledger_worker", str(entries), str(actions), str(out)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        return json.loads(out.read_text())
    finally:
        db.stop()


def print_report(result: dict[str, Any]) -> None:
    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    a = result["append"]
    print("\n== ledger: appending inside actions (PostgreSQL, one process, one action after another)")
    print(f"  status change (a real action)  {a['with_per_s']:>9,.0f} actions/s  ({a['with_ms']:.3f} ms each)")
    print(
        f"  of which the ledger append     {a['ledger_ms']:.3f} ms: {a['share']:.1%} of the action; "
        f"{a['appends_per_s']:,.0f} appends/s"
    )
    print(
        f"  bulk create (2,000 a action)   {a['bulk_entries_per_s']:>9,.0f} entries/s appended "
        f"({a['bulk_share']:.1%} of the bulk action)"
    )
    met = a["appends_per_s"] >= TARGET_ACTIONS_PER_SECOND
    print(
        f"  target ≥ {TARGET_ACTIONS_PER_SECOND:,} actions/s of ledger appends: {verdict(met)}; the whole status "
        f"change: {verdict(a['with_per_s'] >= TARGET_ACTIONS_PER_SECOND)}"
    )
    p = result["proofs"]
    print(f"\n== ledger: proofs at {p['entries']:,} entries (PostgreSQL)")
    print(f"  built in {p['build_s']:.0f} s; stored {p['nodes']:,} subtree hashes")
    for kind in ("inclusion", "consistency"):
        mine, peer = p[kind], p[f"{kind}_peer"]
        print(
            f"  {kind:<12} CertHub p50 {mine['p50_ms']:7.3f} ms  p99 {mine['p99_ms']:7.3f} ms  ({mine['n']} proofs)"
            f" · naive recompute p50 {peer['p50_ms']:,.0f} ms ({peer['n']} proofs)"
            f" · {verdict(mine['p50_ms'] <= TARGET_PROOF_P50_MS)} (≤ {TARGET_PROOF_P50_MS} ms)"
        )
