"""Writing certificates' rows, on behalf of the action that calls (docs/architecture.md convention 14): the
public record rebuilt after a change, a correction applied, and the bulk writer, which renders new
certificates into the rows of the five tables they fill and inserts them by COPY (PostgreSQL) or
executemany (SQLite). Every function here refuses to run outside an action (core.regulated.action_step)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from types import SimpleNamespace
from typing import Any

import orjson
from django.db import models
from django.utils import timezone

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import SALT_BYTES, LedgerItem, queue_for_ledger, record_audit, salted_digest, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.regulated import action_step
from certhub.registry.certificate_rows import write_public_record
from certhub.registry.certificate_rules import (
    CERTIFICATE_AUDIT_FIELDS,
    REASON_DRAFT,
    REASON_ISSUED,
    certificate_changes,
    identity_errors,
)
from certhub.registry.choices import CertificateStatus
from certhub.registry.models import (
    Certificate,
    CertificateEvent,
    CertificatePublicRecord,
    CertificationBody,
    CertifiedProduct,
    certificate_public_id,
)
from certhub.registry.products import product_rows, write_certified_products
from certhub.registry.queries import public_document_bytes


@action_step
def store_public_record(certificate: Certificate, events: list[CertificateEvent] | None = None) -> None:
    """Rebuild the certificate's public record (the read model); called inside the changing action, with
    the certificate's status events when the action has them at hand (else they are read). A draft has
    none: it is not public."""
    write_public_record(certificate, public_document_bytes(certificate, events))


@action_step
def insert_certificates(
    certificates: list[Certificate], histories: list[list[dict[str, Any]]], *, actor: Actor
) -> None:
    """Write validated new certificates with their status events, public records and audit rows, in
    bulk. Called only inside an action that has authorized `actor` and checked every row (this one and
    the submission importer, so that a file and a single API call leave the same rows behind)."""
    ids = write_certificates(render_certificates(certificates, histories, actor=actor))
    for certificate, pk in zip(certificates, ids, strict=True):
        certificate.pk = pk
        certificate._state.adding = False


@dataclass
class RenderedCertificates:
    """New certificates as the rows of the five tables they fill, before their primary keys exist: an
    all-or-nothing import renders each chunk while it validates the file, and writes them only once the
    whole file is known good (exchange.pipeline). Each event, record, product and audit row names the
    index of its certificate."""

    certificates: list[list[Any]] = dataclass_field(default_factory=list)
    events: list[tuple[int, list[Any]]] = dataclass_field(default_factory=list)
    records: list[tuple[int, list[Any]]] = dataclass_field(default_factory=list)
    audits: list[tuple[int, list[Any]]] = dataclass_field(default_factory=list)
    # The certified products (registry.products): one row per product line, found by GTIN and model (C7).
    products: list[tuple[int, list[Any]]] = dataclass_field(default_factory=list)
    ids: list[int] | None = None  # once assign_certificate_ids has run
    copy_text: dict[str, bytes] | None = None  # once encode_certificates has run (PostgreSQL)
    # Per audit row, what its ledger entry needs that is known while rendering: the certificate's public
    # id and the salted digest of its state (core.audit), taken from the state itself, not its JSON text.
    ledger_parts: list[tuple[str, bytes, str | None]] = dataclass_field(default_factory=list)
    ledger: list[LedgerItem] | None = None  # the audit rows' ledger items, taken with the COPY text


def render_certificates(
    certificates: Sequence[Certificate | SimpleNamespace], histories: list[list[dict[str, Any]]], *, actor: Actor
) -> RenderedCertificates:
    """The rows `certificates` (model instances or new_certificate_draft objects, with their past
    `histories`) become: the certificate, its status events (issue, then each step), its public record
    (unless a draft), its product lines (registry.products) and its CERTIFICATE_CREATED audit row (the
    snapshot core.audit.snapshot would take)."""
    now = timezone.now()
    rendered = RenderedCertificates()
    salts = os.urandom(SALT_BYTES * len(certificates))
    approvals = dict(
        CertificationBody.objects.filter(pk__in={c.certification_body_id for c in certificates}).values_list(
            "pk", "approval_number"
        )
    )
    certificate_table, event_table = bulk.table(Certificate), bulk.table(CertificateEvent)
    record_table, audit_table = bulk.table(CertificatePublicRecord), bulk.table(AuditEvent)
    after_column = audit_table.index("after")
    # The snapshot core.audit.snapshot takes, built without its per-value type checks.
    audited = [f.attname for f in Certificate._meta.concrete_fields if f.name in CERTIFICATE_AUDIT_FIELDS]
    audited_dates = [
        f.attname
        for f in Certificate._meta.concrete_fields
        if f.name in CERTIFICATE_AUDIT_FIELDS and isinstance(f, models.DateField)
    ]
    for index, (certificate, history) in enumerate(zip(certificates, histories, strict=True)):
        certificate.created_at = certificate.updated_at = now
        if history:
            certificate.status = history[-1]["status"]
            certificate.status_changed_on = history[-1]["date"]
        first: tuple[str, datetime.date, str]
        if history:
            first = (CertificateStatus.ACTIVE, certificate.issue_date, REASON_ISSUED)
        else:
            reason = REASON_ISSUED if certificate.status == CertificateStatus.ACTIVE else REASON_DRAFT
            first = (certificate.status, certificate.status_changed_on, reason)
        events = [
            SimpleNamespace(
                id=None,
                certificate_id=None,
                from_status="",
                to_status=first[0],
                effective_date=first[1],
                reason=first[2],
                recorded_at=now,
            )
        ]
        previous = first[0]
        for step in history:
            event = SimpleNamespace(
                id=None,
                certificate_id=None,
                from_status=previous,
                to_status=step["status"],
                effective_date=step["date"],
                reason=step["reason"],
                recorded_at=now,
            )
            events.append(event)
            previous = step["status"]
        rendered.certificates.append(certificate_table.values_of(certificate))
        rendered.events.extend((index, event_table.values_of(event)) for event in events)
        document = public_document_bytes(certificate, events)
        if document is not None:
            record = SimpleNamespace(certificate_id=None, number=certificate.number, document=document)
            rendered.records.append((index, record_table.values_of(record)))
        rendered.products.extend(
            (index, row) for row in product_rows(None, certificate.products, certificate.particulars)
        )
        after = {name: getattr(certificate, name) for name in audited}
        for name in audited_dates:
            if after[name] is not None:
                after[name] = after[name].isoformat()
        audit = SimpleNamespace(
            id=None,
            time=now,
            event_type=AuditEventType.CERTIFICATE_CREATED.value,
            actor_id=actor.user_id,
            actor_label=actor.label,
            actor_role=actor.role,
            subject_type=Certificate._meta.label_lower,
            subject_id=None,
            before=None,
            after=after,
            reason="",
        )
        audit_row = audit_table.values_of(audit)
        rendered.audits.append((index, audit_row))
        # The digest is of the state as the audit row stores it (its JSON read back), as verify reads it.
        salt = salts[index * SALT_BYTES : (index + 1) * SALT_BYTES]
        public_id = certificate_public_id(approvals[certificate.certification_body_id], certificate.number)
        stored = orjson.loads(audit_row[after_column])
        rendered.ledger_parts.append((public_id, salt, salted_digest(salt, stored)))
    return rendered


def _ledger_items(rendered: RenderedCertificates) -> list[LedgerItem]:
    """The ledger items of the rendered audit rows (keys assigned): one per new certificate."""
    audit_table = bulk.table(AuditEvent)
    pk, subject = audit_table.pk_index, audit_table.index("subject_id")
    action, role = AuditEventType.CERTIFICATE_CREATED.value, audit_table.index("actor_role")
    label = Certificate._meta.label_lower
    return [
        LedgerItem(row[pk], action, label, row[subject], row[role], salt, None, digest, public_id)
        for (_index, row), (public_id, salt, digest) in zip(rendered.audits, rendered.ledger_parts, strict=True)
    ]


def assign_certificate_ids(rendered: RenderedCertificates) -> list[int]:
    """Allocate the primary keys from the sequences and point the related rows at their certificates.
    Sequence numbers are not transactional: a submission rejected after this leaves gaps, nothing else."""
    certificate_table = bulk.table(Certificate)
    event_table = bulk.table(CertificateEvent)
    record_table = bulk.table(CertificatePublicRecord)
    audit_table = bulk.table(AuditEvent)
    ids = bulk.allocate_ids(Certificate, len(rendered.certificates))
    for row, pk in zip(rendered.certificates, ids, strict=True):
        row[certificate_table.pk_index] = pk
    event_ids = bulk.allocate_ids(CertificateEvent, len(rendered.events))
    link = event_table.index("certificate_id")
    for (index, row), pk in zip(rendered.events, event_ids, strict=True):
        row[event_table.pk_index], row[link] = pk, ids[index]
    for index, row in rendered.records:
        row[record_table.pk_index] = ids[index]
    product_table = bulk.table(CertifiedProduct)
    product_link = product_table.index("certificate_id")
    product_ids = bulk.allocate_ids(CertifiedProduct, len(rendered.products)) if rendered.products else []
    for (index, row), pk in zip(rendered.products, product_ids, strict=True):
        row[product_table.pk_index], row[product_link] = pk, ids[index]
    audit_ids = bulk.allocate_ids(AuditEvent, len(rendered.audits))
    subject = audit_table.index("subject_id")
    for (index, row), pk in zip(rendered.audits, audit_ids, strict=True):
        row[audit_table.pk_index], row[subject] = pk, str(ids[index])
    rendered.ids = ids
    return ids


def encode_certificates(rendered: RenderedCertificates) -> None:
    """On PostgreSQL, turn the rows (keys assigned) into COPY's text format now, so that writing them later
    is streaming bytes (an import's checking processes do this while the writer waits)."""
    rendered.copy_text = {
        "certificates": bulk.copy_text(Certificate, rendered.certificates),
        "events": bulk.copy_text(CertificateEvent, (row for _index, row in rendered.events)),
        "records": bulk.copy_text(CertificatePublicRecord, (row for _index, row in rendered.records)),
        "audits": bulk.copy_text(AuditEvent, (row for _index, row in rendered.audits)),
        "products": bulk.copy_text(CertifiedProduct, (row for _index, row in rendered.products)),
    }
    rendered.ledger = _ledger_items(rendered)
    rendered.certificates, rendered.events, rendered.records, rendered.audits = [], [], [], []
    rendered.products = []
    rendered.ledger_parts = []


@action_step
def write_certificates(rendered: RenderedCertificates) -> list[int]:
    """Insert all five tables (allocating the keys unless done already); return the certificates' ids.
    Inside an action only (core.bulk refuses otherwise)."""
    ids = rendered.ids if rendered.ids is not None else assign_certificate_ids(rendered)
    if rendered.copy_text is not None:
        for model, key in (
            (Certificate, "certificates"),
            (CertificateEvent, "events"),
            (CertificatePublicRecord, "records"),
            (AuditEvent, "audits"),
            (CertifiedProduct, "products"),
        ):
            bulk.insert_copy_text(model, rendered.copy_text[key])
        queue_for_ledger(rendered.ledger or ())
        return ids
    bulk.insert_rows(Certificate, rendered.certificates)
    bulk.insert_rows(CertificateEvent, (row for _index, row in rendered.events))
    bulk.insert_rows(CertificatePublicRecord, (row for _index, row in rendered.records))
    bulk.insert_rows(AuditEvent, (row for _index, row in rendered.audits))
    if rendered.products:
        bulk.insert_rows(CertifiedProduct, (row for _index, row in rendered.products))
    queue_for_ledger(_ledger_items(rendered))
    return ids


@action_step
def update_certificate(certificate: Certificate, cleaned: dict[str, Any], *, actor: Actor) -> Certificate:
    """Apply cleaned contents to a certificate inside an action (do_update_certificate and the importer)."""
    errors = identity_errors(certificate, cleaned)
    if errors:
        raise ValidationFailed(errors)
    changes = certificate_changes(certificate, cleaned)
    if not changes:
        return certificate
    before = snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    for field, value in changes.items():
        setattr(certificate, field, value)
    certificate.updated_at = timezone.now()
    certificate.save(update_fields=[*changes, "updated_at"])
    if "products" in changes or "particulars" in changes:  # the factory is one of the particulars
        write_certified_products(certificate)
    store_public_record(certificate)
    record_audit(
        actor,
        AuditEventType.CERTIFICATE_UPDATED,
        certificate,
        before=before,
        after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS),
    )
    return certificate
