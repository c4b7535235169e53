"""Changing many registered certificates of one body at once, on behalf of the action that calls
(docs/architecture.md convention 14): the revocation or closure of a certification body ends or shortens
every certificate it has (C1), each with its public status event, its rebuilt public record, its audit row
and its ledger entry — exactly what do_change_certificate_status leaves for one certificate, written
set-based: one read of the certificates and one of their histories, then one statement per table (COPY on
PostgreSQL, executemany on SQLite), as the bulk writer of new certificates does (certificate_writer)."""

# Every statement here is joined from the models' own table and column names; values are always parameters.
# ruff: noqa: S608

from __future__ import annotations

import base64
import contextlib
import datetime
import gc
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone

from certhub.core import bulk, canonical
from certhub.core.actors import Actor
from certhub.core.audit import SALT_BYTES, LedgerItem, queue_for_ledger
from certhub.core.choices import AuditEventType
from certhub.core.models import AuditEvent, Region
from certhub.core.regulated import action_step
from certhub.registry.certificate_rows import LAST_ID
from certhub.registry.certificate_rules import CERTIFICATE_AUDIT_FIELDS
from certhub.registry.models import (
    CccProduct,
    Certificate,
    CertificateEvent,
    CertificatePublicRecord,
    CertificationBody,
    Organization,
    Scheme,
    certificate_public_id,
)
from certhub.registry.queries import public_document_bytes

EVENT_FIELDS = ["id", "certificate_id", "from_status", "to_status", "effective_date", "reason", "recorded_at"]


@dataclass
class CertificateChange:
    """One certificate's change: its new status (the same for a change of expiry only), the date and the
    public reason, and its new expiry date when that changes."""

    certificate: Any  # a plain row from certificates_of
    history: list[Any]
    to_status: str
    effective_date: datetime.date
    reason: str
    expiry_date: datetime.date | None = None


