"""Published inspection results as other systems and modules read them (C5: results flow into
the organization's record and the risk signals): one public record per result, shared by the traces of
trace.queries, the results API and the risk detectors (C6), which count the adverse ones."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from certhub.inspections.choices import ADVERSE_RESULTS, FollowUp, ResultCategory, TargetType, TaskStatus
from certhub.inspections.models import Task
from certhub.inspections.queries import published_results

RECORD_CAP = 50


def result_record(task: Task) -> dict[str, Any]:
    """The public record of one published result (the batch's items must be prefetched): what the result
    announcement shows. The inspectors' findings stay with the office and the organization."""
    return {
        "batch": task.batch.number,
        "plan": task.batch.plan.title,
        "department": task.batch.plan.department,
        "items": [item.name for item in task.batch.items.all()],
        "target_type": task.target_type,
        "target_type_label": str(TargetType(task.target_type).label),
        "target": task.target_key,
        "target_name": task.target_name,
        "inspected_from": task.inspected_from,
        "inspected_until": task.inspected_until,
        "result": task.result,
        "result_label": str(ResultCategory(task.result).label),
        "follow_up": task.follow_up,
        "follow_up_label": str(FollowUp(task.follow_up).label),
        "published_on": task.published_on,
        "deadline": task.deadline,
        "published_late": task.published_late,
        "late_reason": task.late_reason,
    }


def published_results_of(organization_id: int) -> list[dict[str, Any]]:
    """The organization's published results, newest first."""
    return [result_record(t) for t in published_results().filter(organization_id=organization_id)[:RECORD_CAP]]


def adverse_results_since(day: datetime.date) -> Iterable[tuple[int, str, datetime.date]]:
    """(organization id, result, publication day) of every published adverse result since `day`: a risk
    signal (C6)."""
    return (
        Task.objects.filter(status=TaskStatus.PUBLISHED, result__in=ADVERSE_RESULTS, published_on__gte=day)
        .order_by("organization_id", "published_on")
        .values_list("organization_id", "result", "published_on")
    )
