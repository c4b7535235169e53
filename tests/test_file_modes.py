"""Private file modes (C14; issue 14 finding 9): signing keys, archived uploads and the SQLite database are
readable by the server's user alone (directories 0700, files 0600), whatever the umask, through the one
helper, core/files.py."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from django.db import connections
from django.db.backends.signals import connection_created

from certhub.core import files
from certhub.core.actors import SYSTEM
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.testing import certificate_row, write_csv
from certhub.seal.actions import do_create_seal_key


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The loosest usual umask (files 0666 → 0644 by default), as a careless service unit would set."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.django_db
def test_key_directory_and_key_files(settings, tmp_path, world, open_umask):
    settings.KEY_DIR = tmp_path / "keys"
    settings.KEY_DIR.mkdir(mode=0o755)  # a directory someone made before, world-readable
    key = do_create_seal_key(actor=SYSTEM)
    assert mode(settings.KEY_DIR) == 0o700
    assert [p.name for p in settings.KEY_DIR.iterdir()] == ["seal"]
    assert mode(settings.KEY_DIR / "seal") == 0o700
    assert [(p.suffix, mode(p)) for p in (settings.KEY_DIR / "seal").iterdir()] == [(".pem", 0o600)]
    assert key.pk


@pytest.mark.django_db
def test_archived_uploads(settings, tmp_path, world, open_umask):
    settings.SUBMISSION_DIR = tmp_path / "archive"
    maker = world.organizations["maker"]
    path = write_csv(tmp_path / "c.csv", [certificate_row("HN-MODE-1", maker.uscc, maker.name)])
    assert mode(path) == 0o644
    options = Options(mode=SubmissionMode.ALL_OR_NOTHING, channel=SubmissionChannel.COMMAND)
    submission = submit_file(path, "c.csv", world.organizations["cb_hunan"], options, actor=world.actor("cb_hunan"))
    assert submission.state == "applied"
    assert mode(settings.SUBMISSION_DIR) == 0o700
    archived = list(settings.SUBMISSION_DIR.iterdir())
    assert [p.suffix for p in archived] == [".csv"]
    assert mode(archived[0]) == 0o600


def test_the_sqlite_database_is_private_when_opened(tmp_path, open_umask):
    database = tmp_path / "certhub.sqlite3"
    with sqlite3.connect(database) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE t (x)")
        assert (mode(database), mode(f"{database}-wal")) == (0o644, 0o644)
        files.make_sqlite_private(database)
        assert (mode(database), mode(f"{database}-wal"), mode(f"{database}-shm")) == (0o600, 0o600, 0o600)
    files.make_sqlite_private(":memory:")  # nothing to do, nothing fails


def test_django_makes_the_database_private_on_every_connection():
    receivers = [r[1]() for r in connection_created.receivers]
    assert files.on_connection_created in receivers
    assert connections["default"].vendor in {"sqlite", "postgresql"}


def test_private_dir_and_open_private(tmp_path, open_umask):
    directory = files.private_dir(tmp_path / "a" / "b")
    assert mode(directory) == 0o700
    target = directory / "f"
    target.write_bytes(b"old")
    assert mode(target) == 0o644
    with files.open_private(target) as handle:
        handle.write(b"new")
    assert (target.read_bytes(), mode(target)) == (b"new", 0o600)
    with pytest.raises(FileExistsError):
        files.open_private(target, exclusive=True)
