"""Revoking a certification body (C1), on PostgreSQL and SQLite: do_revoke_certification_body ending every one of
a body's N certificates in one action — each a status event with the revocation as its reason, its public record
rebuilt, an audit row and a ledger entry — beside the per-certificate action loop (do_change_certificate_status,
one action per certificate, as a revocation would run without the set-based writer) timed on a sample in the same
run and extrapolated to N.

The databases are fresh ones made for the run: `certhub_revoke` on the benchmark's PostgreSQL cluster (bench/db.py)
and var/bench/certhub-revoke.sqlite3. The measuring half runs in its own process with Django set up on each:
`python -m bench.revoke OUT.json COUNT SAMPLE`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.db import run_fresh

TARGET_SECONDS = 30.0  # 50,000 certificates, every status event and ledger entry (issue 15)


def measure(count: int, sample: int, engines: list[str], run_dir: Path) -> dict[str, Any]:
    return run_fresh("revoke", engines, run_dir, f"a body with {count:,} certificates", "bench.revoke", count, sample)


def print_report(results: dict[str, Any]) -> None:
    print("\n== revoking a certification body (one action; every status event, public record, audit row, ledger entry)")
    header = (
        f"{'database':<11} {'certificates':>12} {'revoke s':>9} {'per s':>9}   "
        f"{'loop sample':>11} {'loop s':>8} {'loop s at N':>12} {'speed-up':>9}"
    )
    print(header)
    print("-" * len(header))
    for result in results.values():
        revoke, loop = result["revoke"], result["loop"]
        print(
            f"{result['label']:<11} {result['count']:>12,} {revoke['seconds']:>9.2f} {revoke['per_s']:>9,.0f}   "
            f"{loop['n']:>11,} {loop['seconds']:>8.2f} {loop['extrapolated_seconds']:>12,.1f} "
            f"{loop['extrapolated_seconds'] / revoke['seconds']:>8.1f}×"
        )
        written = result["written"]
        print(
            f"  {result['label']}: wrote {written['events']:,} status events, {written['audits']:,} audit rows, "
            f"{written['entries']:,} ledger entries, {written['records']:,} public records"
        )
    if "postgresql" in results:
        seconds = results["postgresql"]["revoke"]["seconds"]
        count = results["postgresql"]["count"]
        met = "met" if seconds < TARGET_SECONDS else "NOT met"
        print(f"  target < {TARGET_SECONDS:.0f} s for {count:,} certificates on PostgreSQL: {met} ({seconds:.2f} s)")


# ------------------------------------------------------------------------------------------- the worker


def _worker_main(out: str, count: int, sample: int) -> None:
    import django

    django.setup()

    import datetime

    from django.utils import timezone

    from certhub.core.models import AuditEvent
    from certhub.ledger.models import Entry
    from certhub.registry.actions import (
        do_bulk_create_certificates,
        do_change_certificate_status,
        do_revoke_certification_body,
    )
    from certhub.registry.models import Certificate, CertificateEvent, CertificatePublicRecord
    from certhub.registry.testing import build_world, certificate_data, ensure_reference_data

    ensure_reference_data()
    world = build_world()
    hunan, yueyang = world.bodies["hunan"], world.bodies["yueyang"]
    holders = [world.organizations["maker"], world.organizations["hengyang"]]
    officer = world.actor("officer_province")
    today = timezone.localdate()
    reason = "出具虚假认证结论"

    def new_certificates(body: Any, actor: Any, prefix: str, n: int) -> list[Certificate]:
        made: list[Certificate] = []
        for start in range(0, n, 2000):
            rows = [certificate_data(f"{prefix}-{i:07d}", holders[i % 2]) for i in range(start, min(n, start + 2000))]
            made += do_bulk_create_certificates(body=body, rows=rows, actor=actor)
        return made

    print(f"  preparing {count:,} certificates of the revoked body and {sample:,} for the loop", flush=True)
    started = time.perf_counter()
    new_certificates(hunan, world.actor("cb_hunan"), "REV", count)
    loop_targets = new_certificates(yueyang, world.actor("cb_yueyang"), "LOOP", sample)
    print(f"  prepared in {time.perf_counter() - started:.1f} s", flush=True)

    # The per-certificate loop: what revocation costs one action per certificate, on a sample of the same kind
    # of certificate (ACTIVE, one issue event), withdrawn with the same reason.
    started = time.perf_counter()
    for certificate in loop_targets:
        do_change_certificate_status(
            certificate=certificate,
            to_status="WITHDRAWN",
            effective_date=today,
            reason=reason,
            actor=world.actor("cb_yueyang"),
        )
    loop_seconds = time.perf_counter() - started
    body_count = Certificate.objects.filter(certification_body=hunan).exclude(status="WITHDRAWN").count()

    before = {
        "events": CertificateEvent.objects.count(),
        "audits": AuditEvent.objects.count(),
        "entries": Entry.objects.count(),
    }
    started = time.perf_counter()
    result = do_revoke_certification_body(
        body=hunan, effective_date=today, reason=reason, decision="国家认监委公告（基准测试）", actor=officer
    )
    revoke_seconds = time.perf_counter() - started
    written = {
        "events": CertificateEvent.objects.count() - before["events"],
        "audits": AuditEvent.objects.count() - before["audits"],
        "entries": Entry.objects.count() - before["entries"],
        "records": CertificatePublicRecord.objects.filter(
            certificate__certification_body=hunan, certificate__status="WITHDRAWN"
        ).count(),
    }
    # Every certificate ended: one event, one audit row, one ledger entry each (the body's own audit row and
    # entry besides), and no certificate of the body left valid.
    assert result.certificates == body_count, (result.certificates, body_count)
    assert written["events"] == body_count, written
    assert written["audits"] == written["entries"] == body_count + 1, written
    assert not Certificate.objects.filter(certification_body=hunan, status__in=["ACTIVE", "SUSPENDED"]).exists()
    report = {
        "count": body_count,
        "revoke": {"seconds": round(revoke_seconds, 3), "per_s": round(body_count / revoke_seconds, 1)},
        "loop": {
            "n": sample,
            "seconds": round(loop_seconds, 3),
            "per_s": round(sample / loop_seconds, 1),
            "extrapolated_seconds": round(loop_seconds / sample * body_count, 1),
        },
        "written": written,
        "date": datetime.date.today().isoformat(),
    }
    print(f"  revoke: {report['revoke']}; loop: {report['loop']}", flush=True)
    Path(out).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    _worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
