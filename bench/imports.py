"""The submission import at national scale (issue 3, "Performance"): a 1,000,000-row certificate CSV into
PostgreSQL, measured side by side in one run with

  (a) raw COPY of the same rows, already resolved to the certificate table's columns (the limit), and
  (b) a straightforward per-row ORM save — look the holder and the scheme up, save the certificate, one
      autocommitted row at a time (what a typical project does) — on a sample, extrapolated;

then the same file imported again (every row unchanged). CertHub's import is `certhub import FILE --as
BODY` in its own process, so that its wall time and peak resident memory are its own (wait4's maxrss).

The database is the benchmark's PostgreSQL cluster (bench/db.py) with a fresh database `certhub_import`
created for the run: migrations, the reference data, two certification bodies and the holders."""

from __future__ import annotations

import csv
import datetime
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.db import BIN, ROOT, PostgresDatabase, bench_dir

TARGET_COPY_SHARE = 0.25
TARGET_ORM_FACTOR = 20.0
TARGET_PEAK_MB = 500.0
TARGET_REIMPORT_SHARE = 1 / 3
IMPORT_BODY = "CNCA-R-2099-001"
ORM_BODY = "CNCA-R-2099-002"
SCHEMES = ["QMS", "EMS", "ENMS", "CCC"]
CCC_PRODUCTS = ["0701", "0703", "0704", "0705", "0707", "0708", "0709"]
COPY_COLUMNS = [
    "certification_body_id",
    "number",
    "scheme_id",
    "holder_id",
    "holder_name",
    "region_code",
    "scope",
    "ccc_product_id",
    "products",
    "sites",
    "standards",
    "particulars",
    "original_issue_date",
    "issue_date",
    "expiry_date",
    "status",
    "status_changed_on",
    "created_at",
    "updated_at",
    "reporting_lag_days",
]

SETUP = (
    """
import django, json, sys
django.setup()
from certhub.core.actors import SYSTEM
from certhub.registry import actions
from certhub.registry.models import Region
from certhub.registry.testing import ensure_reference_data, make_uscc
ensure_reference_data()
holders = int(sys.argv[1])
counties = [r.code for r in Region.objects.filter(level="county").order_by("code")]
for start in range(0, holders, 5000):
    actions.do_bulk_create_organizations(rows=[
        {"uscc": make_uscc(10_000 + i, counties[i % len(counties)]), "name": f"湖南测评{i:06d}号制造有限公司",
         "region": counties[i % len(counties)], "industry_section": "C", "industry_division": "38",
         "above_designated_size": i % 3 == 0}
        for i in range(start, min(holders, start + 5000))], actor=SYSTEM)
for serial, approval in ((1, "IMPORT_BODY"), (2, "ORM_BODY")):
    organization = actions.do_create_organization(data={"uscc": make_uscc(serial, "430100"), "region": "430100",
        "name": f"测评认证{serial}有限公司", "industry_section": "M", "industry_division": "74"}, actor=SYSTEM)
    actions.do_create_certification_body(organization=organization, name=organization.name, approval_number=approval,
        accreditation="CNAS C999-M", scheme_codes=SCHEMES, actor=SYSTEM)
""".replace("IMPORT_BODY", IMPORT_BODY)
    .replace("ORM_BODY", ORM_BODY)
    .replace("SCHEMES", repr(SCHEMES))
)

ORM_BASELINE = """
import django, csv, sys, time, datetime
django.setup()
from certhub.core.regulated import _action_depth
from certhub.registry.models import Certificate, CertificationBody, Organization, Scheme, CccProduct
_action_depth.set(1)  # the guard of regulated writes stands aside: this is what a project without it does
body = CertificationBody.objects.get(approval_number=sys.argv[2])
limit, seconds = int(sys.argv[3]), float(sys.argv[4])
done, started = 0, time.perf_counter()
with open(sys.argv[1], encoding="utf-8", newline="") as stream:
    for row in csv.DictReader(stream):
        holder = Organization.objects.get(uscc=row["entity_id"])
        scheme = Scheme.objects.get(code=row["scheme"])
        product = CccProduct.objects.get(code=row["ccc_product"]) if row["ccc_product"] else None
        issue = datetime.date.fromisoformat(row["issue_date"])
        Certificate(certification_body=body, number=row["number"], scheme=scheme, holder=holder,
                    holder_name=holder.name, region_code=holder.region_id, scope=row["scope"], ccc_product=product,
                    standards=row["standards"], original_issue_date=issue, issue_date=issue,
                    expiry_date=datetime.date.fromisoformat(row["expiry_date"]), status="ACTIVE",
                    status_changed_on=issue).save()
        done += 1
        if done >= limit or time.perf_counter() - started >= seconds:
            break
print(done, time.perf_counter() - started)
"""

