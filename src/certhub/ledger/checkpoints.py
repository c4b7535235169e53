"""Signed checkpoints of the ledger: c2sp.org/tlog-checkpoint bodies in c2sp.org/signed-note envelopes,
signed with the log's Ed25519 key (C4).

The private key is a file in settings.KEY_DIR (`ledger.key`, mode 0600, the note format's
PRIVATE+KEY+name+hash+base64 string); it is made on first use, so a fresh installation signs at once,
and an operator who keeps the key elsewhere mounts that directory. The key's name is the log's origin,
as the checkpoint format recommends, so a verifier can tell which log a note speaks for."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import IntegrityError

from certhub.core.actors import Actor
from certhub.core.keyfiles import write_new_private_file
from certhub.ledger import note
from certhub.ledger.models import Checkpoint

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


def latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


def current(actor: Actor) -> Checkpoint | None:
    """The checkpoint to publish now: a fresh one when due, else the latest."""
    from certhub.ledger.actions import do_publish_checkpoint

    try:
        return do_publish_checkpoint(actor=actor)
    except IntegrityError:  # another request signed the same size a moment ago
        return latest()
