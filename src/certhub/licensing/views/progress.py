"""Where a case stands, as its pages show it (C8: "the applicant sees where the case is and what is awaited"):
the statutory clocks with the working days left, what is awaited now and from whom, and a tone for the state.
It reads the rows of one application already fetched through the scoped fetchers; it decides nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.core.choices import Role
from certhub.core.models import User
from certhub.core.permissions import within_scope
from certhub.core.workdays import working_days_between
from certhub.licensing.choices import APPLICATION_TRANSITIONS, CLOSED_STATES, ApplicationState, PauseReason, Step
from certhub.licensing.models import (
    Application,
    ApplicationEvent,
    Clock,
    Material,
    OnSiteReview,
    OpinionRequest,
    PostApprovalCheck,
)
from certhub.licensing.procedures import procedure

S = ApplicationState
CLOSED = frozenset(CLOSED_STATES)
# The states a decision may be taken from (APPLICATION_TRANSITIONS: those that may become GRANTED, the
# 告知承诺 track's SUBMITTED aside, which is granted by signing the commitment).
DECIDABLE = frozenset(state for state, after in APPLICATION_TRANSITIONS.items() if S.REFUSED in after)
TONES: dict[str, str] = {
    S.GRANTED: "valid",
    S.REFUSED: "revoked",
    S.NOT_ACCEPTED: "revoked",
    S.WITHDRAWN: "ended",
    S.AWAITING_MATERIALS: "suspended",
    S.RECTIFICATION: "suspended",
}


def tone(state: str) -> str:
    """The badge tone of a state (portal.css): a word always comes with it."""
    return TONES.get(state, "draft")


# The words for the steps a case's history records (licensing.actions write these codes).
EVENT_STEPS: dict[str, Any] = {
    "SUBMITTED": gettext_lazy("提交申请"),
    "ACCEPTED": gettext_lazy("受理"),
    "NOT_ACCEPTED": gettext_lazy("不予受理"),
    "ASSIGNED": gettext_lazy("指派承办人"),
    "MATERIALS_ADDED": gettext_lazy("上传材料"),
    "MATERIALS_REQUESTED": gettext_lazy("通知补充材料"),
    "MATERIALS_ANSWERED": gettext_lazy("补充材料"),
    "OPINIONS_REQUESTED": gettext_lazy("征求部门意见"),
    "OPINION_ANSWERED": gettext_lazy("部门答复意见"),
    "ONSITE_SCHEDULED": gettext_lazy("安排现场评审"),
    "RECTIFICATION_REQUIRED": gettext_lazy("现场评审：需整改"),
    "REVIEW_CONCLUDED": gettext_lazy("评审结束"),
    "GRANTED": gettext_lazy("准予许可"),
    "GRANTED_ON_COMMITMENT": gettext_lazy("告知承诺：当场准予许可"),
    "REFUSED": gettext_lazy("不予许可"),
    "WITHDRAWN": gettext_lazy("撤回申请"),
}


def step_label(step: str) -> str:
    """The words for a step: a clock's (Step) or a history row's (EVENT_STEPS); an unknown code as it is."""
    if step in EVENT_STEPS:
        return str(EVENT_STEPS[step])
    try:
        return str(Step(step).label)
    except ValueError:
        return step


def history(application: Application) -> list[ApplicationEvent]:
    """The case's steps in order, each with the words for its step (`step_label`)."""
    events = list(application.events.order_by("at", "id"))
    for event in events:
        setattr(event, "step_label", step_label(event.step))  # noqa: B010 - a display attribute, not a field
    return events


@dataclass(frozen=True)
class ClockRow:
    step_label: str
    working_days: int
    source: str
    due_on: datetime.date
    provisional: bool
    paused: bool
    paused_since: datetime.date | None
    pause_reason: str
    days_left: int
    overdue: bool

    @property
    def days_over(self) -> int:
        return -self.days_left


