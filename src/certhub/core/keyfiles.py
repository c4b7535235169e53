"""Private key files (C4; the security standard: secrets never in the database). The ledger's
checkpoint key and the seals' signing keys live as files in settings.KEY_DIR, written once and readable
by the server's user alone."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from certhub.core.files import open_private, private_dir


def write_new_private_file(path: Path, data: bytes) -> None:
    """Create `path` with `data`, mode 0600 in a 0700 directory, durably; FileExistsError if it exists
    (a key file is never overwritten: the caller keeps or reads the one there)."""
    # KEY_DIR and the key's own directory in it: 0700 even when they were there before (core/files.py).
    key_dir = Path(settings.KEY_DIR)
    if key_dir in path.parents:
        private_dir(key_dir)
    private_dir(path.parent)
    with open_private(path, exclusive=True) as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
