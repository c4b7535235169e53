"""Actions of rapid handling (快速处置) and notices (信息通报), C6 and 湘政发〔2018〕28号 (四, 五): an
officer opens a case from a risk warning, or dismisses the warning with a reason; assigns the case,
records the measures taken and closes it. The officers of the departments responsible are told in the
app and by e-mail when the case opens, when its deadline nears and when it closes.

E-mails leave only after the transaction commits (docs/architecture.md "never a side effect inside a transaction that
may roll back"); the time each was handed to the mail backend is then recorded on its notice."""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable, Sequence

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.cases import queries
from certhub.cases.choices import CaseStatus, NoticeKind
from certhub.cases.models import Case, Measure, Notice
from certhub.complaints.choices import ComplaintState, ComplaintStep
from certhub.complaints.models import Complaint, ComplaintEvent
from certhub.core.actors import SYSTEM, Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.workdays import add_working_days
from certhub.market.choices import NEGATIVE
from certhub.market.models import MarketCheck
from certhub.registry.choices import GradedSubject
from certhub.registry.models import Organization
from certhub.risk.choices import WarningStatus
from certhub.risk.models import Warning

logger = logging.getLogger(__name__)

# 快速处置: a case is given between 1 and 60 working days (about three months) to be handled.
MIN_WORKING_DAYS = 1
MAX_WORKING_DAYS = 60
DEFAULT_WORKING_DAYS = 10
CASE_FIELDS = ["number", "warning", "subject_type", "subject_id", "uscc", "region_code", "title", "departments",
               "opened_on", "working_days", "deadline", "deadline_provisional", "assignee", "status"]  # fmt: skip


def _acting_user(actor: Actor) -> int:
    """Cases name the person who opened them and who recorded each measure (谁处置、谁负责)."""
    if actor.user_id is None:
        raise NotPermitted(_("%(actor)s 不是具名的监管人员账号，不能办理处置案件") % {"actor": actor.label})
    return actor.user_id


def _check_assignee(assignee: User | None, region_code: str, errors: dict[str, str]) -> None:
    if assignee is None:
        return
    if not any(u.pk == assignee.pk for u in queries.officers_covering(region_code)):
        errors["assignee"] = _("承办人%(name)s不是辖区覆盖该对象所在地区（%(region)s）的监管人员") % {
            "name": assignee.get_username(),
            "region": region_code,
        }


def _next_number(year: int, region_code: str) -> str:
    """AJ-<year>-<region>-<serial>, the serial counted per year and region."""
    prefix = f"AJ-{year}-{region_code}-"
    last = Case.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def _notify(case: Case, recipients: Iterable[User], kind: str, subject: str, body: str) -> list[Notice]:
    """One notice per recipient; the e-mails to those with an address go once the transaction commits."""
    notices = [
        Notice.objects.create(recipient=user, case=case, kind=kind, subject=subject[:200], body=body)
        for user in recipients
    ]
    emailed = [n.pk for n in notices if n.recipient.email]
    if emailed:
        transaction.on_commit(lambda: send_notice_emails(emailed))
    return notices


def _case_body(case: Case, lead: str) -> str:
    lines = [
        lead,
        _("案件编号：%(number)s") % {"number": case.number},
        _("对象：%(name)s（%(uscc)s）") % {"name": case.subject_name, "uscc": case.uscc},
        _("案由：%(title)s") % {"title": case.title},
        _("处置期限：%(deadline)s") % {"deadline": case.deadline.isoformat()},
        _("责任部门：%(departments)s") % {"departments": "、".join(case.departments)},
    ]
    return "\n".join(lines)


