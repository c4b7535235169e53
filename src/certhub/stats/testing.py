"""Test helpers of the KPI dashboard: a small province with known KPIs, built on registry.testing.build_world
through the registry's, risk's and cases' actions (docs/architecture.md convention 17). A case opens on the
day the clock says (cases.actions.do_open_case), so each case of the age buckets is opened, and closed, with
the clock frozen on its day (time-machine)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

import time_machine
from django.utils import timezone

from certhub.cases.actions import do_close_case, do_open_case, do_record_measure
from certhub.cases.models import Case
from certhub.cases.testing import WarningSpec, do_raise_warnings
from certhub.core.actors import SYSTEM, Actor
from certhub.registry import actions
from certhub.registry.models import Lab, Organization, TestReport
from certhub.registry.testing import World, certificate_data, make_uscc
from certhub.risk.actions import do_set_risk_grades

# The day the tests aggregate: every certificate of the world is issued before it and valid after it.
DAY = datetime.date(2026, 6, 30)


@dataclass(frozen=True)
class CaseSpec:
    """A case on an organization opened on a day, given `working_days` (deadline: cases.actions), and
    closed on a day or still open."""

    organization: Organization
    opened_on: datetime.date
    working_days: int = 10
    closed_on: datetime.date | None = None


def on(day: datetime.date) -> time_machine.travel:
    """The clock frozen at 10:00 (Asia/Shanghai) on `day`."""
    return time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))), tick=False)


def open_cases(specs: Sequence[CaseSpec], *, actor: Actor) -> list[Case]:
    """Each case as an officer handles it: a warning on the organization (as a scoring run raises it), the
    case opened from it on its day, and, for a closed one, a measure and the closing on its closing day."""
    cases = []
    for spec in sorted(specs, key=lambda s: s.opened_on):
        with on(spec.opened_on):
            (warning,) = do_raise_warnings(specs=[WarningSpec(spec.organization)], as_of=spec.opened_on)
            case = do_open_case(
                warning=warning,
                title="统计测试案件",
                working_days=spec.working_days,
                departments=["市场监管局"],
                actor=actor,
            )
        if spec.closed_on:
            with on(spec.closed_on):
                do_record_measure(case=case, taken_on=spec.closed_on, description="责令限期整改", actor=actor)
                case = do_close_case(case=case, conclusion="已整改", actor=actor)
        cases.append(case)
    return cases


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
            data={
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
        actions.do_create_certificate(
            body=body, data=certificate_data(number, orgs[holder], scheme=scheme), actor=hunan
        )
    actions.do_create_certificate(
        body=body,
        data=certificate_data("TJ-ORG-0003", world.organizations["farm"], scheme="ORGANIC", scope="有机大米"),
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
            lab=lab,
            number=number,
            signatory=signatory,
            issue_date=day,
            conclusion=conclusion,
            items=items,
            actor=lab_actor,
        )
    # A second lab in a Hengyang county whose CMA qualification expired on 2026-01-31.
    lab2 = actions.do_create_lab(
        decision="湘市监认证〔2020〕12号",
        organization=orgs["lab2"],
        name="衡阳统计测试检测有限公司",
        cma_number="201812050999",
        cma_valid_from=datetime.date(2020, 2, 1),
        cma_valid_until=datetime.date(2026, 1, 31),
        actor=SYSTEM,
    )
    result.labs["expired"] = lab2
    scope = actions.do_add_lab_scope(
        decision="湘市监认证〔2020〕12号",
        lab=lab2,
        field="电器",
        object="家用电器",
        parameter=insulation["parameter"],
        standard=insulation["standard"],
        valid_from=datetime.date(2020, 2, 1),
        actor=SYSTEM,
    )
    person = actions.do_create_person(name="李检", roles=["SIGNATORY"], actor=SYSTEM)
    signatory2 = actions.do_authorize_signatory(
        decision="湘市监认证〔2020〕12号",
        lab=lab2,
        person=person,
        scope=[scope],
        valid_from=datetime.date(2020, 2, 1),
        actor=SYSTEM,
    )
    from certhub.core.choices import Role
    from certhub.core.models import User

    lab2_user = User.objects.create_user(
        username="lab2", password=World.PASSWORD, role=Role.LAB, organization=orgs["lab2"]
    )
    for number, day in (("H1", datetime.date(2025, 12, 1)), ("H2", datetime.date(2026, 3, 10))):
        result.reports[number] = actions.do_create_test_report(
            lab=lab2,
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
        rows=[
            {"uscc": maker.uscc, "ccc_product": "0701", "source": "licence", "recorded_on": "2026-01-01"},
            {"uscc": maker.uscc, "ccc_product": "0702", "source": "statistics", "recorded_on": "2026-01-01"},
            {"uscc": hengyang.uscc, "ccc_product": "0701", "source": "inspection", "recorded_on": "2026-02-01"},
            {"uscc": farm.uscc, "ccc_product": "0701", "source": "declared", "recorded_on": "2026-08-01"},
        ],
        actor=SYSTEM,
    )

    do_set_risk_grades(
        rows=[
            ("organization", maker.pk, "D", "测试"),
            ("organization", hengyang.pk, "C", "测试"),
            ("lab", lab.pk, "A", "测试"),
        ],
        graded_on=DAY,
        actor=SYSTEM,
    )

    # Open on DAY: 3 (two overdue), 1, 28 and 10 working days old; one closed before DAY, one opened after.
    result.cases = open_cases(
        [
            CaseSpec(maker, datetime.date(2026, 6, 29)),  # deadline 07-13
            CaseSpec(hengyang, datetime.date(2026, 5, 20)),  # deadline 06-03: overdue
            # 9 working days (端午 on 19 June is a holiday): deadline 06-29, overdue on DAY.
            CaseSpec(result.organizations["power"], datetime.date(2026, 6, 15), working_days=9),
            CaseSpec(hengyang, datetime.date(2026, 5, 6), closed_on=datetime.date(2026, 5, 18)),  # closed before DAY
            CaseSpec(maker, datetime.date(2026, 7, 1)),  # opened after DAY
        ],
        actor=world.actor("officer_province"),
    )
    return result
