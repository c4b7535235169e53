"""Certification body actions: a body approved by CNCA, as the national announcements state it — its
particulars and schemes, its approval's validity, and its status (暂停 suspended, 恢复 reinstated, 撤销
revoked, 注销 closed) with the public history of each change (C1). Revocation and closure act on every
certificate of the body in the same action (registry/data/body_termination.json); a certificate moves to
another body by do_transfer_certificate."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Annotated, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.core.validation import Identifier, Input, OptionalDate, Text, collect
from certhub.registry import bans, certificate_rows, numbering
from certhub.registry.body_rules import (
    REVOKED_CERTIFICATE_STATUS,
    REVOKED_DRAFT_STATUS,
    TRANSFERABLE_STATUSES,
    closure_valid_until,
)
from certhub.registry.certificate_bulk_changes import (
    CertificateChange,
    certificates_of,
    without_cycle_collection,
    write_certificate_changes,
)
from certhub.registry.certificate_rules import CERTIFICATE_AUDIT_FIELDS
from certhub.registry.certificate_writer import store_public_record
from certhub.registry.choices import BODY_TRANSITIONS, BodyStatus, CertificateStatus
from certhub.registry.models import (
    Certificate,
    CertificateEvent,
    CertificationBody,
    CertificationBodyStatusEvent,
    Organization,
    Scheme,
)


class BodyInput(Input):
    name: Annotated[str, Text(200)]
    approval_number: Annotated[str, Identifier(32)]


class ParticularsInput(Input):
    """What an announcement may change of a body: its name, accreditation and approval validity."""

    name: Annotated[str, Text(200)]
    accreditation: Annotated[str, Text(64, required=False)] = ""
    valid_from: OptionalDate = None
    valid_until: OptionalDate = None


class StatusChangeInput(Input):
    """Why a body's status changes, and the decision or announcement it follows: both public."""

    reason: Annotated[str, Text(2000)]
    decision: Annotated[str, Text(200)]


class TransferInput(Input):
    reason: Annotated[str, Text(2000)]


BODY_AUDIT_FIELDS = ["name", "approval_number", "accreditation", "status", "valid_from", "valid_until", "organization"]
# Reasons CertHub writes into certificates' public histories: stored in the registry's language, whatever the
# language of the request (as certificate_rules.REASON_ISSUED).
REASON_REVOKED = gettext_noop("认证机构“%(name)s”（%(approval_number)s）被撤销批准（%(decision)s）：%(reason)s")
REASON_CLOSED = gettext_noop(
    "认证机构“%(name)s”（%(approval_number)s）注销（%(decision)s）：证书有效期至%(valid_until)s，除非转移至其他认证机构"
)
REASON_TRANSFERRED = gettext_noop(
    "证书由认证机构“%(from_name)s”（%(from_approval)s）转移至“%(to_name)s”（%(to_approval)s）：%(reason)s"
)


class BodyStatusChange(NamedTuple):
    """What a status change did: the body, its new history event and how many certificates it changed."""

    body: CertificationBody
    event: CertificationBodyStatusEvent
    certificates: int


def _checked_schemes(scheme_codes: Iterable[str], errors: dict[str, list[str]]) -> tuple[list[str], list[Scheme]]:
    codes = sorted({c.strip().upper() for c in scheme_codes if c.strip()})
    schemes = list(Scheme.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in schemes})
    if unknown:
        errors["schemes"] = [_("未知的认证制度：%(unknown)s") % {"unknown": ", ".join(unknown)}]
    return codes, schemes


def _check_validity(
    valid_from: datetime.date | None, valid_until: datetime.date | None, errors: dict[str, list[str]]
) -> None:
    if valid_from and valid_until and valid_until <= valid_from:
        errors["valid_until"] = [
            _("批准有效期至（%(valid_until)s）须晚于批准日期（%(valid_from)s）")
            % {"valid_until": valid_until, "valid_from": valid_from}
        ]


