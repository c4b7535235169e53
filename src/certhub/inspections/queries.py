"""Read side of 双随机、一公开 (C5): what the public sees (the item list, announced plans, announced
and drawn batches, published results) and what an officer, inspector or reviewer may open, scoped by
region (docs/architecture.md convention 11). Fetchers raise NotFound alike for a number that does not exist
and for one the actor may not open (C14: existence does not leak)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.models import Region
from certhub.core.permissions import within_scope
from certhub.core.workdays import add_working_days
from certhub.inspections.choices import BatchStatus, PlanStatus, TaskStatus
from certhub.inspections.models import Batch, InspectionItem, Inspector, Plan, TargetPool, Task, TaskInspector

# Results due within this many working days are flagged on the office landing page (即将到期).
DUE_SOON_WORKING_DAYS = 3
DUE_SHOWN = 20  # the landing pages list the earliest deadlines; the review queue has them all
PUBLIC_BATCH_STATUSES = (BatchStatus.COMMITTED, BatchStatus.DRAWN)


def _assignments() -> Prefetch:
    return Prefetch("assignments", queryset=TaskInspector.objects.select_related("inspector").order_by("slot"))


def _region_filter(actor: Actor, field: str) -> Q | None:
    """The rows of the actor's region (`field` holds a region code); None means every row (administrators)."""
    if actor.role == Role.ADMINISTRATOR:
        return None
    prefix = actor.region_prefix if actor.role == Role.OFFICER else None
    if not prefix:
        return Q(pk__in=[])
    return Q(**{f"{field}__startswith": prefix})


def _scoped(queryset: QuerySet, actor: Actor, field: str) -> QuerySet:
    condition = _region_filter(actor, field)
    return queryset if condition is None else queryset.filter(condition)


def _covers(actor: Actor, region_code: str) -> bool:
    return actor.role == Role.ADMINISTRATOR or (actor.role == Role.OFFICER and actor.covers_region(region_code))


# ------------------------------------------------------------------ public


def items() -> QuerySet[InspectionItem]:
    """The published item list (抽查事项清单): active items in code order."""
    return InspectionItem.objects.filter(active=True).order_by("code")


def published_plans() -> QuerySet[Plan]:
    """Announced plans with their items and their announced batches."""
    batches = Batch.objects.filter(status__in=PUBLIC_BATCH_STATUSES).defer("snapshot").order_by("number")
    return (
        Plan.objects.filter(status=PlanStatus.PUBLISHED)
        .select_related("region")
        .prefetch_related(
            Prefetch("items", queryset=InspectionItem.objects.order_by("code")),
            Prefetch("batches", queryset=batches, to_attr="public_batches"),
        )
        .order_by("-published_at", "number")
    )


def public_batches() -> QuerySet[Batch]:
    """Batches whose commitment is public (announced, or announced and drawn), newest first."""
    return (
        Batch.objects.filter(status__in=PUBLIC_BATCH_STATUSES)
        .defer("snapshot")  # a national pool's frozen rows: megabytes no page shows
        .select_related("plan")
        .prefetch_related(Prefetch("items", queryset=InspectionItem.objects.order_by("code")))
        .order_by("-committed_at", "number")
    )


def access_public_batch(number: str) -> Batch:
    """An announced or drawn batch; a draft batch is not public and is not found."""
    batch = public_batches().filter(number=number).first()
    if batch is None:
        raise Http404(_("没有编号为“%(number)s”的已公告抽查任务。") % {"number": number})
    return batch


def batch_tasks(batch: Batch) -> QuerySet[Task]:
    """The drawn targets of a batch in draw order, with their inspectors."""
    return batch.tasks.prefetch_related(_assignments()).order_by("sequence")


def published_results() -> QuerySet[Task]:
    """Published results (一公开), newest first."""
    return (
        Task.objects.filter(status=TaskStatus.PUBLISHED)
        .select_related("batch__plan")
        .defer("batch__snapshot")
        .prefetch_related(Prefetch("batch__items", queryset=InspectionItem.objects.order_by("code")))
        .order_by("-published_on", "batch_id", "sequence")
    )


# ------------------------------------------------------------------ office: plans and batches


def plans_visible_to(actor: Actor) -> QuerySet[Plan]:
    """Plans of the actor's region (officers see the plans of regions theirs covers; administrators all)."""
    return _scoped(Plan.objects.select_related("region"), actor, "region__code").order_by("-year", "number")


def access_plan(actor: Actor, number: str) -> Plan:
    plan = Plan.objects.select_related("region").filter(number=number).first()
    missing = _("没有编号为“%(number)s”的抽查计划。") % {"number": number}
    return within_scope(plan, lambda p: _covers(actor, p.region_id), missing)


