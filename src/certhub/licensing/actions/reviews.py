"""The review of a case (C8): requests for materials and the applicant's answers, parallel departmental
opinions, the on-site review with its rectification, and the end of the review. Each step moves the case along
licensing.choices.APPLICATION_TRANSITIONS, writes its history row, pauses or resumes its statutory clocks and
keeps the case's next deadline."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.workdays import add_working_days
from certhub.licensing import clocks
from certhub.licensing.actions.common import (
    application_state,
    locked,
    move,
    named_user,
    record_event,
    require_state,
    today,
)
from certhub.licensing.choices import (
    OPEN_STATES,
    ApplicationKind,
    ApplicationState,
    OnSiteOutcome,
    PauseReason,
    Step,
)
from certhub.licensing.materials import CheckedMaterial
from certhub.licensing.models import (
    Application,
    Material,
    MaterialRequest,
    OnSiteReview,
    OpinionRequest,
)
from certhub.licensing.procedures import procedure

S = ApplicationState
MAX_OPINION_DAYS = 60


@action
def do_request_materials(*, application: Application, items: str, actor: Actor) -> MaterialRequest:
    """Ask the applicant for more documents (一次性告知): the authority's clocks stand still until answered."""
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    named_user(actor)
    application = locked(application)
    require_state(application, S.UNDER_REVIEW, S.AWAITING_OPINIONS)
    if not items.strip():
        raise ValidationFailed({"items": _("须写明需补充的材料")})
    if application.material_requests.filter(answered_on__isnull=True).exists():
        raise Conflict(_("上一次补充材料通知尚未答复"), field="items")
    before = application_state(application)
    on = today()
    deadline = add_working_days(on, procedure(application.licence_type).period(Step.MATERIALS).working_days)
    request = MaterialRequest(application=application, items=items.strip(), requested_on=on, due_on=deadline.day)
    request.save()
    move(application, S.AWAITING_MATERIALS, step="MATERIALS_REQUESTED", note=items.strip(), actor=actor, on=on)
    clocks.pause_clocks(application, PauseReason.MATERIALS, on)
    clocks.refresh_due(application)
    record_audit(
        actor, AuditEventType.MATERIALS_REQUESTED, application, before=before, after=application_state(application)
    )
    return request


@action_step
def _save_materials(
    application: Application, materials: Sequence[CheckedMaterial], request: MaterialRequest | None, actor: Actor
) -> list[Material]:
    saved = []
    for item in materials:
        material = Material(
            application=application,
            request=request,
            name=item.name[:200],
            kind=item.kind,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            storage_key=item.storage_key,
            uploaded_by_id=actor.user_id,
        )
        material.save()
        saved.append(material)
    return saved


@action
def do_add_materials(*, application: Application, materials: Sequence[CheckedMaterial], actor: Actor) -> list[Material]:
    """Attach documents to an open application (already checked by content and stored by digest)."""
    authorize(actor, Permission.APPLY_FOR_LICENCE, organization_id=application.applicant_id)
    application = locked(application)
    require_state(application, *OPEN_STATES)
    if not materials:
        raise ValidationFailed({"materials": _("必填")})
    saved = _save_materials(application, materials, None, actor)
    record_event(application, step="MATERIALS_ADDED", note="、".join(m.name for m in saved), actor=actor, on=today())
    for material in saved:
        record_audit(actor, AuditEventType.MATERIAL_UPLOADED, material, before=None, after=snapshot(material))
    return saved


