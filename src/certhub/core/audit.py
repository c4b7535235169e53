"""Audit rows: who changed what, before and after (docs/architecture.md convention 8), each queued for the
transparency ledger.

Every audit row becomes one ledger entry (C4, docs/ledger.md). The entry cannot carry the row
itself, which may hold personal data, so it carries salted digests of the states before and after:
SHA-256(salt ‖ RFC 8785 canonical JSON of the state). The salt stays private beside the entry, so that
an officer holding the audit row can show it matches the published entry while nobody can guess a
state from its digest. The digests are taken here, where the states are at hand (in a submission's
checking processes for bulk imports), and the ledger app appends the queue when the action ends."""

from __future__ import annotations

import base64
import contextvars
import datetime
import decimal
import hashlib
import os
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import models

from certhub.core import bulk, canonical
from certhub.core.actors import Actor
from certhub.core.choices import AuditEventType
from certhub.core.models import AuditEvent


def to_json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The JSON-able state of a row: concrete fields, foreign keys as ids."""
    result: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        result[field.attname] = to_json_value(getattr(instance, field.attname))
    return result


def audit_event(
    actor: Actor,
    event_type: AuditEventType,
    subject: models.Model,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str = "",
) -> AuditEvent:
    """Build (not save) an audit row, for bulk actions that write many at once."""
    return AuditEvent(
        event_type=event_type,
        actor_id=actor.user_id,
        actor_label=actor.label,
        actor_role=actor.role,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        before=before,
        after=after,
        reason=reason,
    )


class LedgerItem(NamedTuple):
    """What the ledger needs of one audit row (core.regulated.ACTION_END_HOOKS appends it)."""

    audit_id: int
    action: str
    subject_type: str
    subject_pk: str
    actor_role: str
    salt: bytes
    before_digest: str | None
    after_digest: str | None
    subject_public_id: str | None = None  # when the action knows it (ledger.subjects looks up the rest)


SALT_BYTES = 16
_ledger_queue: contextvars.ContextVar[list[LedgerItem] | None] = contextvars.ContextVar("certhub_ledger", default=None)


def salted_digest(salt: bytes, state: Any) -> str | None:
    """base64 SHA-256(salt ‖ RFC 8785 JSON of `state`); None for no state (before a creation)."""
    if state is None:
        return None
    return base64.b64encode(hashlib.sha256(salt + canonical.dumps(state)).digest()).decode()


def ledger_item(
    audit_id: int,
    action: str,
    subject_type: str,
    subject_pk: str,
    actor_role: str,
    before: Any,
    after: Any,
    public_id: str | None = None,
) -> LedgerItem:
    salt = os.urandom(SALT_BYTES)
    return LedgerItem(
        audit_id,
        str(action),
        subject_type,
        str(subject_pk),
        str(actor_role),
        salt,
        salted_digest(salt, before),
        salted_digest(salt, after),
        public_id,
    )


def queue_for_ledger(items: Iterable[LedgerItem]) -> None:
    """Hold items until the current action ends (inside an action only: the ledger appends them then)."""
    queue = _ledger_queue.get()
    if queue is None:
        queue = []
        _ledger_queue.set(queue)
    queue.extend(items)


def take_ledger_queue() -> list[LedgerItem]:
    """The items queued by the action now ending, leaving the queue empty (core.regulated's end hooks)."""
    queue = _ledger_queue.get()
    _ledger_queue.set(None)
    return queue or []


def record_audit(
    actor: Actor,
    event_type: AuditEventType,
    subject: models.Model,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str = "",
) -> AuditEvent:
    """Write one audit row, inside the action's transaction."""
    event = audit_event(actor, event_type, subject, before=before, after=after, reason=reason)
    event.save()
    queue_ledger_events([event], [subject])
    return event


def queue_ledger_events(events: Sequence[AuditEvent], subjects: Sequence[models.Model]) -> None:
    """Queue saved audit rows (about `subjects`, in the same order) for the ledger."""
    queue_for_ledger(
        ledger_item(
            e.pk,
            e.event_type,
            e.subject_type,
            e.subject_id,
            e.actor_role,
            e.before,
            e.after,
            getattr(subject, "ledger_public_id", None),
        )
        for e, subject in zip(events, subjects, strict=True)
    )


def record_batch_audit(actor: Actor, event_type: AuditEventType, rows: Sequence[models.Model], kind: str) -> None:
    """One audit row (and ledger entry) for a batch of rows written at once — signals reported in bulk,
    where an entry per row would cost more than it tells: how many, their id range and the SHA-256 of
    their values in the table's column order (RFC 8785 JSON per row), about the first row."""
    if not rows:
        return
    spec = bulk.table(type(rows[0]))
    values = (canonical.dumps([to_json_value(v) for v in spec.values_of(row)]) for row in rows)
    digest = hashlib.sha256(b"".join(values)).hexdigest()
    record_audit(
        actor,
        event_type,
        rows[0],
        before=None,
        after={"kind": kind, "rows": len(rows), "first_id": rows[0].pk, "last_id": rows[-1].pk, "digest": digest},
    )
