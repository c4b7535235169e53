"""What every way of opening and handling a case shares (C6, 快速处置): the deadline's bounds, case numbers,
the checked input, the case written with its audit row, and the notices to the departments responsible."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.cases import queries
from certhub.cases.choices import NoticeKind
from certhub.cases.models import Case, Notice
from certhub.complaints.models import Complaint
from certhub.core.actors import SYSTEM, Actor
from certhub.core.errors import NotPermitted, ValidationFailed
from certhub.core.models import User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.workdays import add_working_days
from certhub.market.models import MarketCheck
from certhub.risk.models import Warning

logger = logging.getLogger(__name__)

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
