"""Risk scoring at scale (`--parts risk`; docs/benchmarks.md, "Risk scoring"), on PostgreSQL (and SQLite).

The issue's requirement (C6): scoring the `large` demo province — 300,000 organizations,
1,000,000 certificates plus reports — under 60 seconds and under 2 GB peak memory, beside a per-object
Python loop over the ORM on a sample, extrapolated, printed in the same run.

On the demo province of the chosen size (bench/db.py generates it once per size and engine, under
var/bench/), each step in a process of its own (`python -m bench.risk STEP …`, Django set up on it):

1. reset: every current grade (risk.Grade) deleted inside an action, so that each invocation's first
   scoring run starts from the same state — no grade at all — and writes every grade; the grade history
   (GradeChange), the scoring runs and the warnings are kept. On PostgreSQL, `VACUUM (ANALYZE)` of the
   table follows, as autovacuum would.
2. CertHub, twice: `certhub risk score` (risk.actions.do_run_scoring: every detector's set-based SQL, the
   scores, every organization's, body's and lab's grade written with its history, warnings raised or
   refreshed, the audit row and ledger entry), timed end to end from the process's start to its exit.
   The first run writes every grade; the second is the steady state, where nothing changed since and
   few grades move. Peak memory: the process's own peak RSS (ru_maxrss from wait4), and the database
   server's — the peak, sampled every 100 ms, of the summed private memory (RssAnon) of the PostgreSQL
   cluster's processes (its backend, parallel workers, autovacuum); the 2 GB of shared_buffers, fixed
   and shared, are not counted.
3. baseline, the straightforward way, on a random sample (`--risk-sample` organizations; every body and
   every lab up to `--risk-bodies` / `--risk-labs`): per subject, the subject loaded and ORM queries for its
   records — an organization's certificates, their status events, its certificate uses, the CCC products
   it makes, its penalties and its published inspection results; a body's certificates (with their
   scheme) and its certificates' audits; a lab's scope rows, signatories with their scope, reports with
   their items — the detectors' rules applied in Python, the score computed with certhub.risk.scoring under
   the same rule, and the grade saved with Grade.save() (GradeChange.save() when it changed; an open
   warning refreshed) inside an action per subject. Time per subject, extrapolated to the whole
   population. Then the agreement: the grade and score the baseline computed beside the ones CertHub's
   second run wrote, per sampled subject — on the random sample, and on up to `--risk-flagged` more
   organizations CertHub scored above 0 (a random sample of a clean province has few of them; they are
   checked, not counted in the extrapolation)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 60.0
TARGET_MEMORY_MB = 2048.0
SEED = 2026


# ====================================================================== the orchestrating half


class ServerMemory:
    """The peak of the summed private memory (RssAnon) of a database server's processes — the postmaster
    and its children — sampled every `interval` seconds while the block runs."""

    def __init__(self, parents: set[int], interval: float = 0.1) -> None:
        self.parents = parents
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _anon_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def sample(self) -> int:
        pids = set(self.parents)
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                raw = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            if int(raw[raw.rfind(")") + 2 :].split()[1]) in self.parents:
                pids.add(int(entry.name))
        return sum(self._anon_kb(pid) for pid in pids)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, self.sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> ServerMemory:
        if self.parents:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.parents:
            self._stop.set()
            self._thread.join()

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)


def run_child(argv: list[str], env: dict[str, str], server_pids: set[int], log: Path) -> dict[str, Any]:
    """Run a command to its end: wall time, its peak RSS (wait4), the server's peak private memory, and the
    CPU other processes took meanwhile. The output goes to `log`; a failure raises with its end."""
    from bench.cpu import CpuWatch
    from bench.db import ROOT

    with open(log, "wb") as out, CpuWatch([], server_pids) as watch, ServerMemory(server_pids) as memory:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        tail = "\n".join(log.read_text(errors="replace").strip().splitlines()[-20:])
        raise RuntimeError(f"{' '.join(argv[:4])} … exited with {process.returncode}; the end of {log}:\n{tail}")
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "server_peak_mb": memory.peak_mb,
        "other_cores": watch.other_cores,
        "output": log.read_text(errors="replace").strip().splitlines()[-1:],
    }


def measure_engine(engine: str, size: str, options: dict[str, int], run_dir: Path) -> dict[str, Any]:
    from bench.db import BIN, ENGINES, ROOT

    db = ENGINES[engine](size)
    print(f"\n== risk: certhub risk score on the '{size}' province ({db.label})", flush=True)
    db.start()
    try:
        data = db.ensure_data(regenerate=False)
        env = {
            **os.environ,
            "CERTHUB_DATABASE_URL": db.url,
            "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": "certhub.settings",
            "CERTHUB_LOG_LEVEL": "WARNING",
        }
        env.pop("CERTHUB_RISK_SCORING", None)  # the default rule, for both CertHub and the baseline
        pids = db.server_pids()
        env["CERTHUB_BENCH_PG_PIDS"] = ",".join(map(str, pids))  # their CPU is ours (CpuWatch)

        def step(name: str, *extra: str) -> dict[str, Any]:
            out = run_dir / f"risk-{engine}-{name}.json"
            argv = [sys.executable, "-m", "bench.risk", name, str(out), *extra]
            subprocess.run(argv, env=env, cwd=ROOT, check=True)
            return json.loads(out.read_text())

        result: dict[str, Any] = {
            "engine": engine,
            "label": db.label,
            "server_version": db.server_version(),
            "data": data,
        }
        print(f"  read {db.warm():.1f} GB of database files into the OS cache", flush=True)
        result["population"] = step("count")
        p = result["population"]
        print(
            f"  {p['organizations']:,} organizations, {p['certification_bodies']:,} certification bodies, "
            f"{p['labs']:,} labs; {p['certificates']:,} certificates, {p['test_reports']:,} test reports; "
            f"signals: {p['certificate_uses']:,} certificate uses, {p['manufactured_products']:,} CCC products "
            f"made, {p['certification_audits']:,} audits, {p['penalties']:,} penalties",
            flush=True,
        )
        started = time.perf_counter()
        result["reset"] = step("reset")
        if engine == "postgresql":
            with db.connect() as connection:
                connection.execute("VACUUM (ANALYZE) risk_grade")
        result["reset"]["seconds"] = round(time.perf_counter() - started, 1)
        print(
            f"  reset: {result['reset']['deleted']:,} grades deleted ({result['reset']['seconds']:.1f} s)", flush=True
        )
        runs = []
        for number in (1, 2):
            figures = run_child(
                [str(BIN / "certhub"), "risk", "score"], env, pids, run_dir / f"risk-{engine}-certhub-{number}.log"
            )
            figures.update(step("last-run"))
            runs.append(figures)
            print(
                f"  CertHub run {number}: {figures['seconds']:.1f} s, peak RSS {figures['peak_rss_mb']:,.0f} MB "
                f"+ server {figures['server_peak_mb']:,.0f} MB; {figures['subjects']:,} subjects, "
                f"{figures['findings']:,} findings, {figures['changed']:,} grades changed, "
                f"{figures['warnings']:,} new warnings (other processes: {figures['other_cores']:.2f} cores)",
                flush=True,
            )
        result["certhub"] = runs
        baseline = step("baseline", *(str(options[k]) for k in ("sample", "bodies", "labs", "flagged")))
        result["baseline"] = baseline
        est = baseline["extrapolated_s"]
        print(
            f"  baseline: {baseline['organizations']['count']:,} organizations "
            f"({baseline['organizations']['per_subject_ms']:.2f} ms each), "
            f"{baseline['certification_bodies']['count']} bodies "
            f"({baseline['certification_bodies']['per_subject_ms']:.0f} ms each), {baseline['labs']['count']} "
            f"labs ({baseline['labs']['per_subject_ms']:.1f} ms each): {est:,.0f} s extrapolated; agreement "
            f"{baseline['agreement']['agreed']:,}/{baseline['agreement']['checked']:,}",
            flush=True,
        )
        first = runs[0]
        memory = first["peak_rss_mb"] + first["server_peak_mb"]
        worst = max(runs, key=lambda r: r["seconds"])
        result["ratio"] = round(est / first["seconds"], 1) if first["seconds"] else None
        result["targets"] = {
            "seconds": {"target": f"< {TARGET_SECONDS:g}", "met": worst["seconds"] < TARGET_SECONDS},
            "memory_mb": {
                "target": f"< {TARGET_MEMORY_MB:g}",
                "value": round(memory, 1),
                "met": max(r["peak_rss_mb"] + r["server_peak_mb"] for r in runs) < TARGET_MEMORY_MB,
            },
            "agreement": {
                "target": "every sampled subject",
                "met": baseline["agreement"]["agreed"] == baseline["agreement"]["checked"],
            },
        }
        return result
    finally:
        db.stop()


def measure(size: str, engines: list[str], options: dict[str, int], run_dir: Path) -> dict[str, Any]:
    return {
        "size": size,
        "options": options,
        "targets": {"seconds": TARGET_SECONDS, "memory_mb": TARGET_MEMORY_MB},
        "results": [measure_engine(engine, size, options, run_dir) for engine in engines],
    }


def print_report(report: dict[str, Any]) -> None:
    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    for r in report["results"]:
        p, b, (one, two) = r["population"], r["baseline"], r["certhub"]
        print(
            f"\n== risk scoring: '{report['size']}' province on {r['label']} {r['server_version']}: "
            f"{p['organizations']:,} organizations, {p['certification_bodies']:,} bodies, {p['labs']:,} labs, "
            f"{p['certificates']:,} certificates"
        )
        header = f"  {'':<46} {'seconds':>9} {'peak RSS MB':>12} {'server MB':>10} {'changed':>9}"
        print(header)
        print("  " + "-" * (len(header) - 2))
        for label, x in (("CertHub run 1 (writes every grade)", one), ("CertHub run 2 (steady state)", two)):
            server = f"{x['server_peak_mb']:>10,.0f}" if r["engine"] == "postgresql" else f"{'-':>10}"
            print(f"  {label:<46} {x['seconds']:>9.1f} {x['peak_rss_mb']:>12,.0f} {server} {x['changed']:>9,}")
        print(
            f"  {'baseline, per-object ORM loop, extrapolated':<46} {b['extrapolated_s']:>9,.0f} "
            f"{b['peak_rss_mb']:>12,.0f} {'':>10} {'':>9}"
        )
        for kind in ("organizations", "certification_bodies", "labs"):
            x = b[kind]
            label = f"  of which {kind.replace('_', ' ')}: {x['count']:,} of {x['population']:,} timed"
            print(f"  {label:<46} {x['extrapolated_s']:>9,.1f}   ({x['per_subject_ms']:,.2f} ms each)")
        if b["flagged"]["count"]:
            print(
                f"  (and {b['flagged']['count']:,} organization(s) CertHub scored above 0, checked only: "
                f"{b['flagged']['per_subject_ms']:.2f} ms each)"
            )
        a = b["agreement"]
        print(
            f"  agreement, same grade and score as CertHub: {a['agreed']:,} of {a['checked']:,} sampled subjects "
            f"({a['with_findings']:,} of them with findings; grades {a['grades']})"
        )
        for miss in a["mismatches"][:5]:
            print(f"    differs: {miss}")
        t = r["targets"]
        print(
            f"  CertHub {one['seconds']:.1f} s / {two['seconds']:.1f} s, baseline {b['extrapolated_s']:,.0f} s "
            f"extrapolated: the baseline takes {r['ratio']}× CertHub's first run"
        )
        print(
            f"  target < {TARGET_SECONDS:g} s: {verdict(t['seconds']['met'])}; target < {TARGET_MEMORY_MB:g} MB "
            f"(process + server, worst run): {verdict(t['memory_mb']['met'])}; baseline agrees: "
            f"{verdict(t['agreement']['met'])}"
        )
        busy = max(one["other_cores"], two["other_cores"])
        if busy >= 0.1:
            print(
                f"  note: other processes used up to {busy:.2f} cores meanwhile: the figures are slower than on a "
                "quiet machine"
            )


# ====================================================================== the measuring half (a child process)


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_count(out: Path) -> None:
    from certhub.registry.models import (
        Certificate,
        CertificationAudit,
        CertificationBody,
        Lab,
        ManufacturedProduct,
        Organization,
        TestReport,
    )
    from certhub.risk.models import CertificateUse, Penalty

    out.write_text(
        json.dumps(
            {
                "organizations": Organization.objects.count(),
                "certification_bodies": CertificationBody.objects.count(),
                "labs": Lab.objects.count(),
                "certificates": Certificate.objects.count(),
                "test_reports": TestReport.objects.count(),
                "certificate_uses": CertificateUse.objects.count(),
                "manufactured_products": ManufacturedProduct.objects.count(),
                "certification_audits": CertificationAudit.objects.count(),
                "penalties": Penalty.objects.count(),
            }
        )
    )


def step_reset(out: Path) -> None:
    from django.db import connection

    from certhub.core.actors import SYSTEM
    from certhub.core.regulated import action

    @action
    def reset_grades(*, actor: Any) -> int:
        """Every current grade deleted (the benchmark's own database only), so that each invocation's first
        scoring run writes every grade from the same state. Inside an action, as every regulated write."""
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM risk_grade")
            return cursor.rowcount

    out.write_text(json.dumps({"deleted": reset_grades(actor=SYSTEM)}))


def step_last_run(out: Path) -> None:
    from certhub.risk.models import ScoringRun

    run = ScoringRun.objects.order_by("-ran_at", "-id").first()
    out.write_text(
        json.dumps(
            {
                "as_of": run.as_of.isoformat(),
                "subjects": run.subjects,
                "findings": run.findings,
                "changed": run.changed,
                "warnings": run.warnings,
            }
        )
    )


def step_baseline(out: Path, organizations: int, bodies: int, labs: int, flagged: int) -> None:
    import gc
    import random

    from bench import risk_baseline as naive
    from certhub.core.actors import SYSTEM
    from certhub.registry.choices import GradedSubject
    from certhub.registry.models import CertificationBody, Lab, Organization
    from certhub.risk.models import Grade, ScoringRun
    from certhub.risk.scoring import load_rule

    run = ScoringRun.objects.order_by("-ran_at", "-id").first()
    day, rule = run.as_of, load_rule()
    rnd = random.Random(SEED)
    population = {
        GradedSubject.ORGANIZATION: list(Organization.objects.order_by("id").values_list("id", flat=True)),
        GradedSubject.CERTIFICATION_BODY: list(CertificationBody.objects.order_by("id").values_list("id", flat=True)),
        GradedSubject.LAB: list(Lab.objects.order_by("id").values_list("id", flat=True)),
    }
    wanted = {
        GradedSubject.ORGANIZATION: organizations,
        GradedSubject.CERTIFICATION_BODY: bodies,
        GradedSubject.LAB: labs,
    }
    samples = {kind: rnd.sample(ids, min(wanted[kind], len(ids))) for kind, ids in population.items()}
    chosen = set(samples[GradedSubject.ORGANIZATION])
    scored = [
        pk
        for pk in Grade.objects.filter(subject_type=GradedSubject.ORGANIZATION, score__gt=0)
        .order_by("subject_id")
        .values_list("subject_id", flat=True)
        if pk not in chosen
    ]
    extra = rnd.sample(scored, min(flagged, len(scored)))
    functions = {
        GradedSubject.ORGANIZATION: naive.organization,
        GradedSubject.CERTIFICATION_BODY: naive.body,
        GradedSubject.LAB: naive.lab,
    }
    names = {
        GradedSubject.ORGANIZATION: "organizations",
        GradedSubject.CERTIFICATION_BODY: "certification_bodies",
        GradedSubject.LAB: "labs",
    }

    compared: list[tuple[str, int, Any, Any]] = []  # (type, id, CertHub's (grade, score), the baseline's)

    def loop(kind: str, ids: list[int]) -> float:
        gc.collect()
        started = time.perf_counter()
        for pk in ids:
            result = naive.grade_subject(functions[kind], pk, day, rule, run, actor=SYSTEM)
            compared.append((kind, pk, result.before, result.after))
        return time.perf_counter() - started

    from bench.cpu import CpuWatch

    pg = [int(p) for p in os.environ.get("CERTHUB_BENCH_PG_PIDS", "").split(",") if p]
    figures: dict[str, Any] = {}
    total = 0.0
    with CpuWatch([], pg) as watch:
        for kind, ids in samples.items():
            seconds = loop(kind, ids)
            size = len(population[kind])
            per = seconds / len(ids) if ids else 0.0
            figures[names[kind]] = {
                "count": len(ids),
                "population": size,
                "seconds": round(seconds, 3),
                "per_subject_ms": round(1000 * per, 3),
                "extrapolated_s": round(per * size, 1),
            }
            total += per * size
        seconds = loop(GradedSubject.ORGANIZATION, extra)
    figures["flagged"] = {
        "count": len(extra),
        "seconds": round(seconds, 3),
        "per_subject_ms": round(1000 * seconds / len(extra), 3) if extra else 0.0,
    }
    mismatches = [
        f"{kind} {pk}: CertHub {ours}, baseline {theirs}" for kind, pk, ours, theirs in compared if ours != theirs
    ]
    grades: dict[str, int] = {}
    for _kind, _pk, _ours, theirs in compared:
        grades[theirs[0]] = grades.get(theirs[0], 0) + 1
    figures["agreement"] = {
        "checked": len(compared),
        "agreed": len(compared) - len(mismatches),
        "with_findings": sum(1 for *_k, theirs in compared if theirs[1] > 0),
        "grades": dict(sorted(grades.items())),
        "mismatches": mismatches[:50],
    }
    figures.update(
        as_of=day.isoformat(),
        extrapolated_s=round(total, 1),
        peak_rss_mb=round(_rss_mb()),
        other_cores=watch.other_cores,
    )
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


def main(argv: list[str]) -> int:
    import django

    django.setup()
    name, out, *rest = argv
    steps = {"count": step_count, "reset": step_reset, "last-run": step_last_run}
    if name in steps:
        steps[name](Path(out))
    elif name == "baseline":
        step_baseline(Path(out), *(int(x) for x in rest))
    else:
        raise SystemExit(f"unknown step {name!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