@action
def do_create_certification_body(
    *,
    organization: Organization,
    name: str,
    approval_number: str,
    accreditation: str = "",
    scheme_codes: Iterable[str] = (),
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    actor: Actor,
) -> CertificationBody:
    """Register a certification body approved by CNCA, the schemes it may certify and, when the
    announcement states it, its approval's validity."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    errors: dict[str, list[str]] = {}
    checked = collect(BodyInput, {"name": name, "approval_number": approval_number}, errors)
    codes, schemes = _checked_schemes(scheme_codes, errors)
    _check_validity(valid_from, valid_until, errors)
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    name, approval_number = checked.name, checked.approval_number
    if CertificationBody.objects.filter(approval_number=approval_number).exists():
        raise Conflict(
            _("批准号%(approval_number)s已登记") % {"approval_number": approval_number}, field="approval_number"
        )
    if CertificationBody.objects.filter(organization=organization).exists():
        raise Conflict(_("该机构已登记为认证机构"), field="organization")
    code = numbering.body_code(approval_number)
    # The code its certificate numbers begin with names one body only (registry/numbering.py).
    bodies = CertificationBody.objects.only("name", "approval_number") if code else []
    same_code = [b for b in bodies if numbering.body_code(b.approval_number) == code]
    if same_code:
        other = same_code[0]
        raise Conflict(
            _("批准号%(approval_number)s的机构代码%(code)s已由认证机构“%(name)s”（%(other)s）使用")
            % {"approval_number": approval_number, "code": code, "name": other.name, "other": other.approval_number},
            field="approval_number",
        )
    body = CertificationBody(
        organization=organization,
        name=name,
        approval_number=approval_number,
        accreditation=accreditation.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    body.save()
    body.schemes.set(schemes)
    record_audit(
        actor, AuditEventType.CERTIFICATION_BODY_CREATED, body, before=None, after={**snapshot(body), "schemes": codes}
    )
    return body


@action
def do_update_certification_body(
    *,
    body: CertificationBody,
    name: str,
    accreditation: str,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    scheme_codes: Iterable[str],
    actor: Actor,
) -> CertificationBody:
    """Correct a body's particulars and schemes as a national announcement states them (a renewed approval, an
    extended or reduced scope). Its approval number identifies it and does not change; its status changes
    only through the status actions below. Nothing is written when nothing differs."""
    body = CertificationBody.objects.select_for_update().select_related("organization").get(pk=body.pk)
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=body.organization.region_id)
    errors: dict[str, list[str]] = {}
    checked = collect(
        ParticularsInput,
        {"name": name, "accreditation": accreditation, "valid_from": valid_from, "valid_until": valid_until},
        errors,
    )
    codes, schemes = _checked_schemes(scheme_codes, errors)
    if checked is not None:
        _check_validity(checked.valid_from, checked.valid_until, errors)
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    old_codes = sorted(body.schemes.values_list("code", flat=True))
    before = {**snapshot(body, BODY_AUDIT_FIELDS), "schemes": old_codes}
    changed = [
        field
        for field in ("name", "accreditation", "valid_from", "valid_until")
        if getattr(body, field) != getattr(checked, field)
    ]
    if not changed and old_codes == codes:
        return body
    for field in changed:
        setattr(body, field, getattr(checked, field))
    if changed:
        body.save(update_fields=changed)
    if old_codes != codes:
        body.schemes.set(schemes)
    after = {**snapshot(body, BODY_AUDIT_FIELDS), "schemes": codes}
    record_audit(actor, AuditEventType.CERTIFICATION_BODY_UPDATED, body, before=before, after=after)
    return body


def _region_of(body: CertificationBody) -> str:
    """The region an officer must cover to act on `body`: its organization's."""
    return Organization.objects.filter(pk=body.organization_id).values_list("region_id", flat=True).get()


def _body_transition_message(current: str, target: str) -> str:
    return _("认证机构状态不能从%(from_label)s（%(from_status)s）变为%(to_label)s（%(to_status)s）") % {
        "from_label": BodyStatus(current).label,
        "from_status": current,
        "to_label": BodyStatus(target).label,
        "to_status": target,
    }


@action_step
def _change_body_status(
    body: CertificationBody,
    to_status: BodyStatus,
    effective_date: datetime.date,
    reason: str,
    decision: str,
    actor: Actor,
) -> tuple[CertificationBody, CertificationBodyStatusEvent, str, str]:
    """Lock the body, check the change (the transition table, the reason and decision, the date) and write the
    body's status, its history event and its audit row. Returns the body, the event and the checked reason
    and decision."""
    body = CertificationBody.objects.select_for_update().select_related("organization").get(pk=body.pk)
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=body.organization.region_id)
    errors: dict[str, list[str]] = {}
    checked = collect(StatusChangeInput, {"reason": reason, "decision": decision}, errors)
    today = timezone.localdate()
    if not isinstance(effective_date, datetime.date):
        errors["effective_date"] = [_("必填")]
    elif effective_date > today:
        # The public would otherwise see a change that has not happened yet.
        errors["effective_date"] = [_("生效日期不得晚于今天（%(today)s）") % {"today": today}]
    else:
        last = body.status_events.order_by("-effective_date").values_list("effective_date", flat=True).first()
        if last is not None and effective_date < last:
            errors["effective_date"] = [_("生效日期不得早于上一次状态变更日期（%(last)s）") % {"last": last}]
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    if to_status not in BODY_TRANSITIONS[body.status]:
        raise Conflict(_body_transition_message(body.status, to_status), field="status", code="transition_forbidden")
    before = snapshot(body, BODY_AUDIT_FIELDS)
    event = CertificationBodyStatusEvent(
        body=body,
        from_status=body.status,
        to_status=to_status,
        effective_date=effective_date,
        reason=checked.reason,
        decision=checked.decision,
    )
    event.save()
    body.status = to_status
    body.save(update_fields=["status"])
    record_audit(
        actor,
        AuditEventType.CERTIFICATION_BODY_STATUS_CHANGED,
        body,
        before=before,
        after={
            **snapshot(body, BODY_AUDIT_FIELDS),
            "decision": checked.decision,
            "effective_date": effective_date.isoformat(),
        },
        reason=checked.reason,
    )
    return body, event, checked.reason, checked.decision


