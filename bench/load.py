"""Load generation. Throughput and latency under load come from wrk (C, one thread, closed loop with a
fixed number of keep-alive connections), run as a second process: on a 2-core machine it leaves the most
CPU to the server under test, which a Python client would not (it would need about a core of its own
for 10,000 requests/s). A Lua script (wrk_paths.lua) picks a random path from a file for every request.
The search latency is measured from this process, one request at a time, since each takes milliseconds."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

LUA = Path(__file__).resolve().parent / "wrk_paths.lua"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian), then run the benchmark again")
    print("  installing wrk (apt-get install wrk)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "wrk"


def wrk_version(wrk: str) -> str:
    result = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    text = (result.stdout + result.stderr).split()  # "wrk debian/4.1.0-3+b2 [epoll] ..."
    return text[1].split("/")[-1] if len(text) > 1 else "?"


def run_wrk(
    wrk: str,
    port: int,
    paths_file: Path,
    *,
    connections: int,
    duration: float,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    argv = [
        wrk,
        "-t",
        "1",
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
    ]
    result = subprocess.run(
        argv,
        env={**os.environ, "BENCH_PATHS": str(paths_file), "BENCH_HEADERS": json.dumps(headers or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = raw["duration_us"] / 1e6
    errors = sum(v for k, v in raw.items() if k.startswith("errors_"))
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": raw["latency_p50_us"] / 1000,
        "p90_ms": raw["latency_p90_us"] / 1000,
        "p99_ms": raw["latency_p99_us"] / 1000,
        "max_ms": raw["latency_max_us"] / 1000,
        "mean_ms": round(raw["latency_mean_us"] / 1000, 3),
        "errors": errors,
        "non_2xx": raw["errors_status"],
        "wrk_errors": {k.removeprefix("errors_"): v for k, v in raw.items() if k.startswith("errors_")},
        "bytes_per_response": round(raw["bytes"] / max(1, raw["requests"])),
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, as wrk reports them."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def sequential_latency(
    port: int, paths: list[str], *, max_requests: int, max_seconds: float, min_requests: int = 10
) -> dict[str, Any]:
    """GET each path in turn on one keep-alive connection; the time of each, and what each found."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times: list[float] = []
    counts: list[int] = []
    failures = 0
    first_failure = ""
    started = time.monotonic()
    for index, path in enumerate(paths * (1 + max_requests // max(1, len(paths)))):
        if index >= max_requests or (index >= min_requests and time.monotonic() - started > max_seconds):
            break
        t0 = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        times.append((time.perf_counter() - t0) * 1000)
        if response.status != 200:
            failures += 1
            first_failure = first_failure or f"GET {path}: HTTP {response.status} {body[:120]!r}"
            continue
        try:
            counts.append(int(json.loads(body)["count"]))
        except (ValueError, KeyError, TypeError):
            failures += 1
            first_failure = first_failure or f"GET {path}: no count in {body[:120]!r}"
    connection.close()
    return {
        "requests": len(times),
        "p50_ms": round(percentile(times, 50), 2),
        "p90_ms": round(percentile(times, 90), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "max_ms": round(max(times), 2),
        "failures": failures,
        "first_failure": first_failure,
        "matches_median": int(statistics.median(counts)) if counts else 0,
        "matches_max": max(counts) if counts else 0,
    }