@action
def do_answer_materials_request(
    *, request: MaterialRequest, note: str = "", materials: Sequence[CheckedMaterial] = (), actor: Actor
) -> MaterialRequest:
    """The applicant answers a request for documents; the clocks resume with the days they had left."""
    application = request.application
    authorize(actor, Permission.APPLY_FOR_LICENCE, organization_id=application.applicant_id)
    application = locked(application)
    request = MaterialRequest.objects.select_for_update().get(pk=request.pk)
    if request.answered_on is not None:
        raise Conflict(_("该补充材料通知已于%(on)s答复") % {"on": request.answered_on.isoformat()}, field="request")
    require_state(application, S.AWAITING_MATERIALS)
    if not materials and not note.strip():
        raise ValidationFailed({"materials": _("请上传补充的材料或填写说明")})
    before = application_state(application)
    on = today()
    _save_materials(application, materials, request, actor)
    request.answered_on, request.answer_note = on, note.strip()
    request.save(update_fields=["answered_on", "answer_note"])
    waiting = application.opinion_requests.filter(answered_on__isnull=True).exists()
    move(
        application,
        S.AWAITING_OPINIONS if waiting else S.UNDER_REVIEW,
        step="MATERIALS_ANSWERED",
        note=note.strip(),
        actor=actor,
        on=on,
    )
    clocks.resume_clocks(application, on)
    clocks.refresh_due(application)
    record_audit(actor, AuditEventType.MATERIALS_ANSWERED, request, before=before, after=application_state(application))
    return request


# ------------------------------------------------------------------ departmental opinions (并联审批)


@action
def do_request_opinions(
    *,
    application: Application,
    departments: Sequence[str],
    question: str = "",
    working_days: int | None = None,
    actor: Actor,
) -> list[OpinionRequest]:
    """Ask several departments for their opinion at once, each with its own deadline (`working_days`,
    the licence type's default when not given); the authority's clocks stand still until the last answers,
    and the decision waits for every one."""
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    named_user(actor)
    application = locked(application)
    require_state(application, S.UNDER_REVIEW, S.AWAITING_OPINIONS, S.REVIEW_CONCLUDED, S.ONSITE_REVIEW)
    names = [d.strip() for d in departments]
    errors: dict[str, list[str]] = {}
    if not names or any(not d for d in names):
        errors["departments"] = [_("须写明征求意见的部门")]
    elif len(set(names)) != len(names):
        errors["departments"] = [_("部门重复")]
    elif any(len(d) > 64 for d in names):
        errors["departments"] = [_("部门名称过长")]
    pending = set(
        application.opinion_requests.filter(answered_on__isnull=True, department__in=names).values_list(
            "department", flat=True
        )
    )
    if pending:
        errors["departments"] = [_("已在征求以下部门的意见：%(names)s") % {"names": "、".join(sorted(pending))}]
    days = (
        working_days
        if working_days is not None
        else procedure(application.licence_type).period(Step.OPINION).working_days
    )
    if not 1 <= days <= MAX_OPINION_DAYS:
        errors["working_days"] = [_("答复期限须为1至%(max)d个工作日") % {"max": MAX_OPINION_DAYS}]
    if errors:
        raise ValidationFailed(errors)
    before = application_state(application)
    on = today()
    deadline = add_working_days(on, days)
    created = []
    for department in names:
        request = OpinionRequest(
            application=application,
            department=department,
            requested_on=on,
            due_on=deadline.day,
            provisional=deadline.provisional,
            question=question.strip(),
        )
        request.save()
        created.append(request)
    to_state = S.AWAITING_OPINIONS if application.state in (S.UNDER_REVIEW, S.REVIEW_CONCLUDED) else application.state
    move(application, to_state, step="OPINIONS_REQUESTED", note="、".join(names), actor=actor, on=on)
    clocks.pause_clocks(application, PauseReason.OPINIONS, on)
    clocks.refresh_due(application)
    record_audit(
        actor,
        AuditEventType.OPINIONS_REQUESTED,
        application,
        before=before,
        after={**application_state(application), "departments": names},
    )
    return created


