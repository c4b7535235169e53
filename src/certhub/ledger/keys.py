"""The log's Ed25519 signing key, which signs the ledger's checkpoints (C4).

The private key is a file in settings.KEY_DIR (`ledger.key`, mode 0600, the note format's
PRIVATE+KEY+name+hash+base64 string); it is made on first use, so a fresh installation signs at once,
and an operator who keeps the key elsewhere mounts that directory. The key's name is the log's origin,
as the checkpoint format recommends, so a verifier can tell which log a note speaks for."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from certhub.core.keyfiles import write_new_private_file
from certhub.ledger import note

KEY_FILE = "ledger.key"


def key_path() -> Path:
    return Path(settings.KEY_DIR) / KEY_FILE


def signer() -> note.Signer:
    """The log's signing key, made (and written with mode 0600) if there is none yet."""
    path = key_path()
    try:
        return note.Signer.parse(path.read_text().strip())
    except FileNotFoundError:
        pass
    created = note.Signer.generate(settings.LEDGER_ORIGIN)
    try:
        write_new_private_file(path, f"{created}\n".encode())
    except FileExistsError:  # another process made it first: use theirs
        return note.Signer.parse(path.read_text().strip())
    return created


def verifier_key() -> str:
    """The verifier key anyone checks checkpoints with: name+hash+base64."""
    return str(signer().verifier())
