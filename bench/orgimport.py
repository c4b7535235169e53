"""Market registration's organizations file at scale (issue 15, "Performance"): 1,000,000 organization rows
into PostgreSQL through `certhub import FILE --kind organizations`, measured beside

  (a) raw COPY of the same rows, already in the organization table's columns (the limit), in the same run;

then the same file again with 5% of the names changed (each change an update, its former name kept, an
audit row and a ledger entry). CertHub's import runs in its own process, so that its wall time and peak
memory (the process and its children, bench.imports.TreeMemory) are its own.

The database is the benchmark's PostgreSQL cluster (bench/db.py) with a fresh database `certhub_orgimport`:
migrations and the reference data (regions)."""

from __future__ import annotations

import csv
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.db import BIN, ROOT, PostgresDatabase, bench_dir
from bench.imports import TreeMemory

TARGET_COPY_SHARE = 0.25
TARGET_PEAK_MB = 500.0
CHANGED_SHARE = 0.05
COPY_COLUMNS = [
    "uscc",
    "name",
    "region_id",
    "address",
    "industry_section",
    "industry_division",
    "above_designated_size",
    "registration_status",
    "contact_email",
    "contact_phone",
    "created_at",
    "updated_at",
]
HEADER = [
    "uscc",
    "name",
    "region_code",
    "address",
    "industry_section",
    "industry_division",
    "above_designated_size",
    "registration_status",
]

SETUP = """
import django
django.setup()
from certhub.registry.testing import ensure_reference_data
from certhub.core.models import Region
ensure_reference_data()
print(",".join(Region.objects.filter(level="county").order_by("code").values_list("code", flat=True)))
"""

CODES = """
import sys
import django
django.setup()
from certhub.registry.testing import make_uscc
counties = sys.argv[2].split(",")
rows = int(sys.argv[1])
with open(sys.argv[3], "w") as out:
    for i in range(rows):
        out.write(make_uscc(20_000_000 + i, counties[i % len(counties)]) + "\\n")
"""


def write_files(directory: Path, rows: int, counties: list[str], env: dict[str, str]) -> None:
    """The registration CSV (English headers), the same rows with 5% of the names changed, and the COPY input."""
    codes_path = directory / "codes.txt"
    subprocess.run(
        [sys.executable, "-c", CODES, str(rows), ",".join(counties), str(codes_path)], env=env, cwd=ROOT, check=True
    )
    now = datetime.datetime.now(datetime.UTC).isoformat()
    every = round(1 / CHANGED_SHARE)
    statuses = ["存续"] * 18 + ["吊销", "注销"]
    with (
        codes_path.open() as codes,
        (directory / "organizations.csv").open("w", encoding="utf-8", newline="") as first,
        (directory / "organizations-renamed.csv").open("w", encoding="utf-8", newline="") as second,
        (directory / "copy.csv").open("w", encoding="utf-8", newline="") as raw,
    ):
        one, two, copier = (csv.writer(f, lineterminator="\n") for f in (first, second, raw))
        one.writerow(HEADER)
        two.writerow(HEADER)
        for i, line in enumerate(codes):
            uscc = line.strip()
            region = counties[i % len(counties)]
            name = f"湖南测评{i:07d}号制造有限公司"
            address = f"湖南省示例路{i % 999 + 1}号"
            size = "是" if i % 3 == 0 else "否"
            status = statuses[i % len(statuses)]
            row = [uscc, name, region, address, "C", "38", size, status]
            one.writerow(row)
            if i % every == 0:
                row = [uscc, f"湖南更名{i:07d}号智能制造有限公司", *row[2:]]
            two.writerow(row)
            code = {"存续": "IN_BUSINESS", "吊销": "LICENCE_REVOKED", "注销": "DEREGISTERED"}[status]
            copier.writerow([uscc, name, region, address, "C", "38", size == "是", code, "", "", now, now])
    codes_path.unlink()


def run_import(db: PostgresDatabase, path: Path, log: Path) -> dict[str, Any]:
    """`certhub import FILE --kind organizations` in a child process: wall seconds and peak memory."""
    env = {
        **os.environ,
        "CERTHUB_DATABASE_URL": db.url,
        "PYTHONPATH": str(ROOT / "src"),
        "CERTHUB_SUBMISSION_DIR": str(bench_dir() / "submissions"),
    }
    command = [str(BIN / "certhub"), "import", str(path), "--kind", "organizations", "--no-progress"]
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        memory = TreeMemory(child.pid)
        _pid, status, usage = os.wait4(child.pid, 0)
        tree_peak = memory.stop()
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"certhub import failed ({status}); see {log}")
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(max(tree_peak, usage.ru_maxrss / 1024), 1),
        "log": log.read_text()[-400:],
    }


def run_copy(db: PostgresDatabase, path: Path) -> float:
    with db.connect() as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            options = "FORMAT csv, FORCE_NOT_NULL (contact_email, contact_phone)"  # an empty contact is "", not NULL
            statement = f"COPY registry_organization ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH ({options})"
            with cursor.copy(statement) as copy, path.open("rb") as stream:
                while block := stream.read(1 << 20):
                    copy.write(block)
        return time.perf_counter() - started


