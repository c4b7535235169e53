"""The 双随机 inspection draw at scale (`--parts draw`; docs/benchmarks.md, "双随机 draw"), on PostgreSQL.

The issue's requirement: a draw over a pool of 1,000,000 targets at 5 % with four risk strata, plus the
assignment of inspectors from a pool of 5,000 with conflicts, under 5 seconds end to end including the
snapshot digest; the same figure for a straightforward implementation (`random.sample` over ORM objects)
printed beside it, measured in the same run.

A fresh database `certhub_draw` in the benchmark's cluster (bench/db.py), then three processes, each with
Django set up on it (`python -m bench.draw STEP …`), so that each one's peak memory is its own:

1. setup (not timed against the target, but its time is printed): reference data; N organizations across
   the province's counties with valid credit codes (registry.testing.make_uscc) and a risk grade each
   (A 20 %, B 55 %, C 18 %, D 7 %), written with core.bulk's COPY inside an action (`--draw-setup copy`,
   the default) or through do_bulk_create_organizations and do_set_risk_grades in chunks
   (`--draw-setup actions`: every row with its audit row and ledger entry, as the demo generator does;
   several times slower); M inspectors through do_create_inspector, posted round-robin over the counties,
   all of 市场监管 and qualified for ENTERPRISE, about 5 % declaring conflicts with 1–3 organizations and
   about 5 % tied to a registry Person with a past Affiliation to an organization; the item (SC-QY-01, 5 %),
   a province-wide ENTERPRISE pool and a plan. Then VACUUM (ANALYZE), as autovacuum would.
2. baseline, the straightforward way (run before CertHub: CertHub's drawn tasks would take its 5 % out
   of the baseline's pool by the 12-month rule, while the baseline's tasks belong to a batch never drawn):
   the organizations as ORM objects (`list(Organization.objects.filter(region__code__startswith="43"))`),
   their grades as ORM objects, the same 12-month exclusion, strata grouped in Python and sorted, a flat
   SHA-256 of the pool listing as its digest, `random.sample` per stratum at the same ratios (seeded from
   the sources), then for each target two inspectors by `random.sample` over the Inspector ORM objects,
   drawn again while one is of the target's county or has a conflict with it (the same allowed set as
   filtering the list first, without 5,000 checks per target), and the Task / TaskInspector rows written
   with bulk_create inside an action. No workload balancing, no Merkle tree, no commitment, no audit row
   or ledger entry.
3. certhub: a batch (ratios A 2.5, B 5, C 10, D 20; two inspectors a target; own-county rule), then timed
   end to end: do_commit_batch (snapshot query, exclusion, Merkle roots, snapshot stored, audit, ledger)
   and do_draw_batch (the batch read back with its snapshot, selection, assignment, tasks written, and the
   transaction's commit, where PostgreSQL checks the deferred foreign keys). The sources' publication time
   is an hour ahead at the commit; the draw runs under time_machine one second after it. While they run,
   the functions they call by name (pools.select_targets, pools.merkle_root, actions.load_snapshot,
   draw.select_strata, draw.assign_inspectors, core.bulk's inserts, the commit …) are wrapped with timers
   (class Pieces: exclusive times, a few microseconds a call), which gives the phase breakdown of the same
   run. The tasks are then checked (count, two distinct inspectors each, none of the target's county, none
   with a conflict). With `--draw-profile`, a second batch is committed and drawn under cProfile."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 5.0
RATIOS = {"A": "2.5", "B": "5", "C": "10", "D": "20"}
GRADE_WEIGHTS = {"A": 20, "B": 55, "C": 18, "D": 7}
SOURCES_DESCRIBED = ["中国福利彩票双色球第2026138期开奖号码", "体育彩票排列5第26320期开奖号码"]
SOURCES = ["3 7 12 19 25 31 9", "2 6 0 4 8"]
DEPARTMENT = "市场监管"
ITEM_CODE = "SC-QY-01"
SEED = 2026


# ====================================================================== the orchestrating half


def measure(targets: int, inspectors: int, setup_mode: str, profile: bool, run_dir: Path) -> dict[str, Any]:
    from bench.db import ROOT, PostgresDatabase

    db = PostgresDatabase("draw")
    db.start()
    try:
        print(
            f"\n== draw: 双随机 over {targets:,} targets (4 strata), {inspectors:,} inspectors (PostgreSQL)", flush=True
        )
        started = time.monotonic()
        env = db.fresh_django_env(CERTHUB_KEY_DIR=str(run_dir / "keys"))
        env["CERTHUB_BENCH_PG_PIDS"] = ",".join(map(str, db.server_pids()))  # their CPU is ours (CpuWatch)
        migrate_s = time.monotonic() - started
        result: dict[str, Any] = {
            "targets_requested": targets,
            "inspectors_requested": inspectors,
            "setup_mode": setup_mode,
            "server_version": db.server_version(),
            "migrate_s": round(migrate_s, 1),
        }

        def step(name: str, *extra: str) -> dict[str, Any]:
            out = run_dir / f"draw-{name}.json"
            subprocess.run([sys.executable, "-m", "bench.draw", name, str(out), *extra], env=env, cwd=ROOT, check=True)
            return json.loads(out.read_text())

        result["setup"] = step("setup", str(targets), str(inspectors), setup_mode)
        started = time.monotonic()
        db.after_load()
        result["setup"]["vacuum_s"] = round(time.monotonic() - started, 1)
        print(
            f"  setup {result['setup']['total_s']:.0f} s (+ VACUUM ANALYZE {result['setup']['vacuum_s']:.0f} s)",
            flush=True,
        )
        # The baseline first: its tasks belong to a batch never drawn, so they exclude nothing from CertHub's
        # pool, while CertHub's drawn batch would take its 5 % out of the baseline's (the 12-month rule).
        result["baseline"] = step("baseline")
        result["certhub"] = step("certhub", *([str(run_dir)] if profile else []))
        ours, base = result["certhub"]["total_s"], result["baseline"]["total_s"]
        result["speedup"] = round(base / ours, 2) if ours else None
        result["target"] = {"seconds": TARGET_SECONDS, "met": ours < TARGET_SECONDS}
        return result
    finally:
        db.stop()


def print_report(r: dict[str, Any]) -> None:
    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    s, c, b = r["setup"], r["certhub"], r["baseline"]
    print(
        f"\n== 双随机 draw: {s['organizations']:,} targets in 4 strata, {s['inspectors']:,} inspectors "
        f"({s['conflicted_inspectors']} declaring conflicts, {s['employed_inspectors']} with past employment); "
        f"PostgreSQL {r['server_version']}"
    )
    print(
        f"  setup ({r['setup_mode']}): organizations and grades {s['organizations_s']:.0f} s, inspectors "
        f"{s['inspectors_s']:.0f} s, total {s['total_s']:.0f} s + VACUUM ANALYZE {s['vacuum_s']:.0f} s"
    )
    header = f"  {'':<44} {'CertHub':>10} {'baseline':>10}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    rows = [
        ("pool, strata, digest (commit / ORM list)", c["commit_s"], b["pool_s"]),
        ("selection, assignment, tasks (draw)", c["draw_s"], b["draw_s"]),
        ("  of which tasks written", None, b["write_s"]),
        ("end to end (s)", c["total_s"], b["total_s"]),
    ]
    for label, ours, theirs in rows:
        left = f"{ours:>10.2f}" if ours is not None else f"{'':>10}"
        print(f"  {label:<44} {left} {theirs:>10.2f}")
    print(f"  {'targets drawn':<44} {c['tasks']:>10,} {b['tasks']:>10,}")
    print(f"  {'inspector assignments':<44} {c['assignments']:>10,} {b['assignments']:>10,}")
    print(f"  {'peak RSS of the process (MB)':<44} {c['peak_rss_mb']:>10,.0f} {b['peak_rss_mb']:>10,.0f}")
    print(f"  {'other processes meanwhile (cores)':<44} {c['other_cores']:>10.2f} {b['other_cores']:>10.2f}")
    if max(c["other_cores"], b["other_cores"]) >= 0.1:
        print(
            "  note: other processes used CPU during the measurements: the figures are slower and noisier than on "
            "a quiet machine"
        )
    print(
        f"  CertHub end to end {c['total_s']:.2f} s, baseline {b['total_s']:.2f} s: CertHub is "
        f"{r['speedup']:.2f}× the baseline's speed; target < {TARGET_SECONDS:g} s: "
        f"{verdict(r['target']['met'])}"
    )
    print(f"  where CertHub's {c['total_s']:.2f} s go (exclusive time in each function, pool of {c['pool_size']:,}):")
    for name, seconds in c["pieces"].items():
        print(f"    {name:<76} {seconds:>6.2f} s")
    if c.get("profile"):
        print(f"  profile of a second commit and draw: {c['profile']}")


# ====================================================================== the measuring half (a child process)


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _watch() -> Any:
    """CPU that other processes (not this benchmark, not PostgreSQL) take while a figure is measured."""
    import os

    from bench.cpu import CpuWatch

    pids = [int(p) for p in os.environ.get("CERTHUB_BENCH_PG_PIDS", "").split(",") if p]
    return CpuWatch([], pids)


def _context() -> tuple[Any, Any, Any]:
    from certhub.inspections.models import InspectionItem, Plan, TargetPool

    item = InspectionItem.objects.get(code=ITEM_CODE)
    pool = TargetPool.objects.select_related("region", "scheme").get(name="全省企业")
    plan = Plan.objects.select_related("region").get(year=2026, region_id="430000")
    return item, pool, plan


def step_setup(out: Path, targets: int, inspectors: int, mode: str) -> None:
    import datetime
    import random

    from django.utils import timezone

    from certhub.core import bulk
    from certhub.core.actors import SYSTEM
    from certhub.core.choices import RegionLevel
    from certhub.core.models import Region
    from certhub.core.regulated import action
    from certhub.inspections import actions as inspections
    from certhub.inspections.testing import ITEMS
    from certhub.registry import actions as registry
    from certhub.registry.choices import GradedSubject
    from certhub.registry.models import Organization
    from certhub.registry.testing import ensure_reference_data, make_uscc
    from certhub.risk.actions import do_set_risk_grades
    from certhub.risk.models import Grade

    started = time.perf_counter()
    rnd = random.Random(SEED)
    ensure_reference_data()
    counties = list(
        Region.objects.filter(level=RegionLevel.COUNTY, code__startswith="43").select_related("parent").order_by("code")
    )
    words = ["机械制造", "电器", "电子科技", "新材料", "食品", "化工", "商贸", "信息技术", "建材", "物业服务"]
    brands = ["湘江", "星城", "麓山", "芙蓉", "潇湘", "洞庭", "衡岳", "韶峰", "九嶷", "雪峰", "武陵", "天心"]
    grades = list(GRADE_WEIGHTS)
    weights = list(GRADE_WEIGHTS.values())
    today = timezone.localdate()
    now = timezone.now()
    chunk = 50_000 if mode == "copy" else 5_000

    def rows(start: int, stop: int) -> list[dict[str, Any]]:
        result = []
        for serial in range(start + 1, stop + 1):
            county = counties[serial % len(counties)]
            city = county.parent.name.removesuffix("市").removesuffix("土家族苗族自治州")
            result.append(
                {
                    "uscc": make_uscc(serial, county.code),
                    "region": county.code,
                    "name": f"{city}{rnd.choice(brands)}{rnd.choice(words)}有限公司{serial}",
                    "address": f"{county.parent.name}{county.name}工业园{serial % 997}号",
                    "industry_section": "C",
                    "industry_division": f"{13 + serial % 31:02d}",
                    "above_designated_size": serial % 7 == 0,
                }
            )
        return result

    @action
    def write_chunk(*, data: list[dict[str, Any]], chosen: list[str], actor: Any) -> None:
        """Organizations and their grades by COPY (the validated rows of a synthetic registry)."""
        ids = bulk.allocate_ids(Organization, len(data))
        spec = bulk.table(Organization)
        columns = spec.names
        organization_rows = []
        for pk, row in zip(ids, data, strict=True):
            values = {"id": pk, "region_id": row["region"], "created_at": now, "updated_at": now, **row}
            organization_rows.append([values[name] for name in columns])
        bulk.insert_rows(Organization, organization_rows)
        bulk.insert(
            Grade,
            [
                Grade(
                    subject_type=GradedSubject.ORGANIZATION,
                    subject_id=pk,
                    grade=grade,
                    graded_on=today,
                    basis="基准测试分级",
                )
                for pk, grade in zip(ids, chosen, strict=True)
            ],
        )

    usccs: list[str] = []
    grade_count = dict.fromkeys(grades, 0)
    for start in range(0, targets, chunk):
        data = rows(start, min(start + chunk, targets))
        chosen = rnd.choices(grades, weights=weights, k=len(data))
        for grade in chosen:
            grade_count[grade] += 1
        if mode == "copy":
            write_chunk(data=data, chosen=chosen, actor=SYSTEM)
        else:
            created = registry.do_bulk_create_organizations(rows=data, actor=SYSTEM)
            do_set_risk_grades(
                rows=[
                    (GradedSubject.ORGANIZATION, o.pk, g, "基准测试分级") for o, g in zip(created, chosen, strict=True)
                ],
                actor=SYSTEM,
            )
        usccs += [r["uscc"] for r in data]
        if (start // chunk) % 4 == 3:
            print(f"  setup: {start + len(data):,} organizations ({time.perf_counter() - started:.0f} s)", flush=True)
    organizations_s = time.perf_counter() - started

    item_spec = next(spec for spec in ITEMS if spec["code"] == ITEM_CODE)
    item = inspections.do_create_inspection_item(region="430000", actor=SYSTEM, **item_spec)
    inspections.do_create_target_pool(name="全省企业", target_type="ENTERPRISE", region="430000", actor=SYSTEM)
    inspections.do_create_plan(
        title="2026年度企业公示信息双随机抽查计划",
        year=2026,
        region="430000",
        department="湖南省市场监督管理局",
        items=[item],
        actor=SYSTEM,
    )

    started_inspectors = time.perf_counter()
    conflicted = employed = 0
    for n in range(inspectors):
        county = counties[n % len(counties)]
        declared: list[str] = []
        person = None
        if rnd.random() < 0.05:
            declared = rnd.sample(usccs, rnd.randint(1, 3))
            conflicted += 1
        if rnd.random() < 0.05:
            person = registry.do_create_person(name=f"检查员{n + 1}", roles=["INSPECTOR"], actor=SYSTEM)
            employer = Organization.objects.get(uscc=rnd.choice(usccs))
            registry.do_add_affiliation(
                person=person,
                organization=employer,
                role="AUDITOR",
                start=datetime.date(2014, 3, 1),
                end=datetime.date(2019, 6, 30),
                actor=SYSTEM,
            )
            employed += 1
        inspections.do_create_inspector(
            code=f"ZF{county.code}{n + 1:05d}",
            name=f"检查员{n + 1}",
            department=DEPARTMENT,
            region=county,
            qualifications=["ENTERPRISE"],
            declared_conflicts=declared,
            person=person,
            actor=SYSTEM,
        )
    inspectors_s = time.perf_counter() - started_inspectors
    out.write_text(
        json.dumps(
            {
                "organizations": targets,
                "counties": len(counties),
                "grades": grade_count,
                "inspectors": inspectors,
                "conflicted_inspectors": conflicted,
                "employed_inspectors": employed,
                "organizations_s": round(organizations_s, 1),
                "inspectors_s": round(inspectors_s, 1),
                "total_s": round(time.perf_counter() - started, 1),
                "peak_rss_mb": round(_rss_mb()),
            },
            indent=2,
        )
    )


class Pieces:
    """Exclusive time spent in named functions while the actions run: each wrapped call's time less the time
    of the wrapped calls inside it, so the pieces and "the rest" add up to the whole. Only functions that
    exist are wrapped (the modules may change); each wrapper costs a few microseconds a call."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.inner: list[float] = []
        self.undo: list[tuple[Any, Any, Any]] = []
        self.active = False  # counted only while True: the timed spans

    def wrap(self, owner: Any, name: Any, label: str) -> None:
        original = owner[name] if isinstance(owner, list) else getattr(owner, name, None)
        if original is None:
            return
        pieces = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            if not pieces.active:
                return original(*args, **kwargs)
            pieces.inner.append(0.0)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                children = pieces.inner.pop()
                pieces.seconds[label] = pieces.seconds.get(label, 0.0) + spent - children
                pieces.calls[label] = pieces.calls.get(label, 0) + 1
                if pieces.inner:
                    pieces.inner[-1] += spent

        self.undo.append((owner, name, original))
        if isinstance(owner, list):
            owner[name] = timed
        else:
            setattr(owner, name, timed)

    def __enter__(self) -> Pieces:
        from django.db import connection

        from certhub.core import bulk, regulated
        from certhub.inspections import actions, draw, hashing, pools
        from certhub.inspections.models import Batch

        self.wrap(pools, "recently_inspected", "commit: 12-month exclusion (recently_inspected)")
        self.wrap(pools, "select_targets", "commit: pool query, strata, order (select_targets)")
        self.wrap(pools, "select_inspectors", "commit: inspector pool (select_inspectors)")
        self.wrap(pools, "merkle_root", "Merkle roots (merkle_root)")
        self.wrap(actions, "load_snapshot", "draw: snapshot read back (load_snapshot)")
        self.wrap(actions, "compute_draw", "draw: compute_draw, besides the two below")
        self.wrap(draw, "select_strata", "draw: selection (select_strata)")
        self.wrap(draw, "assign_inspectors", "draw: assignment (assign_inspectors)")
        self.wrap(actions, "_target_names", "draw: names of the drawn (_target_names)")
        self.wrap(actions, "_write_tasks", "draw: task rows built (_write_tasks, besides the COPY)")
        self.wrap(pools.TargetPool, "begin_root", "commit: pool Merkle root, this process's part (PoolRoot)")
        self.wrap(hashing.PoolRoot, "result", "commit: waiting for the other process's part of the root")
        for name in ("insert", "insert_rows", "insert_copy_text"):
            self.wrap(bulk, name, "draw: tasks written (core.bulk, COPY)")
        self.wrap(Batch, "save", "batch saved (Batch.save; with the snapshot at commit)")
        self.wrap(actions, "record_audit", "audit row (record_audit)")
        for index in range(len(regulated.ACTION_END_HOOKS)):
            self.wrap(regulated.ACTION_END_HOOKS, index, "ledger append (end hook)")
        self.wrap(connection, "commit", "COMMIT (deferred foreign-key checks)")
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self.undo):
            if isinstance(owner, list):
                owner[name] = original
            else:
                setattr(owner, name, original)

    def report(self, total: float) -> dict[str, float]:
        pieces = {k: round(v, 3) for k, v in sorted(self.seconds.items(), key=lambda kv: -kv[1])}
        rest = total - sum(self.seconds.values())
        pieces["the rest: the actions' own code (snapshot built, rows built, memory freed, …)"] = round(rest, 3)
        return pieces


