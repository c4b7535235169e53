"""The draw of an announced batch (C5): from the published source values and the frozen pools alone, the
selection and each target's inspectors, written as tasks. compute_draw also checks a published draw file
(inspections.drawfile)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import record_audit
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.inspections import draw, pools
from certhub.inspections.choices import BatchStatus, TargetType
from certhub.inspections.models import Batch, Task, TaskInspector
from certhub.registry.models import Certificate, CertificationBody, Lab, Organization


def load_snapshot(batch: Batch) -> tuple[pools.TargetPool, list[pools.PoolInspector]]:
    assert batch.snapshot is not None, "only a committed batch is drawn or checked; committing froze the snapshot"
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
    # Keyed by str: the pool's target_type field holds the plain value of its TargetType member.
    tables: dict[str, tuple[type[Model], str]] = {
        TargetType.ENTERPRISE: (Organization, "name"),
        TargetType.CERTIFIED_PRODUCT: (Certificate, "holder_name"),
        TargetType.CERTIFICATION_BODY: (CertificationBody, "name"),
        TargetType.LAB: (Lab, "name"),
    }
    table, column = tables[target_type]
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
def do_draw_batch(*, batch: Batch, sources: Sequence[str], actor: Actor) -> Batch:
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
            _("公告了%(announced)d个随机源，录入了%(entered)d个数值")
            % {"announced": len(batch.sources_described), "entered": len(values)}
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
    assert batch.commitment is not None, "do_draw_batch draws only a committed batch, which has its commitment"
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
