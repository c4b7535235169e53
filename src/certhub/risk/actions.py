"""Setting risk grades (分类监管, MISSION.md C6). The scoring that proposes them belongs to the risk
detectors; this is the one place a grade is written."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import audit_event, queue_ledger_events
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.risk.choices import GradedSubject, RiskGrade
from certhub.risk.models import Grade


@action
def do_set_risk_grades(rows: Iterable[tuple[str, int, str, str]], *, graded_on: datetime.date | None = None,
                       actor: Actor) -> int:  # fmt: skip
    """Set the grade of many subjects: rows of (subject type, subject id, grade, basis). One audit row per
    grade that changed; returns how many changed."""
    authorize(actor, Permission.SET_RISK_GRADES)
    wanted: dict[tuple[str, int], tuple[str, str]] = {}
    for number, (subject_type, subject_id, grade, basis) in enumerate(rows, start=1):
        if subject_type not in GradedSubject.values:
            raise ValidationFailed({f"rows[{number}].subject_type": _("未知的对象类型“%(v)s”") % {"v": subject_type}})
        if grade not in RiskGrade.values:
            raise ValidationFailed({f"rows[{number}].grade": _("风险等级应为A、B、C、D，收到“%(v)s”") % {"v": grade}})
        wanted[(subject_type, int(subject_id))] = (grade, basis)
    day = graded_on or timezone.localdate()
    existing = {(g.subject_type, g.subject_id): g for g in Grade.objects.filter(
        subject_id__in=[k[1] for k in wanted]) if (g.subject_type, g.subject_id) in wanted}  # fmt: skip
    changed, created, events = [], [], []
    for key, (grade, basis) in wanted.items():
        current = existing.get(key)
        if current is not None and current.grade == grade:
            continue
        before = {"grade": current.grade} if current else None
        row = current or Grade(subject_type=key[0], subject_id=key[1])
        row.grade, row.graded_on, row.basis = grade, day, basis
        (changed if current else created).append(row)
        events.append((row, before))
    Grade.objects.bulk_create(created, batch_size=2000)
    Grade.objects.bulk_update(changed, ["grade", "graded_on", "basis"], batch_size=2000)
    audit = [audit_event(actor, AuditEventType.RISK_GRADES_SET, row, before=before,
                         after={"subject_type": row.subject_type, "subject_id": row.subject_id, "grade": row.grade})
             for row, before in events]  # fmt: skip
    AuditEvent.objects.bulk_create(audit, batch_size=2000)
    queue_ledger_events(audit, [row for row, _b in events])
    return len(events)
