"""Published inspection results as other modules read them (MISSION.md C5: results flow into the
organization's record and the risk signals): the traces of registry.trace show them on an organization's,
a certificate holder's or a lab's record, and the risk detectors (C6) count the adverse ones."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from certhub.inspections.choices import ADVERSE_RESULTS, FollowUp, ResultCategory, TaskStatus
from certhub.inspections.models import Task

RECORD_CAP = 50


def published_results_of(organization_id: int) -> list[dict[str, Any]]:
    """The organization's published results, newest first: public, as on the result announcements."""
    tasks = (
        Task.objects.filter(organization_id=organization_id, status=TaskStatus.PUBLISHED)
        .select_related("batch__plan")
        .prefetch_related("batch__items")
        .order_by("-published_on", "-id")[:RECORD_CAP]
    )
    return [
        {
            "batch": task.batch.number,
            "plan": task.batch.plan.title,
            "department": task.batch.plan.department,
            "items": [item.name for item in task.batch.items.all()],
            "target": task.target_key,
            "inspected_from": task.inspected_from,
            "inspected_until": task.inspected_until,
            "result": task.result,
            "result_label": str(ResultCategory(task.result).label),
            "follow_up": task.follow_up,
            "follow_up_label": str(FollowUp(task.follow_up).label),
            "published_on": task.published_on,
            "published_late": task.published_late,
        }
        for task in tasks
    ]


def adverse_results_since(day: datetime.date) -> Iterable[tuple[int, str, datetime.date]]:
    """(organization id, result, publication day) of every published adverse result since `day`: a risk
    signal (C6)."""
    return (
        Task.objects.filter(status=TaskStatus.PUBLISHED, result__in=ADVERSE_RESULTS, published_on__gte=day)
        .order_by("organization_id", "published_on")
        .values_list("organization_id", "result", "published_on")
    )
