"""What CERTHUB_ENV=production's checks cost the lean lookup path, measured in-process (issue 14: security
headers and checks must not cost the hot path more than 5 %).

Under load on 2 shared cores the end-to-end figures move by ±15 % between runs (docs/benchmarks.md), more
than the few microseconds at stake; so this part times the lean path's ASGI callable itself, a fixed stored
record standing in for the database (whose query is the same in both modes), in a fresh process per mode —
development settings and production settings, whose values are read once at import — alternating the two
and keeping each one's fastest batch, in CPU time of the process (what other processes take does not
count). The difference is what the host check, the HTTPS check and the HSTS header add to a request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from bench.db import ROOT

PRODUCTION_ENV = {
    "CERTHUB_ENV": "production",
    "CERTHUB_SECRET_KEY": "bench-only-" + "s3cr3t-" * 8,
    "CERTHUB_ALLOWED_HOSTS": "certhub.example.cn",
    "CERTHUB_SITE_URL": "https://certhub.example.cn",
    "CERTHUB_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}

# Run in the child: time N requests through FastCertificateLookup, best of BATCHES.
CHILD = r"""
import asyncio, json, os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certhub.settings")
django.setup()
from certhub.registry.fast_lookup import FastCertificateLookup

requests, batches = int(sys.argv[1]), int(sys.argv[2])
document = json.dumps({"number": "2025010701000123", "status": "ACTIVE", "surveillance_due": "2026-01-01",
                       "holder": {"name": "长沙星城电器有限公司"}, "scope": "家用电冰箱" * 20}).encode()

async def fetch(number):
    return [(document, "1,5,9")]

async def django_app(scope, receive, send):
    raise RuntimeError("the lean path must answer every request here")

lookup = FastCertificateLookup(django_app)
lookup._backend = fetch
headers = [(b"host", b"certhub.example.cn"), (b"user-agent", b"wrk"), (b"accept", b"*/*"),
           (b"x-forwarded-proto", b"https"), (b"x-forwarded-for", b"203.0.113.7")]
scope = {"type": "http", "method": "GET", "path": "/api/v1/certificates/2025010701000123", "query_string": b"",
         "headers": headers, "scheme": "http"}
sent = []

async def receive():
    return {"type": "http.request"}

async def send(message):
    sent.append(message)

async def run(n):
    for _ in range(n):
        await lookup(scope, receive, send)

loop = asyncio.new_event_loop()
loop.run_until_complete(run(1000))  # warm up
best = float("inf")
for _ in range(batches):
    sent.clear()
    started = time.process_time()
    loop.run_until_complete(run(requests))
    best = min(best, (time.process_time() - started) / requests)
assert sent[0]["status"] == 200, sent[0]
names = [name for name, _ in sent[0]["headers"]]
print(json.dumps({"us_per_request": best * 1e6, "hsts": b"strict-transport-security" in names}))
"""


def _child(env: dict[str, str], requests: int, batches: int) -> dict[str, Any]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CERTHUB_")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(requests), str(batches)],
        env={**inherited, "PYTHONPATH": str(ROOT / "src"), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"security-cost child failed: {done.stderr.strip()[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(requests: int = 50_000, batches: int = 5, alternations: int = 3) -> dict[str, Any]:
    print("\n== security cost of the lean lookup path (in-process)", flush=True)
    best: dict[str, float] = {"development": float("inf"), "production": float("inf")}
    hsts: dict[str, bool] = {}
    for _ in range(alternations):
        for mode, env in (("development", {}), ("production", PRODUCTION_ENV)):
            result = _child(env, requests, batches)
            best[mode] = min(best[mode], result["us_per_request"])
            hsts[mode] = result["hsts"]
    added = best["production"] - best["development"]
    report = {
        "requests_per_batch": requests,
        "development_us": round(best["development"], 2),
        "production_us": round(best["production"], 2),
        "added_us": round(added, 2),
        "added_fraction": round(added / best["development"], 4),
        "hsts": hsts,
    }
    print(
        f"  development {report['development_us']:.2f} µs/request, production {report['production_us']:.2f} "
        f"µs/request (HSTS sent: {hsts['production']}); the checks add {added:.2f} µs",
        flush=True,
    )
    return report


def print_report(report: dict[str, Any], lookup_results: list[dict[str, Any]]) -> None:
    print("\nsecurity cost of the lean lookup path (issue 14: ≤ 5 % of the hot path)")
    print(
        f"  in-process, no database: development {report['development_us']:.2f} µs, production "
        f"{report['production_us']:.2f} µs a request: +{report['added_us']:.2f} µs "
        f"({report['added_fraction']:.1%} of the lean path's own work)"
    )
    for r in lookup_results:
        # Per request, each worker spends workers / (requests/s) seconds of wall time on 2 cores; the
        # checks' added microseconds against that are the end-to-end share.
        workers = r.get("workers") or os.cpu_count() or 1
        per_request_us = workers / r["certhub"]["rps"] * 1e6 if r["certhub"]["rps"] else 0.0
        share = report["added_us"] / per_request_us if per_request_us else 0.0
        print(
            f"  {r['label']:<11} of a whole lookup at {r['certhub']['rps']:,.0f} req/s "
            f"({per_request_us:.0f} µs of a worker each): {share:.1%} (≤ 5 %: {'met' if share <= 0.05 else 'NOT MET'})"
        )
