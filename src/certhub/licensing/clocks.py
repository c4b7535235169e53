"""Statutory clocks of a case in Chinese working days (C8; core.workdays, invariant 5 of
docs/architecture.md). A clock counts one step's period from its start; while the applicant supplies
materials or rectifies, or departments give their opinions, the authority's clocks stand still, and when
the last of those ends they resume with the working days they had left. Each case keeps its earliest
running deadline on the application itself (`next_due_on`), so that the officers' due list is one index
range however many cases are open."""

from __future__ import annotations

import datetime

from certhub.core.regulated import action_step
from certhub.core.workdays import add_working_days, working_days_between
from certhub.licensing.choices import ApplicationState, LicenceStatus, Step
from certhub.licensing.models import Application, Clock, ClockPause
from certhub.licensing.procedures import procedure

# Clocks of the authority: these pause while the case waits on someone else.
AUTHORITY_STEPS = (Step.ACCEPTANCE, Step.REVIEW, Step.DECISION, Step.CERTIFICATE)


@action_step
def start_clock(application: Application, step: str, started_on: datetime.date) -> Clock:
    """Start `step`'s period (working days from the licence type's procedure) on `started_on`."""
    days = procedure(application.licence_type).period(step).working_days
    deadline = add_working_days(started_on, days)
    clock = Clock(
        application=application,
        step=step,
        working_days=days,
        started_on=started_on,
        due_on=deadline.day,
        provisional=deadline.provisional,
    )
    clock.save()
    return clock


@action_step
def stop_clocks(application: Application, on: datetime.date, *steps: str) -> None:
    """Stop the running clocks of `steps` (every running clock when none is named)."""
    for clock in application.clocks.filter(stopped_on__isnull=True):
        if steps and clock.step not in steps:
            continue
        if clock.paused_since is not None:
            _end_pause(clock, on)
        clock.stopped_on = on
        clock.save(update_fields=["stopped_on", "due_on", "provisional", "paused_since"])


@action_step
def pause_clocks(application: Application, reason: str, on: datetime.date) -> None:
    """Stop the authority's running clocks from `on` (a pause already running is left as it is)."""
    for clock in application.clocks.filter(
        stopped_on__isnull=True, paused_since__isnull=True, step__in=AUTHORITY_STEPS
    ):
        clock.paused_since = on
        clock.save(update_fields=["paused_since"])
        ClockPause(clock=clock, reason=reason, started_on=on).save()


def waiting_on_others(application: Application) -> bool:
    """Whether the case still waits on the applicant or on a department."""
    return (
        application.material_requests.filter(answered_on__isnull=True).exists()
        or application.opinion_requests.filter(answered_on__isnull=True).exists()
        or application.state == ApplicationState.RECTIFICATION
    )


@action_step
def _end_pause(clock: Clock, on: datetime.date) -> None:
    assert clock.paused_since is not None
    left = working_days_between(clock.paused_since, clock.due_on)
    deadline = add_working_days(max(on, clock.paused_since), max(left, 0))
    pause = clock.pauses.filter(ended_on__isnull=True).order_by("-started_on").first()
    if pause is not None:
        pause.ended_on = on
        pause.working_days = max(working_days_between(clock.paused_since, on), 0)
        pause.save(update_fields=["ended_on", "working_days"])
    clock.due_on, clock.provisional = deadline.day, clock.provisional or deadline.provisional
    clock.paused_since = None


@action_step
def resume_clocks(application: Application, on: datetime.date) -> None:
    """Resume the paused clocks, each with the working days it had left, unless the case still waits."""
    if waiting_on_others(application):
        return
    for clock in application.clocks.filter(stopped_on__isnull=True, paused_since__isnull=False):
        _end_pause(clock, on)
        clock.save(update_fields=["due_on", "provisional", "paused_since"])


def next_due(application: Application) -> tuple[datetime.date | None, str, bool]:
    """The case's earliest running deadline: (day, step, provisional), or (None, "", False)."""
    candidates: list[tuple[datetime.date, str, bool]] = []
    for clock in application.clocks.filter(stopped_on__isnull=True, paused_since__isnull=True):
        candidates.append((clock.due_on, clock.step, clock.provisional))
    for opinion in application.opinion_requests.filter(answered_on__isnull=True):
        candidates.append((opinion.due_on, Step.OPINION, opinion.provisional))
    for request in application.material_requests.filter(answered_on__isnull=True):
        candidates.append((request.due_on, Step.MATERIALS, False))
    review = getattr(application, "onsite_review", None) if application.pk else None
    if application.state == ApplicationState.RECTIFICATION and review is not None and review.rectification_due_on:
        candidates.append((review.rectification_due_on, Step.RECTIFICATION, False))
    # A licence revoked before its check no longer waits for it (C9: the revocation decided the matter).
    for check in application.post_checks.filter(done_on__isnull=True).exclude(licence__status=LicenceStatus.REVOKED):
        candidates.append((check.due_on, Step.POST_CHECK, False))
    if not candidates:
        return None, "", False
    return min(candidates, key=lambda c: (c[0], c[1]))


@action_step
def refresh_due(application: Application) -> None:
    """Keep the case's next deadline on its row (the due list reads only that)."""
    day, step, provisional = next_due(application)
    application.next_due_on, application.next_due_step, application.next_due_provisional = day, step, provisional
    application.save(update_fields=["next_due_on", "next_due_step", "next_due_provisional"])
