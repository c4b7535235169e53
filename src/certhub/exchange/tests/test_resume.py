"""A file that dies half-way: `certhub import` is killed with SIGKILL while it writes, and every chunk is
found either wholly applied or not at all; running the command again resumes after the last committed
chunk and ends with every row applied exactly once (C2, docs/architecture.md invariant 6).

The import runs in a child process against a database both processes can see: the test database itself
on PostgreSQL (committed by a transactional test), a database file of its own on SQLite (whose test
database lives in memory)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from certhub.exchange.testing import certificate_row, write_csv

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 1200
CHUNK = 60
SETUP = "import django; django.setup(); from certhub.registry.testing import build_world; build_world()"


def certhub(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "certhub", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def database_for_child(tmp_path: Path) -> tuple[dict[str, str], Callable[[str], list[tuple]]]:
    """The child's environment and a way for this process to read what the child committed."""
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "CERTHUB_SUBMISSION_DIR": str(tmp_path / "archive"),
    }
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        host = quote(s["HOST"] or "", safe="")
        env["CERTHUB_DATABASE_URL"] = (
            f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'] or '')}@{host}:{s['PORT'] or 5432}/{s['NAME']}"
        )

        def read(sql: str) -> list[tuple]:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

        return env, read
    path = tmp_path / "child.sqlite3"
    env["CERTHUB_DATABASE_URL"] = f"sqlite:///{path}"
    for args in (["-m", "certhub", "migrate", "-v", "0"], ["-c", SETUP]):
        subprocess.run([sys.executable, *args], env=env, check=True, timeout=300)  # noqa: S603

    def read_file(sql: str) -> list[tuple]:
        with sqlite3.connect(path, timeout=30) as db:
            return db.execute(sql).fetchall()

    return env, read_file


@pytest.fixture
def child_database(request, tmp_path):
    if connection.vendor == "postgresql":
        request.getfixturevalue("world")
    return database_for_child(tmp_path)


def test_an_import_killed_half_way_leaves_whole_chunks_and_resumes(child_database, tmp_path):
    env, read = child_database
    holder_uscc, holder_name = read("SELECT uscc, name FROM registry_organization WHERE name = '长沙星城电器有限公司'")[
        0
    ]
    rows = [certificate_row(f"HN-KILL-{i:05d}", holder_uscc, holder_name) for i in range(ROWS)]
    path = write_csv(tmp_path / "big.csv", rows)
    command = [
        "import",
        str(path),
        "--as",
        "CNCA-R-2004-117",
        "--chunk-rows",
        str(CHUNK),
        "--pause",
        "0.05",
        "--no-progress",
    ]

    child = certhub(env, *command)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and child.poll() is None:
        found = read("SELECT rows_done FROM exchange_submission")
        done = found[0][0] if found else 0
        if done >= 5 * CHUNK:
            break
        time.sleep(0.01)
    assert child.poll() is None, child.communicate()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)

    ((pk, state, rows_done, created),) = read("SELECT id, state, rows_done, created_count FROM exchange_submission")
    certificates = read("SELECT COUNT(*) FROM registry_certificate WHERE number LIKE 'HN-KILL-%'")[0][0]
    audited = read(
        "SELECT COUNT(*) FROM core_auditevent WHERE event_type = 'CERTIFICATE_CREATED' AND subject_id IN "
        "(SELECT CAST(id AS TEXT) FROM registry_certificate WHERE number LIKE 'HN-KILL-%')"
    )[0][0]
    assert state == "applying"
    assert rows_done % CHUNK == 0 and 5 * CHUNK <= rows_done < ROWS
    # Whole chunks only: exactly the committed chunks' rows, each with its audit row.
    assert certificates == created == audited == rows_done

    again = certhub(env, *command)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"续传 · resuming submission #{pk} after row {rows_done:,}" in out
    ((state, rows_done, created, total),) = read(
        "SELECT state, rows_done, created_count, total_rows FROM exchange_submission"
    )
    assert (state, rows_done, created, total) == ("applied", ROWS, ROWS, ROWS)
    numbers = read("SELECT number FROM registry_certificate WHERE number LIKE 'HN-KILL-%' ORDER BY number")
    assert [n for (n,) in numbers] == [f"HN-KILL-{i:05d}" for i in range(ROWS)]
    assert_ledger_holds(env, read)


def assert_ledger_holds(env: dict[str, str], read: Callable[[str], list[tuple]]) -> None:
    """Every audit row the child committed has its ledger entry, and the whole log checks out."""
    entries, audits = read("SELECT (SELECT COUNT(*) FROM ledger_entry), (SELECT COUNT(*) FROM core_auditevent)")[0]
    assert entries == audits
    verify = certhub(env, "ledger", "verify")
    out, err = verify.communicate(timeout=300)
    assert (verify.returncode, out.strip()) == (0, f"valid: {entries} entries, 0 checkpoints"), err


def test_a_large_file_checked_by_worker_processes_gives_the_same_answer(child_database, tmp_path):
    """Files past CERTHUB_SUBMISSION_PARALLEL_MIN_BYTES are checked by worker processes: the report and the
    rows written are the same as one process gives."""
    env, read = child_database
    env = {**env, "CERTHUB_SUBMISSION_WORKERS": "2", "CERTHUB_SUBMISSION_PARALLEL_MIN_BYTES": "1"}
    holder_uscc, holder_name = read("SELECT uscc, name FROM registry_organization WHERE name = '长沙星城电器有限公司'")[
        0
    ]
    rows = [certificate_row(f"HN-PAR-{i:05d}", holder_uscc, holder_name) for i in range(600)]
    rows[250]["issue_date"] = "2026-02-30"
    rows[430]["number"] = rows[10]["number"]
    path = write_csv(tmp_path / "parallel.csv", rows)
    command = ["import", str(path), "--as", "CNCA-R-2004-117", "--chunk-rows", "50", "--no-progress"]
    refused = certhub(env, *command)
    refused.communicate(timeout=300)
    assert refused.returncode != 0
    problems = read(
        "SELECT p.row, p.field, p.value, p.message FROM exchange_submissionproblem p "
        "JOIN exchange_submission s ON s.id = p.submission_id WHERE s.filename = 'parallel.csv' ORDER BY p.row"
    )
    assert problems == [
        (252, "issue_date", "2026-02-30", "日期格式应为YYYY-MM-DD，收到“2026-02-30”"),
        (432, "number", "HN-PAR-00010", "与第12行的证书编号重复"),
    ]
    assert read("SELECT COUNT(*) FROM registry_certificate WHERE number LIKE 'HN-PAR-%'")[0][0] == 0

    rows[250]["issue_date"] = "2026-02-28"
    rows[430]["number"] = "HN-PAR-00430"
    write_csv(path, rows)
    applied = certhub(env, *command)
    _out, err = applied.communicate(timeout=300)
    assert applied.returncode == 0, err
    numbers = read("SELECT number FROM registry_certificate WHERE number LIKE 'HN-PAR-%' ORDER BY number")
    assert [n for (n,) in numbers] == [f"HN-PAR-{i:05d}" for i in range(600)]
    audited = read(
        "SELECT COUNT(*) FROM core_auditevent WHERE event_type = 'CERTIFICATE_CREATED' AND subject_id IN "
        "(SELECT CAST(id AS TEXT) FROM registry_certificate WHERE number LIKE 'HN-PAR-%')"
    )[0][0]
    assert audited == 600
    assert_ledger_holds(env, read)
