"""Handling an open case (C6): assignment, measures, closing, deadline reminders, notices read and e-mailed.

E-mails leave only after the transaction commits (docs/architecture.md "never a side effect inside a transaction that
may roll back"); the time each was handed to the mail backend is then recorded on its notice."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.cases import queries
from certhub.cases.actions.common import _acting_user, _case_body, _check_assignee, _notify
from certhub.cases.choices import CaseStatus, NoticeKind
from certhub.cases.models import Case, Measure, Notice
from certhub.core.actors import SYSTEM, Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action

logger = logging.getLogger(__name__)


def _lock_open_case(case: Case, verb: str) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status != CaseStatus.OPEN:
        raise Conflict(_("案件已办结，不能再%(verb)s") % {"verb": verb}, field="status")
    return locked


@action
def do_assign_case(*, case: Case, assignee: User | None, actor: Actor) -> Case:
    """Assign an open case to an officer covering its region; they are told (案件指派)."""
    authorize(actor, Permission.HANDLE_CASES, region_code=case.region_code)
    case = _lock_open_case(case, _("指派"))
    errors: dict[str, str] = {}
    if assignee is None:
        errors["assignee"] = _("必填")
    _check_assignee(assignee, case.region_code, errors)
    if errors or assignee is None:  # (no assignee is one of the errors)
        raise ValidationFailed(errors)
    before = snapshot(case, ["assignee"])
    case.assignee = assignee
    case.save(update_fields=["assignee"])
    record_audit(actor, AuditEventType.CASE_ASSIGNED, case, before=before, after=snapshot(case, ["assignee"]))
    _notify(
        case,
        [assignee],
        NoticeKind.CASE_ASSIGNED,
        _("【案件指派】%(number)s %(name)s") % {"number": case.number, "name": case.subject_name},
        _case_body(case, _("你被指派为该案件的承办人。")),
    )
    return case


@action
def do_record_measure(*, case: Case, taken_on: datetime.date, description: str, actor: Actor) -> Measure:
    """Record a measure taken on an open case (约谈, 责令整改, 暂停证书 …) with its date: not in the future,
    not before the case was opened."""
    authorize(actor, Permission.HANDLE_CASES, region_code=case.region_code)
    recorded_by = _acting_user(actor)
    case = _lock_open_case(case, _("记录处置措施"))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if taken_on is None:
        errors["taken_on"] = _("必填")
    elif taken_on > today:
        errors["taken_on"] = _("采取日期（%(day)s）不能晚于今天（%(today)s）") % {"day": taken_on, "today": today}
    elif taken_on < case.opened_on:
        errors["taken_on"] = _("采取日期（%(day)s）不能早于立案日期（%(opened)s）") % {
            "day": taken_on,
            "opened": case.opened_on,
        }
    description = (description or "").strip()
    if not description:
        errors["description"] = _("必填")
    if errors:
        raise ValidationFailed(errors)
    measure = Measure.objects.create(case=case, taken_on=taken_on, description=description, recorded_by_id=recorded_by)
    after = {"measure": measure.pk, "taken_on": taken_on.isoformat(), "description": description}
    record_audit(actor, AuditEventType.CASE_MEASURE_RECORDED, case, before=None, after=after)
    return measure


@action
def do_close_case(*, case: Case, conclusion: str, actor: Actor) -> Case:
    """Close an open case with its conclusion; only once measures are recorded. Everyone told of the case
    is told it is closed (办结通报)."""
    authorize(actor, Permission.HANDLE_CASES, region_code=case.region_code)
    case = _lock_open_case(case, _("办结"))
    errors: dict[str, str] = {}
    if not case.measures.exists():
        errors["measures"] = _("案件须记录处置措施后方可办结")
    conclusion = (conclusion or "").strip()
    if not conclusion:
        errors["conclusion"] = _("必填")
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(case, ["status", "closed_on", "conclusion"])
    case.status, case.closed_on, case.conclusion = CaseStatus.CLOSED, timezone.localdate(), conclusion
    case.save(update_fields=["status", "closed_on", "conclusion"])
    record_audit(
        actor,
        AuditEventType.CASE_CLOSED,
        case,
        before=before,
        after=snapshot(case, ["status", "closed_on", "conclusion"]),
    )
    _notify(
        case,
        queries.case_recipients(case),
        NoticeKind.CASE_CLOSED,
        _("【办结通报】%(number)s %(name)s") % {"number": case.number, "name": case.subject_name},
        _case_body(case, _("案件已办结。办结意见：%(conclusion)s") % {"conclusion": conclusion}),
    )
    return case


# ------------------------------------------------------------------ deadline reminders and receipts


@action
def do_send_deadline_reminders(*, today: datetime.date, actor: Actor) -> list[Case]:
    """Remind (期限临近提醒) everyone told of each open case whose deadline is past or within
    queries.DUE_SOON_WORKING_DAYS working days of `today`; once per case (reminded_on), so running it again
    the same day or any later day sends nothing new. Reminders are messages, not a change to the case: no
    audit row is written beyond the reminded_on mark."""
    authorize(actor, Permission.HANDLE_CASES)
    reminded = []
    for case in queries.cases_due(today).select_for_update(of=("self",)):
        case.reminded_on = today
        case.save(update_fields=["reminded_on"])
        overdue = case.deadline < today
        lead = _("案件已超过处置期限，请尽快办结。") if overdue else _("案件处置期限临近，请按期办结。")
        _notify(
            case,
            queries.case_recipients(case),
            NoticeKind.DEADLINE_NEAR,
            _("【期限提醒】%(number)s %(name)s 期限%(deadline)s")
            % {"number": case.number, "name": case.subject_name, "deadline": case.deadline.isoformat()},
            _case_body(case, lead),
        )
        reminded.append(case)
    return reminded


def send_deadline_reminders(today: datetime.date | None = None) -> list[Case]:
    """The `certhub cases remind` job: reminders for the cases due on `today` (default: today, Asia/Shanghai)."""
    return do_send_deadline_reminders(today=today or timezone.localdate(), actor=SYSTEM)


@action
def do_mark_notice_read(*, notice: Notice, actor: Actor) -> Notice:
    """The recipient opened the notice. A receipt, not a regulated change: no audit row."""
    authorize(actor, Permission.VIEW_OFFICE)
    if notice.recipient_id != actor.user_id:
        raise NotPermitted(_("只有通报的接收人才能标记已读"))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice
