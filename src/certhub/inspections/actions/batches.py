"""Batches of a plan (抽查任务, C5): drawn up, then announced with the frozen pools' Merkle roots and the
random sources to be used, before those exist."""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Sequence
from typing import Any

import orjson
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.inspections import draw, pools
from certhub.inspections.choices import Algorithm, BatchStatus
from certhub.inspections.models import Batch, InspectionItem, Plan, TargetPool

MAX_SOURCES = 10


def _batch_departments(items: Sequence[InspectionItem]) -> list[str]:
    departments: list[str] = []
    for item in items:
        departments += [d for d in item.departments if d not in departments]
    return departments


@action
def do_create_batch(
    *,
    plan: Plan,
    name: str,
    items: Sequence[InspectionItem],
    pool: TargetPool,
    sources_described: Sequence[str],
    sources_available_at: datetime.datetime,
    ratios: dict[str, Any] | None = None,
    count: int | None = None,
    inspectors_per_target: int = 2,
    own_county_rule: bool = False,
    algorithm: str = Algorithm.SHA256,
    actor: Actor,
) -> Batch:
    """Draw up a batch of a plan: items inspected together (one joint visit per target), the pool, the
    ratio per risk stratum (or a total count), inspectors per target, and the public random sources
    that will seed the draw with the time they will be published."""
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=plan.region_id)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("必填")
    plan_items = set(plan.items.values_list("pk", flat=True))
    if not items:
        errors["items"] = _("至少选择一个抽查事项")
    elif any(i.pk not in plan_items for i in items):
        errors["items"] = _("抽查事项须在本计划的事项中")
    elif len({i.target_type for i in items}) > 1:
        errors["items"] = _("同一批次的事项须针对同一类对象（合并为一次检查）")
    elif pool.target_type != items[0].target_type:
        errors["pool"] = _("名录库的对象类型（%(pool)s）与事项的对象类型（%(item)s）不一致") % {
            "pool": pool.get_target_type_display(),
            "item": items[0].get_target_type_display(),
        }
    if not pool.region.code.startswith(plan.region.prefix):
        errors["pool"] = _("名录库的地区不在计划的地区内")
    if ratios is None and items:
        ratios = pools.default_ratios(max(i.default_ratio for i in items))
    try:
        parsed = pools.parse_ratios(ratios or {})
    except draw.DrawError as error:
        errors["ratios"] = str(error)
    if count is not None and count < 1:
        errors["count"] = _("抽查户数至少为1")
    departments = _batch_departments(items)
    if inspectors_per_target < max(2, len(departments)):
        errors["inspectors_per_target"] = _(
            "每户至少两名检查人员，联合抽查时每个部门至少一名（本批次%(departments)d个部门）"
        ) % {"departments": len(departments)}
    if algorithm not in Algorithm.values:
        errors["algorithm"] = _("未知的抽取算法“%(value)s”") % {"value": algorithm}
    described = [s.strip() for s in sources_described if s.strip()]
    if not described:
        errors["sources_described"] = _("须事先指明随机源（如某日某彩票开奖号码）")
    elif len(described) > MAX_SOURCES:
        errors["sources_described"] = _("随机源至多%(limit)d个") % {"limit": MAX_SOURCES}
    if errors:
        raise ValidationFailed(errors)
    serial = (Batch.objects.filter(plan=plan).count()) + 1
    batch = Batch(
        plan=plan,
        number=f"{plan.number}-{serial:02d}",
        name=name.strip(),
        pool=pool,
        ratios={s: str(v) for s, v in parsed.items()},
        count=count,
        inspectors_per_target=inspectors_per_target,
        own_county_rule=own_county_rule,
        algorithm=algorithm,
        sources_described=described,
        sources_available_at=sources_available_at,
    )
    batch.save()
    batch.items.set(items)
    record_audit(
        actor,
        AuditEventType.BATCH_CREATED,
        batch,
        before=None,
        after={
            **snapshot(
                batch,
                [
                    "number",
                    "name",
                    "pool",
                    "ratios",
                    "count",
                    "inspectors_per_target",
                    "own_county_rule",
                    "algorithm",
                    "sources_described",
                    "sources_available_at",
                ],
            ),
            "items": sorted(i.code for i in items),
        },
    )
    return batch


def pool_definition(pool: TargetPool) -> dict[str, Any]:
    return {
        "name": pool.name,
        "target_type": pool.target_type,
        "region": pool.region_id,
        "industry_section": pool.industry_section,
        "scheme": pool.scheme.code if pool.scheme else "",
        "above_designated_size": pool.above_designated_size,
        "grades": pool.grades,
    }


