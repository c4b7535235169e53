"""Certificate actions: issue (one or many), lifecycle transitions, surveillance, corrections.

The rules a certificate must satisfy are registry.certificate_rules'; the rows are written by
registry.certificate_writer (which the submission importer shares, so that a file and a single API call
leave the same rows behind)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import DATE, Input, Text, collect, compact_uscc, validate_value
from certhub.registry import certificate_rows
from certhub.registry.certificate_rules import (
    CERTIFICATE_AUDIT_FIELDS,
    CertificateBans,
    CertificateContext,
    SingleCertificateContext,
    body_change_problem,
    clean_certificate_input,
    clean_history,
    first_event,
    holder_issuing_problem,
    moves_with_suspension,
    new_certificate,
    refuse_issuing_body,
    transition_message,
)
from certhub.registry.certificate_writer import insert_certificates, store_public_record, update_certificate
from certhub.registry.choices import CERTIFICATE_TRANSITIONS, CertificateStatus
from certhub.registry.models import Certificate, CertificateEvent, CertificationBody


class ReasonInput(Input):
    """Why a certificate's status changes: stated, and kept in its public history."""

    reason: Annotated[str, Text(2000)]


def refuse_holder(cleaned: dict[str, Any]) -> None:
    """ValidationFailed naming `holder_uscc` when the holder may not receive a new certificate (C1)."""
    problem = holder_issuing_problem(cleaned["holder"])
    if problem:
        raise ValidationFailed({"holder_uscc": [problem]})


def refuse_banned_issuer(body: CertificationBody) -> None:
    """ValidationFailed naming `certification_body` when its organization is under permanent exit (C9)."""
    problem = CertificateBans(body, enabled=True).issuer_problem()
    if problem:
        raise ValidationFailed({"certification_body": [problem]})


def refuse_barred_holder(body: CertificationBody, cleaned: dict[str, Any]) -> None:
    """ValidationFailed naming `holder_uscc` when the holder is under a certification bar or its certificate
    of this scheme is suspended at another body (C9, certificate_rules.CertificateBans)."""
    checks = CertificateBans(body, enabled=True)
    checks.load([cleaned["holder"].pk])
    problem = checks.holder_problem(cleaned)
    if problem:
        raise ValidationFailed({"holder_uscc": [problem]})


def refuse_ended_body(body: CertificationBody) -> None:
    """Conflict naming `certification_body` when the body's approval has ended (certificate_rules)."""
    problem = body_change_problem(body)
    if problem:
        raise Conflict(problem, field="certification_body", code="body_ended")


@action
def do_create_certificate(*, body: CertificationBody, data: dict[str, Any], actor: Actor) -> Certificate:
    """Register a certificate issued by `body` (ACTIVE by default, or DRAFT). The lean single-record path:
    only the reference rows this certificate names are read, and each row is one plain statement
    (registry.certificate_rows)."""
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=body.organization_id)
    refuse_issuing_body(body)
    context = SingleCertificateContext(data, body)
    if context.issuer_ban_id is not None:
        refuse_banned_issuer(body)
    cleaned = clean_certificate_input(data, body, context, context.allowed)
    refuse_holder(cleaned)
    if context.holder_ban_id is not None or (
        context.suspended_id is not None and moves_with_suspension(cleaned["scheme"])
    ):
        refuse_barred_holder(body, cleaned)
    if context.number_taken:
        raise Conflict(_("该认证机构已有编号为%(number)s的证书") % {"number": cleaned["number"]}, field="number")
    certificate = new_certificate(body, cleaned, timezone.localdate())
    certificate_rows.write_new_certificate(
        certificate, first_event(certificate), actor=actor, after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    )
    return certificate


@action
def do_bulk_create_certificates(
    *, body: CertificationBody, rows: Sequence[dict[str, Any]], actor: Actor
) -> list[Certificate]:
    """Register many certificates of one body, all or nothing: every row is validated first, and a
    failure names its row. A row may carry its past `history` (transitions after issue, checked against
    the lifecycle table), as a body bringing its existing records does; an administrator bringing records
    from another system may also give `reported_on`, the date each was first reported. One status event
    per step and one audit row per certificate."""
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=body.organization_id)
    refuse_issuing_body(body)
    checks = CertificateBans(body)
    problem = checks.issuer_problem()
    if problem:
        raise ValidationFailed({"certification_body": [problem]})
    context = CertificateContext(compact_uscc(r.get("holder_uscc")) for r in rows)
    checks.preload()
    allowed = set(body.schemes.values_list("code", flat=True))
    today = timezone.localdate()
    certificates: list[Certificate] = []
    histories: list[list[dict[str, Any]]] = []
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, row in enumerate(rows):
        try:
            cleaned = clean_certificate_input(row, body, context, allowed)
        except ValidationFailed as failure:
            errors.update({f"rows[{index}].{k}": v for k, v in failure.errors.items()})
            continue
        problem = holder_issuing_problem(cleaned["holder"]) or checks.holder_problem(cleaned)
        if problem:
            errors[f"rows[{index}].holder_uscc"] = [problem]
            continue
        history, error = clean_history(row.get("history"), cleaned["status"], cleaned["issue_date"])
        if error:
            errors[f"rows[{index}].history"] = [error]
            continue
        reported_on = None
        if row.get("reported_on") and actor.role == Role.ADMINISTRATOR:
            try:
                reported_on = validate_value(DATE, row["reported_on"], field=f"rows[{index}].reported_on")
            except ValidationFailed as failure:
                errors.update(failure.errors)
        if cleaned["number"] in seen:
            errors[f"rows[{index}].number"] = [_("编号%(number)s在本批中重复") % {"number": cleaned["number"]}]
        seen.add(cleaned["number"])
        certificates.append(new_certificate(body, cleaned, today, reported_on))
        histories.append(history)
    if errors:
        raise ValidationFailed(errors)
    numbers = [c.number for c in certificates]
    for start in range(0, len(numbers), 900):
        clash = Certificate.objects.filter(certification_body=body, number__in=numbers[start : start + 900]).first()
        if clash is not None:
            raise Conflict(_("该认证机构已有编号为%(number)s的证书") % {"number": clash.number}, field="number")
    insert_certificates(certificates, histories, actor=actor)
    return certificates


