"""Actions of 双随机、一公开 (C5): the item list, the pools, plans, batches announced and drawn,
and each task's result recorded, reviewed and published (谁检查、谁录入、谁公示)."""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import orjson
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import Region, User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.workdays import add_working_days
from certhub.inspections import draw, pools
from certhub.inspections.choices import (
    TASK_TRANSITIONS,
    Algorithm,
    BatchStatus,
    FollowUp,
    PlanStatus,
    ResultCategory,
    TargetType,
    TaskStatus,
)
from certhub.inspections.models import Batch, InspectionItem, Inspector, Plan, TargetPool, Task, TaskInspector
from certhub.registry.models import Certificate, CertificationBody, Lab, Organization, Scheme

PUBLICATION_WORKING_DAYS = 20  # results public within 20 working days of the inspection's end (一公开)
MAX_SOURCES = 10


def _region_of(code: str | Region | None, field: str = "region") -> Region:
    if isinstance(code, Region):
        return code
    region = Region.objects.filter(code=code or "").first()
    if region is None:
        raise ValidationFailed({field: _("未知的行政区划代码“%(code)s”") % {"code": code}})
    return region


# ------------------------------------------------------------------ the list and the pools


@action
def do_create_inspection_item(
    *,
    code: str,
    name: str,
    department: str,
    legal_basis: str,
    target_type: str,
    method: str,
    default_ratio: Decimal | str,
    frequency: int = 1,
    region: str | Region,
    joint_departments: Sequence[str] = (),
    inspector_requirements: str = "",
    actor: Actor,
) -> InspectionItem:
    """Add a line to the inspection-item list (抽查事项清单)."""
    region = _region_of(region)
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=region.code)
    errors: dict[str, str] = {}
    for field, value in (
        ("code", code),
        ("name", name),
        ("department", department),
        ("legal_basis", legal_basis),
        ("method", method),
    ):
        if not str(value).strip():
            errors[field] = _("必填")
    if target_type not in TargetType.values:
        errors["target_type"] = _("未知的抽查对象类型“%(value)s”") % {"value": target_type}
    try:
        ratio = Decimal(str(default_ratio))
        if not ratio.is_finite() or not Decimal(0) < ratio <= Decimal(100):
            errors["default_ratio"] = _("默认抽查比例应大于0且不超过100")
    except ArithmeticError:
        errors["default_ratio"] = _("“%(value)s”不是数字") % {"value": default_ratio}
    if frequency < 1:
        errors["frequency"] = _("抽查频次至少每年1次")
    if InspectionItem.objects.filter(code=code.strip()).exists():
        errors["code"] = _("事项编码“%(code)s”已存在") % {"code": code}
    if errors:
        raise ValidationFailed(errors)
    item = InspectionItem(
        code=code.strip(),
        name=name.strip(),
        department=department.strip(),
        joint_departments=[d.strip() for d in joint_departments if d.strip()],
        legal_basis=legal_basis.strip(),
        target_type=target_type,
        method=method.strip(),
        default_ratio=ratio,
        frequency=frequency,
        inspector_requirements=inspector_requirements,
        region=region,
    )
    item.save()
    record_audit(actor, AuditEventType.INSPECTION_ITEM_CREATED, item, before=None, after=snapshot(item))
    return item


@action
def do_create_target_pool(
    *,
    name: str,
    target_type: str,
    region: str | Region,
    industry_section: str = "",
    scheme_code: str = "",
    above_designated_size: bool = False,
    grades: Sequence[str] = (),
    actor: Actor,
) -> TargetPool:
    """Save a target pool (检查对象名录库) as a filter over a registry."""
    region = _region_of(region)
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=region.code)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("必填")
    if target_type not in TargetType.values:
        errors["target_type"] = _("未知的抽查对象类型“%(value)s”") % {"value": target_type}
    scheme = Scheme.objects.filter(code=scheme_code).first() if scheme_code else None
    if scheme_code and scheme is None:
        errors["scheme"] = _("未知的认证制度“%(code)s”") % {"code": scheme_code}
    bad = [g for g in grades if g not in pools.STRATA]
    if bad:
        errors["grades"] = _("风险等级应为A、B、C、D，收到“%(value)s”") % {"value": bad[0]}
    if errors:
        raise ValidationFailed(errors)
    pool = TargetPool(
        name=name.strip(),
        target_type=target_type,
        region=region,
        industry_section=industry_section,
        scheme=scheme,
        above_designated_size=above_designated_size,
        grades=sorted(set(grades)),
    )
    pool.save()
    record_audit(actor, AuditEventType.TARGET_POOL_CREATED, pool, before=None, after=snapshot(pool))
    return pool


