"""Test and demo helpers for inspections, built through actions (docs/architecture.md convention 17): an
item list, a target pool, an inspector pool with sign-ins, and a plan with one batch ready to announce."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from certhub.core.actors import SYSTEM, Actor
from certhub.core.choices import Role
from certhub.core.models import Region, User
from certhub.inspections import actions
from certhub.inspections.models import Batch, InspectionItem, Inspector, Plan, TargetPool

MARKET = "市场监管"
ENVIRONMENT = "生态环境"

# The list a provincial market-supervision bureau publishes (抽查事项清单), abridged.
ITEMS: list[dict[str, Any]] = [
    dict(code="SC-RZ-01", name="认证机构从业规范检查", department=MARKET, target_type="CERTIFICATION_BODY",
         legal_basis="《中华人民共和国认证认可条例》第五十五条", method="现场检查、书面检查", default_ratio="20",
         inspector_requirements="具备认证监管执法资格"),
    dict(code="SC-JC-01", name="检验检测机构资质认定事项检查", department=MARKET, target_type="LAB",
         legal_basis="《检验检测机构资质认定管理办法》第三十条", method="现场检查", default_ratio="10",
         inspector_requirements="具备检验检测监管执法资格"),
    dict(code="SC-CP-01", name="获证产品认证有效性抽查", department=MARKET, target_type="CERTIFIED_PRODUCT",
         legal_basis="《强制性产品认证管理规定》第四十二条", method="现场检查、抽样检验", default_ratio="5"),
    dict(code="SC-QY-01", name="企业公示信息抽查", department=MARKET, target_type="ENTERPRISE",
         legal_basis="《企业信息公示暂行条例》第十四条；《企业公示信息抽查办法》", method="书面检查、实地核查",
         default_ratio="5"),
    dict(code="SC-QY-02", name="企业使用认证标志情况检查", department=MARKET, target_type="ENTERPRISE",
         legal_basis="《认证证书和认证标志管理办法》第三十条", method="现场检查", default_ratio="5"),
    dict(code="LH-HB-01", name="排污企业环境管理体系认证联合检查", department=MARKET, joint_departments=[ENVIRONMENT],
         target_type="ENTERPRISE", legal_basis="《认证认可条例》；《排污许可管理条例》第二十九条",
         method="联合现场检查", default_ratio="3"),
]  # fmt: skip


@dataclass
class InspectionWorld:
    items: dict[str, InspectionItem] = field(default_factory=dict)
    pools: dict[str, TargetPool] = field(default_factory=dict)
    inspectors: list[Inspector] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    plan: Plan | None = None
    batch: Batch | None = None

    def actor(self, username: str) -> Actor:
        return Actor.from_user(self.users[username])


def create_items(region: str = "430000", actor: Actor = SYSTEM) -> dict[str, InspectionItem]:
    return {spec["code"]: actions.do_create_inspection_item(region=region, actor=actor, **spec) for spec in ITEMS}


def create_inspectors(
    counties: list[str],
    *,
    per_county: int = 2,
    departments: tuple[str, ...] = (MARKET,),
    password: str,
    actor: Actor = SYSTEM,
    prefix: str = "XZ",
    role: Role = Role.OFFICER,
) -> list[Inspector]:
    """Inspectors posted across `counties`, each with a sign-in (username = code in lower case) in their
    county: as an officer who also inspects, or (`role=Role.INSPECTOR`) an enforcement inspector who sees
    only their own tasks. The password is hashed once for all of them (they share it; a deliberately
    slow hash per demo account would be most of the demo's time)."""
    inspectors = []
    serial = 0
    hashed = make_password(password)
    for county in counties:
        region = Region.objects.get(code=county)
        for department in departments:
            for _n in range(per_county):
                serial += 1
                code = f"{prefix}{county}{serial:04d}"
                user = User.objects.create(
                    username=code.lower(),
                    password=hashed,
                    role=role,
                    region=region,
                    department=f"{region.name}{department}",
                    first_name=f"检查员{serial}",
                )
                inspectors.append(
                    actions.do_create_inspector(
                        code=code,
                        name=f"检查员{serial}",
                        department=department,
                        region=region,
                        qualifications=["ENTERPRISE", "CERTIFIED_PRODUCT", "CERTIFICATION_BODY", "LAB"],
                        user=user,
                        actor=actor,
                    )
                )
    return inspectors


def build_inspection_world(
    password: str, *, sources_in: datetime.timedelta = datetime.timedelta(days=3), **batch_options: Any
) -> InspectionWorld:
    """Items, an enterprise pool of the whole province, eight inspectors in four counties, and a plan with
    one batch of the enterprise-disclosure item whose sources come out `sources_in` from now."""
    result = InspectionWorld()
    result.items = create_items()
    result.pools["enterprises"] = actions.do_create_target_pool(
        name="全省企业", target_type="ENTERPRISE", region="430000", actor=SYSTEM
    )
    result.inspectors = create_inspectors(["430102", "430104", "430405", "431102"], password=password)
    result.users = {i.code.lower(): i.user for i in result.inspectors if i.user is not None}
    result.plan = actions.do_create_plan(
        title="2026年度企业公示信息双随机抽查计划",
        year=2026,
        region="430000",
        department="湖南省市场监督管理局",
        items=[result.items["SC-QY-01"], result.items["SC-QY-02"]],
        actor=SYSTEM,
    )
    options = {"ratios": {"A": "50", "B": "100", "C": "100", "D": "100"}, **batch_options}
    result.batch = actions.do_create_batch(
        plan=result.plan,
        name="第一批",
        items=[result.items["SC-QY-01"]],
        pool=result.pools["enterprises"],
        sources_described=["中国福利彩票双色球第2026138期开奖号码", "体育彩票排列5第26320期开奖号码"],
        sources_available_at=timezone.now() + sources_in,
        actor=SYSTEM,
        **options,
    )
    return result
