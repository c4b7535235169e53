"""Market checks (`--parts market`; C7, issue 17): `POST /api/v1/market/checks` with 1,000 listings over HTTP,
p50 under 300 ms, beside 1,000 single certificate lookups over HTTP in the same run; a file of a million
listings checked at no less than 25 % of the submission import's rows/s (measured in the same run), in
under 500 MB.

For each database, in a fresh database (`certhub_market` on the benchmark's PostgreSQL cluster,
var/bench/certhub-market.sqlite3):

1. a child process writes the holders, a certification body and an officer, and a JSON Lines file of
   `--market-certificates` CCC certificates (default 1,000,000, the `large` province's count), each with a
   product line (model and GTIN);
2. `certhub import` brings that file in — the submission import, timed: its rows/s is the comparison;
3. `certhub market check` checks a CSV of `--market-listings` listings (default 1,000,000: claimed
   certificate numbers with their model or another, GTINs, forged numbers, names only, a few sure to be
   outside the catalogue), timed, with the child's peak resident memory;
4. CertHub is served with granian; 1,000 single `GET /api/v1/certificates/{number}` on one keep-alive
   connection, `--market-rounds` times (the time of the thousand), then `--market-rounds` posts of 1,000
   listings as a signed-in officer (session and CSRF token): p50, p90.

Run on its own: `python -m bench --parts market --engines sqlite --market-certificates 100000
--market-listings 200000`."""

from __future__ import annotations

import csv
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.db import BIN, ROOT, PostgresDatabase, SqliteDatabase, bench_dir
from bench.server import Server

TARGET_POST_P50_MS = 300.0
TARGET_FILE_SHARE = 0.25
TARGET_FILE_MB = 500.0
BODY = "CNCA-R-2099-017"
OFFICER = "bench-market-officer"
REGION = "430100"
BATCH = 1000
CSRF = "benchmarketcsrftoken0123456789ab"  # a CSRF secret (32 characters), sent as cookie and header


