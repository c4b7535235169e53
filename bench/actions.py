"""Single-record actions, on PostgreSQL and SQLite: what one certificate status change and one certificate
creation cost through the actions (do_change_certificate_status, do_create_certificate), beside the raw SQL
that writes the same rows in the same run.

Each action writes, in one transaction: the certificate row, a status event, the public record, an audit
row and a ledger entry (with the subtree hashes it completes and the new head). The raw peer writes exactly
those rows with plain statements on the same connection, its values built in Python from what it read
before the clock started (the public document and the audit states are edited, not rebuilt from the
database): it is the floor the actions' ORM work sits on. For each database and each of the two actions:
queries (statements sent, savepoints included) per action, actions per second one after another in one
process, and the same for the raw peer.

The databases are fresh ones made for the run: `certhub_actions` on the benchmark's PostgreSQL cluster
(bench/db.py) and var/bench/certhub-actions.sqlite3. The measuring half runs in its own process with Django
set up on each: `python -m bench.actions OUT.json COUNT`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.db import run_fresh

TARGET_STATUS_CHANGES_PER_SECOND = 500  # PostgreSQL, one process
KINDS = {"status": "status change", "create": "creation"}


def measure(count: int, engines: list[str], run_dir: Path) -> dict[str, Any]:
    return run_fresh(
        "actions", engines, run_dir, f"single-record actions beside raw SQL ({count:,} each)", "bench.actions", count
    )


def print_report(results: dict[str, Any]) -> None:
    print("\n== single-record actions (one process, one action after another; queries = statements sent)")
    header = f"{'database':<11} {'what':<16} {'queries':>7} {'actions/s':>10} {'ms each':>8}   raw SQL beside"
    print(header)
    print("-" * (len(header) + 30))
    for result in results.values():
        for kind, label in KINDS.items():
            mine, raw = result[kind], result[f"raw_{kind}"]
            print(
                f"{result['label']:<11} {label:<16} {mine['queries']:>7} {mine['per_s']:>10,.0f} {mine['ms']:>8.3f}"
                f"   {raw['queries']} queries, {raw['per_s']:,.0f}/s ({mine['per_s'] / raw['per_s']:.0%} of raw)"
            )
    if "postgresql" in results:
        rate = results["postgresql"]["status"]["per_s"]
        met = "met" if rate >= TARGET_STATUS_CHANGES_PER_SECOND else "NOT met"
        print(f"  target ≥ {TARGET_STATUS_CHANGES_PER_SECOND} status changes/s on PostgreSQL: {met} ({rate:,.0f}/s)")


# ------------------------------------------------------------------------------------------- the worker


def _worker_main(out: str, count: int) -> None:
    import django

    django.setup()

    import datetime
    import itertools

    import orjson
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from certhub.core import bulk
    from certhub.core.audit import ledger_item, snapshot
    from certhub.core.choices import AuditEventType
    from certhub.core.models import AuditEvent
    from certhub.ledger import log, merkle
    from certhub.registry.actions import (
        do_bulk_create_certificates,
        do_change_certificate_status,
        do_create_certificate,
    )
    from certhub.registry.models import Certificate, CertificatePublicRecord, certificate_public_id
    from certhub.registry.queries import status_label
    from certhub.registry.testing import build_world, certificate_data, ensure_reference_data

    ensure_reference_data()
    world = build_world()
    actor = world.actor("cb_hunan")
    holder, body = world.organizations["maker"], world.bodies["hunan"]
    run_dir = Path(out).parent
    warmup = 50
    reason = "监督审核不通过"
    suspended_on = datetime.date(2026, 1, 5)
    audited = [
        "number",
        "status",
        "status_changed_on",
        "issue_date",
        "expiry_date",
        "original_issue_date",
        "holder",
        "scheme",
        "certification_body",
        "scope",
        "last_surveillance_date",
        "standards",
        "ccc_product",
        "products",
        "sites",
        "particulars",
    ]  # fmt: skip  (CERTIFICATE_AUDIT_FIELDS: the snapshot an audit row of a certificate holds)

    def new_certificates(prefix: str, n: int) -> list[Certificate]:
        made: list[Certificate] = []
        for start in range(0, n, 2000):
            rows = [certificate_data(f"{prefix}-{i}", holder) for i in range(start, min(n, start + 2000))]
            made += do_bulk_create_certificates(body=body, rows=rows, actor=actor)
        return made

    class Counter:
        def __init__(self) -> None:
            self.n = 0

        def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.n += 1
            return execute(sql, params, many, context)

    def counted(step: Any, items: list[Any]) -> float:
        counter = Counter()
        with connection.execute_wrapper(counter):
            for item in items:
                step(item)
        return counter.n / len(items)

    def timed(step: Any, items: list[Any]) -> dict[str, Any]:
        started = time.perf_counter()
        for item in items:
            step(item)
        seconds = time.perf_counter() - started
        return {"n": len(items), "per_s": round(len(items) / seconds, 1), "ms": round(seconds / len(items) * 1000, 4)}

    def dump(name: str, step: Any, item: Any) -> None:
        with CaptureQueriesContext(connection) as captured:
            step(item)
        text = "\n".join(q["sql"] for q in captured.captured_queries)
        (run_dir / f"actions-{connection.vendor}-{name}.sql").write_text(text + "\n")

    # ---- the actions
    def change(certificate: Certificate) -> None:
        do_change_certificate_status(
            certificate=certificate, to_status="SUSPENDED", effective_date=suspended_on, reason=reason, actor=actor
        )

    numbers = itertools.count()

    def create(_: Any) -> None:
        do_create_certificate(body=body, data=certificate_data(f"NEW-{next(numbers)}", holder), actor=actor)

    # ---- the raw peer: the same rows, plain statements
    vendor = connection.vendor
    ops = connection.ops
    jsonb = "::jsonb" if vendor == "postgresql" else ""
    certificate_table = bulk.table(Certificate)
    certificate_columns = [c for i, c in enumerate(certificate_table.columns) if i != certificate_table.pk_index]
    label = Certificate._meta.label_lower
    approval = body.approval_number
    edge: list[log.Edge] = []

    def ledger_rows(cursor: Any, audit_id: int, action: str, pk: int, number: str, before: Any, after: Any) -> None:
        item = ledger_item(audit_id, action, label, str(pk), actor.role, before, after)
        entry = log.entry_json(
            edge[0].size, log.entry_time(timezone.now()), item, certificate_public_id(approval, number)
        )
        leaf, nodes, sequence = merkle.leaf_hash(entry), [], edge[0].size
        edge[0].append(leaf, nodes)
        cursor.execute(
            "UPDATE ledger_head SET size = %s, frontier = %s, updated_at = %s WHERE id = 1",
            [edge[0].size, b"".join(edge[0].frontier), ops.adapt_datetimefield_value(timezone.now())],
        )
        cursor.execute(
            'INSERT INTO ledger_entry ("index", leaf_hash, entry, audit_id, salt) VALUES (%s, %s, %s, %s, %s)',
            [sequence, leaf, entry.decode(), audit_id, item.salt],
        )
        if nodes:
            marks = ", ".join(["(%s, %s)"] * len(nodes))
            cursor.execute(f"INSERT INTO ledger_node (key, hash) VALUES {marks}", [v for n in nodes for v in n])

    def audit_row(cursor: Any, event: str, pk: int, before: Any, after: Any, why: str = "") -> int:
        cursor.execute(
            "INSERT INTO core_auditevent (time, event_type, actor_id, actor_label, actor_role, subject_type, "
            f"subject_id, before, after, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s{jsonb}, %s{jsonb}, %s) "
            "RETURNING id",
            [
                ops.adapt_datetimefield_value(timezone.now()),
                event,
                actor.user_id,
                actor.label,
                actor.role,
                label,
                str(pk),
                None if before is None else orjson.dumps(before).decode(),
                orjson.dumps(after).decode(),
                why,
            ],
        )
        return cursor.fetchone()[0]

    def start_raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT size, frontier FROM ledger_head WHERE id = 1")
            size, frontier = cursor.fetchone()
        edge[:] = [log.Edge.of(size, bytes(frontier))]

    raw_state: dict[int, tuple[dict[str, Any], dict[str, Any], str]] = {}

    def prepare_raw_changes(certificates: list[Certificate]) -> None:
        records = CertificatePublicRecord.objects.filter(certificate__in=certificates)
        documents = dict(records.values_list("certificate_id", "document"))
        for certificate in certificates:
            raw_state[certificate.pk] = (
                orjson.loads(bytes(documents[certificate.pk])),
                snapshot(certificate, audited),
                certificate.number,
            )

    def raw_change(certificate: Certificate) -> None:
        document, before, number = raw_state[certificate.pk]
        now = timezone.now()
        after = {**before, "status": "SUSPENDED", "status_changed_on": suspended_on.isoformat()}
        document = {
            **document,
            "status": "SUSPENDED",
            "status_label": status_label("SUSPENDED"),
            "status_date": suspended_on.isoformat(),
            "history": [
                *document["history"],
                {
                    "from_status": before["status"],
                    "to_status": "SUSPENDED",
                    "date": after["status_changed_on"],
                    "reason": reason,
                },
            ],
        }
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE registry_certificate SET status = %s, status_changed_on = %s, updated_at = %s WHERE id = %s",
                [
                    "SUSPENDED",
                    ops.adapt_datefield_value(suspended_on),
                    ops.adapt_datetimefield_value(now),
                    certificate.pk,
                ],
            )
            cursor.execute(
                "INSERT INTO registry_certificateevent (certificate_id, from_status, to_status, effective_date, "
                "reason, recorded_at) VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    certificate.pk,
                    before["status"],
                    "SUSPENDED",
                    ops.adapt_datefield_value(suspended_on),
                    reason,
                    ops.adapt_datetimefield_value(now),
                ],
            )
            cursor.execute(
                "UPDATE registry_certificatepublicrecord SET number = %s, document = %s WHERE certificate_id = %s",
                [number, orjson.dumps(document), certificate.pk],
            )
            audit_id = audit_row(
                cursor, AuditEventType.CERTIFICATE_STATUS_CHANGED.value, certificate.pk, before, after, reason
            )
            ledger_rows(
                cursor, audit_id, AuditEventType.CERTIFICATE_STATUS_CHANGED.value, certificate.pk, number, before, after
            )

    template: dict[str, Any] = {}

    def prepare_raw_creations(sample: Certificate) -> None:
        row = certificate_table.values_of(sample)
        del row[certificate_table.pk_index]
        document = orjson.loads(bytes(CertificatePublicRecord.objects.get(certificate=sample).document))
        template.update(row=row, document=document, after=snapshot(sample, audited))

    raw_numbers = itertools.count()

    def raw_create(_: Any) -> None:
        number = f"RAW-NEW-{next(raw_numbers)}"
        now = ops.adapt_datetimefield_value(timezone.now())
        row = list(template["row"])
        row[certificate_columns.index("number")] = number
        for column in ("created_at", "updated_at"):
            row[certificate_columns.index(column)] = now
        after = {**template["after"], "number": number}
        document = {**template["document"], "number": number}
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            columns = ", ".join(f'"{c}"' for c in certificate_columns)
            marks = ", ".join("%s" for _ in certificate_columns)
            cursor.execute(f"INSERT INTO registry_certificate ({columns}) VALUES ({marks}) RETURNING id", row)
            pk = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO registry_certificateevent (certificate_id, from_status, to_status, effective_date, "
                "reason, recorded_at) VALUES (%s, %s, %s, %s, %s, %s)",
                [pk, "", "ACTIVE", row[certificate_columns.index("status_changed_on")], "发证", now],
            )
            cursor.execute(
                "INSERT INTO registry_certificatepublicrecord (certificate_id, number, document) VALUES (%s, %s, %s)",
                [pk, number, orjson.dumps(document)],
            )
            audit_id = audit_row(cursor, AuditEventType.CERTIFICATE_CREATED.value, pk, None, {**after})
            ledger_rows(cursor, audit_id, AuditEventType.CERTIFICATE_CREATED.value, pk, number, None, after)

    # ---- the run: warm-up, query counts on a sample, then the clock, block by block
    print("  preparing certificates", flush=True)
    targets = new_certificates("TARGET", 2 * count + 4 * warmup)
    mine, raw = targets[: count + 2 * warmup], targets[count + 2 * warmup :]
    prepare_raw_changes(raw)
    prepare_raw_creations(targets[0])
    result: dict[str, Any] = {"count": count, "warmup": warmup, "vendor": vendor}

    change(mine[0])
    dump("status", change, mine[1])
    dump("create", create, None)
    queries = counted(change, mine[2:warmup])
    result["status"] = {**timed(change, mine[2 * warmup :]), "queries": round(queries, 2)}
    print(f"  status change through the action: {result['status']}", flush=True)

    start_raw()
    queries = counted(raw_change, raw[:warmup])
    result["raw_status"] = {**timed(raw_change, raw[2 * warmup :]), "queries": round(queries, 2)}
    print(f"  status change in raw SQL:          {result['raw_status']}", flush=True)

    queries = counted(create, [None] * warmup)
    result["create"] = {**timed(create, [None] * count), "queries": round(queries, 2)}
    print(f"  creation through the action:       {result['create']}", flush=True)

    start_raw()
    queries = counted(raw_create, [None] * warmup)
    result["raw_create"] = {**timed(raw_create, [None] * count), "queries": round(queries, 2)}
    print(f"  creation in raw SQL:               {result['raw_create']}", flush=True)

    # The raw peer wrote the rows the actions write: one of each compared with the action's, numbers aside.
    def written(number: str) -> tuple[dict[str, Any], dict[str, Any]]:
        certificate = Certificate.objects.get(certification_body=body, number=number)
        document = orjson.loads(bytes(CertificatePublicRecord.objects.get(certificate=certificate).document))
        audit = AuditEvent.objects.filter(subject_type=label, subject_id=str(certificate.pk)).last()
        return {**document, "number": ""}, {**audit.after, "number": "", "reason": audit.reason}

    assert written(mine[-1].number) == written(raw[-1].number), "the raw status change wrote other rows"
    assert written("NEW-0") == written("RAW-NEW-0"), "the raw creation wrote other rows"
    Path(out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    _worker_main(sys.argv[1], int(sys.argv[2]))
