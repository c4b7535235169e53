"""One certificate's rows, read and written with plain statements: the lean single-record path of
do_change_certificate_status and do_create_certificate (bench/actions.py measures it).

The ORM compiles every statement anew, joins and all, and that cost more than the database's own work
for a single-record action. Here each statement is built once per database, values go in adapted as
core.bulk adapts them and come out converted as the ORM converts them (the backend's and the fields'
converters), and the instances are the ORM's own (Model.from_db), so that everything downstream (the
audit snapshot, the public record, the ledger entry) sees exactly what it saw before. The writers run
only inside an action (core.regulated.action_step)."""

# Every statement here is joined from the models' own table and column names; values are always parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import orjson
from django.db import connection, models

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import audit_event, queue_ledger_events
from certhub.core.choices import AuditEventType
from certhub.core.models import AuditEvent, Region
from certhub.core.regulated import action_step
from certhub.registry.bans import HOLDER_KINDS, ISSUING_KINDS
from certhub.registry.choices import CertificateStatus
from certhub.registry.models import (
    Ban,
    CccProduct,
    Certificate,
    CertificateEvent,
    CertificatePublicRecord,
    CertificationBody,
    Organization,
    Scheme,
)
from certhub.registry.products import insert_product_rows, product_rows
from certhub.registry.queries import public_document_bytes


class Reader:
    """Columns of one model in a plain SELECT (the table under `alias`), made into an instance as the ORM
    makes one. `attnames` limits the columns (the others are deferred: read on first use)."""

    def __init__(self, model: type[models.Model], alias: str, attnames: Sequence[str] | None = None) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if attnames is None or f.attname in attnames]
        self.attnames = [f.attname for f in fields]
        self.sql = ", ".join(f'{alias}."{f.column}"' for f in fields)
        self.width = len(fields)
        self.converters = []
        for index, field in enumerate(fields):
            column = field.get_col(alias)
            converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if converters:
                self.converters.append((index, column, converters))

    def instance(self, row: Sequence[Any], start: int = 0) -> Any:
        values = list(row[start : start + self.width])
        for index, column, converters in self.converters:
            value = values[index]
            for converter in converters:
                value = converter(value, column, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.attnames, values)


def _table(model: type[models.Model]) -> str:
    return f'"{model._meta.db_table}"'


