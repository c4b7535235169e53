"""Template helpers of the inspection pages: the tone of a task's status and the office landing page's
deadline warnings (`{% due_inspection_tasks actor as due %}`)."""

from __future__ import annotations

from typing import Any

from django import template

from certhub.inspections import queries
from certhub.inspections.choices import BatchStatus, PlanStatus, TaskStatus

register = template.Library()

TONES: dict[str, str] = {
    TaskStatus.ASSIGNED: "draft",
    TaskStatus.SUBMITTED: "suspended",
    TaskStatus.RETURNED: "revoked",
    TaskStatus.PUBLISHED: "valid",
    PlanStatus.DRAFT: "draft",
    PlanStatus.PUBLISHED: "valid",
    BatchStatus.COMMITTED: "suspended",
    BatchStatus.DRAWN: "valid",
}


@register.filter
def inspection_tone(value: str) -> str:
    """The badge tone (portal.css) of a plan, batch or task status."""
    return TONES.get(value, "draft")


@register.simple_tag
def due_inspection_tasks(actor: Any) -> list[queries.DueTask]:
    """Results past or near their publication deadline that the actor is responsible for."""
    if actor is None:
        return []
    return queries.overdue_tasks(actor, limit=queries.DUE_SHOWN)
