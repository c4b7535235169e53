"""Cases opened from what others observed: a substantiated complaint or tip-off (C10) and a market check's
negative verdict (C7), each opening a case or joining the subject's open one."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.cases import queries
from certhub.cases.actions.common import (
    CASE_FIELDS,
    DEFAULT_WORKING_DAYS,
    _acting_user,
    _announce_opened,
    _checked_case_input,
    _create_case,
)
from certhub.cases.actions.handling import _lock_open_case
from certhub.cases.choices import CaseStatus
from certhub.cases.models import Case, Measure
from certhub.complaints.choices import ComplaintState, ComplaintStep
from certhub.complaints.models import Complaint, ComplaintEvent
from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.market.choices import NEGATIVE
from certhub.market.models import MarketCheck
from certhub.registry.choices import GradedSubject
from certhub.registry.models import Organization

logger = logging.getLogger(__name__)


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