class _Statements:
    """The statements of the single-record path for the database in use, built once."""

    def __init__(self) -> None:
        postgresql = connection.vendor == "postgresql"
        # What a certificate's audit snapshot and public record read (registry.queries.public_record):
        # the certificate, its body, scheme, holder with its region and CCC product, in one locked read.
        self.certificate = Reader(Certificate, "c")
        self.body = Reader(CertificationBody, "b", ["id", "organization_id", "name", "approval_number", "status"])
        self.scheme = Reader(Scheme, "s")
        self.holder = Reader(Organization, "h", ["id", "uscc", "name", "region_id", "registration_status"])
        self.region = Reader(Region, "r")
        self.product = Reader(CccProduct, "p")
        self.events = Reader(CertificateEvent, "e")
        readers = [self.certificate, self.body, self.scheme, self.holder, self.region, self.product]
        # On PostgreSQL the status history comes with the row, as one JSON array per certificate (a round
        # trip saved); SQLite, in process, reads it on its own.
        self.event_names = [f.attname for f in CertificateEvent._meta.concrete_fields]
        event_columns = ", ".join(f'e."{f.column}"' for f in CertificateEvent._meta.concrete_fields)
        history = (
            f", (SELECT json_agg(json_build_array({event_columns})) "
            f"FROM {_table(CertificateEvent)} e WHERE e.certificate_id = c.id)"
            if postgresql
            else ""
        )
        self.lock = (
            f"SELECT {', '.join(r.sql for r in readers)}{history} FROM {_table(Certificate)} c "
            f"JOIN {_table(CertificationBody)} b ON b.id = c.certification_body_id "
            f"JOIN {_table(Scheme)} s ON s.id = c.scheme_id "
            f"JOIN {_table(Organization)} h ON h.id = c.holder_id "
            f"JOIN {_table(Region)} r ON r.code = h.region_id "
            f"LEFT JOIN {_table(CccProduct)} p ON p.id = c.ccc_product_id "
            "WHERE c.id = %s" + (" FOR UPDATE OF c" if postgresql else "")  # SQLite: IMMEDIATE holds the lock
        )
        self.history = f"SELECT {self.events.sql} FROM {_table(CertificateEvent)} e WHERE e.certificate_id = %s"
        schemes = CertificationBody.schemes.through._meta.db_table
        # What a new certificate names, in one read: its scheme and whether the body may certify it, its
        # holder with its region, and whether the body already has a certificate of that number.
        # …and, in the same read, the bans it meets (C9, registry.bans): a ban in force on the issuing body's
        # organization (permanent exit) or on the holder (certification bar), and a certificate of the same
        # scheme the holder has suspended at another body (暂停期间不得转换认证机构). Only their ids: the
        # refusal reads the rest.
        in_force = "x.starts <= %s AND (x.ends IS NULL OR x.ends > %s) AND (x.lifted_on IS NULL OR x.lifted_on > %s)"
        issuing = ", ".join(f"'{kind}'" for kind in sorted(ISSUING_KINDS))
        holding = ", ".join(f"'{kind}'" for kind in sorted(HOLDER_KINDS))
        self.lookups = (
            f'SELECT {self.scheme.sql}, EXISTS (SELECT 1 FROM "{schemes}" bs WHERE bs.scheme_id = s.id '
            f"AND bs.certificationbody_id = %s), {self.holder.sql}, {self.region.sql}, "
            f"(SELECT x.id FROM {_table(Ban)} x WHERE x.organization_id = %s AND x.kind IN ({issuing}) "
            f"AND {in_force} ORDER BY x.id LIMIT 1), "
            f"(SELECT x.id FROM {_table(Ban)} x WHERE x.organization_id = h.id AND x.kind IN ({holding}) "
            f"AND {in_force} ORDER BY x.id LIMIT 1), "
            f"(SELECT o.id FROM {_table(Certificate)} o WHERE o.holder_id = h.id AND o.scheme_id = s.id "
            f"AND o.status = '{CertificateStatus.SUSPENDED}' AND o.certification_body_id <> %s "
            "ORDER BY o.status_changed_on, o.id LIMIT 1), "
            f"EXISTS (SELECT 1 FROM {_table(Certificate)} n WHERE n.certification_body_id = %s AND n.number = %s) "
            f"FROM (SELECT 1) one LEFT JOIN {_table(Scheme)} s ON s.code = %s "
            f"LEFT JOIN {_table(Organization)} h ON h.uscc = %s LEFT JOIN {_table(Region)} r ON r.code = h.region_id"
        )
        self.holder_with_region = (
            f"SELECT {self.holder.sql}, {self.region.sql} FROM {_table(Organization)} h "
            f"JOIN {_table(Region)} r ON r.code = h.region_id WHERE h.uscc = %s"
        )
        self.product_by_code = f"SELECT {self.product.sql} FROM {_table(CccProduct)} p WHERE p.code = %s"
        record = _table(CertificatePublicRecord)
        self.store_record = (
            f'INSERT INTO {record} ("certificate_id", "number", "document") VALUES (%s, %s, %s) '
            'ON CONFLICT ("certificate_id") DO UPDATE SET "number" = excluded."number", '
            '"document" = excluded."document"'
        )
        self.drop_record = f'DELETE FROM {record} WHERE "certificate_id" = %s'
        self.inserts: dict[type[models.Model], str] = {}
        for model in (Certificate, CertificateEvent, AuditEvent):
            spec = bulk.table(model)
            fields = [f for i, f in enumerate(spec.fields) if i != spec.pk_index]
            marks = ", ".join("%s::jsonb" if postgresql and isinstance(f, models.JSONField) else "%s" for f in fields)
            columns = ", ".join(f'"{f.column}"' for f in fields)
            pk = model._meta.pk.column
            self.inserts[model] = f'INSERT INTO {_table(model)} ({columns}) VALUES ({marks}) RETURNING "{pk}"'
        self.set_status = (
            f'UPDATE {_table(Certificate)} SET "status" = %s, "status_changed_on" = %s, "updated_at" = %s '
            'WHERE "id" = %s'
        )
        # PostgreSQL: a new certificate's four rows in one statement, the related rows pointing at the
        # certificate's key as the database gives it.
        event_fields = [f for f in CertificateEvent._meta.concrete_fields if not f.primary_key]
        audit_fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
        self.event_link = [f.attname for f in event_fields].index("certificate_id")
        self.audit_link = [f.attname for f in audit_fields].index("subject_id")
        event_values = ", ".join("c.id" if f.attname == "certificate_id" else "%s" for f in event_fields)
        audit_values = ", ".join(
            "c.id::text" if f.attname == "subject_id" else "%s::jsonb" if isinstance(f, models.JSONField) else "%s"
            for f in audit_fields
        )
        event_columns = ", ".join(f'"{f.column}"' for f in event_fields)
        audit_columns = ", ".join(f'"{f.column}"' for f in audit_fields)
        self.creation = (
            f"WITH c AS ({self.inserts[Certificate]}), "
            f"e AS (INSERT INTO {_table(CertificateEvent)} ({event_columns}) "
            f'SELECT {event_values} FROM c RETURNING "id"), '
            f'r AS (INSERT INTO {_table(CertificatePublicRecord)} ("certificate_id", "number", "document") '
            "SELECT c.id, %s, %s FROM c), "
            f'a AS (INSERT INTO {_table(AuditEvent)} ({audit_columns}) SELECT {audit_values} FROM c RETURNING "id") '
            "SELECT (SELECT id FROM c), (SELECT id FROM e), (SELECT id FROM a)"
        )
        # PostgreSQL: a status change's four rows in one statement (data-modifying WITH parts all run, once).
        self.status_change = (
            f"WITH e AS ({self.inserts[CertificateEvent]}), c AS ({self.set_status}), r AS ({self.store_record}), "
            f"a AS ({self.inserts[AuditEvent]}) SELECT (SELECT id FROM e), (SELECT id FROM a)"
        )


