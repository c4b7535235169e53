"""Seal key actions: make a signing key, retire one (C3 anti-forgery). Keys rotate by making a
new one: the newest key in its window signs from then on, and the older ones stay in the trust list so
that seals already printed keep verifying within their own windows."""

from __future__ import annotations

import base64
import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.seal.cose import key_id
from certhub.seal.keyfiles import write_private_key
from certhub.seal.models import SealKey
from certhub.seal.queries import signing_key
from certhub.seal.trust import kid_text

WINDOW_FIELDS = ["kid", "valid_from", "valid_until", "retired_at"]


def _whole_seconds(moment: datetime.datetime) -> datetime.datetime:
    """Seals carry times in whole seconds (CWT NumericDate); so do the windows they are checked against."""
    return moment.replace(microsecond=0)


def key_state(key: SealKey) -> dict[str, Any]:
    state = snapshot(key, WINDOW_FIELDS)
    state["public_key"] = base64.b64encode(bytes(key.public_key)).decode()
    return state


@action
def do_create_seal_key(
    *,
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
    actor: Actor,
) -> SealKey:
    """Generate an Ed25519 key pair: the public key becomes a row (and so part of the trust list), the
    private key a file in KEY_DIR. From `valid_from` (now by default) it is the newest key, so it signs."""
    authorize(actor, Permission.MANAGE_SEAL_KEYS)
    now = _whole_seconds(timezone.now())
    start = _whole_seconds(valid_from) if valid_from is not None else now
    until = _whole_seconds(valid_until) if valid_until is not None else None
    if until is not None and until <= max(start, now):
        raise ValidationFailed({"valid_until": _("失效时间须晚于启用时间和当前时间")})
    private_key = Ed25519PrivateKey.generate()
    public_key = private_key.public_key().public_bytes_raw()
    key = SealKey(
        kid=kid_text(key_id(public_key)), public_key=public_key, created_at=now, valid_from=start, valid_until=until
    )
    key.save()
    # The file is written inside the transaction, after the row: if writing fails the row is rolled back,
    # so a trusted key always has its private half. If the commit itself fails, the file is left without
    # a row; such a key is never trusted nor used, and the operator may delete it.
    write_private_key(private_key)
    record_audit(actor, AuditEventType.SEAL_KEY_CREATED, key, before=None, after=key_state(key))
    return key


@action
def do_retire_seal_key(*, key: SealKey, valid_until: datetime.datetime | None = None, actor: Actor) -> SealKey:
    """Stop a key signing. Seals it signed stay valid until `valid_until`, which may be given here (now,
    for a key that leaked) or left as it was. The private key file is left for the operator to remove."""
    authorize(actor, Permission.MANAGE_SEAL_KEYS)
    key = SealKey.objects.select_for_update().get(pk=key.pk)
    if key.retired_at is not None:
        raise Conflict(
            _("密钥%(kid)s已于%(when)s停用")
            % {"kid": key.kid, "when": timezone.localtime(key.retired_at).strftime("%Y-%m-%d %H:%M")},
            code="already_retired",
        )
    now = _whole_seconds(timezone.now())
    before = key_state(key)
    key.retired_at = max(now, key.created_at)
    if valid_until is not None:
        until = _whole_seconds(valid_until)
        # A key revoked in the second it was made gets an empty window: it never verified anything.
        if until < key.valid_from:
            raise ValidationFailed({"valid_until": _("失效时间不得早于启用时间")})
        key.valid_until = until
    key.save(update_fields=["retired_at", "valid_until"])
    record_audit(actor, AuditEventType.SEAL_KEY_RETIRED, key, before=before, after=key_state(key))
    return key


def ensure_signing_key(*, actor: Actor) -> SealKey:
    """The signing key, made if there is none (the demo's one-command start; production makes keys with
    `certhub seal keys --new` and keeps KEY_DIR safe)."""
    return signing_key() or do_create_seal_key(actor=actor)
