"""Target pools (检查对象名录库, C5): saved filters over a registry, frozen when a batch is announced."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.inspections import pools
from certhub.inspections.actions.common import region_of
from certhub.inspections.choices import TargetType
from certhub.inspections.models import TargetPool
from certhub.registry.models import Scheme


@action
def do_create_target_pool(
    *,
    name: str,
    target_type: str,
    region: str | Region,
    industry_section: str = "",
    scheme_code: str = "",
    above_designated_size: bool = False,
    grades: Sequence[str] = (),
    actor: Actor,
) -> TargetPool:
    """Save a target pool (检查对象名录库) as a filter over a registry."""
    region = region_of(region)
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=region.code)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("必填")
    if target_type not in TargetType.values:
        errors["target_type"] = _("未知的抽查对象类型“%(value)s”") % {"value": target_type}
    scheme = Scheme.objects.filter(code=scheme_code).first() if scheme_code else None
    if scheme_code and scheme is None:
        errors["scheme"] = _("未知的认证制度“%(code)s”") % {"code": scheme_code}
    bad = [g for g in grades if g not in pools.STRATA]
    if bad:
        errors["grades"] = _("风险等级应为A、B、C、D，收到“%(value)s”") % {"value": bad[0]}
    if errors:
        raise ValidationFailed(errors)
    pool = TargetPool(
        name=name.strip(),
        target_type=target_type,
        region=region,
        industry_section=industry_section,
        scheme=scheme,
        above_designated_size=above_designated_size,
        grades=sorted(set(grades)),
    )
    pool.save()
    record_audit(actor, AuditEventType.TARGET_POOL_CREATED, pool, before=None, after=snapshot(pool))
    return pool