@action
def do_answer_opinion(*, opinion: OpinionRequest, agrees: bool, text: str, actor: Actor) -> OpinionRequest:
    """A department answers: only an officer of that department. When the last answer is in, the case
    goes back to review (or to its decision) and the clocks resume."""
    authorize(actor, Permission.GIVE_LICENSING_OPINION)
    named_user(actor)
    if actor.role != Role.ADMINISTRATOR and actor.department != opinion.department:
        raise NotPermitted(_("只有%(department)s的人员可以答复此征求意见") % {"department": opinion.department})
    application = locked(opinion.application)
    opinion = OpinionRequest.objects.select_for_update().get(pk=opinion.pk)
    if opinion.answered_on is not None:
        raise Conflict(
            _("%(department)s已于%(on)s答复")
            % {"department": opinion.department, "on": opinion.answered_on.isoformat()},
            field="opinion",
        )
    if not text.strip():
        raise ValidationFailed({"text": _("须填写意见")})
    before = snapshot(opinion)
    on = today()
    opinion.answered_on, opinion.agrees, opinion.text, opinion.answered_by_id = on, agrees, text.strip(), actor.user_id
    opinion.save()
    left = application.opinion_requests.filter(answered_on__isnull=True).exists()
    to_state = application.state
    if not left and application.state == S.AWAITING_OPINIONS:
        to_state = S.REVIEW_CONCLUDED if application.review_concluded_on else S.UNDER_REVIEW
    note = f"{opinion.department}：{_('同意') if agrees else _('不同意')}"
    move(application, to_state, step="OPINION_ANSWERED", note=note, actor=actor, on=on)
    clocks.resume_clocks(application, on)
    clocks.refresh_due(application)
    record_audit(actor, AuditEventType.OPINION_ANSWERED, opinion, before=before, after=snapshot(opinion))
    return opinion


# ------------------------------------------------------------------ on-site review and rectification


@action
def do_schedule_onsite_review(
    *, application: Application, scheduled_on: datetime.date, reviewers: str = "", actor: Actor
) -> OnSiteReview:
    """Schedule the case's one on-site review (只跑一次: a second is refused)."""
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    named_user(actor)
    application = locked(application)
    if OnSiteReview.objects.filter(application=application).exists():
        raise Conflict(_("每个申请至多安排一次现场评审"), field="scheduled_on")
    require_state(application, S.UNDER_REVIEW, S.AWAITING_OPINIONS)
    on = today()
    if scheduled_on < on:
        raise ValidationFailed({"scheduled_on": _("评审日期不得早于今天")})
    before = application_state(application)
    review = OnSiteReview(application=application, scheduled_on=scheduled_on, reviewers=reviewers.strip()[:300])
    review.save()
    move(application, S.ONSITE_REVIEW, step="ONSITE_SCHEDULED", note=scheduled_on.isoformat(), actor=actor, on=on)
    clocks.refresh_due(application)
    record_audit(actor, AuditEventType.ONSITE_REVIEW_SCHEDULED, review, before=before, after=snapshot(review))
    return review


def conclude(application: Application, on: datetime.date, actor: Actor, note: str) -> None:
    """The review is over: its clock stops, the decision's starts (paused while opinions are still out)."""
    application.review_concluded_on = on
    waiting = application.opinion_requests.filter(answered_on__isnull=True).exists()
    move(
        application,
        S.AWAITING_OPINIONS if waiting else S.REVIEW_CONCLUDED,
        step="REVIEW_CONCLUDED",
        note=note,
        actor=actor,
        on=on,
    )
    clocks.stop_clocks(application, on, Step.REVIEW)
    clocks.start_clock(application, Step.DECISION, on)
    if waiting:
        clocks.pause_clocks(application, PauseReason.OPINIONS, on)


