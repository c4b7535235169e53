"""The joint punishment query at the `large` size (`--parts joint`; C9): 100 credit codes per call,
p50 under 30 ms, beside 100 single calls measured in the same run.

In a fresh database of each engine (`certhub_joint` on the benchmark's PostgreSQL cluster, and
var/bench/certhub-joint.sqlite3), a process with Django set up:

1. writes `--joint-organizations` organizations (default 300,000, the `large` demo's count) across the
   province's counties and a ban on one in a hundred of them (every organization kind of ban, some ended,
   some lifted) — bulk inserts inside one action, the rows the ban actions would have left;
2. times CertHub's query as another department asks it, `integrity.actions.do_query_joint_punishment` with
   100 credit codes (one in ten of them barred), answered and logged (its log row, audit row and ledger
   entry): a few warm-up calls, then `--joint-requests` calls; p50, p90, p99 in milliseconds;
3. the baseline: the same 100 codes asked as 100 single calls of the same action, one after another;
   the time of the 100 (p50 over `--joint-requests` / 10 rounds) and of one call.

Run on its own: `python -m bench --parts joint --engines sqlite`."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.db import run_fresh

TARGET_P50_MS = 30.0
BATCH = 100


def measure(organizations: int, requests: int, engines: list[str], run_dir: Path) -> dict[str, Any]:
    return run_fresh(
        "joint",
        engines,
        run_dir,
        f"the joint punishment query, {organizations:,} organizations",
        "bench.joint",
        organizations,
        requests,
    )


def print_report(results: dict[str, Any]) -> None:
    print(f"\n== joint punishment query ({BATCH} credit codes per call; ms)")
    columns = f"{'database':<11} {'organizations':>13} {'bans':>7} {'p50':>8} {'p90':>8} {'p99':>8}"
    header = f"{columns}   baseline in the same run"
    print(header)
    print("-" * (len(header) + 40))
    for result in results.values():
        print(
            f"{result['label']:<11} {result['organizations']:>13,} {result['bans']:>7,} {result['p50']:>8.2f}"
            f" {result['p90']:>8.2f} {result['p99']:>8.2f}   {BATCH} single calls p50 {result['singles_p50']:.1f} ms"
            f" (one call p50 {result['single_p50']:.2f} ms); {result['singles_p50'] / result['p50']:.0f}× the batch"
        )
        met = "met" if result["p50"] < TARGET_P50_MS else "NOT met"
        print(f"  target p50 < {TARGET_P50_MS:.0f} ms for {BATCH} codes: {met} ({result['p50']:.2f} ms)")


# ====================================================================== the measuring half


def _timed(call: Any, runs: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _worker_main(out: str, organizations: int, requests: int) -> None:
    import django

    django.setup()

    import datetime
    import gc
    import random

    from django.db import connection
    from django.utils import timezone

    from certhub.core import bulk
    from certhub.core.actions import do_issue_api_key
    from certhub.core.actors import SYSTEM, Actor
    from certhub.core.models import Region
    from certhub.core.regulated import action
    from certhub.integrity.actions import do_query_joint_punishment
    from certhub.registry.choices import BanKind
    from certhub.registry.models import Ban, Organization
    from certhub.registry.testing import ensure_reference_data, make_uscc

    ensure_reference_data()
    rnd = random.Random(16)
    today = timezone.localdate()
    counties = list(Region.objects.filter(level="county").values_list("code", flat=True))
    kinds = [BanKind.PERMANENT_EXIT, BanKind.APPLICATION_BAR, BanKind.CERTIFICATION_BAR, BanKind.SERIOUS_VIOLATION]

    @action
    def seed(*, actor: Actor) -> tuple[list[str], list[str]]:
        started = time.perf_counter()
        rows = [
            Organization(uscc=make_uscc(700_000 + i, county), name=f"联合惩戒测试单位{i:06d}", region_id=county)
            for i, county in enumerate(rnd.choice(counties) for _ in range(organizations))
        ]
        bulk.insert(Organization, rows)
        bans = []
        for serial, organization in enumerate(rnd.sample(rows, organizations // 100)):
            kind = kinds[serial % len(kinds)]
            starts = today - datetime.timedelta(days=rnd.randint(1, 1500))
            ends = None if kind == BanKind.PERMANENT_EXIT else starts + datetime.timedelta(days=365 * 3)
            bans.append(
                Ban(
                    kind=kind,
                    organization_id=organization.pk,
                    decision_number=f"湘市监罚〔{starts.year}〕{serial}号",
                    decided_on=starts,
                    authority="湖南省市场监督管理局",
                    region_code="430000",
                    starts=starts,
                    ends=ends,
                    reason="基准测试",
                    legal_basis="基准测试",
                    lifted_on=starts + datetime.timedelta(days=30) if serial % 17 == 0 else None,
                )
            )
        bulk.insert(Ban, bans)
        print(f"  wrote {organizations:,} organizations, {len(bans):,} bans in {time.perf_counter() - started:.1f} s")
        banned = {ban.organization_id for ban in bans}
        barred = [row.uscc for row in rows if row.pk in banned]
        return [row.uscc for row in rows], barred

    codes, barred = seed(actor=SYSTEM)
    # The seed's 300,000 model instances are garbage now; a server process would not hold them either.
    gc.collect()
    department = Organization.objects.get(uscc=codes[0])
    key, _secret = do_issue_api_key(
        organization=department, name="联合惩戒", role="PUBLIC", scopes=["joint_punishment_query"], actor=SYSTEM
    )
    asker = Actor.from_api_key(key)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def batch() -> list[dict[str, str]]:
        return [{"uscc": code} for code in rnd.sample(barred, BATCH // 10) + rnd.sample(codes, BATCH - BATCH // 10)]

    batches = [batch() for _ in range(requests + 5)]
    sample = iter(batches)
    _log, answers = do_query_joint_punishment(items=batches[0], channel="API", actor=asker)
    assert len(answers) == BATCH and sum(a["barred"] for a in answers) >= 1
    mine = _timed(lambda: do_query_joint_punishment(items=next(sample), channel="API", actor=asker), requests)
    rounds = max(3, requests // 10)
    single_times: list[float] = []

    def singles() -> None:
        for item in batches[rnd.randrange(len(batches))]:
            start = time.perf_counter()
            do_query_joint_punishment(items=[item], channel="API", actor=asker)
            single_times.append((time.perf_counter() - start) * 1000)

    hundred = _timed(singles, rounds, warmup=1)
    report = {
        "organizations": organizations,
        "bans": Ban.objects.count(),
        "p50": statistics.median(mine),
        "p90": _percentile(mine, 0.9),
        "p99": _percentile(mine, 0.99),
        "singles_p50": statistics.median(hundred),
        "single_p50": statistics.median(single_times),
    }
    print(f"  {BATCH} codes per call p50 {report['p50']:.2f} ms; {BATCH} single calls {report['singles_p50']:.1f} ms")
    Path(out).write_text(json.dumps(report))


if __name__ == "__main__":
    _worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