@action
def do_change_certificate_status(
    *,
    certificate: Certificate,
    to_status: str,
    effective_date: datetime.date,
    reason: str,
    actor: Actor,
) -> Certificate:
    """Move a certificate along its lifecycle (suspend, restore, withdraw, cancel, expire), with a dated
    reason. Transitions the lifecycle table forbids are refused (choices.CERTIFICATE_TRANSITIONS)."""
    if Certificate.certification_body.is_cached(certificate):  # else known once the row is read
        authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=certificate.certification_body.organization_id)
    # The lean single-record path (registry.certificate_rows): one locked read brings the row with all its
    # audit snapshot and public record show, and its status history; the four rows are then written (in
    # one statement on PostgreSQL).
    certificate, events = certificate_rows.lock_certificate(certificate.pk)
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=certificate.certification_body.organization_id)
    ended = body_change_problem(certificate.certification_body)
    if ended:
        raise Conflict(ended, field="status", code="body_ended")
    errors: dict[str, list[str]] = {}
    to_status = str(to_status or "").strip().upper()
    if to_status not in CertificateStatus.values:
        errors["status"] = [
            _("未知状态“%(to_status)s”，应为%(all)s之一")
            % {"to_status": to_status[:16], "all": ", ".join(CertificateStatus.values)}
        ]
    checked = collect(ReasonInput, {"reason": reason}, errors)
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    reason = checked.reason
    if to_status not in CERTIFICATE_TRANSITIONS[certificate.status]:
        raise Conflict(
            transition_message(certificate.status, to_status),
            field="status",
            code="transition_forbidden",
        )
    if effective_date < certificate.status_changed_on:
        raise ValidationFailed(
            {
                "effective_date": _("生效日期不得早于上一次状态变更日期（%(status_changed_on)s）")
                % {"status_changed_on": certificate.status_changed_on}
            }
        )
    before = snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    event = CertificateEvent(
        certificate=certificate,
        from_status=certificate.status,
        to_status=to_status,
        effective_date=effective_date,
        reason=reason,
    )
    certificate.status = to_status
    certificate.status_changed_on = effective_date
    certificate.updated_at = timezone.now()
    certificate_rows.write_status_change(
        certificate, event, events, actor=actor, before=before, after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    )
    return certificate


@action
def do_record_surveillance(*, certificate: Certificate, audit_date: datetime.date, actor: Actor) -> Certificate:
    """Record a completed surveillance audit; it moves the next due date (the overdue flag is derived)."""
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=certificate.certification_body.organization_id)
    refuse_ended_body(certificate.certification_body)
    if audit_date < certificate.issue_date or audit_date > timezone.localdate():
        raise ValidationFailed({"audit_date": _("监督审核日期须在发证日期与今天之间")})
    before = snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    certificate.last_surveillance_date = audit_date
    certificate.updated_at = timezone.now()
    certificate.save(update_fields=["last_surveillance_date", "updated_at"])
    store_public_record(certificate)
    record_audit(
        actor,
        AuditEventType.CERTIFICATE_SURVEILLANCE_RECORDED,
        certificate,
        before=before,
        after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS),
    )
    return certificate


@action
def do_update_certificate(*, certificate: Certificate, data: dict[str, Any], actor: Actor) -> Certificate:
    """Correct or renew an existing certificate's contents (scope, dates, products, …), as its body
    reports them. `data` is a whole certificate as for do_create_certificate; its number, holder and scheme
    must be the certificate's own (they identify it), and its status is left to do_change_certificate_status.
    Nothing changes, and no audit row is written, when the contents are already these."""
    body = certificate.certification_body
    authorize(actor, Permission.WRITE_CERTIFICATE, organization_id=body.organization_id)
    refuse_ended_body(body)
    context = SingleCertificateContext(data, body)
    cleaned = clean_certificate_input(data, body, context, context.allowed)
    return update_certificate(certificate, cleaned, actor=actor)