# For context, not the target: the same rows through the single-certificate action, one call per row, as
# a project that reuses its API's write path would import (certificate, status event, public record and
# audit row, each call in its own transaction). Rows from the end of the file, so the numbers are new.
ACTION_BASELINE = """
import django, csv, sys, time
django.setup()
from certhub.core.actors import Actor
from certhub.registry.actions import do_create_certificate
from certhub.registry.models import CertificationBody
body = CertificationBody.objects.get(approval_number=sys.argv[2])
actor = Actor(role="CERTIFICATION_BODY", label="bench", organization_id=body.organization_id)
limit, seconds, skip = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
done, started = 0, None
with open(sys.argv[1], encoding="utf-8", newline="") as stream:
    for index, row in enumerate(csv.DictReader(stream)):
        if index < skip:
            continue
        started = started or time.perf_counter()
        products = [{"name": row["product_name"], "model": row["product_model"]}] if row["product_name"] else []
        do_create_certificate(body=body, data={"number": row["number"], "scheme": row["scheme"],
            "holder_uscc": row["entity_id"],
            "scope": row["scope"], "standards": row["standards"], "issue_date": row["issue_date"],
            "expiry_date": row["expiry_date"], "ccc_product": row["ccc_product"], "products": products,
            "particulars": {"accreditation_body": row["accreditation_body"]}}, actor=actor)
        done += 1
        if done >= limit or time.perf_counter() - started >= seconds:
            break
print(done, time.perf_counter() - started)
"""