def clock_rows(application: Application, today: datetime.date | None = None) -> list[ClockRow]:
    """The running clocks of the case: due day, working days left (or over), paused or not and why."""
    today = today or timezone.localdate()
    periods = procedure(application.licence_type).periods
    rows = []
    clocks: list[Clock] = list(application.clocks.filter(stopped_on__isnull=True).prefetch_related("pauses"))
    for clock in clocks:
        pause = next((p for p in clock.pauses.all() if p.ended_on is None), None)
        left = working_days_between(today, clock.due_on)
        period = periods.get(clock.step)
        rows.append(
            ClockRow(
                step_label=step_label(clock.step),
                working_days=clock.working_days,
                source=f"{period.source} {period.article}" if period else "",
                due_on=clock.due_on,
                provisional=clock.provisional,
                paused=clock.paused_since is not None,
                paused_since=clock.paused_since,
                pause_reason=str(PauseReason(pause.reason).label) if pause else "",
                days_left=left,
                overdue=clock.paused_since is None and clock.due_on < today,
            )
        )
    return rows


def awaited(application: Application) -> list[dict[str, Any]]:
    """What the case waits for now and from whom (the applicant, the officer, a department, the reviewers)."""
    state = application.state
    office = _("许可机关")
    applicant = application.applicant.name
    clock = application.clocks.filter(stopped_on__isnull=True).order_by("due_on").first()
    due = clock.due_on if clock is not None else None
    if state == S.SUBMITTED:
        return [{"what": _("受理或不予受理的决定"), "who": office, "due_on": due}]
    if state in (S.ACCEPTED, S.UNDER_REVIEW):
        return [{"what": _("材料审查"), "who": office, "due_on": due}]
    if state == S.AWAITING_MATERIALS:
        request = application.material_requests.filter(answered_on__isnull=True).order_by("requested_on").first()
        return [{"what": _("补充材料"), "who": applicant, "due_on": request.due_on if request else None}]
    if state == S.AWAITING_OPINIONS:
        return [
            {"what": _("部门意见"), "who": opinion.department, "due_on": opinion.due_on}
            for opinion in application.opinion_requests.filter(answered_on__isnull=True)
        ] or [{"what": _("材料审查"), "who": office, "due_on": due}]
    if state == S.ONSITE_REVIEW:
        review = getattr(application, "onsite_review", None)
        return [{"what": _("现场评审"), "who": _("评审组"), "due_on": review.scheduled_on if review else None}]
    if state == S.RECTIFICATION:
        review = getattr(application, "onsite_review", None)
        return [{"what": _("整改"), "who": applicant, "due_on": review.rectification_due_on if review else None}]
    if state == S.REVIEW_CONCLUDED:
        return [{"what": _("许可决定"), "who": office, "due_on": due}]
    return []


def review_of(application: Application) -> OnSiteReview | None:
    """The case's on-site review, if one was scheduled."""
    return OnSiteReview.objects.filter(application=application).first()


def review_required(application: Application) -> OnSiteReview:
    """The case's on-site review for a step that needs one; "not found" when none was scheduled."""
    return within_scope(review_of(application), lambda review: True, _("该申请没有安排现场评审"))


def opinion_of(application: Application, pk: int) -> OpinionRequest:
    """One opinion request of the case (a number of another case's is "not found")."""
    return within_scope(application.opinion_requests.filter(pk=pk).first(), lambda o: True, _("没有这项征求意见"))


def check_of(application: Application, pk: int) -> PostApprovalCheck:
    """One post-approval check of the case (a number of another case's is "not found")."""
    return within_scope(application.post_checks.filter(pk=pk).first(), lambda c: True, _("没有这项核查"))


def material_in(applications: QuerySet[Application], pk: int) -> Material:
    """A document of one of `applications` (the actor's visible ones), else "not found" (C14)."""
    found = Material.objects.filter(pk=pk, application__in=applications).first()
    return within_scope(found, lambda material: True, _("没有这份材料"))


def officers_covering(region_code: str) -> list[User]:
    """The active officers whose region covers `region_code` (province, prefecture or county): those a case
    of that region may be assigned to."""
    codes = {region_code[:2] + "0000", region_code[:4] + "00", region_code}
    return list(User.objects.filter(role=Role.OFFICER, is_active=True, region__code__in=codes).order_by("username"))
