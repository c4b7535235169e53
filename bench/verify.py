"""Batch verification, `POST /api/v1/certificates/verify` (C2 采信: a department or a buyer checks the
certificates it was shown), beside two baselines measured in the same run on the same numbers:

- the same 100 numbers as 100 single `GET /api/v1/certificates/{number}` calls (what a client does
  without the batch endpoint; answered by the lean lookup path), and
- one raw SQL query of the same 100 numbers on the read model, with the database's own driver (the
  floor: no HTTP, no Python web stack).

CertHub is served by granian (bench.server.Server) on the database given; requests are sequential on
one keep-alive connection, each with `batch` random existing public certificate numbers. The
anonymous per-address limit is set out of reach for the server measured (the request is still
counted, as in production). Returns the figures as a dict; `python -m bench.verify DATABASE_URL`
prints them."""

from __future__ import annotations

import http.client
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.db import bench_dir
from bench.load import percentile
from bench.server import Server

VERIFY = "/api/v1/certificates/verify"
LOOKUP = "/api/v1/certificates/"
TARGET_P50_MS = 30.0
SAMPLE = "SELECT number FROM registry_certificatepublicrecord ORDER BY random() LIMIT {n:d}"
BATCH_SQL = "SELECT document FROM registry_certificatepublicrecord WHERE number IN ({marks})"


def _connect(database_url: str) -> tuple[str, Any]:
    """(engine, DB-API connection) for a CERTHUB_DATABASE_URL."""
    import dj_database_url

    config = dj_database_url.parse(database_url)
    if config["ENGINE"].endswith("sqlite3"):
        return "sqlite", sqlite3.connect(f"file:{config['NAME']}?mode=ro", uri=True)
    import psycopg

    connection = psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        dbname=config["NAME"],
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    )
    return "postgresql", connection


def _figures(times_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(times_ms, 50), 2),
        "p90_ms": round(percentile(times_ms, 90), 2),
        "p99_ms": round(percentile(times_ms, 99), 2),
        "mean_ms": round(statistics.fmean(times_ms), 2),
        "max_ms": round(max(times_ms), 2),
        "n": len(times_ms),
    }


def _request(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None) -> Any:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def run(
    database_url: str,
    *,
    calls: int = 200,
    batch: int = 100,
    single_get_batches: int = 20,
    sample: int = 20_000,
    workers: int = 1,
    seed: int | None = None,
    log_dir: Path | None = None,
) -> dict[str, Any]:
    """Measure `calls` sequential batch verifications of `batch` random existing numbers each on the
    CertHub served from `database_url`, beside `single_get_batches` × `batch` single GETs and as many raw
    SQL batch queries on the same numbers. Returns p50/p90/p99 (ms) of each and the target's verdict."""
    rnd = random.Random(seed)
    engine, database = _connect(database_url)
    try:
        pool = [row[0] for row in database.execute(SAMPLE.format(n=sample)).fetchall()]
        certificates = database.execute("SELECT count(*) FROM registry_certificatepublicrecord").fetchone()[0]
    finally:
        database.close()
    if len(pool) < batch:
        raise RuntimeError(f"only {len(pool)} public certificates in {database_url}; need at least {batch}")
    batches = [rnd.sample(pool, batch) for _ in range(max(calls, single_get_batches))]

    log_dir = log_dir or bench_dir() / "runs" / time.strftime("%Y%m%d-%H%M%S")
    saved = os.environ.get("CERTHUB_ANONYMOUS_RATE_LIMIT")
    os.environ["CERTHUB_ANONYMOUS_RATE_LIMIT"] = str(10**9)  # counted, never refused
    try:
        log = log_dir / f"granian-verify-{engine}.log"
        probe = LOOKUP + quote(pool[0], safe="")
        server = Server("certhub.asgi:application", database_url=database_url, workers=workers, probe=probe, log=log)
        with server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            for numbers in batches[:5]:  # first-request costs: imports, connections, caches
                _request(connection, "POST", VERIFY, json.dumps({"numbers": numbers}).encode())
            verify_ms, found = [], []
            for numbers in batches[:calls]:
                body = json.dumps({"numbers": numbers}).encode()
                started = time.perf_counter()
                status, answer = _request(connection, "POST", VERIFY, body)
                verify_ms.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"POST {VERIFY} answered {status}: {answer[:200]!r}")
                found.append(json.loads(answer)["found"])
            gets_ms = []
            for numbers in batches[:single_get_batches]:
                started = time.perf_counter()
                for number in numbers:
                    status, answer = _request(connection, "GET", LOOKUP + quote(number, safe=""))
                    if status not in (200, 409):  # 409: a number two bodies share, answered with both
                        raise RuntimeError(f"GET {LOOKUP}{number} answered {status}: {answer[:200]!r}")
                gets_ms.append((time.perf_counter() - started) * 1000)
            connection.close()
    finally:
        if saved is None:
            os.environ.pop("CERTHUB_ANONYMOUS_RATE_LIMIT", None)
        else:
            os.environ["CERTHUB_ANONYMOUS_RATE_LIMIT"] = saved

    engine, database = _connect(database_url)
    sql_ms = []
    try:
        mark = "?" if engine == "sqlite" else "%s"
        for numbers in batches[:calls]:
            statement = BATCH_SQL.format(marks=", ".join([mark] * len(numbers)))
            started = time.perf_counter()
            rows = database.execute(statement, numbers).fetchall()
            sql_ms.append((time.perf_counter() - started) * 1000)
            if len(rows) < len(numbers):
                raise RuntimeError(f"raw SQL found {len(rows)} of {len(numbers)} sampled numbers")
    finally:
        database.close()

    verify = _figures(verify_ms)
    gets = _figures(gets_ms)
    return {
        "benchmark": f"POST {VERIFY}, {batch} numbers a call, sequential",
        "engine": engine,
        "certificates": certificates,
        "batch": batch,
        "workers": workers,
        "verify": {**verify, "found_median": statistics.median(found)},
        "baseline_single_gets": {**gets, "note": f"{batch} × GET {LOOKUP}{{number}} per batch"},
        "baseline_raw_sql": {**_figures(sql_ms), "note": "one SELECT … WHERE number IN (…) with the driver"},
        "speedup_over_single_gets": round(gets["p50_ms"] / verify["p50_ms"], 1) if verify["p50_ms"] else None,
        "target": {"p50_ms": f"<= {TARGET_P50_MS:g}", "met": verify["p50_ms"] <= TARGET_P50_MS},
    }


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.verify DATABASE_URL [CALLS]")
    figures = run(sys.argv[1], calls=int(sys.argv[2]) if len(sys.argv) > 2 else 200)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
