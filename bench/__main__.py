"""`make bench` (python -m bench): the public certificate lookup under load, CertHub beside a bare
baseline measured in the same run, on PostgreSQL and on SQLite (issue 2, item 10; docs/benchmarks.md).

For each database: make sure the demo province of the chosen size is there (generated once, kept
under var/bench/), draw random existing certificate numbers and holder-name fragments from it, then

1. serve the baseline (bench/baseline_app.py) with granian, warm it up, and load it with wrk at N
   connections for the duration: requests/s, p50/p99 latency;
2. serve CertHub (certhub.asgi:application) the same way, with the same workers and the same numbers,
   once as in development and once under CERTHUB_ENV=production (HSTS, the host and HTTPS checks);
3. time holder-name searches (`GET /api/v1/certificates?q=…`) on CertHub, one at a time.

It prints a table with the ratio and the targets and writes the figures as JSON to bench/results/."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import actions as actions_bench
from bench import bans as bans_bench
from bench import charts as charts_bench  # issue 18: charts
from bench import dashboard as dashboard_bench
from bench import draw as draw_bench
from bench import due as due_bench
from bench import imports, security_cost
from bench import joint as joint_bench
from bench import ledger as ledger_bench
from bench import market as market_bench  # issue 17: engine
from bench import market_placement as market_placement_bench
from bench import orgimport as orgimport_bench
from bench import revoke as revoke_bench
from bench import risk as risk_bench
from bench import seal as seal_bench
from bench import signin as signin_bench
from bench import toolbox_spc as toolbox_spc_bench  # issue 18: spc
from bench import verify as batch_verify
from bench.cpu import CpuWatch
from bench.db import ENGINES, ROOT, Database, bench_dir
from bench.load import ensure_wrk, run_wrk, sequential_latency, wrk_version
from bench.server import Server, get, granian_version

LOOKUP = "/api/v1/certificates/"
SEARCH = "/api/v1/certificates?q="
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0
TARGET_SEARCH_P50_MS = 100.0
APPS = {
    "baseline": ("bench.baseline_app:app", "bare ASGI + {driver}"),
    "certhub": ("certhub.asgi:application", "CertHub"),
    "production": ("certhub.asgi:application", "CertHub, production"),
}
# The same CertHub under CERTHUB_ENV=production (issue 14: security headers and checks must not cost the hot
# path more than 5 %): the host check, HSTS, the HTTPS redirect for plain HTTP; wrk speaks plain HTTP, so
# it says what a TLS-ending proxy would, X-Forwarded-Proto: https.
APP_ENV = {
    "production": {
        "CERTHUB_ENV": "production",
        "CERTHUB_SECRET_KEY": "bench-only-" + "s3cr3t-" * 8,
        "CERTHUB_ALLOWED_HOSTS": "127.0.0.1",
        "CERTHUB_SITE_URL": "https://127.0.0.1",
        "CERTHUB_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }
}
APP_HEADERS = {"production": {"X-Forwarded-Proto": "https"}}
TARGET_SECURITY_COST = 0.05
PARTS = {"lookup", "security", "verify", "import", "ledger", "seal", "draw", "risk", "dashboard", "actions", "signin"}
# Organization stewardship (C1)
PARTS |= {"orgimport"}
# Certification body stewardship (C1)
PARTS |= {"revoke"}
# Licensing (C8)
PARTS |= {"due"}
# C9: bans
PARTS |= {"bans"}
# C9: integrity archives, joint punishment (the joint punishment query)
PARTS |= {"joint"}
# issue 17: engine — market checks (C7)
PARTS |= {"market"}
# issue 17: placement
PARTS |= {"market-placement"}
# issue 18: spc — control charts of the quality toolbox (C12)
PARTS |= {"toolbox-spc"}
# issue 18: charts — matplotlib charts: a 100,000-point control chart, the dashboard with and without charts
PARTS |= {"charts"}
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
CJK = re.compile(r"[\u4e00-\u9fff]+")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size",
        choices=["small", "medium", "large"],
        default="large",
        help="demo province to measure on (default: large = 1,000,000 certificates)",
    )
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per measurement (15)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (64)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before each measurement (3)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="granian worker processes, the same for both apps (default: one per core)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure baseline and CertHub this many times each, alternating who goes first (3); "
        "the table shows the medians",
    )
    parser.add_argument("--engines", default="postgresql,sqlite", help="postgresql,sqlite (default both)")
    parser.add_argument("--sample", type=int, default=20_000, help="random certificate numbers to request")
    parser.add_argument(
        "--searches",
        type=int,
        default=200,
        help="holder-name searches to time: at most N; past 30, only within max(duration, 30) s",
    )
    parser.add_argument("--regenerate", action="store_true", help="generate the demo province again")
    parser.add_argument(
        "--parts",
        default="lookup,security,verify,import,ledger,seal,draw,risk,dashboard,actions,signin,revoke",
        help="what to measure: lookup (issue 2), security (what production's checks add to the lookup, "
        "issue 14), verify and import (issue 3), ledger and seal (issue 4), "
        "draw (双随机 inspections), risk (scoring every subject), dashboard (the KPI page) and actions "
        "(single-record actions beside raw SQL, on --engines) and signin (password + TOTP beside password only, "
        "issue 14); default all",
    )
    parser.add_argument("--import-rows", type=int, default=1_000_000, help="rows of the import CSV (1,000,000)")
    parser.add_argument(
        "--org-rows", type=int, default=1_000_000, help="rows of the organizations file (orgimport, 1,000,000)"
    )
    parser.add_argument("--import-holders", type=int, default=100_000, help="holder organizations (100,000)")
    parser.add_argument("--orm-sample", type=int, default=5_000, help="rows the per-row ORM baseline saves (5,000)")
    parser.add_argument("--ledger-entries", type=int, default=10_000_000, help="entries of the proof log (10,000,000)")
    parser.add_argument("--ledger-actions", type=int, default=2_000, help="actions timed each way (2,000)")
    parser.add_argument(
        "--draw-targets", type=int, default=1_000_000, help="organizations in the draw's pool (1,000,000)"
    )
    parser.add_argument("--draw-inspectors", type=int, default=5_000, help="inspectors in the draw's pool (5,000)")
    parser.add_argument(
        "--draw-setup",
        choices=["copy", "actions"],
        default="copy",
        help="how the draw's organizations and grades are written: COPY inside an action (default), or the bulk "
        "registry and risk actions (audit rows and ledger entries too; slower)",
    )
    parser.add_argument(
        "--draw-profile", action="store_true", help="also profile the draw's pieces with cProfile (run directory)"
    )
    parser.add_argument(
        "--risk-engines",
        default="postgresql",
        help="databases of the risk and dashboard parts: postgresql,sqlite (default postgresql)",
    )
    parser.add_argument(
        "--risk-sample", type=int, default=2_000, help="organizations the per-object ORM baseline scores (2,000)"
    )
    parser.add_argument(
        "--risk-bodies", type=int, default=40, help="certification bodies it scores (40: all the demo has)"
    )
    parser.add_argument("--risk-labs", type=int, default=300, help="labs it scores (300: all the demo has)")
    parser.add_argument(
        "--risk-flagged",
        type=int,
        default=300,
        help="organizations CertHub scored above 0 the baseline also scores, to check it agrees (300)",
    )
    parser.add_argument(
        "--dashboard-requests", type=int, default=200, help="GETs of each dashboard page, within 30 s (200)"
    )
    parser.add_argument(
        "--dashboard-live", type=int, default=5, help="times the dashboard's figures are computed live (5)"
    )
    parser.add_argument(
        "--actions-count", type=int, default=2_000, help="status changes and creations timed each way (2,000)"
    )
    parser.add_argument("--verify-calls", type=int, default=200, help="batch verify calls of 100 numbers (200)")
    # Certification body stewardship (C1)
    parser.add_argument(
        "--revoke-certificates", type=int, default=50_000, help="certificates of the revoked body (50,000)"
    )
    parser.add_argument(
        "--revoke-sample", type=int, default=1_000, help="certificates the per-certificate action loop ends (1,000)"
    )
    # Licensing (C8): the part `due` runs when named in --parts
    parser.add_argument("--due-cases", type=int, default=100_000, help="open licensing cases of `due` (100,000)")
    parser.add_argument("--due-requests", type=int, default=200, help="due lists timed per officer (200)")
    parser.add_argument("--due-sample", type=int, default=2_000, help="cases the per-case baseline computes (2,000)")
    # C9: bans — the part `bans` imports --import-rows rows of --import-holders holders four times
    parser.add_argument(
        "--bans-barred", type=int, default=1_000, help="organizations under bans in the table of `bans` (1,000)"
    )
    # C9: integrity archives, joint punishment — the part `joint` runs when named in --parts
    parser.add_argument(
        "--joint-organizations", type=int, default=300_000, help="organizations of `joint` (300,000, the large size)"
    )
    parser.add_argument("--joint-requests", type=int, default=200, help="100-code queries timed by `joint` (200)")
    # issue 17: engine — the part `market` runs when named in --parts
    parser.add_argument(
        "--market-certificates", type=int, default=1_000_000, help="CCC certificates of `market` (1,000,000: large)"
    )
    parser.add_argument(
        "--market-listings", type=int, default=1_000_000, help="listings in `market`'s file (1,000,000)"
    )
    parser.add_argument("--market-rounds", type=int, default=20, help="POSTs of 1,000 listings timed by `market` (20)")
    parser.add_argument(
        "--prepare-only", action="store_true", help="only make sure the databases hold the province, then stop"
    )
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if set(args.parts) - PARTS or not args.parts:
        parser.error(f"--parts takes {', '.join(sorted(PARTS))}")
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(args.engines) - set(ENGINES)
    if unknown or not args.engines:
        parser.error(f"--engines takes {', '.join(ENGINES)}")
    args.risk_engines = [e.strip() for e in args.risk_engines.split(",") if e.strip()]
    if set(args.risk_engines) - set(ENGINES) or not args.risk_engines:
        parser.error(f"--risk-engines takes {', '.join(ENGINES)}")
    return args


def search_terms(names: list[str], rnd: random.Random, n: int) -> list[str]:
    """2–4 Chinese characters from real holder names, at a random place in the part of the name that
    tells holders apart (the legal form 有限公司 etc. is left out: it matches everyone)."""
    terms: list[str] = []
    seen: set[str] = set()
    for name in names:
        for form in LEGAL_FORMS:
            name = name.removesuffix(form)
        runs = [r for r in CJK.findall(name) if len(r) >= 2]
        if not runs:
            continue
        run = rnd.choice(runs)
        length = rnd.randint(2, min(4, len(run)))
        start = rnd.randint(0, len(run) - length)
        term = run[start : start + length]
        if term not in seen:
            seen.add(term)
            terms.append(term)
        if len(terms) >= n:
            break
    return terms


def verify(port: int, numbers: list[str], app: str) -> None:
    """Every app must answer these lookups with the certificate asked for, or the figures mean nothing."""
    for number in numbers:
        status, body = get(port, LOOKUP + quote(number, safe=""), headers=APP_HEADERS.get(app))
        if status != 200 or json.loads(body).get("number") != number:
            raise RuntimeError(f"{app}: GET {LOOKUP}{number} answered {status}: {body[:200]!r}")


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "commit": commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else ""),
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    if len(runs) == 1:
        return {**runs[0]}
    keys = ["rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms"]
    merged = {k: round(statistics.median(r[k] for r in runs), 3) for k in keys}
    merged.update(
        requests=sum(r["requests"] for r in runs),
        errors=sum(r["errors"] for r in runs),
        other_cores=max(r["other_cores"] for r in runs),
        non_2xx=sum(r["non_2xx"] for r in runs),
        rounds=runs,
    )
    return merged


def measure_engine(db: Database, args: argparse.Namespace, wrk: str, run_dir: Path) -> dict[str, Any]:
    print(f"\n== {db.label}", flush=True)
    db.start()
    try:
        data = db.ensure_data(regenerate=args.regenerate)
        if args.prepare_only:
            return {"engine": db.engine, "label": db.label, "data": data}
        rnd = random.Random()
        numbers = db.sample_numbers(args.sample)
        if not numbers:
            raise RuntimeError(f"{db.label}: no public certificates to look up")
        terms = search_terms(db.sample_holder_names(args.searches * 4), rnd, args.searches)
        lookups = run_dir / f"lookup-{db.engine}.txt"
        lookups.write_text("".join(f"{LOOKUP}{quote(n, safe='')}\n" for n in numbers))
        (run_dir / f"search-{db.engine}.txt").write_text("".join(f"{t}\n" for t in terms))
        probe = LOOKUP + quote(numbers[0], safe="")
        print(
            f"  {len(numbers):,} random certificate numbers, {len(terms)} holder-name fragments "
            f"(e.g. {'、'.join(terms[:5])})",
            flush=True,
        )

        print(f"  read {db.warm():.1f} GB of database files into the OS cache", flush=True)
        runs: dict[str, list[dict[str, Any]]] = {app: [] for app in APPS}
        for round_index in range(args.rounds):
            order = list(APPS) if round_index % 2 == 0 else list(reversed(APPS))  # alternate who goes first
            for app in order:
                server = Server(
                    APPS[app][0],
                    database_url=db.url,
                    workers=args.workers,
                    probe=probe,
                    log=run_dir / f"granian-{db.engine}-{app}-{round_index + 1}.log",
                    env=APP_ENV.get(app),
                    headers=APP_HEADERS.get(app),
                )
                load = {"connections": args.connections, "headers": APP_HEADERS.get(app)}
                with server:
                    verify(server.port, rnd.sample(numbers, min(20, len(numbers))), app)
                    if args.warmup > 0:
                        run_wrk(wrk, server.port, lookups, duration=args.warmup, **load)
                    with CpuWatch([server.pgid], db.server_pids()) as watch:
                        result = run_wrk(wrk, server.port, lookups, duration=args.duration, **load)
                result["other_cores"] = watch.other_cores
                runs[app].append(result)
                print(
                    f"  round {round_index + 1} {app:<10} {result['rps']:>9,.0f} req/s  "
                    f"p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms  "
                    f"errors {result['errors']}  (other processes: {watch.other_cores:.2f} cores)",
                    flush=True,
                )

        server = Server(
            APPS["certhub"][0],
            database_url=db.url,
            workers=args.workers,
            probe=probe,
            log=run_dir / f"granian-{db.engine}-search.log",
        )
        with server:
            paths = [SEARCH + quote(t, safe="") for t in terms]
            sequential_latency(server.port, paths[:5], max_requests=5, max_seconds=30)  # first-request costs
            with CpuWatch([server.pgid], db.server_pids()) as watch:
                search = sequential_latency(
                    server.port,
                    paths,
                    max_requests=args.searches,
                    min_requests=min(30, args.searches),
                    max_seconds=max(args.duration, 30),
                )
        search["other_cores"] = watch.other_cores
        if search["failures"]:
            print(f"  {search['failures']} searches failed; the first: {search['first_failure']}", flush=True)
        print(
            f"  search    p50 {search['p50_ms']:6.2f} ms  p99 {search['p99_ms']:6.2f} ms  "
            f"({search['requests']} searches, median {search['matches_median']:,} matches)  "
            f"(other processes: {watch.other_cores:.2f} cores)",
            flush=True,
        )

        baseline, ours = median_of(runs["baseline"]), median_of(runs["certhub"])
        production = median_of(runs["production"])
        ratio = ours["rps"] / baseline["rps"] if baseline["rps"] else 0.0
        production_ratio = production["rps"] / baseline["rps"] if baseline["rps"] else 0.0
        # Each round's production figure against the development figure of the same round, then the median:
        # the two run back to back, so the machine's drift between rounds cancels out.
        costs = [1 - p["rps"] / d["rps"] for p, d in zip(runs["production"], runs["certhub"], strict=True) if d["rps"]]
        security_cost = statistics.median(costs) if costs else 0.0
        return {
            "engine": db.engine,
            "label": db.label,
            "driver": db.driver,
            "server_version": db.server_version(),
            "data": data,
            "sampled_numbers": len(numbers),
            "workers": args.workers,
            "baseline": baseline,
            "certhub": ours,
            "production": production,
            "ratio": round(ratio, 3),
            "production_ratio": round(production_ratio, 3),
            "security_cost": round(security_cost, 3),
            "search": {**search, "terms": terms[: search["requests"]]},
            "targets": {
                "ratio": {"target": f">= {TARGET_RATIO}", "met": ratio >= TARGET_RATIO},
                "p99_ms": {
                    "target": f"<= {TARGET_P99_MS:g}",
                    "met": ours["p99_ms"] <= TARGET_P99_MS and ours["errors"] == 0,
                },
                "security_cost": {
                    "target": f"<= {TARGET_SECURITY_COST:g}",
                    "met": security_cost <= TARGET_SECURITY_COST and production["errors"] == 0,
                },
                "search_p50_ms": {
                    "target": f"<= {TARGET_SEARCH_P50_MS:g}",
                    "met": search["p50_ms"] <= TARGET_SEARCH_P50_MS and not search["failures"],
                },
            },
        }
    finally:
        db.stop()


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def print_report(report: dict[str, Any]) -> None:
    a, m = report["args"], report["machine"]
    print(
        f"\nCertHub benchmark: GET {LOOKUP}{{number}} at {a['connections']} connections, {a['duration']:g} s "
        f"a run; '{a['size']}' province; granian {report['granian']} × {a['workers']} workers; wrk "
        f"{report['wrk']}; {m['cpus']} CPUs ({m['cpu']}); commit {m['commit']}"
    )
    header = f"{'database':<11} {'app':<26} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'other CPU':>9}"
    print(header)
    print("-" * len(header))
    for r in report["results"]:
        for app, (_, label) in APPS.items():
            x = r[app]
            print(
                f"{r['label']:<11} {label.format(driver=r['driver']):<26} {x['rps']:>8,.0f} {x['p50_ms']:>7.2f} "
                f"{x['p99_ms']:>7.2f} {x['errors']:>6} {x['other_cores']:>9.2f}"
            )
        s = r["search"]
        print(
            f"{r['label']:<11} {'CertHub search ?q=, 1 by 1':<26} {'':>8} {s['p50_ms']:>7.2f} {s['p99_ms']:>7.2f} "
            f"{s['failures']:>6} {s['other_cores']:>9.2f}"
        )
    print("\ntargets (issue 2 item 10)")
    for r in report["results"]:
        t, s = r["targets"], r["search"]
        print(
            f"  {r['label']:<11} throughput CertHub/baseline {r['ratio']:.2f} (≥ {TARGET_RATIO}: "
            f"{verdict(t['ratio']['met'])}); p99 {r['certhub']['p99_ms']:.1f} ms (≤ {TARGET_P99_MS:g} ms: "
            f"{verdict(t['p99_ms']['met'])}); search p50 {s['p50_ms']:.1f} ms (≤ {TARGET_SEARCH_P50_MS:g} ms: "
            f"{verdict(t['search_p50_ms']['met'])}, {s['requests']} searches, median {s['matches_median']:,} hits)"
        )
        print(
            f"  {r['label']:<11} CERTHUB_ENV=production: CertHub/baseline {r['production_ratio']:.2f} beside "
            f"{r['ratio']:.2f} in development; security headers and checks cost {r['security_cost']:.1%} "
            f"(≤ {TARGET_SECURITY_COST:.0%}: {verdict(t['security_cost']['met'])}; issue 14)"
        )
    busy = max((max(r[app]["other_cores"] for app in APPS) for r in report["results"]), default=0)
    if busy >= 0.1:
        print(
            f"  note: other processes used up to {busy:.2f} cores during the measurements: "
            "the figures are lower and noisier than on a quiet machine"
        )
    print(
        "\n(certificates: "
        + ", ".join(f"{r['label']} {r['data']['certificates']:,}" for r in report["results"])
        + f"; JSON: {report['json']})"
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Only the lookup part loads a server with wrk; the others need not install it.
    wrk = ensure_wrk() if "lookup" in args.parts or args.prepare_only else ""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = bench_dir() / "runs" / stamp
    run_dir.mkdir(parents=True, exist_ok=True)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    report: dict[str, Any] = {
        "benchmark": "certificate lookup (issue 2 item 10)",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "args": {k: v for k, v in vars(args).items()},
        "machine": machine(),
        "granian": granian_version(),
        "wrk": wrk_version(wrk) if wrk else None,
        "targets": {
            "ratio_min": TARGET_RATIO,
            "p99_ms_max": TARGET_P99_MS,
            "search_p50_ms_max": TARGET_SEARCH_P50_MS,
        },
        "results": [],
        "json": str((results_dir / f"{stamp}-{args.size}.json").relative_to(ROOT)),
    }
    if "lookup" in args.parts or args.prepare_only:
        for engine in args.engines:
            report["results"].append(measure_engine(ENGINES[engine](args.size), args, wrk, run_dir))
    if args.prepare_only:
        for r in report["results"]:
            print(f"{r['label']}: {r['data']['certificates']:,} certificates ready")
        return 0
    if "security" in args.parts:
        report["security"] = security_cost.measure()
    if "verify" in args.parts:
        report["verify"] = measure_verify(args, run_dir)
    if "import" in args.parts:
        report["import"] = imports.measure(args.import_rows, args.import_holders, args.orm_sample, 60.0, run_dir)
    if "ledger" in args.parts:
        report["ledger"] = ledger_bench.measure(args.ledger_entries, args.ledger_actions, run_dir)
    if "orgimport" in args.parts:
        report["orgimport"] = orgimport_bench.measure(args.org_rows, run_dir)
    if "seal" in args.parts:
        report["seal"] = seal_bench.measure()
    if "signin" in args.parts:
        report["signin"] = signin_bench.measure_in_subprocess()
    if "draw" in args.parts:
        report["draw"] = draw_bench.measure(
            args.draw_targets, args.draw_inspectors, args.draw_setup, args.draw_profile, run_dir
        )
    if "risk" in args.parts:
        options = {
            "sample": args.risk_sample,
            "bodies": args.risk_bodies,
            "labs": args.risk_labs,
            "flagged": args.risk_flagged,
        }
        report["risk"] = risk_bench.measure(args.size, args.risk_engines, options, run_dir)
    if "dashboard" in args.parts:
        report["dashboard"] = dashboard_bench.measure(
            args.size, args.risk_engines, args.workers, args.dashboard_requests, args.dashboard_live, run_dir
        )
    if "actions" in args.parts:
        report["actions"] = actions_bench.measure(args.actions_count, args.engines, run_dir)
    # Certification body stewardship (C1)
    if "revoke" in args.parts:
        report["revoke"] = revoke_bench.measure(args.revoke_certificates, args.revoke_sample, args.engines, run_dir)
    if "due" in args.parts:
        report["due"] = due_bench.measure(args.due_cases, args.due_requests, args.due_sample, args.engines, run_dir)
    # C9: bans
    if "bans" in args.parts:
        report["bans"] = bans_bench.measure(args.import_rows, args.import_holders, args.bans_barred, run_dir)
    if "joint" in args.parts:
        report["joint"] = joint_bench.measure(args.joint_organizations, args.joint_requests, args.engines, run_dir)
    # issue 17: engine
    if "market" in args.parts:
        report["market"] = market_bench.measure(
            args.market_certificates, args.market_listings, args.market_rounds, args.workers, args.engines, run_dir
        )
    # issue 17: placement
    if "market-placement" in args.parts:
        report["market-placement"] = market_placement_bench.measure()
    # issue 18: spc
    if "toolbox-spc" in args.parts:
        report["toolbox-spc"] = toolbox_spc_bench.measure()
    # issue 18: charts
    if "charts" in args.parts:
        report["charts"] = charts_bench.measure(args.size)
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    (ROOT / report["json"]).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    if report["results"]:
        print_report(report)
    if "security" in report:
        security_cost.print_report(report["security"], report["results"])
    if "verify" in report:
        print_verify(report["verify"])
    if "import" in report:
        imports.print_report(report["import"])
    if "ledger" in report:
        ledger_bench.print_report(report["ledger"])
    if "orgimport" in report:
        orgimport_bench.print_report(report["orgimport"])
    if "seal" in report:
        seal_bench.print_report(report["seal"])
    if "signin" in report:
        signin_bench.print_report(report["signin"])
    if "draw" in report:
        draw_bench.print_report(report["draw"])
    if "risk" in report:
        risk_bench.print_report(report["risk"])
    if "dashboard" in report:
        dashboard_bench.print_report(report["dashboard"])
    if "actions" in report:
        actions_bench.print_report(report["actions"])
    # Certification body stewardship (C1)
    if "revoke" in report:
        revoke_bench.print_report(report["revoke"])
    if "due" in report:
        due_bench.print_report(report["due"])
    # C9: bans
    if "bans" in report:
        bans_bench.print_report(report["bans"])
    if "joint" in report:
        joint_bench.print_report(report["joint"])
    # issue 17: engine
    if "market" in report:
        market_bench.print_report(report["market"])
    # issue 17: placement
    if "market-placement" in report:
        market_placement_bench.print_report(report["market-placement"])
    # issue 18: spc
    if "toolbox-spc" in report:
        toolbox_spc_bench.print_report(report["toolbox-spc"])
    # issue 18: charts
    if "charts" in report:
        charts_bench.print_report(report["charts"])
    return 0


def measure_verify(args: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    """Batch verify of 100 numbers on the PostgreSQL province of the chosen size (issue 3)."""
    db = ENGINES["postgresql"](args.size)
    db.start()
    try:
        db.ensure_data(regenerate=False)
        print(f"\n== verify: POST /api/v1/certificates/verify, 100 numbers a call, on {db.label}", flush=True)
        print(f"  read {db.warm():.1f} GB of database files into the OS cache", flush=True)
        return batch_verify.run(db.url, calls=args.verify_calls, log_dir=run_dir)
    finally:
        db.stop()


def print_verify(figures: dict[str, Any]) -> None:
    print("\nbatch verify of 100 numbers (issue 3 performance target: p50 < 30 ms)")
    print(json.dumps(figures, indent=2, ensure_ascii=False, default=str)[:2000])


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as error:
        sys.exit(f"bench: {' '.join(map(str, error.cmd))} failed with exit code {error.returncode}")
    except RuntimeError as error:
        sys.exit(f"bench: {error}")
    except KeyboardInterrupt:
        sys.exit(130)