@action
def do_suspend_certification_body(
    *, body: CertificationBody, effective_date: datetime.date, reason: str, decision: str, actor: Actor
) -> BodyStatusChange:
    """Suspend a body's approval (暂停): it issues no new certificate until reinstated
    (certificate_rules.body_issuing_problem); its certificates stay as they are."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=_region_of(body))
    body, event, _reason, _decision = _change_body_status(
        body, BodyStatus.SUSPENDED, effective_date, reason, decision, actor
    )
    return BodyStatusChange(body, event, 0)


@action
def do_reinstate_certification_body(
    *, body: CertificationBody, effective_date: datetime.date, reason: str, decision: str, actor: Actor
) -> BodyStatusChange:
    """Lift a suspension (恢复): the body issues again."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=_region_of(body))
    body, event, _reason, _decision = _change_body_status(
        body, BodyStatus.ACTIVE, effective_date, reason, decision, actor
    )
    return BodyStatusChange(body, event, 0)


@action
def do_revoke_certification_body(
    *, body: CertificationBody, effective_date: datetime.date, reason: str, decision: str, actor: Actor
) -> BodyStatusChange:
    """Revoke a body's approval for misconduct (撤销): every certificate it has that is not already final ends
    in the same action — withdrawn (撤销), a draft cancelled (registry/data/body_termination.json) — each with a
    status event giving the revocation as its reason, its public record rebuilt, an audit row and a ledger
    entry, written set-based (certificate_bulk_changes)."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=_region_of(body))
    body, event, reason, decision = _change_body_status(
        body, BodyStatus.REVOKED, effective_date, reason, decision, actor
    )
    text = REASON_REVOKED % {
        "name": body.name,
        "approval_number": body.approval_number,
        "decision": decision,
        "reason": reason,
    }
    with without_cycle_collection():
        count = _end_certificates(body, effective_date, text, actor)
    return BodyStatusChange(body, event, count)


def _end_certificates(body: CertificationBody, effective_date: datetime.date, text: str, actor: Actor) -> int:
    """Withdraw (or, drafts, cancel) every non-final certificate of a revoked body; return how many."""
    changes = []
    for certificate, history in certificates_of(
        body, [CertificateStatus.DRAFT, CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED]
    ):
        target = REVOKED_DRAFT_STATUS if certificate.status == CertificateStatus.DRAFT else REVOKED_CERTIFICATE_STATUS
        # A history never goes back in time: a certificate changed after the revocation's date ends that day.
        day = max(effective_date, certificate.status_changed_on)
        changes.append(CertificateChange(certificate, history, target, day, text))
    write_certificate_changes(changes, actor=actor)
    return len(changes)


@action
def do_close_certification_body(
    *, body: CertificationBody, effective_date: datetime.date, reason: str, decision: str, actor: Actor
) -> BodyStatusChange:
    """Record a body's closure for its own business reasons (注销). Its valid and suspended certificates stay
    valid until their last audit plus the closure period (registry/data/body_termination.json), unless
    transferred first: each whose expiry date is later is brought forward to that day, with a public status
    record saying so; one whose day has passed already expires on the closure date; drafts are cancelled."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=_region_of(body))
    body, event, reason, decision = _change_body_status(
        body, BodyStatus.CLOSED, effective_date, reason, decision, actor
    )
    with without_cycle_collection():
        count = _shorten_certificates(body, effective_date, decision, actor)
    return BodyStatusChange(body, event, count)


def _shorten_certificates(body: CertificationBody, effective_date: datetime.date, decision: str, actor: Actor) -> int:
    """Apply the closure period to every non-final certificate of a closed body; return how many changed."""
    changes = []
    for certificate, history in certificates_of(
        body, [CertificateStatus.DRAFT, CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED]
    ):
        day = max(effective_date, certificate.status_changed_on)
        if certificate.status == CertificateStatus.DRAFT:
            text = REASON_CLOSED % {
                "name": body.name,
                "approval_number": body.approval_number,
                "decision": decision,
                "valid_until": "—",
            }
            changes.append(CertificateChange(certificate, history, CertificateStatus.CANCELLED, day, text))
            continue
        valid_until = closure_valid_until(certificate)
        if valid_until >= certificate.expiry_date:
            continue  # its own expiry comes first: nothing changes
        text = REASON_CLOSED % {
            "name": body.name,
            "approval_number": body.approval_number,
            "decision": decision,
            "valid_until": valid_until.isoformat(),
        }
        status = CertificateStatus.EXPIRED if valid_until < effective_date else certificate.status
        changes.append(CertificateChange(certificate, history, status, day, text, expiry_date=valid_until))
    write_certificate_changes(changes, actor=actor)
    return len(changes)