def _checked_case_input(
    title: str, working_days: int, departments: Sequence[str], assignee: User | None, region_code: str
) -> tuple[str, list[str]]:
    """The title and the departments of a new case, checked (ValidationFailed naming each field)."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("必填")
    elif len(title) > 200:
        errors["title"] = _("案由不超过200字")
    if not isinstance(working_days, int) or not MIN_WORKING_DAYS <= working_days <= MAX_WORKING_DAYS:
        errors["working_days"] = _("处置时限应为%(min)d到%(max)d个工作日，收到“%(value)s”") % {
            "min": MIN_WORKING_DAYS,
            "max": MAX_WORKING_DAYS,
            "value": working_days,
        }
    chosen = [d.strip() for d in departments if d.strip()]
    known = queries.known_departments(region_code)
    if not chosen:
        errors["departments"] = _("至少选择一个责任部门")
    else:
        unknown = [d for d in chosen if d not in known]
        if unknown:
            errors["departments"] = _("“%(name)s”不是辖区覆盖该地区的监管人员所在的部门") % {"name": unknown[0]}
    _check_assignee(assignee, region_code, errors)
    if errors:
        raise ValidationFailed(errors)
    return title, chosen


@action_step
def _create_case(
    *,
    source: dict[str, Warning | Complaint | MarketCheck],
    subject: tuple[str, int, str, str],
    region_code: str,
    title: str,
    departments: list[str],
    working_days: int,
    assignee: User | None,
    opened_by: int,
) -> Case:
    """The case row, whatever it is opened from (`source`: the warning, complaint or market check it links): its number,
    its subject (type, id, name, credit code) and its deadline `working_days` Chinese working days from today."""
    subject_type, subject_id, subject_name, uscc = subject
    today = timezone.localdate()
    deadline = add_working_days(today, working_days)
    return Case.objects.create(
        number=_next_number(today.year, region_code),
        subject_type=subject_type,
        subject_id=subject_id,
        subject_name=subject_name,
        uscc=uscc,
        region_code=region_code,
        title=title,
        departments=list(dict.fromkeys(departments)),
        opened_by_id=opened_by,
        opened_on=today,
        working_days=working_days,
        deadline=deadline.day,
        deadline_provisional=deadline.provisional,
        assignee=assignee,
        **source,
    )


def _substantiated(complaint: Complaint) -> Complaint:
    """The complaint, locked, if it was substantiated: only then may it open or join a case (C10)."""
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("organization").get(pk=complaint.pk)
    if complaint.state != ComplaintState.SUBSTANTIATED:
        raise Conflict(
            _("投诉举报%(number)s当前为“%(state)s”，查证属实后才能立案")
            % {"number": complaint.number, "state": complaint.get_state_display()},
            field="complaint",
        )
    return complaint


def _announce_opened(case: Case, text: str) -> None:
    """信息通报 of a new case to the departments' officers in the region and the assignee."""
    _notify(
        case,
        queries.case_recipients(case),
        NoticeKind.CASE_OPENED,
        _("【立案通报】%(number)s %(name)s") % {"number": case.number, "name": case.subject_name},
        _case_body(case, text),
    )


# ------------------------------------------------------------------ warnings


@action
def do_open_case(
    *,
    warning: Warning,
    title: str,
    working_days: int,
    departments: Sequence[str],
    assignee: User | None = None,
    actor: Actor,
) -> Case:
    """Open a case (快速处置) from an open warning: a deadline `working_days` Chinese working days from
    today, the departments responsible, optionally an assignee. The warning becomes CASE_OPENED and the
    departments' officers in the region, and the assignee, are notified (信息通报)."""
    authorize(actor, Permission.HANDLE_CASES, region_code=warning.region_code)
    opened_by = _acting_user(actor)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != WarningStatus.OPEN:
        status = warning.get_status_display()
        raise Conflict(_("该预警的状态为“%(status)s”，不能立案") % {"status": status}, field="warning")
    title, chosen = _checked_case_input(title, working_days, departments, assignee, warning.region_code)
    case = _create_case(
        source={"warning": warning},
        subject=(warning.subject_type, warning.subject_id, warning.subject_name, warning.uscc),
        region_code=warning.region_code,
        title=title,
        departments=chosen,
        working_days=working_days,
        assignee=assignee,
        opened_by=opened_by,
    )
    warning.status = WarningStatus.CASE_OPENED
    warning.status_note = _("已立案：%(number)s") % {"number": case.number}
    warning.save(update_fields=["status", "status_note"])
    # One audit row for the case; the warning's new status is part of it (one action, one ledger entry).
    record_audit(
        actor,
        AuditEventType.CASE_OPENED,
        case,
        before=None,
        after={**snapshot(case, CASE_FIELDS), "warning_status": warning.status},
    )
    _announce_opened(case, _("风险预警已立案处置，请责任部门按期处置。"))
    return case