@action
def do_create_inspector(
    *,
    code: str,
    name: str,
    department: str,
    region: str | Region,
    qualifications: Sequence[str],
    declared_conflicts: Sequence[str] = (),
    available: bool = True,
    person: Any = None,
    user: Any = None,
    username: str = "",
    actor: Actor,
) -> Inspector:
    """Enter an enforcement officer in the inspector pool (执法检查人员名录库). Their sign-in (`user`, or an
    officer's `username`) is how they record results."""
    region = _region_of(region)
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=region.code)
    errors: dict[str, str] = {}
    for field, value in (("code", code), ("name", name), ("department", department)):
        if not value.strip():
            errors[field] = _("必填")
    bad = [q for q in qualifications if q not in TargetType.values]
    if bad or not qualifications:
        errors["qualifications"] = _("可检查对象类型应为%(types)s中的一个或多个") % {
            "types": ", ".join(TargetType.values)
        }
    if Inspector.objects.filter(code=code.strip()).exists():
        errors["code"] = _("执法证号“%(code)s”已在名录库中") % {"code": code}
    if username.strip():
        user = User.objects.filter(username=username.strip(), role=Role.OFFICER).first()
        if user is None:
            errors["username"] = _("没有用户名为“%(name)s”的监管人员账号") % {"name": username.strip()}
    if user is not None and Inspector.objects.filter(user=user).exists():
        errors["username"] = _("账号“%(name)s”已对应名录库中的另一名检查人员") % {"name": user.get_username()}
    if errors:
        raise ValidationFailed(errors)
    inspector = Inspector(
        code=code.strip(),
        name=name.strip(),
        department=department.strip(),
        region=region,
        qualifications=sorted(set(qualifications)),
        available=available,
        declared_conflicts=sorted({c.strip().upper() for c in declared_conflicts if c.strip()}),
        person=person,
        user=user,
    )
    inspector.save()
    # The audit row keeps the code and posting, not the name (the ledger never names a person).
    record_audit(
        actor,
        AuditEventType.INSPECTOR_CREATED,
        inspector,
        before=None,
        after=snapshot(inspector, ["code", "department", "region", "qualifications", "available"]),
    )
    return inspector


# ------------------------------------------------------------------ plans and batches


@action
def do_create_plan(
    *,
    title: str,
    year: int,
    region: str | Region,
    department: str,
    items: Sequence[InspectionItem],
    description: str = "",
    actor: Actor,
) -> Plan:
    """Draw up an annual plan (抽查计划) of a province, prefecture or county."""
    region = _region_of(region)
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=region.code)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("必填")
    if not department.strip():
        errors["department"] = _("必填")
    if not 2000 <= year <= 2100:
        errors["year"] = _("年度“%(year)s”不在2000到2100之间") % {"year": year}
    if not items:
        errors["items"] = _("至少选择一个抽查事项")
    outside = [i.code for i in items if not region.code.startswith(i.region.prefix)]
    if outside:
        errors["items"] = _("抽查事项%(code)s不适用于本地区") % {"code": outside[0]}
    if errors:
        raise ValidationFailed(errors)
    serial = Plan.objects.filter(year=year, region=region).count() + 1
    plan = Plan(
        number=f"{year}-{region.code}-{serial:02d}",
        title=title.strip(),
        year=year,
        region=region,
        department=department.strip(),
        description=description,
    )
    plan.save()
    plan.items.set(items)
    record_audit(
        actor,
        AuditEventType.PLAN_CREATED,
        plan,
        before=None,
        after={**snapshot(plan), "items": sorted(i.code for i in items)},
    )
    return plan


@action
def do_publish_plan(plan: Plan, *, actor: Actor) -> Plan:
    """Announce a plan (抽查计划公告): it appears on the public plan tab."""
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=plan.region_id)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(_("计划已公告"), field="status")
    plan.status, plan.published_at = PlanStatus.PUBLISHED, timezone.now()
    plan.save(update_fields=["status", "published_at"])
    record_audit(
        actor,
        AuditEventType.PLAN_PUBLISHED,
        plan,
        before={"status": PlanStatus.DRAFT},
        after=snapshot(plan, ["status", "published_at"]),
    )
    return plan


def _batch_departments(items: Sequence[InspectionItem]) -> list[str]:
    departments: list[str] = []
    for item in items:
        departments += [d for d in item.departments if d not in departments]
    return departments


