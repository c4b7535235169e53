"""Each task's result (C5): recorded by its inspectors, reviewed, and published within 20 working days
(谁检查、谁录入、谁公示)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.workdays import add_working_days
from certhub.inspections.choices import TASK_TRANSITIONS, FollowUp, ResultCategory, TaskStatus
from certhub.inspections.models import Inspector, Task

PUBLICATION_WORKING_DAYS = 20  # results public within 20 working days of the inspection's end (一公开)


def _task_snapshot(task: Task) -> dict[str, Any]:
    return snapshot(
        task,
        [
            "status",
            "result",
            "follow_up",
            "findings",
            "inspected_from",
            "inspected_until",
            "deadline",
            "recorded_by",
            "review_note",
            "published_on",
            "late_reason",
        ],
    )


def _move(task: Task, to: str) -> None:
    if to not in TASK_TRANSITIONS[task.status]:
        raise Conflict(
            _("检查结果当前为“%(status)s”，不能%(verb)s")
            % {"status": task.get_status_display(), "verb": TaskStatus(to).label},
            field="status",
        )
    task.status = to


@action
def do_record_result(
    *,
    task: Task,
    result: str,
    follow_up: str,
    findings: str,
    inspected_from: datetime.date,
    inspected_until: datetime.date,
    actor: Actor,
) -> Task:
    """An inspector assigned to the task records what they found (谁检查、谁录入). Anyone else is refused."""
    authorize(actor, Permission.RECORD_INSPECTION_RESULT)
    inspector = Inspector.objects.filter(user_id=actor.user_id).first() if actor.user_id else None
    if inspector is None or not task.assignments.filter(inspector=inspector).exists():
        raise NotPermitted(_("%(actor)s 不是该检查对象的检查人员，不能录入结果") % {"actor": actor.label})
    errors: dict[str, str] = {}
    if result not in ResultCategory.values:
        errors["result"] = _("请选择检查结果")
    if follow_up not in FollowUp.values:
        errors["follow_up"] = _("请选择后续处置")
    elif result == ResultCategory.NORMAL and follow_up != FollowUp.NONE:
        errors["follow_up"] = _("未发现问题时无需后续处置")
    elif result in (ResultCategory.CORRECTED, ResultCategory.PROBLEM) and follow_up == FollowUp.NONE:
        errors["follow_up"] = _("发现问题时须填写后续处置")
    drawn_on = timezone.localdate(task.batch.drawn_at)
    today = timezone.localdate()
    if inspected_from < drawn_on:
        errors["inspected_from"] = _("检查开始日期不得早于抽取日期（%(day)s）") % {"day": drawn_on.isoformat()}
    if inspected_until < inspected_from:
        errors["inspected_until"] = _("检查结束日期不得早于开始日期")
    elif inspected_until > today:
        errors["inspected_until"] = _("检查结束日期不得晚于今天")
    if result != ResultCategory.NORMAL and not findings.strip():
        errors["findings"] = _("发现问题时须写明检查情况")
    if errors:
        raise ValidationFailed(errors)
    before = _task_snapshot(task)
    _move(task, TaskStatus.SUBMITTED)
    task.result, task.follow_up, task.findings = result, follow_up, findings.strip()
    task.inspected_from, task.inspected_until = inspected_from, inspected_until
    task.deadline = add_working_days(inspected_until, PUBLICATION_WORKING_DAYS).day
    task.recorded_by, task.recorded_at = inspector, timezone.now()
    task.save()
    record_audit(actor, AuditEventType.TASK_RESULT_RECORDED, task, before=before, after=_task_snapshot(task))
    return task


def _refuse_own_result(task: Task, actor: Actor) -> None:
    if actor.user_id and task.assignments.filter(inspector__user_id=actor.user_id).exists():
        raise NotPermitted(_("检查人员不能审核自己参与检查的结果"))


@action
def do_return_result(*, task: Task, note: str, actor: Actor) -> Task:
    """Send a recorded result back to its inspectors, saying why."""
    authorize(actor, Permission.REVIEW_INSPECTION_RESULT, region_code=task.batch.plan.region_id)
    _refuse_own_result(task, actor)
    if not note.strip():
        raise ValidationFailed({"note": _("退回须写明审核意见")})
    before = _task_snapshot(task)
    _move(task, TaskStatus.RETURNED)
    task.review_note, task.reviewed_by = note.strip(), actor.label
    task.save(update_fields=["status", "review_note", "reviewed_by"])
    record_audit(actor, AuditEventType.TASK_RETURNED, task, before=before, after=_task_snapshot(task))
    return task


@action
def do_publish_result(*, task: Task, note: str = "", late_reason: str = "", actor: Actor) -> Task:
    """Approve a recorded result and publish it (一公开). After the 20-working-day deadline it is still
    published — the public has a right to it — but only with the reason for the delay, and it is shown
    as published late."""
    authorize(actor, Permission.REVIEW_INSPECTION_RESULT, region_code=task.batch.plan.region_id)
    _refuse_own_result(task, actor)
    today = timezone.localdate()
    if task.deadline and today > task.deadline and not late_reason.strip():
        raise ValidationFailed(
            {
                "late_reason": _(
                    "已超过公示期限（%(deadline)s，检查结束后%(days)d个工作日）：须写明逾期原因，结果将标注为逾期公示"
                )
                % {"deadline": task.deadline.isoformat(), "days": PUBLICATION_WORKING_DAYS}
            }
        )
    before = _task_snapshot(task)
    _move(task, TaskStatus.PUBLISHED)
    task.review_note, task.reviewed_by, task.published_on = note.strip(), actor.label, today
    task.late_reason = late_reason.strip() if task.deadline and today > task.deadline else ""
    task.save(update_fields=["status", "review_note", "reviewed_by", "published_on", "late_reason"])
    record_audit(actor, AuditEventType.TASK_PUBLISHED, task, before=before, after=_task_snapshot(task))
    return task
