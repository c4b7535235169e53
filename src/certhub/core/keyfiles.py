"""Private key files (C4; the security standard: secrets never in the database). The ledger's
checkpoint key and the seals' signing keys live as files in settings.KEY_DIR, written once and readable
by the server's user alone."""

from __future__ import annotations

import os
from pathlib import Path


def write_new_private_file(path: Path, data: bytes) -> None:
    """Create `path` with `data`, mode 0600 in a 0700 directory, durably; FileExistsError if it exists
    (a key file is never overwritten: the caller keeps or reads the one there)."""
    directory = path.parent
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