@action
def do_create_batch(
    plan: Plan,
    *,
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
        errors["inspectors_per_target"] = _("每户至少两名检查人员，联合抽查时每个部门至少一名（本批次%(n)d个部门）") % {
            "n": len(departments)
        }
    if algorithm not in Algorithm.values:
        errors["algorithm"] = _("未知的抽取算法“%(value)s”") % {"value": algorithm}
    described = [s.strip() for s in sources_described if s.strip()]
    if not described:
        errors["sources_described"] = _("须事先指明随机源（如某日某彩票开奖号码）")
    elif len(described) > MAX_SOURCES:
        errors["sources_described"] = _("随机源至多%(n)d个") % {"n": MAX_SOURCES}
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
def do_commit_batch(batch: Batch, *, actor: Actor) -> Batch:
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
                "pool": _("名录库“%(pool)s”中没有可抽取的对象（共%(n)d户，近12个月已检查%(x)d户被排除）")
                % {"pool": pool.name, "n": sum(sizes.values()), "x": len(excluded)}
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


def load_snapshot(batch: Batch) -> tuple[pools.TargetPool, list[pools.PoolInspector]]:
    frozen = orjson.loads(zlib.decompress(bytes(batch.snapshot)))
    targets = pools.TargetPool(frozen["sizes"], frozen["members"])
    inspectors = [
        pools.PoolInspector(code, department, region, tuple(conflicts), pk)
        for code, department, region, conflicts, pk in frozen["inspectors"]
    ]
    return targets, inspectors


def compute_draw(
    commitment: dict[str, Any],
    sources: Sequence[str],
    targets: pools.TargetPool,
    inspectors: Sequence[pools.PoolInspector],
) -> list[tuple[int, str, list[str]]]:
    """The selection a commitment and its sources give — (pool index, stratum, inspector codes) per drawn
    target, in selection order: targets stratum by stratum, then each one's inspectors (draw.py). The
    same function checks a published draw file (inspections.drawfile)."""
    stream = draw.Stream(sources, commitment["algorithm"])
    strata = [draw.StratumDraw(s["stratum"], s["size"], s["count"]) for s in commitment["strata"]]
    offsets, start = {}, 0
    for stratum in strata:
        offsets[stratum.name] = start
        start += stratum.size
    picked = [(offsets[name] + position - 1, name) for name, position in draw.select_strata(strata, stream)]
    conflicted: dict[str, set[str]] = {}
    for inspector in inspectors:
        for uscc in inspector.conflicts:
            conflicted.setdefault(uscc, set()).add(inspector.code)
    nobody: frozenset[str] = frozenset()
    staffing = draw.assign_inspectors(
        [
            draw.AssignmentTarget(
                targets.key(i),
                targets.region(i),
                frozenset(conflicted[o]) if (o := targets.organization(i)) in conflicted else nobody,
            )
            for i, _name in picked
        ],
        [draw.PoolInspector(i.code, i.department, i.region) for i in inspectors],
        commitment["departments"],
        commitment["inspectors"]["per_target"],
        stream,
        own_county_rule=commitment["inspectors"]["own_county_rule"],
    )
    return [(index, name, staff) for (index, name), staff in zip(picked, staffing, strict=True)]


def _target_names(target_type: str, ids: list[int]) -> dict[int, str]:
    table, column = {
        TargetType.ENTERPRISE: (Organization, "name"),
        TargetType.CERTIFIED_PRODUCT: (Certificate, "holder_name"),
        TargetType.CERTIFICATION_BODY: (CertificationBody, "name"),
        TargetType.LAB: (Lab, "name"),
    }[target_type]
    names: dict[int, str] = {}
    with connection.cursor() as cursor:
        for condition, values in bulk.matching("id", ids):
            cursor.execute(f"SELECT id, {column} FROM {table._meta.db_table} WHERE {condition}", values)  # noqa: S608
            names.update(cursor.fetchall())
    return names


@action_step
def _write_tasks(
    batch: Batch,
    targets: pools.TargetPool,
    drawn: list[tuple[int, str, list[str]]],
    names: dict[int, str],
    inspector_ids: dict[str, int],
) -> None:
    """Write the drawn batch's tasks and their inspectors as plain rows through core.bulk (tens of thousands
    of model instances would cost more than writing them), numbered by the database."""
    task_table, assignment_table = bulk.table(Task), bulk.table(TaskInspector)
    template = Task(
        batch=batch,
        sequence=0,
        stratum="",
        target_type=batch.pool.target_type,
        target_key="",
        target_name="",
        target_region="",
        organization_id=0,
    )
    base = task_table.values_of(template)
    del base[task_table.pk_index]
    names_in_row = [n for n in task_table.names if n != "id"]
    varying = [
        names_in_row.index(n)
        for n in ("sequence", "stratum", "target_key", "target_name", "target_region", "organization_id")
    ]
    rows = []
    for sequence, (index, stratum, _staff) in enumerate(drawn, start=1):
        row = base.copy()
        key = targets.key(index)
        name = names.get(targets.target_id(index), key)[:200]
        values = (sequence, stratum, key, name, targets.region(index), targets.organization_id(index))
        for column, value in zip(varying, values, strict=True):
            row[column] = value
        rows.append(row)
    bulk.insert_rows(Task, rows, numbered=False)
    task_id = dict(Task.objects.filter(batch=batch).values_list("sequence", "id"))
    columns = [n for n in assignment_table.names if n != "id"]

    def assignments() -> Iterator[list[Any]]:
        for sequence, (_index, _stratum, staff) in enumerate(drawn, start=1):
            for slot, code in enumerate(staff):
                values = {"task_id": task_id[sequence], "inspector_id": inspector_ids[code], "slot": slot}
                yield [values[column] for column in columns]

    bulk.insert_rows(TaskInspector, assignments(), numbered=False)


@action
def do_draw_batch(batch: Batch, *, sources: Sequence[str], actor: Actor) -> Batch:
    """Enter the published values of the announced sources and draw: the selection follows from them and
    the frozen pools alone. Each drawn target becomes a task for its inspectors."""
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=batch.plan.region_id)
    if batch.status != BatchStatus.COMMITTED:
        raise Conflict(
            _("只有已公告、尚未抽取的批次可以抽取（当前：%(status)s）") % {"status": batch.get_status_display()},
            field="status",
        )
    if timezone.now() < batch.sources_available_at:
        raise ValidationFailed(
            {
                "sources": _("随机源要到%(at)s才公布，现在不能录入")
                % {"at": timezone.localtime(batch.sources_available_at).strftime("%Y-%m-%d %H:%M:%S")}
            }
        )
    values = [str(s).strip() for s in sources]
    errors: dict[str, list[str]] = {}
    if len(values) != len(batch.sources_described):
        errors["sources"] = [
            _("公告了%(n)d个随机源，录入了%(m)d个数值") % {"n": len(batch.sources_described), "m": len(values)}
        ]
    for index, value in enumerate(values):
        try:
            draw.source_numbers(value)
        except draw.DrawError as error:
            errors.setdefault(f"sources[{index}]", []).append(str(error))
    if errors:
        raise ValidationFailed(errors)
    with pools.gc_paused():
        return _draw(batch, values, actor)


