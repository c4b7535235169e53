"""The published draw file of a batch (DRAW.json) and its verification by anyone (C5).

The file holds everything needed to redo the draw without CertHub: the commitment as announced, the
ledger entry that recorded it (with the salt of that one entry, so that its digest can be checked), the
source values entered, both frozen pools member by member, and the selection with each target's
inspectors. `verify(document)` rebuilds both Merkle roots, checks the commitment against its ledger entry
and that it was recorded before the sources came out, recomputes the selection and the assignment from
the sources, and compares — reporting the first difference in words. `certhub draw verify DRAW.json`
runs it with no database."""

from __future__ import annotations

import base64
import datetime
from collections import Counter
from typing import Any

import orjson

from certhub.core.audit import salted_digest
from certhub.core.choices import AuditEventType
from certhub.core.models import AuditEvent
from certhub.inspections import draw, pools
from certhub.inspections.actions.draws import compute_draw, load_snapshot
from certhub.ledger.models import Entry

FORMAT = "certhub-draw/1"


class DrawFileError(ValueError):
    """The file is not a draw file this version can read (exit 2)."""


class DrawMismatch(ValueError):
    """The file does not reproduce: the message says where (exit 1)."""


def draw_file(batch: Any) -> dict[str, Any]:
    """The draw file of a drawn batch."""
    targets, inspectors = load_snapshot(batch)
    staff: dict[int, list[str]] = {}
    tasks = list(batch.tasks.order_by("sequence").values_list("id", "sequence", "stratum", "target_key"))
    for task_id, code in (
        batch.tasks.model.inspectors.through.objects.filter(task__batch=batch)
        .order_by("task_id", "slot")
        .values_list("task_id", "inspector__code")
    ):
        staff.setdefault(task_id, []).append(code)
    ledger = None
    event = AuditEvent.objects.filter(
        event_type=AuditEventType.BATCH_COMMITTED, subject_type="inspections.batch", subject_id=str(batch.pk)
    ).first()
    entry = Entry.objects.filter(audit=event).first() if event else None
    if entry is not None:
        ledger = {"index": entry.index, "entry": entry.entry, "salt": base64.b64encode(bytes(entry.salt)).decode()}
    return {
        "format": FORMAT,
        "commitment": batch.commitment,
        "ledger": ledger,
        "sources": batch.sources,
        "pool": targets.rows(),
        "inspectors": [[i.code, i.department, i.region, list(i.conflicts)] for i in inspectors],
        "selection": [
            {"sequence": sequence, "stratum": stratum, "target": key, "inspectors": staff.get(task_id, [])}
            for task_id, sequence, stratum, key in tasks
        ],
    }