@action
def do_transfer_certificate(
    *,
    certificate: Certificate,
    to_body: CertificationBody,
    effective_date: datetime.date,
    reason: str,
    actor: Actor,
) -> Certificate:
    """Move a valid certificate to another certification body (认证证书转换), which must be ACTIVE and approved
    for the certificate's scheme: the certificate keeps its number, holder and contents; its history gains an
    event naming both bodies, its public record is rebuilt, and the audit row and ledger entry follow. Recorded
    by an officer of the holder's region."""
    certificate, events = certificate_rows.lock_certificate(certificate.pk)
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=certificate.region_code)
    errors: dict[str, list[str]] = {}
    checked = collect(TransferInput, {"reason": reason}, errors)
    receiving = CertificationBody.objects.filter(pk=to_body.pk).first()
    source = certificate.certification_body
    if receiving is None:
        errors["to_body"] = [_("必填")]
    elif receiving.pk == source.pk:
        errors["to_body"] = [_("证书已由认证机构“%(name)s”颁发") % {"name": receiving.name}]
    elif receiving.status != BodyStatus.ACTIVE:
        errors["to_body"] = [
            _("接收机构“%(name)s”（%(approval_number)s）的状态为%(label)s（%(status)s），不能接收证书")
            % {
                "name": receiving.name,
                "approval_number": receiving.approval_number,
                "label": BodyStatus(receiving.status).label,
                "status": receiving.status,
            }
        ]
    elif not receiving.schemes.filter(pk=certificate.scheme_id).exists():
        errors["to_body"] = [
            _("接收机构“%(name)s”（%(approval_number)s）未获准开展“%(scheme)s”认证")
            % {"name": receiving.name, "approval_number": receiving.approval_number, "scheme": certificate.scheme.name}
        ]
    if receiving is not None and "to_body" not in errors:
        # A body under permanent exit takes no certificate, nor may any body take a holder under a
        # certification bar (C9, registry.bans).
        exit_ban = bans.organization_ban(receiving.organization_id, bans.ISSUING_KINDS)
        holder_bar = bans.organization_ban(certificate.holder_id, bans.HOLDER_KINDS)
        if exit_ban is not None:
            errors["to_body"] = [bans.ban_refusal(exit_ban)]
        elif holder_bar is not None:
            errors["to_body"] = [bans.ban_refusal(holder_bar)]
    if effective_date < certificate.status_changed_on or effective_date > timezone.localdate():
        errors["effective_date"] = [
            _("生效日期须在上一次状态变更日期（%(status_changed_on)s）与今天之间")
            % {"status_changed_on": certificate.status_changed_on}
        ]
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None and receiving is not None
    if certificate.status not in TRANSFERABLE_STATUSES:
        raise Conflict(
            _("只有有效（ACTIVE）的证书可以转移，证书%(number)s的状态为%(label)s（%(status)s）")
            % {
                "number": certificate.number,
                "label": CertificateStatus(certificate.status).label,
                "status": certificate.status,
            },
            field="status",
            code="not_transferable",
        )
    if Certificate.objects.filter(certification_body=receiving, number=certificate.number).exists():
        raise Conflict(_("接收机构已有编号为%(number)s的证书") % {"number": certificate.number}, field="number")
    before = snapshot(certificate, CERTIFICATE_AUDIT_FIELDS)
    text = REASON_TRANSFERRED % {
        "from_name": source.name,
        "from_approval": source.approval_number,
        "to_name": receiving.name,
        "to_approval": receiving.approval_number,
        "reason": checked.reason,
    }
    event = CertificateEvent(
        certificate=certificate,
        from_status=certificate.status,
        to_status=certificate.status,
        effective_date=effective_date,
        reason=text,
    )
    event.save()
    certificate.certification_body = receiving
    certificate.updated_at = timezone.now()
    certificate.save(update_fields=["certification_body", "updated_at"])
    store_public_record(certificate, [*events, event])
    record_audit(
        actor,
        AuditEventType.CERTIFICATE_TRANSFERRED,
        certificate,
        before=before,
        after=snapshot(certificate, CERTIFICATE_AUDIT_FIELDS),
        reason=text,
    )
    return certificate