def measure(rows: int, run_dir: Path) -> dict[str, Any]:
    db = PostgresDatabase("orgimport")
    db.start()
    try:
        print(f"\n== orgimport: {rows:,} organization rows into PostgreSQL", flush=True)
        env = db.fresh_django_env()
        setup = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        counties = setup.stdout.strip().splitlines()[-1].split(",")
        started = time.perf_counter()
        write_files(run_dir, rows, counties, env)
        size_mb = (run_dir / "organizations.csv").stat().st_size / 2**20
        print(f"  wrote the files in {time.perf_counter() - started:.0f} s ({size_mb:,.0f} MB CSV)", flush=True)
        with db.connect() as connection:
            connection.execute("VACUUM (ANALYZE)")

        copy_seconds = run_copy(db, run_dir / "copy.csv")
        print(f"  raw COPY            {copy_seconds:8.1f} s  {rows / copy_seconds:>10,.0f} rows/s", flush=True)
        with db.connect() as connection:
            connection.execute("TRUNCATE registry_organization CASCADE")
            connection.execute("VACUUM (ANALYZE) registry_organization")

        first = run_import(db, run_dir / "organizations.csv", run_dir / "orgimport-1.log")
        print(
            f"  CertHub import      {first['seconds']:8.1f} s  {rows / first['seconds']:>10,.0f} rows/s  "
            f"peak {first['peak_mb']:.0f} MB",
            flush=True,
        )
        again = run_import(db, run_dir / "organizations-renamed.csv", run_dir / "orgimport-2.log")
        print(
            f"  CertHub re-import   {again['seconds']:8.1f} s  {rows / again['seconds']:>10,.0f} rows/s  "
            f"peak {again['peak_mb']:.0f} MB ({CHANGED_SHARE:.0%} of the names changed)",
            flush=True,
        )
        with db.connect() as connection:
            counts = connection.execute(
                "SELECT (SELECT count(*) FROM registry_organization), "
                "(SELECT count(*) FROM registry_organizationname), "
                "(SELECT count(*) FROM core_auditevent WHERE event_type = 'ORGANIZATION_CREATED'), "
                "(SELECT count(*) FROM core_auditevent WHERE event_type = 'ORGANIZATION_UPDATED'), "
                "(SELECT count(*) FROM ledger_entry e JOIN core_auditevent a ON a.id = e.audit_id "
                " WHERE a.event_type LIKE 'ORGANIZATION_%%')"
            ).fetchone()
        copy_rate = rows / copy_seconds
        return {
            "rows": rows,
            "csv_mb": round(size_mb, 1),
            "copy": {"seconds": round(copy_seconds, 2), "rows_per_s": round(copy_rate)},
            "import": {**first, "rows_per_s": round(rows / first["seconds"])},
            "reimport": {**again, "rows_per_s": round(rows / again["seconds"])},
            "written": {
                "organizations": counts[0],
                "former_names": counts[1],
                "created_audit_rows": counts[2],
                "updated_audit_rows": counts[3],
                "ledger_entries": counts[4],
            },
            "ratios": {
                "copy_share": round(rows / first["seconds"] / copy_rate, 3),
                "reimport_copy_share": round(rows / again["seconds"] / copy_rate, 3),
            },
        }
    finally:
        db.stop()


def print_report(result: dict[str, Any]) -> None:
    r = result["ratios"]

    def verdict(met: bool) -> str:
        return "met" if met else "NOT MET"

    print(f"\norganizations import of {result['rows']:,} rows (issue 15 performance targets)")
    print(
        f"  raw COPY {result['copy']['rows_per_s']:,} rows/s · import {result['import']['rows_per_s']:,} rows/s · "
        f"re-import (5% renamed) {result['reimport']['rows_per_s']:,} rows/s"
    )
    print(
        f"  import/COPY rows per second    {r['copy_share']:.2f}  (≥ {TARGET_COPY_SHARE}: "
        f"{verdict(r['copy_share'] >= TARGET_COPY_SHARE)})"
    )
    print(
        f"  re-import/COPY rows per second {r['reimport_copy_share']:.2f}  (≥ {TARGET_COPY_SHARE}: "
        f"{verdict(r['reimport_copy_share'] >= TARGET_COPY_SHARE)})"
    )
    peak = max(result["import"]["peak_mb"], result["reimport"]["peak_mb"])
    print(f"  peak memory                    {peak:.0f} MB (< {TARGET_PEAK_MB:g} MB: {verdict(peak < TARGET_PEAK_MB)})")
    w = result["written"]
    print(
        f"  written: {w['organizations']:,} organizations, {w['former_names']:,} former names, "
        f"{w['created_audit_rows']:,} + {w['updated_audit_rows']:,} audit rows, {w['ledger_entries']:,} ledger entries"
    )