@action
def do_commit_batch(*, batch: Batch, actor: Actor) -> Batch:
    """Announce a batch (抽查任务公告): freeze the target pool (minus targets inspected for these items in
    the last 12 months) and the inspector pool, fix how many each risk stratum gives, and publish both
    Merkle roots with the random sources to be used, before they exist. The commitment is the audit row's
    state, so the ledger holds it with its time: anyone can check it was fixed before the sources."""
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=batch.plan.region_id)
    if batch.status != BatchStatus.DRAFT:
        raise Conflict(_("该批次已公告，不能再次公告"), field="status")
    now = timezone.now()
    if batch.sources_available_at <= now:
        # A source already published could be chosen to favour someone: only future sources count.
        raise ValidationFailed(
            {
                "sources_available_at": _(
                    "随机源公布时间（%(at)s）不晚于现在：须在随机源公布之前公告，公告后才能产生的数值才可作为随机源"
                )
                % {"at": timezone.localtime(batch.sources_available_at).strftime("%Y-%m-%d %H:%M:%S")}
            }
        )
    items = list(batch.items.order_by("code"))
    departments = _batch_departments(items)
    with pools.gc_paused():
        return _commit(batch, items, departments, now, actor)


@action_step
def _commit(
    batch: Batch, items: list[InspectionItem], departments: list[str], now: datetime.datetime, actor: Actor
) -> Batch:
    pool = batch.pool
    excluded = pools.recently_inspected([i.pk for i in items], timezone.localdate())
    targets = pools.select_targets(pool, excluded)
    sizes = targets.sizes
    try:
        counts = pools.stratum_counts(sizes, pools.parse_ratios(batch.ratios), batch.count)
    except draw.DrawError as error:
        raise ValidationFailed({"count": str(error)}) from None
    if not sum(c.count for c in counts):
        raise ValidationFailed(
            {
                "pool": _("名录库“%(pool)s”中没有可抽取的对象（共%(size)d户，近12个月已检查%(excluded)d户被排除）")
                % {"pool": pool.name, "size": sum(sizes.values()), "excluded": len(excluded)}
            }
        )
    inspectors = pools.select_inspectors(departments, pool.target_type, batch.plan.region)
    _check_inspector_pool(inspectors, departments, batch.inspectors_per_target)
    pool_root = targets.begin_root()
    # The snapshot keeps the rows as read (orjson writes a million of them in C), encoded while another
    # process finishes the pool's Merkle root.
    frozen = {
        "sizes": targets.sizes,
        "members": targets.members,
        "inspectors": [[i.code, i.department, i.region, list(i.conflicts), i.inspector_id] for i in inspectors],
    }
    batch.snapshot = zlib.compress(orjson.dumps(frozen), 1)
    del frozen
    commitment = {
        "batch": batch.number,
        "plan": batch.plan.number,
        "items": [i.code for i in items],
        "departments": departments,
        "target_type": pool.target_type,
        "pool": {
            "definition": pool_definition(pool),
            "size": len(targets),
            "excluded_recently_inspected": len(excluded),
            "root": pool_root.result().hex(),
        },
        "strata": [
            {"stratum": c.name, "size": c.size, "ratio": batch.ratios[c.name], "count": c.count} for c in counts
        ],
        "inspectors": {
            "size": len(inspectors),
            "root": pools.merkle_root(i.leaf() for i in inspectors),
            "per_target": batch.inspectors_per_target,
            "own_county_rule": batch.own_county_rule,
        },
        "algorithm": str(batch.algorithm),
        "sources": batch.sources_described,
        "sources_available_at": timezone.localtime(batch.sources_available_at).isoformat(),
        "committed_at": timezone.localtime(now).isoformat(),
    }
    batch.status, batch.committed_at, batch.commitment = BatchStatus.COMMITTED, now, commitment
    batch.save(update_fields=["status", "committed_at", "commitment", "snapshot"])
    record_audit(actor, AuditEventType.BATCH_COMMITTED, batch, before={"status": BatchStatus.DRAFT}, after=commitment)
    return batch


def _check_inspector_pool(
    inspectors: Sequence[pools.PoolInspector], departments: Sequence[str], per_target: int
) -> None:
    """Refuse before anything is frozen when the inspector pool cannot staff even one target."""
    slots = draw.slot_departments(departments, per_target)
    for department in departments:
        have = sum(1 for i in inspectors if i.department == department)
        need = slots.count(department)
        if have < need:
            raise ValidationFailed(
                {
                    "inspectors": _(
                        "检查人员名录库不足：%(department)s有%(have)d名可参加本批次的检查人员（在岗、具备该类对象检查资格、在计划地区内），"
                        "每户需要%(need)d名"
                    )
                    % {"department": department, "have": have, "need": need}
                }
            )