def step_certhub(out: Path, profile_dir: str = "") -> None:
    import datetime
    import gc

    import time_machine
    from django.db import connection
    from django.utils import timezone

    from certhub.core.actors import SYSTEM
    from certhub.inspections.actions import do_commit_batch, do_create_batch, do_draw_batch
    from certhub.inspections.models import Batch, Task, TaskInspector

    item, pool, plan = _context()

    def commit_and_draw(name: str, pieces: Pieces | None = None) -> tuple[float, float, Any]:
        batch = do_create_batch(
            plan=plan,
            name=name,
            items=[item],
            pool=pool,
            sources_described=SOURCES_DESCRIBED,
            sources_available_at=timezone.now() + datetime.timedelta(hours=1),
            ratios=RATIOS,
            inspectors_per_target=2,
            own_county_rule=True,
            actor=SYSTEM,
        )
        published = batch.sources_available_at
        del batch
        batch = Batch.objects.select_related("plan", "pool").get(name=name)
        gc.collect()
        if pieces:
            pieces.active = True
        started = time.perf_counter()
        do_commit_batch(batch=batch, actor=SYSTEM)
        commit_s = time.perf_counter() - started
        if pieces:
            pieces.active = False
        del batch
        gc.collect()
        with time_machine.travel(published + datetime.timedelta(seconds=1), tick=True):
            if pieces:
                pieces.active = True
            started = time.perf_counter()
            batch = Batch.objects.select_related("plan", "pool").get(name=name)  # as a request would load it
            do_draw_batch(batch=batch, sources=SOURCES, actor=SYSTEM)
            draw_s = time.perf_counter() - started
            if pieces:
                pieces.active = False
        return commit_s, draw_s, batch

    with _watch() as watch, Pieces() as pieces:
        commit_s, draw_s, batch = commit_and_draw("基准批次", pieces)
    peak = _rss_mb()

    # Check what was written: every stratum's count, two distinct inspectors a task, none of the target's
    # county, none with a declared or past-employment conflict with it.
    tasks = Task.objects.filter(batch=batch).count()
    assignments = TaskInspector.objects.filter(task__batch=batch).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM inspections_taskinspector ti JOIN inspections_task t ON t.id = ti.task_id "
            "JOIN inspections_inspector i ON i.id = ti.inspector_id WHERE t.batch_id = %s AND "
            "(i.region_id = t.target_region OR i.declared_conflicts ? t.target_key OR EXISTS (SELECT 1 FROM "
            "registry_affiliation a WHERE a.person_id = i.person_id AND a.organization_id = t.organization_id))",
            [batch.pk],
        )
        violations = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT task_id FROM inspections_taskinspector ti JOIN inspections_task "
            "t ON t.id = ti.task_id WHERE t.batch_id = %s GROUP BY task_id "
            "HAVING count(DISTINCT inspector_id) <> 2) x",
            [batch.pk],
        )
        badly_staffed = cursor.fetchone()[0]
    expected = sum(s["count"] for s in batch.commitment["strata"])
    if tasks != expected or assignments != 2 * expected or violations or badly_staffed:
        raise SystemExit(
            f"CertHub's draw is wrong: {tasks} tasks for {expected}, {assignments} assignments, "
            f"{violations} own-county/conflict assignments, "
            f"{badly_staffed} tasks without 2 inspectors"
        )
    result = {
        "commit_s": round(commit_s, 3),
        "draw_s": round(draw_s, 3),
        "total_s": round(commit_s + draw_s, 3),
        "pieces": pieces.report(commit_s + draw_s),
        "calls": pieces.calls,
        "tasks": tasks,
        "assignments": assignments,
        "strata": batch.commitment["strata"],
        "pool_size": batch.commitment["pool"]["size"],
        "snapshot_bytes": len(bytes(batch.snapshot or b"")),
        "peak_rss_mb": round(peak),
        "other_cores": watch.other_cores,
    }
    if profile_dir:
        # A second batch under cProfile (its pool lacks the first draw's targets: the 12-month rule).
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        commit_and_draw("基准批次（剖析）")
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(50)
        stats.sort_stats("tottime").print_stats(30)
        path = Path(profile_dir) / "draw-profile.txt"
        path.write_text(text.getvalue())
        profiler.dump_stats(str(Path(profile_dir) / "draw-profile.pstats"))
        result["profile"] = str(path)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))


