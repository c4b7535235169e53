"""Fixtures of the integrity tests: the small world with an institution under permanent exit, an
organization under a three-year application bar, a person under a lifetime ban, a penalty, and another
department holding a joint punishment key."""

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine

from certhub.core.actions import do_issue_api_key
from certhub.core.actors import SYSTEM
from certhub.registry import actions
from certhub.registry.actions.bans import do_impose_ban
from certhub.registry.testing import make_uscc

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.date(2026, 3, 2)
ID_NUMBER = "43010419800101123" + "6"


@dataclass
class Barred:
    world: Any
    bans: dict[str, Any] = field(default_factory=dict)
    department_key: str = ""
    read_key: str = ""
    person: Any = None
    penalty: Any = None


@pytest.fixture
def on_today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def barred(world, on_today):
    return build_barred(world)


def build_barred(world):
    """The bans and the department's keys, dated so that they bind on 2026-03-02 and still today."""
    province = world.actor("officer_province")
    data = Barred(world=world)
    data.bans["exit"] = do_impose_ban(
        kind="PERMANENT_EXIT",
        organization=world.organizations["lab"],
        decision_number="湘市监罚〔2026〕1号",
        decided_on=datetime.date(2026, 1, 10),
        authority="湖南省市场监督管理局",
        starts=datetime.date(2026, 1, 10),
        reason="出具虚假检验检测报告",
        legal_basis="检验检测机构监督管理办法 第二十六条",
        actor=province,
    )
    data.bans["bar"] = do_impose_ban(
        kind="APPLICATION_BAR",
        organization=world.organizations["hengyang"],
        decision_number="湘市监许〔2025〕9号",
        decided_on=datetime.date(2025, 6, 1),
        authority="湖南省市场监督管理局",
        starts=datetime.date(2025, 6, 1),
        ends=datetime.date(2028, 6, 1),
        reason="以欺骗手段取得资质认定",
        legal_basis="行政许可法 第七十九条",
        actor=province,
    )
    data.person = actions.do_create_person(name="李伪", roles=["SIGNATORY"], id_number=ID_NUMBER, actor=SYSTEM)
    data.bans["person"] = do_impose_ban(
        kind="LIFETIME_BAN",
        person=data.person,
        decision_number="湘市监罚〔2026〕2号",
        decided_on=datetime.date(2026, 1, 10),
        authority="湖南省市场监督管理局",
        starts=datetime.date(2026, 1, 10),
        reason="签发虚假报告",
        legal_basis="检验检测机构监督管理办法 第二十六条",
        actor=province,
    )
    tax = actions.do_create_organization(
        data={"uscc": make_uscc(901, "430100"), "name": "国家税务总局湖南省税务局", "region": "430100"}, actor=SYSTEM
    )
    _key, data.department_key = do_issue_api_key(
        organization=tax, name="联合惩戒", role="PUBLIC", scopes=["joint_punishment_query"], actor=SYSTEM
    )
    _key, data.read_key = do_issue_api_key(organization=tax, name="只读", role="PUBLIC", actor=SYSTEM)
    return data