def dumps(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


def _field(document: dict[str, Any], *path: str) -> Any:
    value: Any = document
    for step in path:
        if not isinstance(value, dict) or step not in value:
            raise DrawFileError(f"the file has no {'.'.join(path)}")
        value = value[step]
    return value


def _rows(document: dict[str, Any], name: str, width: int) -> list[list[Any]]:
    rows = _field(document, name)
    if not isinstance(rows, list) or any(not isinstance(r, list) or len(r) != width for r in rows):
        raise DrawFileError(f"{name} must be a list of {width}-item lists")
    return rows


def verify(document: Any) -> list[str]:
    """Check a draw file; returns what was checked, one line each. Raises DrawFileError when the file
    cannot be read as a draw file, DrawMismatch at the first thing that does not reproduce."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DrawFileError(f"not a draw file: format must be {FORMAT!r}")
    commitment = _field(document, "commitment")
    checked: list[str] = []
    pool_rows = _rows(document, "pool", 4)
    inspector_rows = _rows(document, "inspectors", 4)
    inspectors = [pools.PoolInspector(str(c), str(d), str(r), tuple(conf), 0) for c, d, r, conf in inspector_rows]
    strata_rows = _field(commitment, "strata")
    order = [s["stratum"] for s in strata_rows]
    if any(not all(isinstance(v, str) for v in row) for row in pool_rows):
        raise DrawFileError("every pool member must be four strings: stratum, key, county, credit code")
    if any(row[0] not in order for row in pool_rows):
        raise DrawMismatch(f"a pool member is in a stratum the commitment does not name (strata: {order})")
    stratum_column = [row[0] for row in pool_rows]
    _expect(stratum_column == sorted(stratum_column, key=order.index), "the pool is not listed stratum by stratum")
    sizes = Counter(stratum_column)
    keys = [row[1] for row in pool_rows]
    targets = pools.TargetPool({s: sizes.get(s, 0) for s in order}, [(0, *row[1:], 0) for row in pool_rows])

    # 1. The pools are the ones announced.
    _expect(
        len(targets) == _field(commitment, "pool", "size"),
        f"the pool lists {len(targets)} targets; the commitment announced {commitment['pool']['size']}",
    )
    root = targets.root()
    _expect(
        root == _field(commitment, "pool", "root"),
        f"the pool's Merkle root is {root}; the commitment announced {commitment['pool']['root']}",
    )
    checked.append(f"target pool: {len(targets):,} members, Merkle root {root} as announced")
    start = 0
    for stratum in strata_rows:
        _expect(
            sizes.get(stratum["stratum"], 0) == stratum["size"],
            f"stratum {stratum['stratum']} has {sizes.get(stratum['stratum'], 0)} members in the pool; the "
            f"commitment says {stratum['size']}",
        )
        members = keys[start : start + stratum["size"]]
        _expect(members == sorted(members), f"stratum {stratum['stratum']} is not listed in key order")
        start += stratum["size"]
    root = pools.merkle_root(i.leaf() for i in inspectors)
    _expect(
        len(inspectors) == _field(commitment, "inspectors", "size") and root == commitment["inspectors"]["root"],
        f"the inspector pool ({len(inspectors)} members, root {root}) is not the one announced "
        f"({commitment['inspectors']['size']} members, root {commitment['inspectors']['root']})",
    )
    checked.append(f"inspector pool: {len(inspectors):,} members, Merkle root {root} as announced")

    # 2. The commitment is the one the ledger recorded, before the sources came out.
    ledger = document.get("ledger")
    if ledger:
        checked.append(_check_ledger(ledger, commitment))
    else:
        checked.append("ledger: the file carries no ledger entry (not checked)")

    # 3. The selection follows from the sources.
    sources = _field(document, "sources")
    if not isinstance(sources, list) or len(sources) != len(commitment["sources"]):
        raise DrawMismatch(
            f"{len(sources) if isinstance(sources, list) else 0} source values for "
            f"{len(commitment['sources'])} announced sources"
        )
    try:
        expected = compute_draw(commitment, [str(s) for s in sources], targets, inspectors)
    except draw.DrawError as error:
        raise DrawMismatch(f"the draw cannot be recomputed: {error}") from None
    published = document.get("selection")
    if not isinstance(published, list):
        raise DrawFileError("selection must be a list")
    _expect(
        len(published) == len(expected), f"the file lists {len(published)} selections; the sources give {len(expected)}"
    )
    for number, (row, (index, stratum, staff)) in enumerate(zip(published, expected, strict=True), start=1):
        if not isinstance(row, dict):
            raise DrawFileError(f"selection {number} is not an object")
        key = targets.key(index)
        _expect(
            row.get("target") == key and row.get("stratum") == stratum,
            f"selection {number}: the file says {row.get('target')} (stratum {row.get('stratum')}); the "
            f"sources give {key} (stratum {stratum})",
        )
        _expect(
            row.get("inspectors") == staff,
            f"selection {number} ({key}): the file says inspectors {row.get('inspectors')}; the sources give {staff}",
        )
    checked.append(
        f"selection: {len(expected):,} targets and their inspectors reproduced from the sources "
        f"with {commitment['algorithm']} (key {draw.key_string([str(s) for s in sources])})"
    )
    return checked


def _check_ledger(ledger: dict[str, Any], commitment: dict[str, Any]) -> str:
    try:
        entry = orjson.loads(ledger["entry"])
        salt = base64.b64decode(ledger["salt"], validate=True)
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        raise DrawFileError("ledger must hold the entry (JSON text) and its salt (base64)") from None
    _expect(
        entry.get("subject_id") == commitment.get("batch"),
        f"the ledger entry is about {entry.get('subject_id')}, not batch {commitment.get('batch')}",
    )
    _expect(
        entry.get("after_digest") == salted_digest(salt, commitment),
        "the commitment is not the one recorded in the ledger: its salted digest differs from the entry's",
    )
    recorded = datetime.datetime.fromisoformat(str(entry.get("time")).replace("Z", "+00:00"))
    available = datetime.datetime.fromisoformat(commitment["sources_available_at"])
    _expect(
        recorded < available,
        f"the commitment was recorded at {recorded.isoformat()}, not before its sources came out "
        f"({available.isoformat()})",
    )
    return (
        f"ledger: entry {ledger['index']} records this commitment at {recorded.isoformat()}, before the sources "
        f"came out ({available.isoformat()}); prove the entry with /api/v1/ledger/proof/inclusion"
    )


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise DrawMismatch(message)


def verify_bytes(data: bytes) -> list[str]:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise DrawFileError(f"not JSON: {error}") from None
    return verify(document)