@action
def do_open_case_from_complaint(
    *,
    complaint: Complaint,
    title: str,
    working_days: int,
    departments: Sequence[str],
    assignee: User | None = None,
    actor: Actor,
) -> Case:
    """Open a case (立案) from a substantiated complaint or tip-off (C10 → C6; 处罚程序规定 第十八条: the
    check ends in the decision whether to open a case), in the region handling it, about the organization,
    lab or body it was matched to; the departments are notified as for a case from a warning, and the
    complainant's history says a case was opened (暂行办法 第三十二条: 告知举报人是否立案)."""
    authorize(actor, Permission.HANDLE_CASES, region_code=complaint.region_code)
    opened_by = _acting_user(actor)
    complaint = _substantiated(complaint)
    organization = complaint.organization
    if organization is None:
        raise Conflict(
            _("投诉举报%(number)s的对象未能对应到登记库中的机构，不能由此立案") % {"number": complaint.number},
            field="complaint",
        )
    existing = Case.objects.filter(complaint=complaint).values_list("number", flat=True).first()
    if existing:
        raise Conflict(
            _("投诉举报%(number)s已立案：%(case)s") % {"number": complaint.number, "case": existing},
            field="complaint",
        )
    title, chosen = _checked_case_input(title, working_days, departments, assignee, complaint.region_code)
    subject_ids: dict[str, int | None] = {
        GradedSubject.LAB: complaint.lab_id,
        GradedSubject.CERTIFICATION_BODY: complaint.certification_body_id,
    }
    subject_id = subject_ids.get(complaint.subject_type) or organization.pk
    case = _create_case(
        source={"complaint": complaint},
        subject=(
            complaint.subject_type or GradedSubject.ORGANIZATION,
            subject_id,
            organization.name,
            organization.uscc,
        ),
        region_code=complaint.region_code,
        title=title,
        departments=chosen,
        working_days=working_days,
        assignee=assignee,
        opened_by=opened_by,
    )
    today = case.opened_on
    ComplaintEvent(
        complaint=complaint,
        on=today,
        step=ComplaintStep.CASE_OPENED,
        from_state=complaint.state,
        to_state=complaint.state,
        note=_("已立案查处"),
        actor_label=actor.label,
    ).save()
    record_audit(
        actor,
        AuditEventType.CASE_OPENED,
        case,
        before=None,
        after={**snapshot(case, CASE_FIELDS), "complaint": complaint.number},
    )
    _announce_opened(case, _("投诉举报查证属实，已立案处置，请责任部门按期处置。"))
    return case


@action
def do_join_case_from_complaint(*, complaint: Complaint, case: Case, actor: Actor) -> Measure:
    """Join a substantiated complaint or tip-off to an open case about the same organization (并案, C10 → C6)
    instead of opening another: the case records it as a measure, the complainant's history says it is
    being handled in a case."""
    authorize(actor, Permission.HANDLE_CASES, region_code=complaint.region_code)
    authorize(actor, Permission.HANDLE_CASES, region_code=case.region_code)
    recorded_by = _acting_user(actor)
    complaint = _substantiated(complaint)
    existing = Case.objects.filter(complaint=complaint).values_list("number", flat=True).first()
    if existing or complaint.events.filter(step=ComplaintStep.CASE_JOINED).exists():
        raise Conflict(
            _("投诉举报%(number)s已立案：%(case)s") % {"number": complaint.number, "case": existing or _("已并案")},
            field="complaint",
        )
    case = _lock_open_case(case, _("并案"))
    if complaint.organization is None or case.uscc != complaint.organization.uscc:
        raise ValidationFailed({"case": _("案件%(case)s的对象不是该投诉举报的对象") % {"case": case.number}})
    today = timezone.localdate()
    description = _("并案：投诉举报%(number)s查证属实。%(outcome)s") % {
        "number": complaint.number,
        "outcome": complaint.outcome_note,
    }
    measure = Measure.objects.create(case=case, taken_on=today, description=description, recorded_by_id=recorded_by)
    ComplaintEvent(
        complaint=complaint,
        on=today,
        step=ComplaintStep.CASE_JOINED,
        from_state=complaint.state,
        to_state=complaint.state,
        note=_("已并案查处"),
        actor_label=actor.label,
    ).save()
    after = {"measure": measure.pk, "taken_on": today.isoformat(), "complaint": complaint.number}
    record_audit(actor, AuditEventType.CASE_MEASURE_RECORDED, case, before=None, after=after)
    return measure


# ------------------------------------------------------------------ market checks


def _market_check_subject(check: MarketCheck) -> tuple[MarketCheck, Organization]:
    """The market check, locked, if its verdict is a violation not yet in a case, and whom a case about it is
    about: the producer when known, else the shop's organization (C7)."""
    locked = MarketCheck.objects.select_for_update(of=("self",)).get(pk=check.pk)
    if locked.verdict not in NEGATIVE:
        raise Conflict(
            _("该市场检查的结论为“%(verdict)s”，不是违法情形，不能立案") % {"verdict": locked.get_verdict_display()},
            field="check",
        )
    existing = Case.objects.filter(market_check=locked).values_list("number", flat=True).first() or (
        Measure.objects.filter(market_check=locked).values_list("case__number", flat=True).first()
    )
    if existing:
        raise Conflict(_("该市场检查已立案：%(case)s") % {"case": existing}, field="check")
    organization = locked.producer or locked.shop_organization
    if organization is None:
        raise Conflict(_("该市场检查未能对应到登记库中的生产者或经营者，不能由此立案"), field="check")
    return locked, organization