def measure(
    certificates: int, listings: int, rounds: int, workers: int, engines: list[str], run_dir: Path
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for engine in engines:
        title = f"\n== market: market checks, {certificates:,} CCC certificates, a {listings:,}-listing file"
        work = run_dir / f"market-{engine}"
        work.mkdir(parents=True, exist_ok=True)
        if engine == "postgresql":
            db: Any = PostgresDatabase("market")
            db.start()
            try:
                print(f"{title} ({db.label})", flush=True)
                env = db.fresh_django_env(CERTHUB_KEY_DIR=str(run_dir / "keys"))
                results[engine] = {
                    "label": db.label,
                    **_run(db.url, env, certificates, listings, rounds, workers, work),
                }
            finally:
                db.stop()
        else:
            db = SqliteDatabase("market")
            print(f"{title} ({db.label})", flush=True)
            db.reset()
            db.certhub("migrate", "--no-input", "-v", "0")
            env = {
                **os.environ,
                "CERTHUB_DATABASE_URL": db.url,
                "PYTHONPATH": str(ROOT / "src"),
                "DJANGO_SETTINGS_MODULE": "certhub.settings",
                "CERTHUB_KEY_DIR": str(run_dir / "keys"),
            }
            results[engine] = {"label": db.label, **_run(db.url, env, certificates, listings, rounds, workers, work)}
    return results


def _child(env: dict[str, str], argv: list[str], log: Path) -> tuple[float, float]:
    """Run a command; its wall seconds and peak resident memory (MB)."""
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({status}); see {log}")
    return seconds, usage.ru_maxrss / 1024


def _run(
    url: str, env: dict[str, str], certificates: int, listings: int, rounds: int, workers: int, work: Path
) -> dict[str, Any]:
    env = {
        **env,
        "CERTHUB_SUBMISSION_DIR": str(bench_dir() / "submissions"),
        "CERTHUB_ANONYMOUS_RATE_LIMIT": "1000000000",
    }
    python = str(BIN / "python")
    seed = work / "seed.json"
    _child(env, [python, "-m", "bench.market", "seed", str(work), str(certificates)], work / "seed.log")
    facts = json.loads(seed.read_text())
    import_seconds, import_mb = _child(
        env,
        [str(BIN / "certhub"), "import", str(work / "certificates.jsonl"), "--as", BODY, "--no-progress"],
        work / "import.log",
    )
    print(f"  submission import: {certificates:,} certificates in {import_seconds:.1f} s", flush=True)
    listing_file = work / "listings.csv"
    _write_listings(listing_file, facts, listings)
    check_seconds, check_mb = _child(
        env,
        [str(BIN / "certhub"), "market", "check", str(listing_file), "--region", REGION, "--user", OFFICER,
         "--no-progress"],
        work / "check.log",
    )  # fmt: skip
    print(f"  market check file: {listings:,} listings in {check_seconds:.1f} s, peak {check_mb:.0f} MB", flush=True)
    _child(env, [python, "-m", "bench.market", "session", str(work)], work / "session.log")
    session = json.loads((work / "session.json").read_text())
    numbers = facts["numbers"]
    server_env = {"CERTHUB_ANONYMOUS_RATE_LIMIT": "1000000000"}
    probe = f"/api/v1/certificates/{numbers[0]}"
    with Server(
        "certhub.asgi:application", database_url=url, workers=workers, probe=probe, log=work / "server.log",
        env=server_env,
    ) as server:  # fmt: skip
        lookups = _lookups(server.port, numbers, rounds)
        posts = _posts(server.port, session, facts, rounds)
    return {
        "certificates": certificates,
        "listings": listings,
        "import_seconds": round(import_seconds, 2),
        "import_rows_per_s": round(certificates / import_seconds),
        "import_peak_mb": round(import_mb, 1),
        "check_seconds": round(check_seconds, 2),
        "check_rows_per_s": round(listings / check_seconds),
        "check_peak_mb": round(check_mb, 1),
        "post_p50_ms": round(statistics.median(posts), 1),
        "post_p90_ms": round(sorted(posts)[int(0.9 * (len(posts) - 1))], 1),
        "lookups_p50_ms": round(statistics.median(lookups), 1),
        "lookup_p50_ms": round(statistics.median(lookups) / BATCH, 3),
        "rounds": rounds,
    }


def _listing(rnd: random.Random, facts: dict[str, Any], i: int) -> list[str]:
    """One listing of a realistic mix: most claim a certificate (its model, or one it does not list), some
    show a GTIN only, some a forged number, some only a name."""
    n = len(facts["numbers"])
    k = rnd.randrange(n)
    kind = i % 10
    name, number, model, gtin = "家用电冰箱 双门", "", "", ""
    if kind <= 3:
        number, model = facts["numbers"][k], facts["models"][k]
    elif kind == 4:
        number, model = facts["numbers"][k], "BCD-X99"
    elif kind <= 6:
        gtin = facts["gtins"][k]
    elif kind == 7:
        number = f"2099{i:012d}"
    elif kind == 8:
        name = "海尔双门家用电冰箱 218升"
    else:
        name = "纯棉短袖T恤 男款"
    return [f"平台{i % 5}", f"店铺{i % 997}", name, model, number, gtin, "2026-03-01"]


HEADER = ["平台", "店铺", "产品名称", "型号", "证书或声明编号", "商品条码", "检查日期"]
KEYS = ["platform", "shop", "product_name", "model", "claimed_number", "gtin", "checked_on"]


def _write_listings(path: Path, facts: dict[str, Any], count: int) -> None:
    rnd = random.Random(17)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for i in range(count):
            writer.writerow(_listing(rnd, facts, i))


def _lookups(port: int, numbers: list[str], rounds: int) -> list[float]:
    """The time (ms) of 1,000 single certificate lookups, one after another on one keep-alive connection."""
    rnd = random.Random(7)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for _round in range(rounds + 1):
        sample = [numbers[rnd.randrange(len(numbers))] for _ in range(BATCH)]
        started = time.perf_counter()
        for number in sample:
            connection.request("GET", f"/api/v1/certificates/{number}")
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {number}: HTTP {response.status}")
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times[1:]  # the first round warms up


def _posts(port: int, session: dict[str, str], facts: dict[str, Any], rounds: int) -> list[float]:
    """The time (ms) of each POST of 1,000 listings, signed in as the officer."""
    rnd = random.Random(11)
    cookie = f"{session['cookie']}={session['value']}; csrftoken={CSRF}"
    headers = {
        "Content-Type": "application/json",
        "Cookie": cookie,
        "X-CSRFToken": CSRF,
        "Referer": "http://127.0.0.1/",
    }
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    times = []
    for round_ in range(rounds + 1):
        rows = [dict(zip(KEYS, _listing(rnd, facts, round_ * BATCH + i), strict=True)) for i in range(BATCH)]
        body = json.dumps({"channel": "online", "region_code": REGION, "listings": rows}, ensure_ascii=False).encode()
        started = time.perf_counter()
        connection.request("POST", "/api/v1/market/checks", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 201:
            raise RuntimeError(f"POST market/checks: HTTP {response.status} {answer[:300]!r}")
    connection.close()
    return times[1:]


def print_report(results: dict[str, Any]) -> None:
    print(f"\n== market checks ({BATCH} listings per POST; a file of listings through `certhub market check`)")
    for r in results.values():
        print(
            f"{r['label']:<11} POST {BATCH} listings p50 {r['post_p50_ms']:.1f} ms, p90 {r['post_p90_ms']:.1f} ms"
            f"   beside {BATCH} single lookups over HTTP {r['lookups_p50_ms']:.1f} ms"
            f" ({r['lookup_p50_ms']:.2f} ms each); {r['certificates']:,} CCC certificates"
        )
        share = r["check_rows_per_s"] / r["import_rows_per_s"]
        print(
            f"{'':<11} file of {r['listings']:,} listings: {r['check_rows_per_s']:,} rows/s,"
            f" peak {r['check_peak_mb']:.0f} MB"
            f"   beside the submission import {r['import_rows_per_s']:,} rows/s ({r['certificates']:,} rows,"
            f" peak {r['import_peak_mb']:.0f} MB): {share:.0%}"
        )
        for label, met in (
            (f"POST p50 < {TARGET_POST_P50_MS:.0f} ms", r["post_p50_ms"] < TARGET_POST_P50_MS),
            (f"file ≥ {TARGET_FILE_SHARE:.0%} of the import's rows/s", share >= TARGET_FILE_SHARE),
            (f"file memory < {TARGET_FILE_MB:.0f} MB", r["check_peak_mb"] < TARGET_FILE_MB),
        ):
            print(f"  target {label}: {'met' if met else 'NOT met'}")


# ====================================================================== the children (Django set up)


def _seed(work: Path, count: int) -> None:
    import django

    django.setup()
    import datetime

    from django.contrib.auth import get_user_model
    from stdnum import ean

    from certhub.core.actors import SYSTEM
    from certhub.core.choices import Role
    from certhub.core.models import Region
    from certhub.registry import actions
    from certhub.registry.testing import ensure_reference_data, make_uscc

    ensure_reference_data()
    body_org = actions.do_create_organization(
        data={"uscc": make_uscc(917_001, "430100"), "name": "基准市场认证中心", "region": "430100"}, actor=SYSTEM
    )
    actions.do_create_certification_body(
        organization=body_org, name=body_org.name, approval_number=BODY, scheme_codes=["CCC"], actor=SYSTEM
    )
    holders = []
    for i in range(200):
        holder = actions.do_create_organization(
            data={"uscc": make_uscc(918_000 + i, "430104"), "name": f"基准电器制造{i:03d}有限公司", "region": "430104"},
            actor=SYSTEM,
        )
        holders.append(holder)
    get_user_model().objects.create_user(
        username=OFFICER,
        password=None,
        role=Role.OFFICER,
        region=Region.objects.get(code=REGION),
        department="市场监管局",
    )
    today = datetime.date.today()
    numbers, gtins, models = [], [], []
    with (work / "certificates.jsonl").open("w", encoding="utf-8") as out:
        for i in range(count):
            holder = holders[i % len(holders)]
            number = f"2025{i:012d}"
            gtin = "69" + f"{i:010d}"
            gtin += ean.calc_check_digit(gtin)
            issue = today - datetime.timedelta(days=30 + i % 900)
            record = {
                "number": number,
                "status": "ACTIVE",
                "scheme": "CCC",
                "scope": "家用电冰箱",
                "standards": "GB 4706.1-2005",
                "issue_date": issue.isoformat(),
                "expiry_date": (issue + datetime.timedelta(days=5 * 365)).isoformat(),
                "entity_name": holder.name,
                "entity_id": holder.uscc,
                "ccc_product": "0701",
                "products": [{"name": "家用电冰箱", "model": f"BCD-{i % 900 + 100}", "gtin": gtin}],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if i % max(1, count // 20_000) == 0:
                numbers.append(number)
                gtins.append(gtin)
                models.append(f"BCD-{i % 900 + 100}")
    (work / "seed.json").write_text(json.dumps({"numbers": numbers, "gtins": gtins, "models": models}))


def _session(work: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from certhub.core.testing import sign_in_client

    client = sign_in_client(Client(), get_user_model().objects.get(username=OFFICER))
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    (work / "session.json").write_text(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "value": value}))


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        _seed(Path(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "session":
        _session(Path(sys.argv[2]))
