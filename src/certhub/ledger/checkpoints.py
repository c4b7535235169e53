"""Signed checkpoints of the ledger: c2sp.org/tlog-checkpoint bodies in c2sp.org/signed-note envelopes,
signed with the log's Ed25519 key (ledger.keys), published when due (C4)."""

from __future__ import annotations

from django.db import IntegrityError

from certhub.core.actors import Actor
from certhub.ledger.actions import do_publish_checkpoint
from certhub.ledger.keys import key_path, signer, verifier_key
from certhub.ledger.models import Checkpoint
from certhub.ledger.queries import latest_checkpoint

# The key's functions are part of what a checkpoint reader needs (the note and the key that checks it).
__all__ = ["current", "key_path", "signer", "verifier_key"]


def current(actor: Actor) -> Checkpoint | None:
    """The checkpoint to publish now: a fresh one when due, else the latest."""
    try:
        return do_publish_checkpoint(actor=actor)
    except IntegrityError:  # another request signed the same size a moment ago
        return latest_checkpoint()