@action
def do_record_onsite_review(
    *,
    review: OnSiteReview,
    outcome: str,
    findings: str = "",
    concluded_on: datetime.date | None = None,
    rectification_days: int | None = None,
    actor: Actor,
) -> OnSiteReview:
    """Record the on-site review's conclusion: passed or failed ends the review; rectification required
    gives the applicant at most the licence type's rectification period (30 working days for CMA), during
    which the authority's clocks stand still."""
    application = review.application
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    named_user(actor)
    application = locked(application)
    require_state(application, S.ONSITE_REVIEW)
    on = concluded_on or today()
    limit = procedure(application.licence_type).period(Step.RECTIFICATION).working_days
    errors: dict[str, str] = {}
    if outcome not in OnSiteOutcome.values:
        errors["outcome"] = _("未知的评审结论“%(value)s”") % {"value": outcome}
    if on < review.scheduled_on or on > today():
        errors["concluded_on"] = _("结论日期须在评审日期（%(on)s）与今天之间") % {"on": review.scheduled_on.isoformat()}
    if outcome == OnSiteOutcome.RECTIFICATION and (rectification_days is None or not 1 <= rectification_days <= limit):
        errors["rectification_days"] = _("整改期限须为1至%(max)d个工作日") % {"max": limit}
    if outcome != OnSiteOutcome.PASSED and not findings.strip():
        errors["findings"] = _("须写明评审发现的问题")
    if errors:
        raise ValidationFailed(errors)
    review = OnSiteReview.objects.select_for_update().get(pk=review.pk)
    before = snapshot(review)
    review.concluded_on, review.outcome, review.findings = on, outcome, findings.strip()
    if outcome == OnSiteOutcome.RECTIFICATION:
        assert rectification_days is not None
        review.rectification_days = rectification_days
        review.rectification_due_on = add_working_days(on, rectification_days).day
        review.save()
        move(application, S.RECTIFICATION, step="RECTIFICATION_REQUIRED", note=findings.strip(), actor=actor, on=on)
        clocks.pause_clocks(application, PauseReason.RECTIFICATION, on)
    else:
        review.save()
        conclude(application, on, actor, str(OnSiteOutcome(outcome).label))
    clocks.refresh_due(application)
    record_audit(actor, AuditEventType.ONSITE_REVIEW_RECORDED, review, before=before, after=snapshot(review))
    return review


@action
def do_record_rectification(
    *, review: OnSiteReview, passed: bool, note: str = "", rectified_on: datetime.date | None = None, actor: Actor
) -> OnSiteReview:
    """Record whether the applicant's rectification was accepted; the review then ends."""
    application = review.application
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    named_user(actor)
    application = locked(application)
    require_state(application, S.RECTIFICATION)
    on = rectified_on or today()
    if on < (review.concluded_on or on) or on > today():
        raise ValidationFailed({"rectified_on": _("整改完成日期须在评审结论日期与今天之间")})
    review = OnSiteReview.objects.select_for_update().get(pk=review.pk)
    before = snapshot(review)
    review.rectified_on, review.rectification_passed = on, passed
    if note.strip():
        review.findings = f"{review.findings}\n{note.strip()}".strip()
    review.save()
    # The applicant's time ends: resume the clocks first (the state is still RECTIFICATION for the check).
    application.state = S.ONSITE_REVIEW
    clocks.resume_clocks(application, on)
    application.state = S.RECTIFICATION
    conclude(application, on, actor, _("整改通过") if passed else _("整改未通过"))
    clocks.refresh_due(application)
    record_audit(actor, AuditEventType.RECTIFICATION_RECORDED, review, before=before, after=snapshot(review))
    return review


@action
def do_conclude_review(*, application: Application, note: str = "", actor: Actor) -> Application:
    """End a document-only review (kinds without an on-site review): the decision's clock starts."""
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    named_user(actor)
    application = locked(application)
    require_state(application, S.UNDER_REVIEW)
    if application.kind in procedure(application.licence_type).onsite_review_kinds:
        raise Conflict(_("%(kind)s须经现场评审") % {"kind": ApplicationKind(application.kind).label}, field="state")
    before = application_state(application)
    conclude(application, today(), actor, note.strip())
    clocks.refresh_due(application)
    record_audit(
        actor, AuditEventType.REVIEW_CONCLUDED, application, before=before, after=application_state(application)
    )
    return application
