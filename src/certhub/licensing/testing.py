"""Test and demo helpers for licensing: a small province with an organization about to become a lab, a
producer, applicant accounts and the officers of the licensing office and of two departments asked for
opinions — built through actions (docs/architecture.md convention 17)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from certhub.core.actors import SYSTEM, Actor
from certhub.core.choices import Role
from certhub.core.models import Region, User
from certhub.registry import actions as registry_actions
from certhub.registry.models import Organization
from certhub.registry.testing import ensure_reference_data, make_uscc

PASSWORD = "certhub-test-pass"  # noqa: S105 - test users only
LICENSING_DEPARTMENT = "认证认可处"
OPINION_DEPARTMENTS = ("生态环境局", "消防救援支队")


@dataclass
class LicensingWorld:
    organizations: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    PASSWORD = PASSWORD

    def actor(self, username: str) -> Actor:
        return Actor.from_user(self.users[username])


def cma_particulars(**overrides: Any) -> dict[str, Any]:
    """A first CMA application's particulars: two scope rows, key people and one signatory."""
    data: dict[str, Any] = {
        "lab_name": "长沙麓谷检测技术有限公司",
        "address": "湖南省长沙市岳麓区麓谷大道 8 号",
        "legal_representative": {"name": "刘洋", "id_number": "430104198001011234"},
        "technical_manager": {"name": "陈静", "id_number": "43010419850202222X"},
        "scope": [
            {
                "field": "电器",
                "object": "家用电器",
                "parameter": "泄漏电流",
                "standard": "GB 4706.1-2005",
                "limits": "",
            },
            {
                "field": "食品",
                "object": "大米",
                "parameter": "镉",
                "standard": "GB 5009.15-2023",
                "limits": "只做第一法",
            },
        ],
        "signatories": [{"name": "王磊", "id_number": "430104199003033333", "scope": [0, 1]}],
    }
    data.update(overrides)
    return data


def production_particulars(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "product_unit": "危险化学品包装物、容器",
        "address": "湖南省长沙市望城区铜官大道 18 号",
        "products": [{"name": "危险化学品包装物", "models": ["200L 钢桶", "25L 塑料桶"], "ccc_code": ""}],
    }
    data.update(overrides)
    return data


def build_licensing_world() -> LicensingWorld:
    ensure_reference_data()
    world = LicensingWorld()
    for key, serial, region, name in (
        ("newlab", 901, "430104", "长沙麓谷检测技术有限公司"),
        ("producer", 902, "430112", "长沙铜官包装容器有限公司"),
        ("other", 903, "430405", "衡阳雁城检测有限公司"),
    ):
        world.organizations[key] = registry_actions.do_create_organization(
            data={
                "uscc": make_uscc(serial, region),
                "name": name,
                "region": region,
                "industry_section": "M",
                "industry_division": "74",
            },
            actor=SYSTEM,
        )
    changsha = Region.objects.get(code="430100")
    for username, role, user_region, department, organization in (
        ("applicant", Role.ENTERPRISE, None, "", world.organizations["newlab"]),
        ("producer", Role.ENTERPRISE, None, "", world.organizations["producer"]),
        ("other_applicant", Role.ENTERPRISE, None, "", world.organizations["other"]),
        ("reviewer", Role.OFFICER, changsha, LICENSING_DEPARTMENT, None),
        ("second_reviewer", Role.OFFICER, changsha, LICENSING_DEPARTMENT, None),
        ("officer_hengyang", Role.OFFICER, Region.objects.get(code="430400"), LICENSING_DEPARTMENT, None),
        ("environment", Role.OFFICER, changsha, OPINION_DEPARTMENTS[0], None),
        ("fire", Role.OFFICER, changsha, OPINION_DEPARTMENTS[1], None),
    ):
        world.users[username] = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            region=user_region,
            organization=organization,
            department=department,
        )
    return world
