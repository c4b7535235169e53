"""Test helpers of the KPI dashboard: a small province with known KPIs, built on registry.testing.build_world
through the registry's and risk's actions (docs/architecture.md convention 17). Cases with chosen opening dates are
placed by
`do_place_cases`, a stand-in that writes cases.Case rows as cases.actions.do_open_case / do_close_case leave
them (those open today only; the age buckets need cases opened on given days)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from certhub.cases.choices import CaseStatus
from certhub.cases.models import Case
from certhub.core.actors import SYSTEM, Actor
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.registry import actions
from certhub.registry.models import Lab, Organization, TestReport
from certhub.registry.testing import World, certificate_data, make_uscc
from certhub.risk.actions import do_set_risk_grades

# The day the tests aggregate: every certificate of the world is issued before it and valid after it.
DAY = datetime.date(2026, 6, 30)


@dataclass(frozen=True)
class CaseSpec:
    organization: Organization
    opened_on: datetime.date
    deadline: datetime.date
    closed_on: datetime.date | None = None


@action
def do_place_cases(specs: Sequence[CaseSpec], *, opened_by_id: int, actor: Actor = SYSTEM) -> list[Case]:
    """Cases on organizations opened (and closed) on given days: the rows do_open_case and do_close_case
    write, with the dates the age buckets of the statistics need."""
    authorize(actor, Permission.HANDLE_CASES)
    placed = []
    for number, spec in enumerate(specs, start=1):
        placed.append(
            Case.objects.create(
                number=f"TJ{spec.opened_on.year}{number:04d}",
                subject_type="organization",
                subject_id=spec.organization.pk,
                subject_name=spec.organization.name,
                uscc=spec.organization.uscc,
                region_code=spec.organization.region_id,
                title="统计测试案件",
                departments=["市场监管局"],
                opened_by_id=opened_by_id,
                opened_on=spec.opened_on,
                working_days=10,
                deadline=spec.deadline,
                status=CaseStatus.CLOSED if spec.closed_on else CaseStatus.OPEN,
                closed_on=spec.closed_on,
                conclusion="已整改" if spec.closed_on else "",
            )
        )
    return placed


@dataclass
class StatsWorld:
    world: World
    organizations: dict[str, Organization] = field(default_factory=dict)
    labs: dict[str, Lab] = field(default_factory=dict)
    reports: dict[str, TestReport] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)


def build_stats_world(world: World) -> StatsWorld:
    """The world plus what each figure needs; the figures it gives on DAY are in stats/tests (and
    docs/statistics.md walks through them)."""
    result = StatsWorld(world)
    orgs = result.organizations
    for key, serial, region, section, above in (
        ("power", 11, "430102", "D", True),  # industrial, above size, only an EMS certificate
        ("mine", 12, "430302", "B", True),  # industrial, above size, no certificate
        ("builder", 13, "430103", "E", True),  # construction: not industrial, left out of the ISO 9001 KPI
        ("small", 14, "430105", "C", False),  # below size: left out
        ("lab2", 15, "430405", "M", False),
    ):
        orgs[key] = actions.do_create_organization(
            {
                "uscc": make_uscc(serial, region),
                "name": f"统计测试{key}",
                "region": region,
                "industry_section": section,
                "above_designated_size": above,
            },
            actor=SYSTEM,
        )
    body = world.bodies["hunan"]
    hunan = world.actor("cb_hunan")
    for number, holder, scheme in (("TJ-EMS-0001", "power", "EMS"), ("TJ-QMS-0002", "builder", "QMS")):
        actions.do_create_certificate(body, certificate_data(number, orgs[holder], scheme=scheme), actor=hunan)
    actions.do_create_certificate(
        body,
        certificate_data("TJ-ORG-0003", world.organizations["farm"], scheme="ORGANIC", scope="有机大米"),
        actor=hunan,
    )

    # Evidentiary reports. The main lab (Changsha, prefecture level) is qualified for 绝缘电阻 and 铅.
    lab = world.labs["main"]
    lab_actor = world.actor("lab")
    signatory = world.signatories["zhou"]
    insulation = {"parameter": "绝缘电阻", "standard": "GB 4706.1-2005"}
    lead = {"parameter": "铅", "standard": "GB 5009.12-2023"}
    leakage = {"parameter": "泄漏电流", "standard": "GB 4706.1-2005"}
    for number, day, conclusion, items in (
        ("R1", datetime.date(2026, 3, 1), "PASS", [insulation]),  # qualified
        ("R2", datetime.date(2026, 4, 1), "FAIL", [insulation, lead]),  # qualified
        ("R3", datetime.date(2026, 5, 1), "PASS", [leakage]),  # outside the scope
        ("R4", datetime.date(2026, 5, 2), "INFORMATIVE", [leakage]),  # 仅提供数据: not evidentiary
        ("R5", datetime.date(2025, 5, 1), "PASS", [insulation]),  # before the 365-day window
        ("R6", datetime.date(2026, 7, 15), "PASS", [leakage]),  # after the day
    ):
        result.reports[number] = actions.do_create_test_report(
            lab,
            number=number,
            signatory=signatory,
            issue_date=day,
            conclusion=conclusion,
            items=items,
            actor=lab_actor,
        )
    # A second lab in a Hengyang county whose CMA qualification expired on 2026-01-31.
    lab2 = actions.do_create_lab(
        organization=orgs["lab2"],
        name="衡阳统计测试检测有限公司",
        cma_number="201812050999",
        cma_valid_from=datetime.date(2020, 2, 1),
        cma_valid_until=datetime.date(2026, 1, 31),
        actor=SYSTEM,
    )
    result.labs["expired"] = lab2
    scope = actions.do_add_lab_scope(
        lab2, field="电器", object="家用电器", valid_from=datetime.date(2020, 2, 1), actor=SYSTEM, **insulation
    )
    person = actions.do_create_person(name="李检", roles=["SIGNATORY"], actor=SYSTEM)
    signatory2 = actions.do_authorize_signatory(
        lab2, person=person, scope=[scope], valid_from=datetime.date(2020, 2, 1), actor=SYSTEM
    )
    from certhub.core.choices import Role
    from certhub.core.models import User

    lab2_user = User.objects.create_user(
        username="lab2", password=World.PASSWORD, role=Role.LAB, organization=orgs["lab2"]
    )
    for number, day in (("H1", datetime.date(2025, 12, 1)), ("H2", datetime.date(2026, 3, 10))):
        result.reports[number] = actions.do_create_test_report(
            lab2,
            number=number,
            signatory=signatory2,
            issue_date=day,
            conclusion="PASS",
            items=[insulation],
            actor=Actor.from_user(lab2_user),
        )

    # What organizations make. The maker holds a CCC certificate for 0701 only.
    maker, hengyang, farm = (world.organizations[k] for k in ("maker", "hengyang", "farm"))
    actions.do_record_manufactured_products(
        [
            {"uscc": maker.uscc, "ccc_product": "0701", "source": "licence", "recorded_on": "2026-01-01"},
            {"uscc": maker.uscc, "ccc_product": "0702", "source": "statistics", "recorded_on": "2026-01-01"},
            {"uscc": hengyang.uscc, "ccc_product": "0701", "source": "inspection", "recorded_on": "2026-02-01"},
            {"uscc": farm.uscc, "ccc_product": "0701", "source": "declared", "recorded_on": "2026-08-01"},
        ],
        actor=SYSTEM,
    )

    do_set_risk_grades(
        [
            ("organization", maker.pk, "D", "测试"),
            ("organization", hengyang.pk, "C", "测试"),
            ("lab", lab.pk, "A", "测试"),
        ],
        graded_on=DAY,
        actor=SYSTEM,
    )

    officer = world.users["officer_province"]
    result.cases = do_place_cases(
        [
            CaseSpec(maker, datetime.date(2026, 6, 29), deadline=datetime.date(2026, 7, 13)),  # 1 working day
            CaseSpec(hengyang, datetime.date(2026, 5, 20), deadline=datetime.date(2026, 6, 3)),  # 27 days, overdue
            CaseSpec(
                result.organizations["power"], datetime.date(2026, 6, 15), deadline=datetime.date(2026, 6, 29)
            ),  # 10 working days (端午 19 June), overdue
            CaseSpec(
                hengyang,
                datetime.date(2026, 5, 6),
                deadline=datetime.date(2026, 5, 20),
                closed_on=datetime.date(2026, 5, 18),
            ),  # closed before the day
            CaseSpec(maker, datetime.date(2026, 7, 1), deadline=datetime.date(2026, 7, 15)),  # after the day
        ],
        opened_by_id=officer.pk,
    )
    return result
