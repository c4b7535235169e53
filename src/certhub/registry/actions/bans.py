"""Ban actions (C9): a ban is imposed and lifted only by a decision with its number, each with its audit
row and ledger entry. The row is kept when lifted: the integrity archive shows both. Where bans are
enforced, and the sentence each refusal gives, is registry.bans."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, RegionLevel
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, authorize, is_permitted
from certhub.core.regulated import action
from certhub.core.validation import Input, OptionalDate, RequiredDate, Text, collect
from certhub.registry.bans import ENDLESS_KINDS, ORGANIZATION_BAN_KINDS, default_end
from certhub.registry.choices import PERSON_BAN_KINDS, BanKind
from certhub.registry.models import Ban, Organization, Person

# What the audit row and the ledger entry keep of a ban (the representative's digest stays in the row only).
AUDITED_FIELDS = [
    "kind",
    "organization",
    "person",
    "licence_type",
    "decision_number",
    "decided_on",
    "authority",
    "region_code",
    "starts",
    "ends",
    "reason",
    "legal_basis",
    "source",
]
LIFT_FIELDS = ["lifted_on", "lift_decision_number", "lift_reason"]


class BanInput(Input):
    decision_number: Annotated[str, Text(64)]
    decided_on: RequiredDate
    authority: Annotated[str, Text(100)]
    starts: RequiredDate
    ends: OptionalDate = None
    reason: Annotated[str, Text(2000)]
    legal_basis: Annotated[str, Text(2000)]
    licence_type: Annotated[str, Text(16, required=False)] = ""
    source: Annotated[str, Text(120, required=False)] = ""
    legal_representative_digest: Annotated[str, Text(64, required=False)] = ""


class LiftInput(Input):
    decision_number: Annotated[str, Text(64)]
    lifted_on: RequiredDate
    reason: Annotated[str, Text(2000)]


def _deciding_region(actor: Actor, organization: Organization | None) -> str:
    """The region of the deciding authority: the officer's own; for the system or an administrator, the
    organization's region, else the province's."""
    if actor.region_code:
        return actor.region_code
    if organization is not None:
        return organization.region_id
    province = Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", flat=True).first()
    return province or ""


def _subject_errors(kind: str, organization: Organization | None, person: Person | None) -> dict[str, list[str]]:
    if kind not in BanKind.values:
        return {"kind": [_("未知的限制类型“%(kind)s”") % {"kind": str(kind)[:20]}]}
    if (organization is None) == (person is None):
        return {"organization": [_("限制措施应针对一个机构或一名人员")]}
    label = BanKind(kind).label
    if person is not None and kind not in PERSON_BAN_KINDS:
        return {"kind": [_("%(kind)s只适用于机构") % {"kind": label}]}
    if organization is not None and kind not in ORGANIZATION_BAN_KINDS:
        return {"kind": [_("%(kind)s只适用于人员") % {"kind": label}]}
    return {}


@action
def do_impose_ban(
    *,
    kind: str,
    organization: Organization | None = None,
    person: Person | None = None,
    decision_number: str,
    decided_on: datetime.date | str,
    authority: str,
    starts: datetime.date | str,
    ends: datetime.date | str | None = None,
    reason: str,
    legal_basis: str,
    licence_type: str = "",
    source: str = "",
    legal_representative_digest: str = "",
    actor: Actor,
) -> Ban:
    """Record a ban decided by `authority` (C9). The decision number is required; a permanent exit and a
    lifetime ban have no end; an application or certification bar without an end lasts its kind's period
    (registry/data/bans.json); an end must fall after the start. Officers impose bans on organizations of
    their region (a person's ban is the deciding officer's region's)."""
    region_code = _deciding_region(actor, organization)
    authorize(
        actor,
        Permission.MANAGE_REGISTRY,
        region_code=organization.region_id if organization is not None else region_code,
    )
    errors = _subject_errors(kind, organization, person)
    data: dict[str, Any] = {
        "decision_number": decision_number,
        "decided_on": decided_on,
        "authority": authority,
        "starts": starts,
        "ends": ends,
        "reason": reason,
        "legal_basis": legal_basis,
        "licence_type": licence_type,
        "source": source,
        "legal_representative_digest": legal_representative_digest,
    }
    checked = collect(BanInput, data, errors)
    if checked is not None and kind in BanKind.values:
        label = BanKind(kind).label
        if kind in ENDLESS_KINDS and checked.ends is not None:
            errors.setdefault("ends", []).append(_("%(kind)s不设截止日期") % {"kind": label})
        elif checked.ends is not None and checked.ends <= checked.starts:
            errors.setdefault("ends", []).append(
                _("截止日期须晚于起始日期（%(starts)s）") % {"starts": f"{checked.starts:%Y-%m-%d}"}
            )
        if checked.licence_type and kind != BanKind.APPLICATION_BAR:
            errors.setdefault("licence_type", []).append(_("只有限制申请资质可指定许可类型"))
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    duplicate = Ban.objects.filter(
        decision_number=checked.decision_number, kind=kind, organization=organization, person=person
    ).exists()
    if duplicate:
        raise Conflict(_("该决定已登记此限制"), field="decision_number")
    ban = Ban(
        kind=kind,
        organization=organization,
        person=person,
        licence_type=checked.licence_type,
        decision_number=checked.decision_number,
        decided_on=checked.decided_on,
        authority=checked.authority,
        region_code=region_code,
        starts=checked.starts,
        ends=checked.ends if checked.ends is not None else default_end(kind, checked.starts),
        reason=checked.reason,
        legal_basis=checked.legal_basis,
        source=checked.source,
        legal_representative_digest=checked.legal_representative_digest,
    )
    ban.save()
    record_audit(actor, AuditEventType.BAN_IMPOSED, ban, before=None, after=snapshot(ban, AUDITED_FIELDS))
    return ban


def may_lift(actor: Actor, ban: Ban) -> bool:
    """Only officers of the deciding authority's region, or of a region above it, lift a ban."""
    return is_permitted(actor, Permission.MANAGE_REGISTRY, region_code=ban.region_code)


@action
def do_lift_ban(*, ban: Ban, decision_number: str, lifted_on: datetime.date | str, reason: str, actor: Actor) -> Ban:
    """Lift a ban by a decision (C9), from `lifted_on` on. Refused for an officer outside the deciding
    authority's region, for a ban already lifted or already ended, and for a day before its start."""
    authorize(actor, Permission.MANAGE_REGISTRY)
    if not may_lift(actor, ban):
        raise NotPermitted(
            _("该限制由%(authority)s（行政区划%(region)s）决定，只能由该地区或其上级的监管人员解除")
            % {"authority": ban.authority, "region": ban.region_code}
        )
    errors: dict[str, list[str]] = {}
    checked = collect(LiftInput, {"decision_number": decision_number, "lifted_on": lifted_on, "reason": reason}, errors)
    if errors:
        raise ValidationFailed(errors)
    assert checked is not None
    locked = Ban.objects.select_for_update().get(pk=ban.pk)
    if locked.lifted_on is not None:
        raise Conflict(
            _("该限制已于%(day)s解除（决定文号%(decision)s）")
            % {"day": f"{locked.lifted_on:%Y-%m-%d}", "decision": locked.lift_decision_number},
            field="decision_number",
        )
    if checked.lifted_on < locked.starts:
        raise ValidationFailed(
            {"lifted_on": [_("解除日期不得早于限制的起始日期（%(starts)s）") % {"starts": f"{locked.starts:%Y-%m-%d}"}]}
        )
    if locked.ends is not None and checked.lifted_on >= locked.ends:
        raise ValidationFailed(
            {"lifted_on": [_("该限制已于%(ends)s届满，无需解除") % {"ends": f"{locked.ends:%Y-%m-%d}"}]}
        )
    before = snapshot(locked, LIFT_FIELDS)
    locked.lifted_on = checked.lifted_on
    locked.lift_decision_number = checked.decision_number
    locked.lift_reason = checked.reason
    locked.save(update_fields=LIFT_FIELDS)
    record_audit(actor, AuditEventType.BAN_LIFTED, locked, before=before, after=snapshot(locked, LIFT_FIELDS))
    ban.lifted_on, ban.lift_decision_number, ban.lift_reason = (
        locked.lifted_on,
        locked.lift_decision_number,
        locked.lift_reason,
    )
    return locked