@action_step
def _draw(batch: Batch, values: list[str], actor: Actor) -> Batch:
    targets, inspectors = load_snapshot(batch)
    try:
        drawn = compute_draw(batch.commitment, values, targets, inspectors)
    except draw.DrawError as error:
        raise ValidationFailed({"inspectors": str(error)}) from None
    names = _target_names(batch.pool.target_type, [targets.target_id(index) for index, _s, _staff in drawn])
    _write_tasks(batch, targets, drawn, names, {i.code: i.inspector_id for i in inspectors})
    batch.status, batch.sources, batch.drawn_at = BatchStatus.DRAWN, values, timezone.now()
    batch.save(update_fields=["status", "sources", "drawn_at"])
    selection = [[stratum, targets.key(index), *staff] for index, stratum, staff in drawn]
    record_audit(
        actor,
        AuditEventType.BATCH_DRAWN,
        batch,
        before={"status": BatchStatus.COMMITTED},
        after={
            "sources": values,
            "key": draw.key_string(values),
            "tasks": len(drawn),
            "selection_root": pools.merkle_root(orjson.dumps(row) for row in selection),
        },
    )
    return batch


# ------------------------------------------------------------------ results


def _task_snapshot(task: Task) -> dict[str, Any]:
    return snapshot(
        task,
        [
            "status",
            "result",
            "follow_up",
            "findings",
            "inspected_from",
            "inspected_until",
            "deadline",
            "recorded_by",
            "review_note",
            "published_on",
            "late_reason",
        ],
    )


def _move(task: Task, to: str) -> None:
    if to not in TASK_TRANSITIONS[task.status]:
        raise Conflict(
            _("检查结果当前为“%(status)s”，不能%(verb)s")
            % {"status": task.get_status_display(), "verb": TaskStatus(to).label},
            field="status",
        )
    task.status = to


