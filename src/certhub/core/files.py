"""Private files (C14; issue 14 findings 5 and 9): what CertHub writes that is not for everyone — signing
keys, archived submission uploads, the SQLite database — is readable by the server's user alone: mode
0700 for its directories, 0600 for its files, whatever the process's umask. Published open data is public
by design and keeps ordinary modes (nginx may serve it, docs/deployment.md)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def private_dir(path: Path | str) -> Path:
    """`path` as a directory only its owner can enter: created 0700, or made 0700 if it exists."""
    directory = Path(path)
    directory.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
        directory.chmod(PRIVATE_DIR_MODE)
    return directory


def open_private(path: Path, *, exclusive: bool = False) -> Any:
    """`path` opened for binary writing, created 0600 (truncated if it exists, unless `exclusive`: then
    FileExistsError)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)  # an existing file keeps its mode through os.open
    return os.fdopen(descriptor, "wb")


def copy_private(source: Path, target: Path) -> None:
    """Copy `source` to `target` as a private file."""
    with open(source, "rb") as reader, open_private(target) as writer:
        shutil.copyfileobj(reader, writer, 1024 * 1024)


def make_sqlite_private(database: str | Path) -> None:
    """The SQLite database file and its journal files, 0600 (SQLite creates them with the umask's mode)."""
    name = str(database)
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in SQLITE_SIDE_FILES:
        path = Path(name + suffix)
        try:
            if path.stat().st_mode & 0o777 != PRIVATE_FILE_MODE:
                path.chmod(PRIVATE_FILE_MODE)
        except FileNotFoundError:
            continue


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """django.db.backends.signals.connection_created: a SQLite database is made private when opened."""
    if connection.vendor == "sqlite":
        make_sqlite_private(connection.settings_dict.get("NAME") or "")