def step_baseline(out: Path) -> None:
    import datetime
    import gc
    import hashlib
    import math
    import random
    from collections import defaultdict

    import orjson
    from django.db.models import Q
    from django.utils import timezone

    from certhub.core.actors import SYSTEM
    from certhub.core.regulated import action
    from certhub.inspections.actions import do_create_batch
    from certhub.inspections.models import Inspector, Task, TaskInspector
    from certhub.registry.choices import GradedSubject
    from certhub.registry.models import Affiliation, Organization
    from certhub.risk.models import Grade

    item, pool, plan = _context()
    batch = do_create_batch(
        plan=plan,
        name="基准对照批次",
        items=[item],
        pool=pool,
        sources_described=SOURCES_DESCRIBED,
        sources_available_at=timezone.now() + datetime.timedelta(hours=1),
        ratios=RATIOS,
        inspectors_per_target=2,
        own_county_rule=True,
        actor=SYSTEM,
    )

    @action
    def write_tasks(*, drawn: list[tuple[str, Any, list[Any]]], actor: Any) -> list[Task]:
        tasks = Task.objects.bulk_create(
            [
                Task(
                    batch=batch,
                    sequence=n,
                    stratum=s,
                    target_type="ENTERPRISE",
                    target_key=o.uscc,
                    target_name=o.name,
                    target_region=o.region_id,
                    organization=o,
                )
                for n, (s, o, _staff) in enumerate(drawn, start=1)
            ],
            batch_size=2000,
        )
        TaskInspector.objects.bulk_create(
            [
                TaskInspector(task=t, inspector=i, slot=slot)
                for t, (_s, _o, staff) in zip(tasks, drawn, strict=True)
                for slot, i in enumerate(staff)
            ],
            batch_size=2000,
        )
        return tasks

    gc.collect()
    watch = _watch().__enter__()
    started = time.perf_counter()
    organizations = list(Organization.objects.filter(region__code__startswith="43"))
    grades = {g.subject_id: g.grade for g in Grade.objects.filter(subject_type=GradedSubject.ORGANIZATION)}
    cutoff = timezone.localdate() - datetime.timedelta(days=365)
    excluded = {
        t.target_key
        for t in Task.objects.filter(
            Q(inspected_until__gte=cutoff) | Q(inspected_until__isnull=True, batch__drawn_at__date__gte=cutoff),
            batch__items=item,
        )
    }
    strata: dict[str, list[Any]] = defaultdict(list)
    for organization in organizations:
        if organization.uscc not in excluded:
            strata[grades.get(organization.id, "B")].append(organization)
    digest = hashlib.sha256()
    for stratum in "ABCD":
        strata[stratum].sort(key=lambda o: o.uscc)
        digest.update(orjson.dumps([[stratum, o.uscc, o.region_id] for o in strata[stratum]]))
    digest.hexdigest()
    pool_s = time.perf_counter() - started

    rng = random.Random(hashlib.sha256("/".join(SOURCES).encode()).digest())
    drawn_targets = [
        (s, o) for s in "ABCD" for o in rng.sample(strata[s], math.ceil(len(strata[s]) * float(RATIOS[s]) / 100))
    ]
    inspectors = [
        i
        for i in Inspector.objects.filter(available=True, department=DEPARTMENT, region__code__startswith="43")
        if "ENTERPRISE" in i.qualifications
    ]
    conflicts = {i.id: set(i.declared_conflicts) for i in inspectors}
    by_person = {i.person_id: i.id for i in inspectors if i.person_id}
    for affiliation in Affiliation.objects.filter(person_id__in=list(by_person)).select_related("organization"):
        conflicts[by_person[affiliation.person_id]].add(affiliation.organization.uscc)
    drawn = []
    for stratum, organization in drawn_targets:
        while True:
            pair = rng.sample(inspectors, 2)
            if all(i.region_id != organization.region_id and organization.uscc not in conflicts[i.id] for i in pair):
                break
        drawn.append((stratum, organization, pair))
    started_write = time.perf_counter()
    tasks = write_tasks(drawn=drawn, actor=SYSTEM)
    finished = time.perf_counter()
    watch.__exit__(None, None, None)
    peak = _rss_mb()
    out.write_text(
        json.dumps(
            {
                "pool_s": round(pool_s, 3),
                "draw_s": round(finished - started - pool_s, 3),
                "write_s": round(finished - started_write, 3),
                "total_s": round(finished - started, 3),
                "tasks": len(tasks),
                "assignments": TaskInspector.objects.filter(task__batch=batch).count(),
                "strata": {
                    s: {"size": len(strata[s]), "count": sum(1 for x, _o in drawn_targets if x == s)} for s in "ABCD"
                },
                "peak_rss_mb": round(peak),
                "other_cores": watch.other_cores,
            },
            indent=2,
        )
    )


def main(argv: list[str]) -> int:
    import django

    django.setup()
    name, out, *rest = argv
    if name == "setup":
        step_setup(Path(out), int(rest[0]), int(rest[1]), rest[2])
    elif name == "certhub":
        step_certhub(Path(out), *rest)
    elif name == "baseline":
        step_baseline(Path(out))
    else:
        raise SystemExit(f"unknown step {name!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
