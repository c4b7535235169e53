"""Lab actions: inspection and testing institutions, their qualified scope and authorized signatories."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import Identifier, Input, Text, collect, invalid
from certhub.registry.actions.people import refuse_banned_person
from certhub.registry.choices import BodyStatus, PersonRole
from certhub.registry.models import Affiliation, Lab, LabScope, Organization, Person, Signatory
from certhub.registry.standards import StandardCodeError, parse_standard_code


def _standard_code(value: str) -> str:
    """A scope row names a standard CertHub can parse, in its one spelling (registry.standards)."""
    try:
        return parse_standard_code(value)[1]
    except StandardCodeError as error:
        invalid(str(error))


class LabInput(Input):
    name: Annotated[str, Text(200)]
    cma_number: Annotated[str, Identifier(32)]
    decision: Annotated[str, Text(64)]


class LabScopeInput(Input):
    field: Annotated[str, Text(100)]
    object: Annotated[str, Text(200)]
    parameter: Annotated[str, Text(200)]
    standard: Annotated[str, Text(200), AfterValidator(_standard_code)]
    limits: Annotated[str, Text(200, required=False)] = ""
    decision: Annotated[str, Text(64)]


@action
def do_create_lab(
    *,
    organization: Organization,
    name: str,
    cma_number: str,
    cma_valid_from: datetime.date,
    cma_valid_until: datetime.date,
    decision: str,
    actor: Actor,
) -> Lab:
    """Register an inspection and testing institution with its CMA qualification, by the licensing decision
    (or the administrator's data migration) named in `decision`."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=organization.region_id)
    errors: dict[str, list[str]] = {}
    checked = collect(LabInput, {"name": name, "cma_number": cma_number, "decision": decision}, errors)
    if cma_valid_until <= cma_valid_from:
        errors["cma_valid_until"] = [_("资质认定有效期须晚于发证日期")]
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    name, cma_number = checked.name, checked.cma_number
    if Lab.objects.filter(cma_number=cma_number).exists():
        raise Conflict(_("资质认定证书编号%(cma_number)s已登记") % {"cma_number": cma_number}, field="cma_number")
    lab = Lab(
        organization=organization,
        name=name,
        cma_number=cma_number,
        cma_valid_from=cma_valid_from,
        cma_valid_until=cma_valid_until,
        decision=checked.decision,
    )
    lab.save()
    record_audit(actor, AuditEventType.LAB_CREATED, lab, before=None, after=snapshot(lab))
    return lab


@action
def do_add_lab_scope(
    *,
    lab: Lab,
    field: str,
    object: str,
    parameter: str,
    standard: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    limits: str = "",
    decision: str,
    actor: Actor,
) -> LabScope:
    """Add one row to a lab's qualified scope, by the decision named in `decision`; the standard must parse
    (registry.standards) and is stored in its one spelling."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=lab.organization.region_id)
    errors: dict[str, list[str]] = {}
    raw = {
        "field": field,
        "object": object,
        "parameter": parameter,
        "standard": standard,
        "limits": limits,
        "decision": decision,
    }
    checked = collect(LabScopeInput, raw, errors)
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = [_("截止日期不得早于批准日期")]
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    values = checked.model_dump()
    if LabScope.objects.filter(
        lab=lab, object=values["object"], parameter=values["parameter"], standard=values["standard"]
    ).exists():
        raise Conflict(_("该检测范围已登记"), field="parameter")
    scope = LabScope(lab=lab, valid_from=valid_from, valid_until=valid_until, **values)
    scope.save()
    record_audit(actor, AuditEventType.LAB_SCOPE_ADDED, scope, before=None, after=snapshot(scope))
    return scope


@action
def do_authorize_signatory(
    *,
    lab: Lab,
    person: Person,
    scope: Sequence[LabScope],
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    decision: str,
    actor: Actor,
) -> Signatory:
    """Authorize a person to sign a lab's reports within part of the lab's scope, by the decision named in
    `decision`."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=lab.organization.region_id)
    errors = {}
    foreign = [s.pk for s in scope if s.lab_id != lab.pk]
    if foreign:
        errors["scope"] = _("签字范围须在本机构的资质认定范围内")
    if not scope:
        errors["scope"] = _("必填")
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("截止日期不得早于批准日期")
    if not decision.strip():
        errors["decision"] = _("必填")
    if errors:
        raise ValidationFailed(errors)
    refuse_banned_person(person, lab.organization, PersonRole.SIGNATORY, field="person")
    if Signatory.objects.filter(lab=lab, person=person).exists():
        raise Conflict(_("该人员已是授权签字人"), field="person")
    signatory = Signatory(
        lab=lab, person=person, valid_from=valid_from, valid_until=valid_until, decision=decision.strip()[:64]
    )
    signatory.save()
    signatory.scope.set(scope)
    if PersonRole.SIGNATORY not in person.roles:
        person.roles = sorted({*person.roles, PersonRole.SIGNATORY})
        person.save(update_fields=["roles"])
    record_audit(
        actor,
        AuditEventType.SIGNATORY_AUTHORIZED,
        signatory,
        before=None,
        after={**snapshot(signatory), "scope": sorted(s.pk for s in scope)},
    )
    return signatory


# ---------------------------------------------------------------- changes by a licensing decision (C8)


@action
def do_add_lab_person(
    *, lab: Lab, name: str, role: str, id_digest: str, start: datetime.date, decision: str, actor: Actor
) -> Person:
    """Record a key person of a lab (legal representative, technical manager, signatory) from a licensing
    decision: the person is found by the keyed digest of their ID number (the application never held the
    number in clear, registry.person_ids) or registered, and their affiliation with the lab's organization
    starts on `start`."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=lab.organization.region_id)
    errors: dict[str, str] = {}
    if role not in PersonRole.values:
        errors["role"] = _("未知角色“%(role)s”") % {"role": role}
    if not name.strip() or len(name.strip()) > 64:
        errors["name"] = _("必填，至多64字")
    if not decision.strip():
        errors["decision"] = _("必填")
    if errors:
        raise ValidationFailed(errors)
    person = Person.objects.filter(id_digest=id_digest).first() if id_digest else None
    refuse_banned_person(person, lab.organization, role, field="name")
    if person is None:
        person = Person(name=name.strip(), roles=[role], id_digest=id_digest)
        person.save()
        record_audit(
            actor, AuditEventType.PERSON_CREATED, person, before=None, after=snapshot(person, ["name", "roles"])
        )
    elif role not in person.roles:
        person.roles = sorted({*person.roles, role})
        person.save(update_fields=["roles"])
    open_affiliation = Affiliation.objects.filter(
        person=person, organization=lab.organization, role=role, end__isnull=True
    ).exists()
    if not open_affiliation:
        affiliation = Affiliation(person=person, organization=lab.organization, role=role, start=start)
        affiliation.save()
        record_audit(
            actor,
            AuditEventType.AFFILIATION_ADDED,
            affiliation,
            before=None,
            after=snapshot(affiliation),
            reason=decision,
        )
    return person


@action
def do_end_lab_scope(*, lab: Lab, scope: Sequence[LabScope], end: datetime.date, decision: str, actor: Actor) -> int:
    """End scope rows of a lab (缩项, or a method replaced by a change) on `end`, by the decision named; the
    signatories' authority over those rows ends with them. Returns the rows ended."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=lab.organization.region_id)
    foreign = [s.pk for s in scope if s.lab_id != lab.pk]
    if foreign or not scope:
        raise ValidationFailed({"scope": _("须为本机构现行的资质认定范围")})
    if not decision.strip():
        raise ValidationFailed({"decision": _("必填")})
    ended = 0
    for row in scope:
        if row.valid_until is not None and row.valid_until <= end:
            continue
        before = snapshot(row)
        row.valid_until, row.decision = end, decision.strip()[:64]
        row.save(update_fields=["valid_until", "decision"])
        record_audit(actor, AuditEventType.LAB_SCOPE_ENDED, row, before=before, after=snapshot(row), reason=decision)
        ended += 1
    return ended


@action
def do_change_lab(
    *,
    lab: Lab,
    decision: str,
    name: str | None = None,
    cma_valid_until: datetime.date | None = None,
    status: str | None = None,
    reason: str = "",
    actor: Actor,
) -> Lab:
    """Change a lab's registered particulars by a licensing decision: its name (变更), the end of its
    qualification (延续), its status (注销 → CLOSED, 撤销 → REVOKED)."""
    authorize(actor, Permission.MANAGE_REGISTRY, region_code=lab.organization.region_id)
    errors: dict[str, str] = {}
    if name is not None and (not name.strip() or len(name.strip()) > 200):
        errors["name"] = _("必填，至多200字")
    if cma_valid_until is not None and cma_valid_until <= lab.cma_valid_from:
        errors["cma_valid_until"] = _("资质认定有效期须晚于发证日期")
    if status is not None and status not in BodyStatus.values:
        errors["status"] = _("未知状态“%(status)s”") % {"status": status}
    if not decision.strip():
        errors["decision"] = _("必填")
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(lab)
    if name is not None:
        lab.name = name.strip()
    if cma_valid_until is not None:
        lab.cma_valid_until = cma_valid_until
    if status is not None:
        lab.status = status
    lab.decision = decision.strip()[:64]
    lab.save()
    record_audit(actor, AuditEventType.LAB_CHANGED, lab, before=before, after=snapshot(lab), reason=reason or decision)
    return lab
