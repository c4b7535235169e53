"""An installation of the previous release upgrades to this code with nothing lost (docs/architecture.md,
"Nothing may change for users"; C4: the ledger stays verifiable across upgrades).

The previous release's src/ is taken from git (PREVIOUS); with it, in subprocesses of this venv's Python, a
fresh database is migrated and filled with the small demo province; every table's rows are counted and the
ledger's head (size and right edge, hence its root) read. Then this checkout's code migrates the same database
and must find every row, audit event and ledger entry still there, the ledger head unchanged, `certhub ledger
verify` clean and no migration left unapplied.

Runs on the suite's database engine: SQLite (a file of its own), or PostgreSQL when CERTHUB_DATABASE_URL
names one (a database of its own on the same server, as the same role, dropped afterwards)."""

# ruff: noqa: S603, S607 - the test runs git and the certhub command of two releases on purpose, with fixed arguments

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import pytest

pytestmark = pytest.mark.upgrade

ROOT = Path(__file__).resolve().parents[1]
# The last commit before the architecture work: the release installations run today.
PREVIOUS = "795d9bb"
# Rows Django itself adds when this code migrates: its record of the new migrations, and a content type and
# permissions for each new model. They may only grow.
GROWING = {"django_migrations", "django_content_type", "auth_permission"}
# SQLite's planner statistics (ANALYZE), not data: a migration that rebuilds a table drops that table's rows.
STATISTICS = {"sqlite_stat1", "sqlite_stat4"}
# Read models a migration builds from rows already there: new, yet not empty. Each is checked against its source.
DERIVED = {"registry_certifiedproduct"}  # one row per product line of a certificate (C7)

# Counts every table's rows and reads the ledger head, through Django's connection only (the same in both
# releases): {"module": where certhub came from, "counts": {table: rows}, "ledger": {"size", "frontier"}}.
SURVEY = """
import json
import certhub
from django.db import connection
counts = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute("SELECT COUNT(*) FROM " + connection.ops.quote_name(table))
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT size, frontier FROM ledger_head WHERE id = 1")
    size, frontier = cursor.fetchone()
ledger = {"size": size, "frontier": bytes(frontier).hex()}
from certhub.registry.models import Certificate
lines = sum(len(products) for products in Certificate.objects.values_list("products", flat=True))
print(json.dumps({"module": certhub.__file__, "counts": counts, "ledger": ledger, "product_lines": lines}))
"""


def previous_release(destination: Path) -> Path:
    """PREVIOUS's src/ extracted under `destination`; skips when this clone does not have the commit."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the previous release's code cannot be extracted")
    present = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{PREVIOUS}^{{commit}}"], capture_output=True, check=False
    )
    if present.returncode != 0:
        pytest.skip(f"commit {PREVIOUS} (the previous release) is not in this clone (a shallow clone?)")
    destination.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS, "src"], capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination / "src"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on the suite's engine."""
    url = os.environ.get("CERTHUB_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = f"certhub_upgrade_{uuid.uuid4().hex[:12]}"
    server = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def certhub(src: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`python -m certhub ARGS` with the code of `src`, run outside any checkout (no stray import path)."""
    result = subprocess.run(
        [sys.executable, "-m", "certhub", *args],
        env={**env, "PYTHONPATH": str(src)},
        cwd=env["CERTHUB_VAR_DIR"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if check:
        assert result.returncode == 0, f"certhub {' '.join(args)} exited {result.returncode}:\n{result.stderr[-4000:]}"
    return result


def survey(src: Path, env: dict[str, str]) -> dict[str, Any]:
    found = json.loads(certhub(src, env, "shell", "-c", SURVEY).stdout.strip().splitlines()[-1])
    assert Path(found["module"]).resolve().is_relative_to(src.resolve()), found["module"]  # the release meant
    return found


def test_a_database_of_the_previous_release_upgrades_with_nothing_lost(tmp_path: Path, database_url: str):
    old_src = previous_release(tmp_path / "previous")
    new_src = ROOT / "src"
    (tmp_path / "var").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE"}},
        "CERTHUB_DATABASE_URL": database_url,
        "CERTHUB_KEY_DIR": str(tmp_path / "keys"),  # the ledger's and the seals' signing keys
        "CERTHUB_VAR_DIR": str(tmp_path / "var"),
    }

    # (a) The previous release: a database as an installation of it has one.
    certhub(old_src, env, "migrate", "--no-input", "-v", "0")
    certhub(old_src, env, "demo", "--size", "small", "--no-progress")
    before_verify = certhub(old_src, env, "ledger", "verify").stdout.strip()
    before = survey(old_src, env)
    assert before["counts"]["core_auditevent"] > 0 and before["ledger"]["size"] == before["counts"]["ledger_entry"]

    # (b) This code, on the same database.
    certhub(new_src, env, "migrate", "--no-input", "-v", "0")
    verify = certhub(new_src, env, "ledger", "verify", check=False)
    assert verify.returncode == 0, verify.stderr
    assert (
        verify.stdout.strip()
        == before_verify
        == (f"valid: {before['ledger']['size']} entries, {before['counts']['ledger_checkpoint']} checkpoints")
    )
    after = survey(new_src, env)

    lost = {t: n for t, n in before["counts"].items() if t not in after["counts"]}
    assert lost == {}, f"tables gone: {lost}"
    changed = {
        t: (n, after["counts"][t])
        for t, n in before["counts"].items()
        if t not in GROWING | STATISTICS and after["counts"][t] != n
    }
    assert changed == {}, f"row counts changed (before, after): {changed}"
    shrunk = {t: (before["counts"][t], after["counts"][t]) for t in GROWING if after["counts"][t] < before["counts"][t]}
    assert shrunk == {}, f"rows lost: {shrunk}"
    new_tables = {t: n for t, n in after["counts"].items() if t not in before["counts"] and t not in DERIVED}
    assert all(n == 0 for n in new_tables.values()), f"new tables must start empty: {new_tables}"
    # The certified products are back-filled from the certificates: every product line, once.
    assert after["counts"]["registry_certifiedproduct"] == before["product_lines"] > 0
    for table in ("core_auditevent", "ledger_entry"):  # named, though counted above: what the ledger rests on
        assert after["counts"][table] == before["counts"][table]
    # The same size and right edge (the hashes of the complete subtrees), hence the same root: every checkpoint
    # already published stays consistent with the log.
    assert after["ledger"] == before["ledger"]

    plan = certhub(new_src, env, "showmigrations", "--plan").stdout
    unapplied = [line for line in plan.splitlines() if line.startswith("[ ]")]
    assert unapplied == [], f"migrations not applied: {unapplied}"
