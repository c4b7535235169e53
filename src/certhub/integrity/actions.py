"""Every change the integrity archive makes (C9, docs/architecture.md convention 6): logging a joint
punishment query together with answering it, and a credit repair decision."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.identifiers import clean_identifier
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.integrity.archive import repairable
from certhub.integrity.choices import QueryChannel
from certhub.integrity.joint import answers, checked_items
from certhub.integrity.models import CreditRepair, JointPunishmentQuery
from certhub.registry.models import Organization

QUERY_FIELDS = ["asked_at", "channel", "department", "api_key_prefix", "asked_by", "item_count", "hit_count"]
REPAIR_FIELDS = [
    "entry_kind",
    "source",
    "organization",
    "decision_number",
    "decided_on",
    "ends_publicity_on",
    "authority",
    "region_code",
    "reason",
]


def _department(actor: Actor) -> str:
    """Who is asking, as the log names them: the organization holding the key, or the officer's department."""
    if actor.api_key_id is not None and actor.organization_id is not None:
        return Organization.objects.filter(pk=actor.organization_id).values_list("name", flat=True).first() or ""
    return actor.department or actor.label


@action
def do_query_joint_punishment(
    *, items: list[dict[str, Any]], channel: str, actor: Actor
) -> tuple[JointPunishmentQuery, list[dict[str, Any]]]:
    """Answer a joint punishment query and log it in the same transaction, so no answer leaves without its
    log row (C9: every query is logged with the asking department). A refused query (a bad item) is neither
    answered nor logged. The log keeps counts, never the items (an ID number is not kept in any form)."""
    authorize(actor, Permission.QUERY_JOINT_PUNISHMENT)
    checked = checked_items(items)
    if channel not in QueryChannel.values:
        raise ValidationFailed({"channel": [_("未知的查询渠道")]})
    result = answers(checked, timezone.localdate())
    prefix = actor.label.removeprefix("api-key:") if actor.api_key_id is not None else ""
    log = JointPunishmentQuery(
        channel=channel,
        department=_department(actor)[:200],
        api_key_prefix=prefix[:12],
        asked_by=actor.label[:150],
        item_count=len(checked),
        hit_count=sum(1 for answer in result if answer["barred"]),
    )
    log.save()
    record_audit(actor, AuditEventType.JOINT_PUNISHMENT_QUERIED, log, before=None, after=snapshot(log, QUERY_FIELDS))
    return log, result


@action
def do_repair_credit(
    *,
    organization: Organization,
    source: str,
    decision_number: str,
    decided_on: datetime.date,
    ends_publicity_on: datetime.date,
    authority: str,
    reason: str,
    actor: Actor,
) -> CreditRepair:
    """Record a credit repair decision (信用修复): the archive entry named by `source` stops being public on
    `ends_publicity_on`. Only officers of the organization's region decide it; the entry must be one the
    archive holds for this organization, of a kind that may be repaired, public on that day and in
    publicity for the shortest time the rule asks (integrity/data/publicity.json)."""
    authorize(actor, Permission.REPAIR_CREDIT, region_code=organization.region_id)
    errors: dict[str, list[str]] = {}
    try:
        number = clean_identifier(decision_number, 64, required=True)
    except ValueError as error:
        number = ""
        errors["decision_number"] = [str(error)]
    if not authority.strip():
        errors["authority"] = [_("必填")]
    if not reason.strip():
        errors["reason"] = [_("必填")]
    if ends_publicity_on < decided_on:
        errors["ends_publicity_on"] = [_("停止公示日期不得早于决定日期")]
    if errors:
        raise ValidationFailed(errors)
    entry = repairable(organization, source)
    if entry is None:
        raise ValidationFailed({"source": [_("该机构的诚信档案中没有可以修复的这一条目")]})
    problem = entry.repair_problem(ends_publicity_on)
    if problem:
        raise ValidationFailed({"ends_publicity_on": [problem]})
    if CreditRepair.objects.filter(source=source).exists():
        raise Conflict(_("该条目已作信用修复"))
    repair = CreditRepair(
        entry_kind=entry.kind,
        source=source,
        organization=organization,
        decision_number=number,
        decided_on=decided_on,
        ends_publicity_on=ends_publicity_on,
        authority=authority.strip()[:100],
        region_code=organization.region_id,
        reason=reason.strip(),
    )
    repair.save()
    record_audit(
        actor, AuditEventType.CREDIT_REPAIRED, repair, before=None, after=snapshot(repair, REPAIR_FIELDS), reason=reason
    )
    return repair