# The columns a changed certificate's audit state and public record read (CERTIFICATE_AUDIT_FIELDS and
# registry.queries.public_record), as attnames; rows are read as plain objects, not model instances: a
# revocation reads tens of thousands.
COLUMNS = [
    f.attname
    for f in Certificate._meta.concrete_fields
    if f.name in CERTIFICATE_AUDIT_FIELDS or f.attname in ("id", "holder_name", "region_code")
]
AUDITED = [f.attname for f in Certificate._meta.concrete_fields if f.name in CERTIFICATE_AUDIT_FIELDS]
DATES = {f.attname for f in Certificate._meta.concrete_fields if isinstance(f, models.DateField)}
JSONS = {f.attname for f in Certificate._meta.concrete_fields if isinstance(f, models.JSONField)}


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Tens of thousands of short-lived rows and no cycles among them: the cycle collector, run again and again
    as they are made, would walk every one each time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _date(value: Any) -> Any:
    """A stored date as the ORM gives it (SQLite may answer ISO text)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: Any) -> Any:
    """A stored time as the ORM gives it (SQLite keeps naive UTC text)."""
    moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=datetime.UTC) if moment.tzinfo is None else moment


def audit_state(certificate: Any) -> dict[str, Any]:
    """What core.audit.snapshot(certificate, CERTIFICATE_AUDIT_FIELDS) takes, of a model or a plain row."""
    state = {}
    for name in AUDITED:
        value = getattr(certificate, name)
        state[name] = value.isoformat() if name in DATES and value is not None else value
    return state


def certificates_of(body: CertificationBody, statuses: Iterable[str]) -> list[tuple[Any, list[Any]]]:
    """The body's certificates in these statuses, locked until the action ends (PostgreSQL; SQLite's write
    transaction holds the lock), as plain rows with what their audit state and public record read attached
    (scheme, holder with its region, CCC product, the body), each with its status history (plain rows, in
    order)."""
    wanted = sorted(statuses)
    table, holders_table = Certificate._meta.db_table, Organization._meta.db_table
    marks = ", ".join(["%s"] * len(wanted))
    columns = ", ".join(f'c."{name}"' for name in COLUMNS)
    lock = " FOR UPDATE OF c" if connection.vendor == "postgresql" else ""
    schemes = {scheme.pk: scheme for scheme in Scheme.objects.all()}
    regions: dict[str, Region] = {}
    holders: dict[int, SimpleNamespace] = {}
    products: dict[int, CccProduct] = {}
    certificates = []
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT {columns}, h."uscc", h."region_id" FROM "{table}" c '
            f'JOIN "{holders_table}" h ON h."id" = c."holder_id" '
            f'WHERE c."certification_body_id" = %s AND c."status" IN ({marks}) ORDER BY c."id"{lock}',
            [body.pk, *wanted],
        )
        rows = cursor.fetchall()
        width = len(COLUMNS)
        for row in rows:
            values = dict(zip(COLUMNS, row[:width], strict=True))
            for name in DATES:
                if name in values:
                    values[name] = _date(values[name])
            for name in JSONS:
                if isinstance(values[name], str | bytes):
                    values[name] = orjson.loads(values[name])
            certificate = SimpleNamespace(**values, pk=values["id"])
            holder = holders.get(certificate.holder_id)
            if holder is None:
                uscc, region_id = row[width], row[width + 1]
                if region_id not in regions:
                    regions[region_id] = Region.objects.get(code=region_id)
                holder = holders[certificate.holder_id] = SimpleNamespace(
                    id=certificate.holder_id, uscc=uscc, region_id=region_id, region=regions[region_id]
                )
            certificate.holder = holder
            certificate.scheme = schemes[certificate.scheme_id]
            if certificate.ccc_product_id is not None and certificate.ccc_product_id not in products:
                products[certificate.ccc_product_id] = CccProduct.objects.get(pk=certificate.ccc_product_id)
            certificate.ccc_product = products.get(certificate.ccc_product_id)
            certificate.certification_body = body
            certificates.append(certificate)
        histories: dict[int, list[Any]] = defaultdict(list)
        event_table = CertificateEvent._meta.db_table
        cursor.execute(
            f'SELECT {", ".join(f"e.{chr(34)}{name}{chr(34)}" for name in EVENT_FIELDS)} FROM "{event_table}" e '
            f'JOIN "{table}" c ON c."id" = e."certificate_id" '
            f'WHERE c."certification_body_id" = %s AND c."status" IN ({marks}) '
            'ORDER BY e."certificate_id", e."recorded_at", e."id"',
            [body.pk, *wanted],
        )
        for values in cursor.fetchall():
            event = SimpleNamespace(**dict(zip(EVENT_FIELDS, values, strict=True)))
            event.effective_date = _date(event.effective_date)
            event.recorded_at = _moment(event.recorded_at)
            histories[event.certificate_id].append(event)
    return [(certificate, histories[certificate.pk]) for certificate in certificates]


def _rows(spec: bulk.Table, objects: Iterable[Any], fixed: dict[str, Any]) -> Iterable[list[Any]]:
    """spec.values_of for each object, with the columns in `fixed` (the same for every row, such as the
    action's time) adapted once rather than once a row."""
    adapt_at = dict(spec.adapted)
    constant = {}
    for name, value in fixed.items():
        index = spec.index(name)
        constant[index] = adapt_at[index](value) if index in adapt_at else value
    adapters = [(index, adapt) for index, adapt in spec.adapted if index not in constant]
    names = spec.names
    for obj in objects:
        row = [getattr(obj, name) for name in names]
        for index, adapt in adapters:
            row[index] = adapt(row[index])
        for index, value in constant.items():
            row[index] = value
        yield row


def _digest(salt: bytes, state: dict[str, Any], plain: bool) -> str:
    """core.audit.salted_digest of a state known to be plain JSON (or not)."""
    data = orjson.dumps(state, option=orjson.OPT_SORT_KEYS) if plain else canonical.dumps(state)
    return base64.b64encode(hashlib.sha256(salt + data).digest()).decode()


def _matching_ids(column: str, ids: Sequence[int]) -> Iterable[tuple[str, list[Any]]]:
    return bulk.matching(f'"{column}"', list(ids))


@action_step
def write_certificate_changes(
    changes: Sequence[CertificateChange],
    *,
    actor: Actor,
    event_type: AuditEventType = AuditEventType.CERTIFICATE_STATUS_CHANGED,
) -> None:
    """Write each change's rows: the certificate's status, date and expiry, a status event (from and to the
    same status for a change of expiry only), its public record rebuilt from its whole history, and one audit
    row (its reason the event's) queued for the ledger. Inside an action that has authorized `actor` only."""
    if not changes:
        return
    now = timezone.now()
    event_table, record_table, audit_table = (
        bulk.table(CertificateEvent),
        bulk.table(CertificatePublicRecord),
        bulk.table(AuditEvent),
    )
    event_pk = event_table.pk_index
    adapt = dict(record_table.adapted).get(record_table.index("document"), bytes)
    events, records, audits, states = [], [], [], []
    # One UPDATE per distinct (status, status date, expiry): a revocation has one or two, a closure one a day.
    groups: dict[tuple[str, datetime.date, datetime.date], list[int]] = defaultdict(list)
    subject_type = Certificate._meta.label_lower
    for change in changes:
        certificate = change.certificate
        before = audit_state(certificate)
        # The history is ordered by (recorded_at, id): the new event's id, given when it is inserted, is above
        # every id of this (locked) certificate's earlier events, as this stand-in is.
        event = SimpleNamespace(
            id=LAST_ID,
            certificate_id=certificate.pk,
            from_status=certificate.status,
            to_status=change.to_status,
            effective_date=change.effective_date,
            reason=change.reason,
            recorded_at=now,
        )
        if change.to_status != certificate.status:
            certificate.status = change.to_status
            certificate.status_changed_on = change.effective_date
        if change.expiry_date is not None:
            certificate.expiry_date = change.expiry_date
        certificate.updated_at = now
        groups[(certificate.status, certificate.status_changed_on, certificate.expiry_date)].append(certificate.pk)
        # Only these three audited fields change (the rest of the state is the same objects).
        after = {
            **before,
            "status": certificate.status,
            "status_changed_on": certificate.status_changed_on.isoformat(),
            "expiry_date": certificate.expiry_date.isoformat(),
        }
        events.append(event)
        document = public_document_bytes(certificate, [*change.history, event])
        if document is not None:
            record = {"certificate_id": certificate.pk, "number": certificate.number, "document": adapt(document)}
            records.append([record[name] for name in record_table.names])
        audit = SimpleNamespace(
            id=None,
            time=now,
            event_type=event_type.value,
            actor_id=actor.user_id,
            actor_label=actor.label,
            actor_role=actor.role,
            subject_type=subject_type,
            subject_id=str(certificate.pk),
            before=before,
            after=after,
            reason=change.reason,
        )
        audits.append(audit)
        states.append((before, after, certificate))
    ids = [change.certificate.pk for change in changes]
    with connection.cursor() as cursor:
        table = Certificate._meta.db_table
        for (status, day, expiry), group in groups.items():
            for condition, params in _matching_ids("id", group):
                cursor.execute(
                    f'UPDATE "{table}" SET "status" = %s, "status_changed_on" = %s, "expiry_date" = %s, '
                    f'"updated_at" = %s WHERE {condition}',
                    [status, day, expiry, now, *params],
                )
        # The stored public records are replaced whole (the certificate's history is part of each).
        for condition, params in _matching_ids("certificate_id", ids):
            cursor.execute(f'DELETE FROM "{CertificatePublicRecord._meta.db_table}" WHERE {condition}', params)
    event_rows = _rows(event_table, events, {"recorded_at": now})
    bulk.insert_rows(CertificateEvent, ([*row[:event_pk], *row[event_pk + 1 :]] for row in event_rows), numbered=False)
    bulk.insert_rows(CertificatePublicRecord, records)
    audit_ids = bulk.allocate_ids(AuditEvent, len(audits))
    for audit, pk in zip(audits, audit_ids, strict=True):
        audit.id = pk
    bulk.insert_rows(AuditEvent, _rows(audit_table, audits, {"time": now}))
    approvals: dict[int, str] = {}
    items: list[LedgerItem] = []
    salts = os.urandom(SALT_BYTES * len(audits))
    for index, (audit, (before, after, certificate)) in enumerate(zip(audits, states, strict=True)):
        body = certificate.certification_body
        approval = approvals.setdefault(body.pk, body.approval_number)
        salt = salts[index * SALT_BYTES : (index + 1) * SALT_BYTES]
        # The states are strings, integers, None and the certificate's own JSON: only that JSON can hold what
        # RFC 8785 writes otherwise than orjson (core.canonical).
        plain = canonical.is_plain([certificate.products, certificate.sites, certificate.particulars])
        items.append(
            LedgerItem(
                audit.id,
                audit.event_type,
                subject_type,
                audit.subject_id,
                audit.actor_role,
                salt,
                _digest(salt, before, plain),
                _digest(salt, after, plain),
                certificate_public_id(approval, certificate.number),
            )
        )
    queue_for_ledger(items)
