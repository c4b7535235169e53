"""Permission names, the kinds of rule that grant them, and the one function that checks them (C14,
docs/architecture.md convention 11–12).

The names are a vocabulary of core (like AuditEventType), so that any app can ask about any permission.
Who holds a permission is declared by the app it belongs to, as data: `<app>/permissions.py` maps each of
its permissions to one of the rule kinds below, and its AppConfig.ready() registers that table here. Core
merges the tables and refuses a permission with two rules (at registration) or none (at the first
decision, and in `certhub check`): every permission is decided by exactly one rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound, NotPermitted


class Permission(models.TextChoices):
    VIEW_OFFICE = "view_office", gettext_lazy("查看监管后台")
    MANAGE_REGISTRY = "manage_registry", gettext_lazy("维护登记库")
    WRITE_CERTIFICATE = "write_certificate", gettext_lazy("登记和变更证书")
    WRITE_TEST_REPORT = "write_test_report", gettext_lazy("登记检验检测报告")
    MANAGE_API_KEYS = "manage_api_keys", gettext_lazy("管理接口密钥")
    LOAD_REFERENCE_DATA = "load_reference_data", gettext_lazy("导入参考数据")
    EXPORT_OPEN_DATA = "export_open_data", gettext_lazy("生成开放数据")
    MANAGE_SEAL_KEYS = "manage_seal_keys", gettext_lazy("管理防伪签章密钥")
    SIGN_CHECKPOINT = "sign_checkpoint", gettext_lazy("签发账本检查点")
    MANAGE_INSPECTIONS = "manage_inspections", gettext_lazy("制定和实施双随机抽查")
    RECORD_INSPECTION_RESULT = "record_inspection_result", gettext_lazy("录入抽查结果")
    REVIEW_INSPECTION_RESULT = "review_inspection_result", gettext_lazy("审核和公示抽查结果")
    SET_RISK_GRADES = "set_risk_grades", gettext_lazy("评定风险等级")
    RECORD_RISK_SIGNAL = "record_risk_signal", gettext_lazy("登记风险信号")
    VIEW_RISK = "view_risk", gettext_lazy("查看风险分类")
    HANDLE_CASES = "handle_cases", gettext_lazy("处置风险预警")
    VIEW_STATISTICS = "view_statistics", gettext_lazy("查看和导出统计分析")
    MANAGE_USERS = "manage_users", gettext_lazy("管理用户")
    # People and the labs' data migration (C1)
    MIGRATE_LAB_DATA = "migrate_lab_data", gettext_lazy("迁移检验检测机构数据")
    # Enterprise sign-up and organization links (C8)
    SIGN_UP = "sign_up", gettext_lazy("注册企业账号")
    MANAGE_OWN_ENTERPRISE_ACCOUNT = "manage_own_enterprise_account", gettext_lazy("管理本人的企业账号")
    DECIDE_ORGANIZATION_LINKS = "decide_organization_links", gettext_lazy("审核账号关联机构申请")
    # Organization stewardship (C1)
    KEEP_OWN_ORGANIZATION = "keep_own_organization", gettext_lazy("维护本企业联系方式和自报产品")
    # Licensing (C8)
    APPLY_FOR_LICENCE = "apply_for_licence", gettext_lazy("申请和办理本机构的行政许可")
    HANDLE_LICENSING = "handle_licensing", gettext_lazy("受理和审查行政许可申请")
    GIVE_LICENSING_OPINION = "give_licensing_opinion", gettext_lazy("答复行政许可征求意见")
    DECIDE_LICENCE = "decide_licence", gettext_lazy("作出行政许可决定")
    # C9: integrity archives, joint punishment
    QUERY_JOINT_PUNISHMENT = "query_joint_punishment", gettext_lazy("联合惩戒查询")
    REPAIR_CREDIT = "repair_credit", gettext_lazy("作出信用修复决定")
    EXPORT_DISCLOSURE = "export_disclosure", gettext_lazy("导出公示名单")
    # C10: complaints
    FILE_COMPLAINT = "file_complaint", gettext_lazy("提交投诉举报")
    HANDLE_COMPLAINTS = "handle_complaints", gettext_lazy("办理投诉举报")
    # C7: CCC market control
    RECORD_MARKET_CHECK = "record_market_check", gettext_lazy("登记市场检查")
    MANAGE_MARKET_CAMPAIGNS = "manage_market_campaigns", gettext_lazy("制定专项整治")
    DECLARE_CCC_PRODUCT = "declare_ccc_product", gettext_lazy("登记和撤回本企业的自我声明")
    # issue 17: declarations
    WITHDRAW_CCC_DECLARATION = "withdraw_ccc_declaration", gettext_lazy("撤回自我声明")


# ---------------------------------------------------------------- the kinds of rule
# A rule answers whether `actor`, who is not an administrator, holds a permission over a record owned by
# `organization_id` and living in `region_code` (either None when the question is not about one record).
# Administrators hold every permission: no rule is asked about them.
Rule = Callable[[Actor, int | None, str | None], bool]


def administrator(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """Administrators only."""
    return False


def officer(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """Any officer, wherever posted (which record is theirs is then the action's own check)."""
    return actor.role == Role.OFFICER


def officer_in_region(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """Officers act inside their region only: a county officer cannot plan or publish for the province."""
    return actor.role == Role.OFFICER and (region_code is None or actor.covers_region(region_code))


def officer_or_inspector(actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
    """Officers, and enforcement inspectors (who then act only on their own tasks: the action's check)."""
    return actor.role in (Role.OFFICER, Role.INSPECTOR)


@dataclass(frozen=True)
class own_organization:
    """The record's own organization, acting in `role` (a certification body writes its certificates)."""

    role: Role

    def __call__(self, actor: Actor, organization_id: int | None, region_code: str | None) -> bool:
        return actor.role == self.role and organization_id is not None and actor.organization_id == organization_id


# ---------------------------------------------------------------- the merged rules

_rules: dict[Permission, Rule] = {}
_declared_by: dict[Permission, str] = {}


def register(app_label: str, rules: Mapping[Permission, Rule]) -> None:
    """Add an app's rules (from its AppConfig.ready()). A permission another app already declared is
    refused; the same app registering the same table again is harmless."""
    for permission, rule in rules.items():
        declared_by = _declared_by.get(permission)
        if declared_by is not None and (declared_by != app_label or _rules[permission] != rule):
            raise ImproperlyConfigured(
                f"permission {permission.value} has two rules: from {declared_by} and from {app_label}"
            )
    for permission, rule in rules.items():
        _rules[permission], _declared_by[permission] = rule, app_label


def missing_rules() -> list[Permission]:
    return [permission for permission in Permission if permission not in _rules]


def check_rules(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """`certhub check` (and every server start): each permission has a rule."""
    return [
        checks.Error(
            f"permission {permission.value} has no rule",
            hint="declare it in <app>/permissions.py RULES",
            id="certhub.E001",
        )
        for permission in missing_rules()
    ]


# Core's own permissions: the back office's door and the API keys core keeps.
CORE_RULES: dict[Permission, Rule] = {
    Permission.VIEW_OFFICE: officer,
    Permission.MANAGE_API_KEYS: administrator,
}


def is_permitted(
    actor: Actor,
    permission: Permission,
    *,
    organization_id: int | None = None,
    region_code: str | None = None,
) -> bool:
    """Decide one permission. `organization_id` is the owner of the record (for CB and lab writes);
    `region_code` is where the record lives (for officers, who act only inside their region)."""
    rule = _rules.get(permission)
    if rule is None:
        raise ImproperlyConfigured(f"permission {permission} has no rule: no installed app declares one")
    if actor.role == Role.ADMINISTRATOR:
        return True
    return rule(actor, organization_id, region_code)


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


T = TypeVar("T")


def within_scope(record: T | None, visible: Callable[[T], bool], missing: str) -> T:
    """The record, when it exists and lies within the actor's scope (`visible`); otherwise NotFound with the
    same `missing` message either way (C14: a record outside an officer's region, another organization's
    private record, answers exactly as one that does not exist — 404, never 403 — so that its existence does
    not leak). NotPermitted (403) is kept for a role that may not do this kind of thing at all."""
    if record is None or not visible(record):
        raise NotFound(missing)
    return record
