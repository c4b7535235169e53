"""What the ban checks cost the bulk certificate import (C9: the target is under 5 % on 1,000,000 rows),
measured in one run on PostgreSQL: the same certificate file imported by `certhub import FILE --as BODY` with
the checks on and with them off (CERTHUB_BAN_CHECKS=0, read by the import at start: registry.bans.checks_enabled).

What the checks do for the file (registry.certificate_rules.CertificateBans): read the issuing body's permanent
exit, the certification bars in force and the certificates suspended at other bodies, once — three statements
whatever the file's size — then one dictionary look-up per row. So that they have something to find, the
database holds bans (certification bars and permanent exits of organizations outside the file) and, for 1 %
of the file's holders, a certificate of another body suspended today (after every issue date of the file, so
no row is refused: both imports write exactly the same rows).

The table grows with every import, and a bigger table is slower to write to; so the four imports run in the
order off, on, on, off (each by its own body, the same rows), and each mode's figure is the mean of its two.
On a machine other work shares, the difference of whole imports is mostly that work's noise: the checks are
also timed alone afterwards, on the same file and database, chunk by chunk as the import reads them, and
given as a share of the import.

The database is a fresh `certhub_bans` on the benchmark's PostgreSQL cluster (bench/db.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.db import BIN, ROOT, PostgresDatabase, bench_dir
from bench.imports import SCHEMES, write_files

TARGET_OVERHEAD = 0.05
BODIES = ["CNCA-R-2099-011", "CNCA-R-2099-012", "CNCA-R-2099-013", "CNCA-R-2099-014"]
WARM_UP_BODY = "CNCA-R-2099-016"  # a first import, not counted: the first of a run is slower (cold caches)
SUSPENDING_BODY = "CNCA-R-2099-015"
ORDER = [False, True, True, False]  # checks on?, body by body: off, on, on, off

SETUP = (
    """
import datetime, sys
import django
django.setup()
from django.utils import timezone
from certhub.core.actors import SYSTEM
from certhub.registry import actions
from certhub.registry.actions.bans import do_impose_ban
from certhub.registry.models import Organization, Region
from certhub.registry.testing import ensure_reference_data, make_uscc
ensure_reference_data()
holders, barred = int(sys.argv[1]), int(sys.argv[2])
counties = [r.code for r in Region.objects.filter(level="county").order_by("code")]
def organizations(first, count, label):
    for start in range(first, first + count, 5000):
        actions.do_bulk_create_organizations(rows=[
            {"uscc": make_uscc(10_000 + i, counties[i % len(counties)]), "name": f"湖南{label}{i:06d}号制造有限公司",
             "region": counties[i % len(counties)], "industry_section": "C", "industry_division": "38"}
            for i in range(start, min(first + count, start + 5000))], actor=SYSTEM)
organizations(0, holders, "测评")
organizations(holders, barred, "限制")
bodies = {}
for serial, approval in enumerate(BODIES + [SUSPENDING_BODY, WARM_UP_BODY], start=1):
    organization = actions.do_create_organization(data={"uscc": make_uscc(serial, "430100"), "region": "430100",
        "name": f"测评认证{serial}有限公司", "industry_section": "M", "industry_division": "74"}, actor=SYSTEM)
    bodies[approval] = actions.do_create_certification_body(organization=organization, name=organization.name,
        approval_number=approval, accreditation="CNAS C999-M", scheme_codes=SCHEMES, actor=SYSTEM)
today = timezone.localdate()
day = today - datetime.timedelta(days=30)
# Bans the checks find in the table, none of them on the file's holders: a certification bar on each of the
# `barred` organizations, a permanent exit on every tenth of them.
for index, organization in enumerate(Organization.objects.filter(name__startswith="湖南限制").order_by("id")):
    for kind, ends in (("CERTIFICATION_BAR", None), ("PERMANENT_EXIT", None))[: 2 if index % 10 == 0 else 1]:
        do_impose_ban(kind=kind, organization=organization, decision_number=f"湘市监罚〔2026〕{index}号",
            decided_on=day, authority="湖南省市场监督管理局", starts=day, ends=ends, reason="测评",
            legal_basis="测评", actor=SYSTEM)
