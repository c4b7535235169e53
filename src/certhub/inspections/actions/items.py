"""The inspection-item list (抽查事项清单, C5)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.identifiers import clean_identifier
from certhub.core.models import Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.inspections.actions.common import region_of
from certhub.inspections.choices import TargetType
from certhub.inspections.models import InspectionItem


@action
def do_create_inspection_item(
    *,
    code: str,
    name: str,
    department: str,
    legal_basis: str,
    target_type: str,
    method: str,
    default_ratio: Decimal | str,
    frequency: int = 1,
    region: str | Region,
    joint_departments: Sequence[str] = (),
    inspector_requirements: str = "",
    actor: Actor,
) -> InspectionItem:
    """Add a line to the inspection-item list (抽查事项清单)."""
    region = region_of(region)
    authorize(actor, Permission.MANAGE_INSPECTIONS, region_code=region.code)
    errors: dict[str, str] = {}
    try:
        code = clean_identifier(code, 32)  # the identifier grammar (core/identifiers.py)
    except ValueError as problem:
        errors["code"] = str(problem)
    for field, value in (
        ("name", name),
        ("department", department),
        ("legal_basis", legal_basis),
        ("method", method),
    ):
        if not str(value).strip():
            errors[field] = _("必填")
    if target_type not in TargetType.values:
        errors["target_type"] = _("未知的抽查对象类型“%(value)s”") % {"value": target_type}
    try:
        ratio = Decimal(str(default_ratio))
        if not ratio.is_finite() or not Decimal(0) < ratio <= Decimal(100):
            errors["default_ratio"] = _("默认抽查比例应大于0且不超过100")
    except ArithmeticError:
        errors["default_ratio"] = _("“%(value)s”不是数字") % {"value": default_ratio}
    if frequency < 1:
        errors["frequency"] = _("抽查频次至少每年1次")
    if "code" not in errors and InspectionItem.objects.filter(code=code).exists():
        errors["code"] = _("事项编码“%(code)s”已存在") % {"code": code}
    if errors:
        raise ValidationFailed(errors)
    item = InspectionItem(
        code=code.strip(),
        name=name.strip(),
        department=department.strip(),
        joint_departments=[d.strip() for d in joint_departments if d.strip()],
        legal_basis=legal_basis.strip(),
        target_type=target_type,
        method=method.strip(),
        default_ratio=ratio,
        frequency=frequency,
        inspector_requirements=inspector_requirements,
        region=region,
    )
    item.save()
    record_audit(actor, AuditEventType.INSPECTION_ITEM_CREATED, item, before=None, after=snapshot(item))
    return item