@action
def do_open_case_from_market_check(*, check: MarketCheck, actor: Actor) -> Case:
    """Act on a market check's violation in one step (C7 → C6): join it to an open case of the actor's region
    about the same organization (并案, recorded as a measure), or open a case about it in the check's region,
    with the default deadline and the acting officer's department (else every department covering the region)
    notified. The case is about the producer when known, else the shop's organization."""
    authorize(actor, Permission.HANDLE_CASES, region_code=check.region_code)
    user = _acting_user(actor)
    check, organization = _market_check_subject(check)
    verdict = check.get_verdict_display()
    about = {"verdict": verdict, "product": check.product_name, "number": check.claimed_number or "—"}
    candidates = Case.objects.filter(
        status=CaseStatus.OPEN, subject_type=GradedSubject.ORGANIZATION, subject_id=organization.pk
    ).order_by("opened_at", "id")
    joined = next((c for c in candidates if queries.covers(actor, c.region_code)), None)
    today = timezone.localdate()
    if joined is not None:
        case = _lock_open_case(joined, _("并案"))
        text = _("并案：市场检查发现“%(product)s”%(verdict)s（标称编号%(number)s）。") % about
        measure = Measure.objects.create(
            case=case, taken_on=today, description=f"{text}{check.reason}", recorded_by_id=user, market_check=check
        )
        after = {"measure": measure.pk, "taken_on": today.isoformat(), "market_check": check.pk}
        record_audit(actor, AuditEventType.CASE_MEASURE_RECORDED, case, before=None, after=after)
        return case
    known = queries.known_departments(check.region_code)
    departments = [actor.department] if actor.department in known else known
    title, chosen = _checked_case_input(
        (_("市场检查：%(verdict)s（%(product)s）") % about)[:200], DEFAULT_WORKING_DAYS, departments, None,
        check.region_code,
    )  # fmt: skip
    case = _create_case(
        source={"market_check": check},
        subject=(GradedSubject.ORGANIZATION, organization.pk, organization.name, organization.uscc),
        region_code=check.region_code,
        title=title,
        departments=chosen,
        working_days=DEFAULT_WORKING_DAYS,
        assignee=None,
        opened_by=user,
    )
    after = {**snapshot(case, CASE_FIELDS), "market_check": check.pk}
    record_audit(actor, AuditEventType.CASE_OPENED, case, before=None, after=after)
    _announce_opened(case, _("市场检查发现违法情形，已立案处置，请责任部门按期处置。") + check.reason)
    return case


@action
def do_dismiss_warning(*, warning: Warning, reason: str, actor: Actor) -> Warning:
    """Dismiss an open warning (排除) with the reason; it raises no case."""
    authorize(actor, Permission.HANDLE_CASES, region_code=warning.region_code)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != WarningStatus.OPEN:
        status = warning.get_status_display()
        raise Conflict(_("该预警的状态为“%(status)s”，不能排除") % {"status": status}, field="warning")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("排除预警须说明理由")})
    before = snapshot(warning, ["status", "status_note"])
    warning.status, warning.status_note = WarningStatus.DISMISSED, reason
    warning.save(update_fields=["status", "status_note"])
    record_audit(
        actor,
        AuditEventType.WARNING_DISMISSED,
        warning,
        before=before,
        after=snapshot(warning, ["status", "status_note"]),
        reason=reason,
    )
    return warning


# ------------------------------------------------------------------ cases


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


@action
def do_record_notices_emailed(*, notice_ids: Sequence[int], actor: Actor) -> int:
    """Record when the e-mails of these notices were handed to the mail backend (a receipt: no audit row)."""
    authorize(actor, Permission.HANDLE_CASES)
    return Notice.objects.filter(pk__in=list(notice_ids), emailed_at__isnull=True).update(emailed_at=timezone.now())


def send_notice_emails(notice_ids: Sequence[int]) -> list[int]:
    """E-mail these notices (after the commit that created them) and record the ones sent. A mail server
    that refuses one is logged and leaves that notice's emailed_at empty; the notice stays in the inbox."""
    notices = (
        Notice.objects.filter(pk__in=list(notice_ids), emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("id")
    )
    sent = []
    with get_connection() as connection:
        for notice in notices:
            message = EmailMessage(notice.subject, notice.body, to=[notice.recipient.email], connection=connection)
            try:
                message.send()
            except (OSError, smtplib.SMTPException):
                logger.exception("notice %s: e-mail to its recipient failed", notice.pk)
                continue
            sent.append(notice.pk)
    if sent:
        do_record_notices_emailed(notice_ids=sent, actor=SYSTEM)
    return sent
