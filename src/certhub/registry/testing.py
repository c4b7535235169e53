"""Test and demo helpers: valid credit codes, reference data, and a small world built through actions
(docs/architecture.md convention 17: factories go through actions)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from stdnum.cn import uscc as uscc_module

from certhub.core.actions import do_issue_api_key
from certhub.core.actors import SYSTEM, Actor
from certhub.core.choices import Role
from certhub.core.models import Region, User
from certhub.registry import actions
from certhub.registry.models import (
    Certificate,
    CertificationBody,
    Lab,
    LabScope,
    Organization,
    Scheme,
    Signatory,
)

ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def make_uscc(serial: int, region_code: str = "430100", department: str = "9", category: str = "1") -> str:
    """A valid Unified Social Credit Code: registration department, category, GB/T 2260 area, a GB 11714
    organization code (8 digits + its mod-11 check) and the GB 32100 check character."""
    body = f"{serial % 10**8:08d}"
    total = sum(int(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    org_code = body + {10: "X", 11: "0"}.get(check, str(check))
    first17 = f"{department}{category}{region_code}{org_code}"
    return first17 + uscc_module.calc_check_digit(first17)


def ensure_reference_data() -> None:
    """Load regions, schemes and the CCC catalogue once (idempotent)."""
    if Region.objects.exists() and Scheme.objects.exists():
        return
    actions.do_load_regions(path=settings.CERTHUB_REGION_FILE, actor=SYSTEM)
    actions.do_load_reference_data(actor=SYSTEM)


@dataclass
class World:
    """A small province: two certification bodies, a lab, holders in two prefectures, certificates in
    every status, and one user per role. Passwords are all `PASSWORD`."""

    organizations: dict[str, Organization] = field(default_factory=dict)
    bodies: dict[str, CertificationBody] = field(default_factory=dict)
    labs: dict[str, Lab] = field(default_factory=dict)
    scope: dict[str, LabScope] = field(default_factory=dict)
    signatories: dict[str, Signatory] = field(default_factory=dict)
    certificates: dict[str, Certificate] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)

    PASSWORD = "certhub-test-pass"  # noqa: S105 - test users only

    def actor(self, username: str) -> Actor:
        return Actor.from_user(self.users[username])


def certificate_data(number: str, holder: Organization, **overrides: Any) -> dict[str, Any]:
    data = {
        "number": number,
        "scheme": "QMS",
        "holder_uscc": holder.uscc,
        "scope": "电气设备的设计和生产",
        "standards": "GB/T 19001-2016/ISO 9001:2015",
        "issue_date": "2025-03-01",
        "expiry_date": "2028-02-28",
    }
    data.update(overrides)
    return data


def build_world() -> World:
    ensure_reference_data()
    world = World()
    org = world.organizations
    for key, serial, region, name in (
        ("cb_hunan", 1, "430100", "湖南标准认证有限公司"),
        ("cb_yueyang", 2, "430600", "岳阳质量认证中心有限公司"),
        ("lab", 3, "430100", "湖南省产品质量检验检测研究院"),
        ("maker", 4, "430104", "长沙星城电器有限公司"),
        ("hengyang", 5, "430405", "衡阳湘江机械制造有限公司"),
        ("farm", 6, "431102", "永州潇湘有机农场"),
    ):
        org[key] = actions.do_create_organization(
            data={
                "uscc": make_uscc(serial, region),
                "name": name,
                "region": region,
                "industry_section": "C",
                "industry_division": "38",
                "above_designated_size": key in {"maker", "hengyang"},
            },
            actor=SYSTEM,
        )
    world.bodies["hunan"] = actions.do_create_certification_body(
        organization=org["cb_hunan"],
        name=org["cb_hunan"].name,
        approval_number="CNCA-R-2004-117",
        accreditation="CNAS C117-M",
        scheme_codes=["CCC", "QMS", "EMS", "ORGANIC"],
        actor=SYSTEM,
    )
    world.bodies["yueyang"] = actions.do_create_certification_body(
        organization=org["cb_yueyang"],
        name=org["cb_yueyang"].name,
        approval_number="CNCA-R-2011-089",
        accreditation="CNAS C089-M",
        scheme_codes=["QMS"],
        actor=SYSTEM,
    )
    lab = actions.do_create_lab(
        decision="湘市监认证〔2020〕12号",
        organization=org["lab"],
        name=org["lab"].name,
        cma_number="231812050341",
        cma_valid_from=datetime.date(2023, 5, 1),
        cma_valid_until=datetime.date(2029, 4, 30),
        actor=SYSTEM,
    )
    world.labs["main"] = lab
    world.scope["insulation"] = actions.do_add_lab_scope(
        decision="湘市监认证〔2020〕12号",
        lab=lab,
        field="电器",
        object="家用电器",
        parameter="绝缘电阻",
        standard="GB 4706.1-2005",
        valid_from=datetime.date(2023, 5, 1),
        actor=SYSTEM,
    )
    world.scope["lead"] = actions.do_add_lab_scope(
        decision="湘市监认证〔2020〕12号",
        lab=lab,
        field="食品",
        object="大米",
        parameter="铅",
        standard="GB 5009.12-2023",
        valid_from=datetime.date(2023, 5, 1),
        actor=SYSTEM,
    )
    person = actions.do_create_person(name="周敏", roles=["SIGNATORY"], actor=SYSTEM)
    actions.do_add_affiliation(
        person=person, organization=org["lab"], role="SIGNATORY", start=datetime.date(2020, 1, 1), actor=SYSTEM
    )
    world.signatories["zhou"] = actions.do_authorize_signatory(
        decision="湘市监认证〔2020〕12号",
        lab=lab,
        person=person,
        scope=[world.scope["insulation"]],
        valid_from=datetime.date(2023, 5, 1),
        actor=SYSTEM,
    )

    users = world.users
    province = Region.objects.get(code="430000")
    for username, role, user_region, organization in (
        ("admin", Role.ADMINISTRATOR, None, None),
        ("officer_province", Role.OFFICER, province, None),
        ("officer_changsha", Role.OFFICER, Region.objects.get(code="430100"), None),
        ("officer_hengyang", Role.OFFICER, Region.objects.get(code="430400"), None),
        ("cb_hunan", Role.CERTIFICATION_BODY, None, org["cb_hunan"]),
        ("cb_yueyang", Role.CERTIFICATION_BODY, None, org["cb_yueyang"]),
        ("lab", Role.LAB, None, org["lab"]),
        ("maker", Role.ENTERPRISE, None, org["maker"]),
    ):
        users[username] = User.objects.create_user(
            username=username,
            password=World.PASSWORD,
            role=role,
            region=user_region,
            organization=organization,
            department="市场监管局" if role == Role.OFFICER else "",
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
    hunan = world.actor("cb_hunan")
    certs = world.certificates
    certs["active"] = actions.do_create_certificate(
        body=world.bodies["hunan"], data=certificate_data("CNCA-QMS-2025-0001", org["maker"]), actor=hunan
    )
    certs["suspended"] = actions.do_create_certificate(
        body=world.bodies["hunan"], data=certificate_data("CNCA-QMS-2025-0002", org["hengyang"]), actor=hunan
    )
    certs["suspended"] = actions.do_change_certificate_status(
        certificate=certs["suspended"],
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 9, 1),
        reason="监督审核发现严重不符合",
        actor=hunan,
    )
    certs["draft"] = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data("CNCA-QMS-2025-0003", org["maker"], status="DRAFT"),
        actor=hunan,
    )
    certs["withdrawn"] = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data(
            "CNCA-EMS-2024-0004",
            org["hengyang"],
            scheme="EMS",
            issue_date="2024-01-10",
            expiry_date="2027-01-09",
        ),
        actor=hunan,
    )
    certs["withdrawn"] = actions.do_change_certificate_status(
        certificate=certs["withdrawn"],
        to_status="WITHDRAWN",
        effective_date=datetime.date(2025, 2, 1),
        reason="暂停期满未整改",
        actor=hunan,
    )
    certs["ccc"] = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data(
            "2025010701000123",
            org["maker"],
            scheme="CCC",
            ccc_product="0701",
            scope="家用电冰箱",
            standards="GB 4706.1-2005; GB 4706.13-2014",
            products=[{"name": "家用电冰箱", "model": "BCD-218", "trademark": "星城", "gtin": "6901234567892"}],
            expiry_date="2030-02-28",
        ),
        actor=hunan,
    )
    certs["yueyang"] = actions.do_create_certificate(
        body=world.bodies["yueyang"],
        data=certificate_data("CNCA-QMS-2025-0001", org["hengyang"]),
        actor=world.actor("cb_yueyang"),
    )
    for name, organization, role in (
        ("cb_hunan", org["cb_hunan"], Role.CERTIFICATION_BODY),
        ("cb_yueyang", org["cb_yueyang"], Role.CERTIFICATION_BODY),
        ("lab", org["lab"], Role.LAB),
    ):
        _key, secret = do_issue_api_key(organization=organization, name=f"{name} key", role=role, actor=SYSTEM)
        world.api_keys[name] = secret
    return world