# 1 % of the file's holders hold a QMS certificate of another body, suspended today: the file's rows for them
# were issued before (20 to 1,000 days ago), so they are checked and none refused.
suspended = list(Organization.objects.filter(name__startswith="湖南测评").order_by("id")[: max(1, holders // 100)])
issue = today - datetime.timedelta(days=2000)
rows = [{"number": f"SUSP{i:07d}", "scheme": "QMS", "holder_uscc": o.uscc, "scope": "测评",
         "issue_date": issue.isoformat(), "expiry_date": (today + datetime.timedelta(days=365)).isoformat(),
         "history": [{"status": "SUSPENDED", "date": today.isoformat(), "reason": "测评"}]}
        for i, o in enumerate(suspended)]
for start in range(0, len(rows), 2000):
    actions.do_bulk_create_certificates(body=bodies[SUSPENDING_BODY], rows=rows[start:start + 2000], actor=SYSTEM)
""".replace("BODIES", repr(BODIES))
    .replace("SUSPENDING_BODY", repr(SUSPENDING_BODY))
    .replace("SCHEMES", repr(SCHEMES))
    .replace("WARM_UP_BODY", repr(WARM_UP_BODY))
)


# The checks alone, on the same file and database after the imports: what CertificateBans does for the
# import (the issuer's exit, the bars in force and the suspended certificates read once, then one look-up per
# row), timed by itself — a figure the load of other processes on the machine disturbs far less than the
# difference of two whole imports.
CHECKS_ONLY = """
import csv, datetime, sys, time
from types import SimpleNamespace
import django
django.setup()
from certhub.registry.certificate_rules import CertificateBans
from certhub.registry.models import CertificationBody, Organization, Scheme
body = CertificationBody.objects.get(approval_number=sys.argv[2])
ids = dict(Organization.objects.values_list("uscc", "id"))
schemes = {s.code: s for s in Scheme.objects.all()}
with open(sys.argv[1], encoding="utf-8", newline="") as stream:
    rows = [
        {"holder": SimpleNamespace(pk=ids[row["entity_id"]], name=row["entity_name"]), "scheme": schemes[row["scheme"]],
         "issue_date": datetime.date.fromisoformat(row["issue_date"])}
        for row in csv.DictReader(stream)
    ]
started = time.perf_counter()
checks = CertificateBans(body, enabled=True)
checks.preload()
refused = sum(1 for cleaned in rows if checks.holder_problem(cleaned))
print(time.perf_counter() - started, refused)
"""


def checks_only(db: PostgresDatabase, path: Path, body: str) -> tuple[float, int]:
    """Seconds the checks take for the file's rows, and how many rows they refuse (none: see SETUP)."""
    env = {
        **os.environ,
        "CERTHUB_DATABASE_URL": db.url,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "certhub.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHECKS_ONLY, str(path), body],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, refused = result.stdout.split()[-2:]
    return float(seconds), int(refused)


def own_numbers(source: Path, target: Path, prefix: str) -> Path:
    """The same rows with numbers of their own (a number another body holds for the same holder is refused:
    each body imports the same certificates under its own numbers)."""
    with source.open(encoding="utf-8") as rows, target.open("w", encoding="utf-8") as out:
        out.write(next(rows))
        for line in rows:
            out.write(prefix + line)
    return target


def run_import(db: PostgresDatabase, path: Path, body: str, checks: bool, log: Path) -> float:
    """`certhub import` in a child process, the ban checks on or off; its wall seconds."""
    env = {
        **os.environ,
        "CERTHUB_DATABASE_URL": db.url,
        "PYTHONPATH": str(ROOT / "src"),
        "CERTHUB_SUBMISSION_DIR": str(bench_dir() / "submissions"),
        "CERTHUB_BAN_CHECKS": "1" if checks else "0",
    }
    started = time.perf_counter()
    with log.open("w") as out:
        result = subprocess.run(
            [str(BIN / "certhub"), "import", str(path), "--as", body, "--no-progress"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"certhub import failed ({result.returncode}); see {log}")
    return seconds


def measure(rows: int, holders: int, barred: int, run_dir: Path) -> dict[str, Any]:
    db = PostgresDatabase("bans")
    db.start()
    try:
        print(f"\n== bans: the ban checks in the import of {rows:,} certificate rows (PostgreSQL)", flush=True)
        env = db.fresh_django_env()
        subprocess.run([sys.executable, "-c", SETUP, str(holders), str(barred)], env=env, cwd=ROOT, check=True)
        with db.connect() as connection:
            found = connection.execute(
                "SELECT id, uscc, name, region_id FROM registry_organization WHERE name LIKE '湖南测评%%' ORDER BY id"
            ).fetchall()
            ids = {
                "copy_body": 0,
                "schemes": dict(connection.execute("SELECT code, id FROM registry_scheme").fetchall()),
                "ccc": dict(connection.execute("SELECT code, id FROM registry_cccproduct").fetchall()),
            }
            bans = connection.execute("SELECT count(*) FROM registry_ban").fetchone()[0]
            connection.execute("VACUUM (ANALYZE)")
        write_files(run_dir, rows, found, ids)
        runs: list[dict[str, Any]] = []
        warm = own_numbers(run_dir / "certificates.csv", run_dir / "bans-warm.csv", "W")
        seconds = run_import(db, warm, WARM_UP_BODY, True, run_dir / "bans-import-warm-up.log")
        warm.unlink()
        print(f"  warm-up    {seconds:8.1f} s  (not counted)", flush=True)
        for index, (body, checks) in enumerate(zip(BODIES, ORDER, strict=True)):
            path = own_numbers(run_dir / "certificates.csv", run_dir / f"bans-{index}.csv", f"B{index}")
            seconds = run_import(db, path, body, checks, run_dir / f"bans-import-{body}.log")
            path.unlink()
            with db.connect() as connection:
                written = connection.execute(
                    "SELECT count(*) FROM registry_certificate c JOIN registry_certificationbody b "
                    "ON b.id = c.certification_body_id WHERE b.approval_number = %s",
                    [body],
                ).fetchone()[0]
            if written != rows:
                raise RuntimeError(f"{body}: {written:,} of {rows:,} rows written; see its log")
            runs.append(
                {"body": body, "checks": checks, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}
            )
            label = "on " if checks else "off"
            print(f"  checks {label}  {seconds:8.1f} s  {rows / seconds:>10,.0f} rows/s  ({body})", flush=True)
        on = sum(r["seconds"] for r in runs if r["checks"]) / 2
        off = sum(r["seconds"] for r in runs if not r["checks"]) / 2
        alone, refused = checks_only(db, run_dir / "certificates.csv", BODIES[0])
        print(f"  the checks alone {alone:6.2f} s for {rows:,} rows ({refused} refused)", flush=True)
        return {
            "checks_alone": {"seconds": round(alone, 3), "refused": refused, "share_of_import": round(alone / off, 4)},
            "rows": rows,
            "holders": holders,
            "bans": bans,
            "runs": runs,
            "on": {"seconds": round(on, 2), "rows_per_s": round(rows / on)},
            "off": {"seconds": round(off, 2), "rows_per_s": round(rows / off)},
            "overhead": round(on / off - 1, 4),
        }
    finally:
        db.stop()


def print_report(result: dict[str, Any]) -> None:
    overhead = result["overhead"]
    verdict = "met" if overhead < TARGET_OVERHEAD else "NOT MET"
    print(
        f"\nban checks in the import of {result['rows']:,} rows ({result['holders']:,} holders, "
        f"{result['bans']:,} bans in the table; mean of two imports each, order off-on-on-off)"
    )
    print(f"  checks off   {result['off']['seconds']:8.1f} s  {result['off']['rows_per_s']:>10,} rows/s")
    print(f"  checks on    {result['on']['seconds']:8.1f} s  {result['on']['rows_per_s']:>10,} rows/s")
    print(f"  overhead     {overhead * 100:+.1f} %  (< {TARGET_OVERHEAD * 100:g} %: {verdict})")
    alone = result["checks_alone"]
    share = alone["share_of_import"]
    print(
        f"  the checks alone {alone['seconds']:.2f} s = {share * 100:.1f} % of the import "
        f"with them off (< {TARGET_OVERHEAD * 100:g} %: {'met' if share < TARGET_OVERHEAD else 'NOT MET'})"
    )
