"""Annual inspection plans (抽查计划, C5): drawn up, then announced."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.inspections.actions.common import region_of
from certhub.inspections.choices import PlanStatus
from certhub.inspections.models import InspectionItem, Plan


@action
def do_create_plan(
    *,
    title: str,
    year: int,
    region: str | Region,
    department: str,
    items: Sequence[InspectionItem],
    description: str = "",
    actor: Actor,
) -> Plan:
    """Draw up an annual plan (抽查计划) of a province, prefecture or county."""
    region = region_of(region)
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=region.code)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("必填")
    if not department.strip():
        errors["department"] = _("必填")
    if not 2000 <= year <= 2100:
        errors["year"] = _("年度“%(year)s”不在2000到2100之间") % {"year": year}
    if not items:
        errors["items"] = _("至少选择一个抽查事项")
    outside = [i.code for i in items if not region.code.startswith(i.region.prefix)]
    if outside:
        errors["items"] = _("抽查事项%(code)s不适用于本地区") % {"code": outside[0]}
    if errors:
        raise ValidationFailed(errors)
    serial = Plan.objects.filter(year=year, region=region).count() + 1
    plan = Plan(
        number=f"{year}-{region.code}-{serial:02d}",
        title=title.strip(),
        year=year,
        region=region,
        department=department.strip(),
        description=description,
    )
    plan.save()
    plan.items.set(items)
    record_audit(
        actor,
        AuditEventType.PLAN_CREATED,
        plan,
        before=None,
        after={**snapshot(plan), "items": sorted(i.code for i in items)},
    )
    return plan


@action
def do_publish_plan(*, plan: Plan, actor: Actor) -> Plan:
    """Announce a plan (抽查计划公告): it appears on the public plan tab."""
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=plan.region_id)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(_("计划已公告"), field="status")
    plan.status, plan.published_at = PlanStatus.PUBLISHED, timezone.now()
    plan.save(update_fields=["status", "published_at"])
    record_audit(
        actor,
        AuditEventType.PLAN_PUBLISHED,
        plan,
        before={"status": PlanStatus.DRAFT},
        after=snapshot(plan, ["status", "published_at"]),
    )
    return plan
