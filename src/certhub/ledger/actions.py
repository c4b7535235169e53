"""Ledger actions. Entries are appended by every other action (ledger.log, through core.regulated's end
hook); the one action of the ledger's own signs checkpoints."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from certhub.core.actors import Actor
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.ledger import log, note
from certhub.ledger.keys import signer
from certhub.ledger.models import Checkpoint
from certhub.ledger.queries import latest_checkpoint


@action
def do_publish_checkpoint(*, actor: Actor, force: bool = False) -> Checkpoint | None:
    """Sign the log as it stands, unless nothing was added since the last checkpoint or (without
    `force`) that one is younger than LEDGER_CHECKPOINT_INTERVAL. A checkpoint is about the log, so it is
    not itself a ledger entry and has no audit row: the signed note is its own record."""
    authorize(actor, Permission.SIGN_CHECKPOINT)
    previous = latest_checkpoint()
    size = log.tree_size()
    if size == 0 or (previous is not None and previous.tree_size >= size):
        return previous
    interval = datetime.timedelta(seconds=settings.LEDGER_CHECKPOINT_INTERVAL)
    if previous is not None and not force and timezone.now() - previous.created_at < interval:
        return previous
    root = log.root_at(size)
    body = note.Checkpoint(settings.LEDGER_ORIGIN, size, root).body()
    checkpoint = Checkpoint(tree_size=size, root_hash=root, note=note.sign(body, signer()))
    checkpoint.save()
    return checkpoint