@action
def do_record_result(
    task: Task,
    *,
    result: str,
    follow_up: str,
    findings: str,
    inspected_from: datetime.date,
    inspected_until: datetime.date,
    actor: Actor,
) -> Task:
    """An inspector assigned to the task records what they found (谁检查、谁录入). Anyone else is refused."""
    authorize(actor, Permission.RECORD_INSPECTION_RESULT)
    inspector = Inspector.objects.filter(user_id=actor.user_id).first() if actor.user_id else None
    if inspector is None or not task.assignments.filter(inspector=inspector).exists():
        raise NotPermitted(_("%(actor)s 不是该检查对象的检查人员，不能录入结果") % {"actor": actor.label})
    errors: dict[str, str] = {}
    if result not in ResultCategory.values:
        errors["result"] = _("请选择检查结果")
    if follow_up not in FollowUp.values:
        errors["follow_up"] = _("请选择后续处置")
    elif result == ResultCategory.NORMAL and follow_up != FollowUp.NONE:
        errors["follow_up"] = _("未发现问题时无需后续处置")
    elif result in (ResultCategory.CORRECTED, ResultCategory.PROBLEM) and follow_up == FollowUp.NONE:
        errors["follow_up"] = _("发现问题时须填写后续处置")
    drawn_on = timezone.localdate(task.batch.drawn_at)
    today = timezone.localdate()
    if inspected_from < drawn_on:
        errors["inspected_from"] = _("检查开始日期不得早于抽取日期（%(day)s）") % {"day": drawn_on.isoformat()}
    if inspected_until < inspected_from:
        errors["inspected_until"] = _("检查结束日期不得早于开始日期")
    elif inspected_until > today:
        errors["inspected_until"] = _("检查结束日期不得晚于今天")
    if result != ResultCategory.NORMAL and not findings.strip():
        errors["findings"] = _("发现问题时须写明检查情况")
    if errors:
        raise ValidationFailed(errors)
    before = _task_snapshot(task)
    _move(task, TaskStatus.SUBMITTED)
    task.result, task.follow_up, task.findings = result, follow_up, findings.strip()
    task.inspected_from, task.inspected_until = inspected_from, inspected_until
    task.deadline = add_working_days(inspected_until, PUBLICATION_WORKING_DAYS).day
    task.recorded_by, task.recorded_at = inspector, timezone.now()
    task.save()
    record_audit(actor, AuditEventType.TASK_RESULT_RECORDED, task, before=before, after=_task_snapshot(task))
    return task


def _refuse_own_result(task: Task, actor: Actor) -> None:
    if actor.user_id and task.assignments.filter(inspector__user_id=actor.user_id).exists():
        raise NotPermitted(_("检查人员不能审核自己参与检查的结果"))


@action
def do_return_result(task: Task, *, note: str, actor: Actor) -> Task:
    """Send a recorded result back to its inspectors, saying why."""
    authorize(actor, Permission.REVIEW_INSPECTION_RESULT, region_code=task.batch.plan.region_id)
    _refuse_own_result(task, actor)
    if not note.strip():
        raise ValidationFailed({"note": _("退回须写明审核意见")})
    before = _task_snapshot(task)
    _move(task, TaskStatus.RETURNED)
    task.review_note, task.reviewed_by = note.strip(), actor.label
    task.save(update_fields=["status", "review_note", "reviewed_by"])
    record_audit(actor, AuditEventType.TASK_RETURNED, task, before=before, after=_task_snapshot(task))
    return task


@action
def do_publish_result(task: Task, *, note: str = "", late_reason: str = "", actor: Actor) -> Task:
    """Approve a recorded result and publish it (一公开). After the 20-working-day deadline it is still
    published — the public has a right to it — but only with the reason for the delay, and it is shown
    as published late."""
    authorize(actor, Permission.REVIEW_INSPECTION_RESULT, region_code=task.batch.plan.region_id)
    _refuse_own_result(task, actor)
    today = timezone.localdate()
    if task.deadline and today > task.deadline and not late_reason.strip():
        raise ValidationFailed(
            {
                "late_reason": _(
                    "已超过公示期限（%(deadline)s，检查结束后%(n)d个工作日）：须写明逾期原因，结果将标注为逾期公示"
                )
                % {"deadline": task.deadline.isoformat(), "n": PUBLICATION_WORKING_DAYS}
            }
        )
    before = _task_snapshot(task)
    _move(task, TaskStatus.PUBLISHED)
    task.review_note, task.reviewed_by, task.published_on = note.strip(), actor.label, today
    task.late_reason = late_reason.strip() if task.deadline and today > task.deadline else ""
    task.save(update_fields=["status", "review_note", "reviewed_by", "published_on", "late_reason"])
    record_audit(actor, AuditEventType.TASK_PUBLISHED, task, before=before, after=_task_snapshot(task))
    return task