_STATEMENTS: dict[str, _Statements] = {}


def statements() -> _Statements:
    if connection.vendor not in _STATEMENTS:
        _STATEMENTS[connection.vendor] = _Statements()
    return _STATEMENTS[connection.vendor]


def _one(sql: str, params: Sequence[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# ------------------------------------------------------------------------------------------- reading


def lock_certificate(pk: int) -> tuple[Certificate, list[CertificateEvent]]:
    """The certificate, locked until the action ends, with the rows its audit snapshot and public record
    read already attached (body, scheme, holder and its region, CCC product), and its status events.
    Raises Certificate.DoesNotExist as the ORM's get() does."""
    s = statements()
    row = _one(s.lock, [pk])
    if row is None:
        raise Certificate.DoesNotExist("Certificate matching query does not exist.")
    certificate = s.certificate.instance(row)
    at = s.certificate.width
    certificate.certification_body = s.body.instance(row, at)
    at += s.body.width
    certificate.scheme = s.scheme.instance(row, at)
    at += s.scheme.width
    holder = s.holder.instance(row, at)
    holder.region = s.region.instance(row, at + s.holder.width)
    certificate.holder = holder
    at += s.holder.width + s.region.width
    certificate.ccc_product = s.product.instance(row, at) if certificate.ccc_product_id is not None else None
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(s.history, [pk])
            return certificate, [s.events.instance(event) for event in cursor.fetchall()]
    history = row[at + s.product.width]
    if isinstance(history, str | bytes):
        history = orjson.loads(history)
    events = []
    for values in history or ():  # JSON: dates and times as ISO text
        event = dict(zip(s.event_names, values, strict=True))
        event["effective_date"] = datetime.date.fromisoformat(event["effective_date"])
        event["recorded_at"] = datetime.datetime.fromisoformat(event["recorded_at"])
        events.append(CertificateEvent.from_db(connection.alias, s.event_names, list(event.values())))
    return certificate, events


def lookups(
    body: CertificationBody, scheme_code: str, holder_uscc: str, number: str, day: datetime.date
) -> dict[str, Any]:
    """What a new certificate of `body` names, in one read: the scheme of this code (None if there is
    none) and whether the body is approved for it, the holder of this credit code with its region (None
    if it is not registered), whether the body already has a certificate of this number, and the ids of
    the bans it meets on `day` (issuer_ban_id, holder_ban_id) and of the holder's certificate of the same
    scheme suspended at another body, the one suspended first (suspended_id), each None when there is none."""
    s = statements()
    on = connection.ops.adapt_datefield_value(day)
    params = [body.pk, body.organization_id, on, on, on, on, on, on, body.pk, body.pk, number, scheme_code]
    row = _one(s.lookups, [*params, holder_uscc])
    at = s.scheme.width
    holder = None
    if row[at + 1] is not None:  # the holder's id
        holder = s.holder.instance(row, at + 1)
        holder.region = s.region.instance(row, at + 1 + s.holder.width)
    return {
        "scheme": s.scheme.instance(row) if row[0] is not None else None,
        "allowed": bool(row[at]),
        "holder": holder,
        "issuer_ban_id": row[-4],
        "holder_ban_id": row[-3],
        "suspended_id": row[-2],
        "number_taken": bool(row[-1]),
    }


def holder_by_uscc(uscc: str) -> Organization | None:
    """An organization by its credit code, with its region attached (None if it is not registered)."""
    s = statements()
    row = _one(s.holder_with_region, [uscc])
    if row is None:
        return None
    holder = s.holder.instance(row)
    holder.region = s.region.instance(row, s.holder.width)
    return holder


def product_by_code(code: str) -> CccProduct | None:
    s = statements()
    row = _one(s.product_by_code, [code])
    return None if row is None else s.product.instance(row)


# ------------------------------------------------------------------------------------------- writing


@action_step
def insert_row(obj: models.Model) -> None:
    """INSERT one new Certificate, CertificateEvent or AuditEvent; its key comes back from the database."""
    model = type(obj)
    spec = bulk.table(model)
    row = spec.values_of(obj)
    del row[spec.pk_index]
    obj.pk = _one(statements().inserts[model], row)[0]
    obj._state.adding = False
    obj._state.db = connection.alias


@action_step
def update_columns(obj: models.Model, attnames: Sequence[str]) -> None:
    """UPDATE these columns of one row to the instance's values (what save(update_fields=…) writes)."""
    spec = bulk.table(type(obj))
    row = spec.values_of(obj)
    assignments = ", ".join(f'"{spec.columns[spec.index(name)]}" = %s' for name in attnames)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {_table(type(obj))} SET {assignments} WHERE "{type(obj)._meta.pk.column}" = %s',
            [*(row[spec.index(name)] for name in attnames), obj.pk],
        )


@action_step
def write_new_certificate(
    certificate: Certificate, event: CertificateEvent, *, actor: Actor, after: dict[str, Any]
) -> None:
    """A new certificate's rows: the certificate, its first status event, its public record (none for a
    draft) and the CERTIFICATE_CREATED audit row, on PostgreSQL in one statement; then its product lines
    (registry.products), when it has any."""
    document = public_document_bytes(certificate, [event])
    if connection.vendor != "postgresql" or document is None:
        insert_row(certificate)
        event.certificate = certificate  # the key just given
        insert_row(event)
        write_public_record(certificate, document)
        write_audit(actor, AuditEventType.CERTIFICATE_CREATED, certificate, before=None, after=after)
        if certificate.products:
            insert_product_rows(product_rows(certificate.pk, certificate.products, certificate.particulars))
        return
    audit = audit_event(actor, AuditEventType.CERTIFICATE_CREATED, certificate, before=None, after=after)
    spec = bulk.table(Certificate)
    row = spec.values_of(certificate)
    del row[spec.pk_index]
    event_row = bulk.table(CertificateEvent).values_of(event)
    del event_row[bulk.table(CertificateEvent).pk_index]
    del event_row[statements().event_link]
    audit_row = bulk.table(AuditEvent).values_of(audit)
    del audit_row[bulk.table(AuditEvent).pk_index]
    del audit_row[statements().audit_link]
    params = [*row, *event_row, certificate.number, document, *audit_row]
    certificate.pk, event.pk, audit.pk = _one(statements().creation, params)
    event.certificate_id, audit.subject_id = certificate.pk, str(certificate.pk)
    for saved in (certificate, event, audit):
        saved._state.adding = False
        saved._state.db = connection.alias
    queue_ledger_events([audit], [certificate])
    if certificate.products:
        insert_product_rows(product_rows(certificate.pk, certificate.products, certificate.particulars))


@action_step
def write_status_change(
    certificate: Certificate,
    event: CertificateEvent,
    events: list[CertificateEvent],
    *,
    actor: Actor,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """A status change's rows: the new status event, the certificate's status columns (already set on
    `certificate`), its public record (from `events`, the history before `event`) and the audit row; on
    PostgreSQL in one statement."""
    s = statements()
    audit = audit_event(
        actor, AuditEventType.CERTIFICATE_STATUS_CHANGED, certificate, before=before, after=after, reason=event.reason
    )
    if connection.vendor != "postgresql":
        insert_row(event)
        update_columns(certificate, ["status", "status_changed_on", "updated_at"])
        write_public_record(certificate, public_document_bytes(certificate, [*events, event]))
        insert_row(audit)
        queue_ledger_events([audit], [certificate])
        return
    # The history is ordered by (recorded_at, id): the new event's id, given by the statement, is above
    # every id of this (locked) certificate's earlier events, as this stand-in is.
    event.id = LAST_ID
    document = public_document_bytes(certificate, [*events, event])
    if document is None:  # no public record to store: a draft (no transition leads to one today)
        event.id = None
        insert_row(event)
        update_columns(certificate, ["status", "status_changed_on", "updated_at"])
        write_public_record(certificate, None)
        insert_row(audit)
        queue_ledger_events([audit], [certificate])
        return
    event.id = None
    event_row, audit_row = bulk.table(CertificateEvent).values_of(event), bulk.table(AuditEvent).values_of(audit)
    del event_row[bulk.table(CertificateEvent).pk_index]
    del audit_row[bulk.table(AuditEvent).pk_index]
    spec = bulk.table(Certificate)
    row = spec.values_of(certificate)
    status = [row[spec.index(name)] for name in ("status", "status_changed_on", "updated_at")]
    params = [*event_row, *status, certificate.pk, certificate.pk, certificate.number, document, *audit_row]
    event.pk, audit.pk = _one(s.status_change, params)
    for saved in (event, audit):
        saved._state.adding = False
        saved._state.db = connection.alias
    queue_ledger_events([audit], [certificate])


LAST_ID = 2**63 - 1


@action_step
def write_public_record(certificate: Certificate, document: bytes | None) -> None:
    """Store (insert or replace) the certificate's public record; None removes it (a draft has none)."""
    s = statements()
    with connection.cursor() as cursor:
        if document is None:
            cursor.execute(s.drop_record, [certificate.pk])
        else:
            cursor.execute(s.store_record, [certificate.pk, certificate.number, document])


@action_step
def write_audit(
    actor: Actor,
    event_type: AuditEventType,
    subject: Certificate,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str = "",
) -> AuditEvent:
    """core.audit.record_audit, its row written by one plain INSERT."""
    event = audit_event(actor, event_type, subject, before=before, after=after, reason=reason)
    insert_row(event)
    queue_ledger_events([event], [subject])
    return event
