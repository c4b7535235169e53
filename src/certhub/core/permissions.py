"""Permission names and the one function that checks them (C14, docs/architecture.md convention 11–12)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotPermitted


class Permission(models.TextChoices):
    VIEW_OFFICE = "view_office", "查看监管后台"
    MANAGE_REGISTRY = "manage_registry", "维护登记库"
    WRITE_CERTIFICATE = "write_certificate", "登记和变更证书"
    WRITE_TEST_REPORT = "write_test_report", "登记检验检测报告"
    MANAGE_API_KEYS = "manage_api_keys", "管理接口密钥"
    LOAD_REFERENCE_DATA = "load_reference_data", "导入参考数据"
    EXPORT_OPEN_DATA = "export_open_data", "生成开放数据"
    MANAGE_SEAL_KEYS = "manage_seal_keys", "管理防伪签章密钥"
    SIGN_CHECKPOINT = "sign_checkpoint", "签发账本检查点"
    MANAGE_INSPECTIONS = "manage_inspections", "制定和实施双随机抽查"
    RECORD_INSPECTION_RESULT = "record_inspection_result", "录入抽查结果"
    REVIEW_INSPECTION_RESULT = "review_inspection_result", "审核和公示抽查结果"
    SET_RISK_GRADES = "set_risk_grades", "评定风险等级"
    RECORD_RISK_SIGNAL = "record_risk_signal", "登记风险信号"
    VIEW_RISK = "view_risk", "查看风险分类"
    HANDLE_CASES = "handle_cases", "处置风险预警"
    VIEW_STATISTICS = "view_statistics", "查看和导出统计分析"


def is_permitted(
    actor: Actor,
    permission: Permission,
    *,
    organization_id: int | None = None,
    region_code: str | None = None,
) -> bool:
    """Decide one permission. `organization_id` is the owner of the record (for CB and lab writes);
    `region_code` is where the record lives (for officers, who act only inside their region)."""
    if actor.role == Role.ADMINISTRATOR:
        return True
    if permission == Permission.VIEW_OFFICE:
        return actor.role == Role.OFFICER
    if permission in (
        Permission.MANAGE_REGISTRY,
        Permission.MANAGE_INSPECTIONS,
        Permission.REVIEW_INSPECTION_RESULT,
        Permission.RECORD_RISK_SIGNAL,
        Permission.VIEW_RISK,
        Permission.HANDLE_CASES,
        Permission.VIEW_STATISTICS,
    ):
        # Officers act inside their region only: a county officer cannot plan or publish for the province.
        return actor.role == Role.OFFICER and (region_code is None or actor.covers_region(region_code))
    if permission == Permission.RECORD_INSPECTION_RESULT:
        # Inspectors are officers; which task is theirs is the action's check (谁检查、谁录入).
        return actor.role == Role.OFFICER
    if permission == Permission.WRITE_CERTIFICATE:
        return (
            actor.role == Role.CERTIFICATION_BODY
            and organization_id is not None
            and actor.organization_id == organization_id
        )
    if permission == Permission.WRITE_TEST_REPORT:
        return actor.role == Role.LAB and organization_id is not None and actor.organization_id == organization_id
    return False


def authorize(
    actor: Actor,
    permission: Permission,
    *,
    organization_id: int | None = None,
    region_code: str | None = None,
) -> None:
    """Raise NotPermitted unless `actor` holds `permission` over the record described."""
    if not is_permitted(actor, permission, organization_id=organization_id, region_code=region_code):
        raise NotPermitted(
            _("%(actor)s 无权执行“%(permission)s”") % {"actor": actor.label, "permission": permission.label}
        )