def write_files(directory: Path, rows: int, holders: list[tuple[int, str, str, str]], ids: dict[str, Any]) -> None:
    """The submission CSV (the template's English headers) and, from the same rows, the COPY input."""
    rnd = random.Random(2018)
    today = datetime.date.today()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    submission = directory / "certificates.csv"
    copy_input = directory / "copy.csv"
    header = [
        "number",
        "status",
        "scheme",
        "scope",
        "standards",
        "issue_date",
        "expiry_date",
        "entity_name",
        "entity_id",
        "accreditation_body",
        "ccc_product",
        "product_name",
        "product_model",
        "certification_mode",
    ]
    with submission.open("w", encoding="utf-8", newline="") as out, copy_input.open("w", encoding="utf-8") as raw:
        writer = csv.writer(out, lineterminator="\n")
        copier = csv.writer(raw, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            holder_id, uscc, name, region = holders[i % len(holders)]
            scheme = SCHEMES[i % len(SCHEMES)]
            issue = today - datetime.timedelta(days=rnd.randint(20, 1000))
            expiry = issue + datetime.timedelta(days=3 * 365 if scheme != "CCC" else 5 * 365)
            ccc = CCC_PRODUCTS[i % len(CCC_PRODUCTS)] if scheme == "CCC" else ""
            scope = "家用电器的设计和生产" if scheme != "CCC" else "家用电器"
            standards = {
                "QMS": "GB/T 19001-2016/ISO 9001:2015",
                "EMS": "GB/T 24001-2016/ISO 14001:2015",
                "ENMS": "GB/T 23331-2020/ISO 50001:2018",
                "CCC": "GB 4706.1-2005",
            }[scheme]
            number = f"BENCH{scheme}{issue:%Y}{i:08d}"
            product = ("电冰箱", f"BCD-{i % 900 + 100}") if ccc else ("", "")
            mode = "型式试验+初始工厂检查+获证后监督" if ccc else ""
            writer.writerow(
                [
                    number,
                    "ACTIVE",
                    scheme,
                    scope,
                    standards,
                    issue.isoformat(),
                    expiry.isoformat(),
                    name,
                    uscc,
                    "CNAS",
                    ccc,
                    product[0],
                    product[1],
                    mode,
                ]
            )
            products = json.dumps([{"name": product[0], "model": product[1]}] if ccc else [], ensure_ascii=False)
            particulars = {"accreditation_body": "CNAS", **({"certification_mode": mode} if mode else {})}
            copier.writerow(
                [
                    ids["copy_body"],
                    number,
                    ids["schemes"][scheme],
                    holder_id,
                    name,
                    region,
                    scope,
                    ids["ccc"].get(ccc, ""),
                    products,
                    "[]",
                    standards,
                    json.dumps(particulars, ensure_ascii=False),
                    issue,
                    issue,
                    expiry,
                    "ACTIVE",
                    issue,
                    now,
                    now,
                    (today - issue).days,
                ]
            )


def tree_rss_mb(pid: int) -> float:
    """Memory of a process and all its descendants (the import's checking workers), in MB: the sum of
    their proportional set sizes (PSS), so that pages a forked worker shares with its parent count once
    (a sum of RSS would count them in every process)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total / 1024


class TreeMemory:
    """Samples tree_rss_mb every 0.2 s in a thread; `peak` is the largest sum seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0.0, True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            time.sleep(0.2)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.peak


def run_import(db: PostgresDatabase, path: Path, log: Path) -> dict[str, Any]:
    """`certhub import` in a child process: wall seconds and the child's peak resident memory."""
    env = {
        **os.environ,
        "CERTHUB_DATABASE_URL": db.url,
        "PYTHONPATH": str(ROOT / "src"),
        "CERTHUB_SUBMISSION_DIR": str(bench_dir() / "submissions"),
    }
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(
            [str(BIN / "certhub"), "import", str(path), "--as", IMPORT_BODY, "--no-progress"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        memory = TreeMemory(child.pid)
        _pid, status, usage = os.wait4(child.pid, 0)
        tree_peak = memory.stop()
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"certhub import failed ({status}); see {log}")
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(max(tree_peak, usage.ru_maxrss / 1024), 1),  # all processes together
        "main_peak_mb": round(usage.ru_maxrss / 1024, 1),
        "log": log.read_text()[-600:],
    }


def run_copy(db: PostgresDatabase, path: Path) -> float:
    with db.connect() as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            columns = ", ".join(COPY_COLUMNS)
            statement = f"COPY registry_certificate ({columns}) FROM STDIN WITH (FORMAT csv)"
            with cursor.copy(statement) as copy, path.open("rb") as stream:
                while block := stream.read(1 << 20):
                    copy.write(block)
        return time.perf_counter() - started


def run_orm(
    db: PostgresDatabase, path: Path, sample: int, seconds: float, script: str = ORM_BASELINE, skip: int = 0
) -> tuple[int, float]:
    env = {
        **os.environ,
        "CERTHUB_DATABASE_URL": db.url,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "certhub.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script, str(path), ORM_BODY, str(sample), str(seconds), str(skip)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    done, elapsed = result.stdout.split()[-2:]
    return int(done), float(elapsed)


def measure(rows: int, holders: int, orm_sample: int, orm_seconds: float, run_dir: Path) -> dict[str, Any]:
    db = PostgresDatabase("import")
    db.start()
    try:
        print(f"\n== import: {rows:,} certificate rows into PostgreSQL ({holders:,} holders)", flush=True)
        env = db.fresh_django_env()
        subprocess.run([sys.executable, "-c", SETUP, str(holders)], env=env, cwd=ROOT, check=True)
        with db.connect() as connection:
            found = connection.execute(
                "SELECT id, uscc, name, region_id FROM registry_organization WHERE name LIKE '湖南测评%%' ORDER BY id"
            ).fetchall()
            ids = {
                "copy_body": connection.execute(
                    "SELECT id FROM registry_certificationbody WHERE approval_number = %s", [ORM_BODY]
                ).fetchone()[0],
                "schemes": dict(connection.execute("SELECT code, id FROM registry_scheme").fetchall()),
                "ccc": dict(connection.execute("SELECT code, id FROM registry_cccproduct").fetchall()),
            }
            connection.execute("VACUUM (ANALYZE)")
        started = time.perf_counter()
        write_files(run_dir, rows, found, ids)
        size_mb = (run_dir / "certificates.csv").stat().st_size / 2**20
        print(f"  wrote the files in {time.perf_counter() - started:.0f} s ({size_mb:,.0f} MB CSV)", flush=True)

        copy_seconds = run_copy(db, run_dir / "copy.csv")
        print(f"  raw COPY            {copy_seconds:8.1f} s  {rows / copy_seconds:>10,.0f} rows/s", flush=True)
        with db.connect() as connection:
            connection.execute("TRUNCATE registry_certificate CASCADE")
            connection.execute("VACUUM (ANALYZE) registry_certificate")

        first = run_import(db, run_dir / "certificates.csv", run_dir / "import-1.log")
        print(
            f"  CertHub import      {first['seconds']:8.1f} s  {rows / first['seconds']:>10,.0f} rows/s  "
            f"peak {first['peak_mb']:.0f} MB",
            flush=True,
        )
        again = run_import(db, run_dir / "certificates.csv", run_dir / "import-2.log")
        print(
            f"  CertHub re-import   {again['seconds']:8.1f} s  {rows / again['seconds']:>10,.0f} rows/s  "
            f"peak {again['peak_mb']:.0f} MB (all unchanged)",
            flush=True,
        )
        done, elapsed = run_orm(db, run_dir / "certificates.csv", orm_sample, orm_seconds)
        orm_rate = done / elapsed
        action_done, action_elapsed = run_orm(
            db, run_dir / "certificates.csv", orm_sample, orm_seconds, ACTION_BASELINE, skip=rows - orm_sample
        )
        action_rate = action_done / action_elapsed
        print(
            f"  per-row action      {action_done:,} rows in {action_elapsed:.1f} s: {action_rate:>8,.0f} rows/s "
            f"(→ {rows / action_rate:,.0f} s; the same four rows per certificate as the import)",
            flush=True,
        )
        print(
            f"  per-row ORM save    {done:,} rows in {elapsed:.1f} s: {orm_rate:>8,.0f} rows/s "
            f"(→ {rows / orm_rate:,.0f} s for {rows:,})",
            flush=True,
        )
        with db.connect() as connection:
            counts = connection.execute(
                "SELECT (SELECT count(*) FROM registry_certificate c JOIN registry_certificationbody b "
                "ON b.id = c.certification_body_id WHERE b.approval_number = %s), "
                "(SELECT count(*) FROM registry_certificatepublicrecord), "
                "(SELECT count(*) FROM registry_certificateevent), "
                "(SELECT count(*) FROM core_auditevent WHERE event_type = 'CERTIFICATE_CREATED')",
                [IMPORT_BODY],
            ).fetchone()
        ours = rows / first["seconds"]
        copy_rate = rows / copy_seconds
        return {
            "rows": rows,
            "holders": holders,
            "csv_mb": round(size_mb, 1),
            "copy": {"seconds": round(copy_seconds, 2), "rows_per_s": round(copy_rate)},
            "import": {**first, "rows_per_s": round(ours)},
            "reimport": {**again, "rows_per_s": round(rows / again["seconds"])},
            "orm": {
                "sample_rows": done,
                "seconds": round(elapsed, 2),
                "rows_per_s": round(orm_rate, 1),
                "extrapolated_seconds": round(rows / orm_rate),
            },
            "written": {
                "certificates": counts[0],
                "public_records": counts[1],
                "events": counts[2],
                "audit_rows": counts[3],
            },
            "action": {
                "sample_rows": action_done,
                "seconds": round(action_elapsed, 2),
                "rows_per_s": round(action_rate, 1),
                "extrapolated_seconds": round(rows / action_rate),
            },
            "ratios": {
                "action_factor": round(ours / action_rate, 1),
                "copy_share": round(ours / copy_rate, 3),
                "orm_factor": round(ours / orm_rate, 1),
                "reimport_share": round(again["seconds"] / first["seconds"], 3),
            },
        }
    finally:
        db.stop()


def print_report(result: dict[str, Any]) -> None:
    r = result["ratios"]

    def verdict(met: bool) -> str:
        return "met" if met else "NOT MET"

    print(f"\nimport of {result['rows']:,} rows (issue 3 performance targets)")
    print(
        f"  CertHub/COPY rows per second   {r['copy_share']:.2f}  (≥ {TARGET_COPY_SHARE}: "
        f"{verdict(r['copy_share'] >= TARGET_COPY_SHARE)})"
    )
    print(
        f"  CertHub/per-row ORM            {r['orm_factor']:.1f}× (≥ {TARGET_ORM_FACTOR:g}×: "
        f"{verdict(r['orm_factor'] >= TARGET_ORM_FACTOR)})"
    )
    print(f"  CertHub/per-row action         {r['action_factor']:.1f}× (context: the same rows written per call)")
    peak = max(result["import"]["peak_mb"], result["reimport"]["peak_mb"])
    print(f"  peak memory of the import      {peak:.0f} MB (< {TARGET_PEAK_MB:g} MB: {verdict(peak < TARGET_PEAK_MB)})")
    print(
        f"  re-import/import time          {r['reimport_share']:.2f}  (< 0.33: "
        f"{verdict(r['reimport_share'] < TARGET_REIMPORT_SHARE)})"
    )
    w = result["written"]
    print(
        f"  written: {w['certificates']:,} certificates, {w['public_records']:,} public records, "
        f"{w['events']:,} status events, {w['audit_rows']:,} audit rows"
    )
