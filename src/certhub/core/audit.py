"""Audit rows: who changed what, before and after (STYLE.md 8)."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models

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
    return event