def access_batch(actor: Actor, number: str) -> Batch:
    batch = Batch.objects.select_related("plan__region", "pool").defer("snapshot").filter(number=number).first()
    missing = _("没有编号为“%(number)s”的抽查任务。") % {"number": number}
    return within_scope(batch, lambda b: _covers(actor, b.plan.region_id), missing)


def pools_for_plan(plan: Plan) -> QuerySet[TargetPool]:
    """Target pools a batch of this plan may use: those inside the plan's region."""
    return TargetPool.objects.filter(region__code__startswith=plan.region.prefix).order_by("name")


def regions_visible_to(actor: Actor) -> list[Region]:
    """Regions the actor may plan for: their own and every region under it (administrators: all)."""
    condition = _region_filter(actor, "code")
    regions = Region.objects.all() if condition is None else Region.objects.filter(condition)
    return list(regions.order_by("code"))


def inspectors_visible_to(actor: Actor) -> QuerySet[Inspector]:
    """The inspector pool of the actor's region (administrators: everyone), by code."""
    return _scoped(Inspector.objects.select_related("region"), actor, "region__code").order_by("code")


def pools_visible_to(actor: Actor) -> QuerySet[TargetPool]:
    """The target pools of the actor's region (administrators: all)."""
    return _scoped(TargetPool.objects.select_related("region", "scheme"), actor, "region__code").order_by("name")


def regions_for_plan(plan: Plan) -> list[Region]:
    """The plan's region and every region under it (where its target pools may lie)."""
    return list(Region.objects.filter(code__startswith=plan.region.prefix).order_by("code"))


# ------------------------------------------------------------------ office: tasks


def inspector_of(actor: Actor) -> Inspector | None:
    """The inspector-pool entry of the signed-in user, if they are an inspector."""
    if actor.user_id is None:
        return None
    return Inspector.objects.filter(user_id=actor.user_id).first()


def is_assigned(actor: Actor, task: Task) -> bool:
    return actor.user_id is not None and task.assignments.filter(inspector__user_id=actor.user_id).exists()


def access_task(actor: Actor, pk: int) -> Task:
    """A task its assigned inspectors, the officers of its plan's region and administrators may open."""
    task = (
        Task.objects.select_related("batch__plan__region", "recorded_by")
        .defer("batch__snapshot")
        .prefetch_related(_assignments(), Prefetch("batch__items", queryset=InspectionItem.objects.order_by("code")))
        .filter(pk=pk)
        .first()
    )

    def visible(task: Task) -> bool:
        return _covers(actor, task.batch.plan.region_id) or is_assigned(actor, task)

    return within_scope(task, visible, _("没有这个检查对象任务。"))


def _tasks() -> QuerySet[Task]:
    return (
        Task.objects.select_related("batch__plan")
        .defer("batch__snapshot")  # never the frozen pool
        .prefetch_related(_assignments())
    )


def tasks_assigned_to(actor: Actor) -> QuerySet[Task]:
    """Tasks the signed-in user is assigned to as an inspector, newest batch first."""
    if actor.user_id is None:
        return Task.objects.none()
    return (
        _tasks()
        .filter(assignments__inspector__user_id=actor.user_id)
        .order_by("-batch__drawn_at", "batch_id", "sequence")
    )


def review_queue(actor: Actor) -> QuerySet[Task]:
    """Submitted results of the reviewer's region, oldest deadline first; not those they inspected themselves."""
    queryset = _scoped(_tasks().filter(status=TaskStatus.SUBMITTED), actor, "batch__plan__region__code")
    if actor.user_id is not None:
        queryset = queryset.exclude(assignments__inspector__user_id=actor.user_id)
    return queryset.order_by("deadline", "batch_id", "sequence")


@dataclass(frozen=True)
class DueTask:
    task: Task
    overdue: bool  # past the deadline (逾期); otherwise due within DUE_SOON_WORKING_DAYS (即将到期)


def overdue_tasks(actor: Actor, today: datetime.date | None = None, limit: int | None = None) -> list[DueTask]:
    """Unpublished results of the actor's region, or assigned to them, whose deadline has passed or falls
    within DUE_SOON_WORKING_DAYS working days (20 working days from the inspection's end, 一公开); the
    earliest deadlines first, at most `limit`."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS).day
    scope = _region_filter(actor, "batch__plan__region__code")
    if actor.user_id is not None:
        mine = Q(pk__in=TaskInspector.objects.filter(inspector__user_id=actor.user_id).values("task_id"))
        scope = None if scope is None else scope | mine
    queryset = _tasks().exclude(status=TaskStatus.PUBLISHED).filter(deadline__isnull=False, deadline__lte=horizon)
    if scope is not None:
        queryset = queryset.filter(scope)
    queryset = queryset.order_by("deadline", "batch_id", "sequence")
    return [
        DueTask(task, task.deadline is not None and task.deadline < today)
        for task in (queryset[:limit] if limit else queryset)
    ]
