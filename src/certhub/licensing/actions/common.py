"""What every licensing action shares: moving a case along APPLICATION_TRANSITIONS with its history row,
and naming the person acting."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import snapshot
from certhub.core.errors import Conflict, NotPermitted
from certhub.core.regulated import action_step
from certhub.licensing.choices import APPLICATION_TRANSITIONS, ApplicationState
from certhub.licensing.models import Application, ApplicationEvent

APPLICATION_FIELDS = [
    "number",
    "licence_type",
    "kind",
    "track",
    "state",
    "applicant",
    "lab",
    "licence",
    "region_code",
    "assigned_to",
    "submitted_on",
    "accepted_on",
    "review_concluded_on",
    "decided_on",
    "decision_number",
    "next_due_on",
    "next_due_step",
]


def application_state(application: Application) -> dict[str, object]:
    return snapshot(application, APPLICATION_FIELDS)


def today() -> datetime.date:
    return timezone.localdate()


def locked(application: Application) -> Application:
    """The application re-read under a row lock: two officers acting at once take turns."""
    return Application.objects.select_for_update().get(pk=application.pk)


def require_state(application: Application, *states: str, field: str = "state") -> None:
    if application.state not in states:
        raise Conflict(
            _("申请%(number)s当前为“%(state)s”，不能办理此事项")
            % {"number": application.number, "state": application.get_state_display()},
            field=field,
        )


def named_user(actor: Actor) -> int:
    """Licensing steps name the person who took them (谁审批、谁负责)."""
    if actor.user_id is None:
        raise NotPermitted(_("%(actor)s 不是具名账号，不能办理行政许可") % {"actor": actor.label})
    return actor.user_id


@action_step
def move(application: Application, to_state: str, *, step: str, note: str, actor: Actor, on: datetime.date) -> None:
    """Change the case's state as the lifecycle table allows, with its history row (visible to the applicant)."""
    from_state = application.state
    if to_state != from_state:
        if to_state not in APPLICATION_TRANSITIONS[from_state]:
            raise Conflict(
                _("申请%(number)s不能从“%(from)s”转为“%(to)s”")
                % {
                    "number": application.number,
                    "from": ApplicationState(from_state).label,
                    "to": ApplicationState(to_state).label,
                },
                field="state",
            )
        application.state = to_state
    application.updated_at = timezone.now()
    application.save()
    record_event(application, step=step, note=note, actor=actor, on=on, from_state=from_state)


@action_step
def record_event(
    application: Application, *, step: str, note: str, actor: Actor, on: datetime.date, from_state: str = ""
) -> ApplicationEvent:
    event = ApplicationEvent(
        application=application,
        on=on,
        step=step,
        from_state=from_state or application.state,
        to_state=application.state,
        note=note,
        actor_label=actor.label,
    )
    event.save()
    return event
