"""Fixtures of the cases tests: the registry's small world, officers of two departments in Changsha (with
and without e-mail addresses), and open warnings raised for three organizations."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from certhub.cases.testing import raise_warnings
from certhub.core.choices import Role
from certhub.core.models import Region, User

CITY_MARKET = "长沙市市场监管局"
CITY_ECOLOGY = "长沙市生态环境局"
# 2026-09-30 is the last working day before the National Day holiday (10-01 to 10-07; 10-10 is worked).
OPENING = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))

# username: (region, department, e-mail, active)
OFFICERS = {
    "cs_market": ("430100", CITY_MARKET, "cs_market@amr.changsha.example", True),
    "cs_ecology": ("430100", CITY_ECOLOGY, "cs_ecology@sthj.changsha.example", True),
    "yuelu_market": ("430104", CITY_MARKET, "", True),  # the county of the warned maker; no e-mail address
    "furong_market": ("430102", CITY_MARKET, "furong@amr.changsha.example", True),  # another county
    "cs_market_left": ("430100", CITY_MARKET, "left@amr.changsha.example", False),  # no longer active
    "hy_market": ("430400", "衡阳市市场监管局", "hy@amr.hengyang.example", True),
}


@pytest.fixture
def cases_world(world):
    for username, (region, department, email, active) in OFFICERS.items():
        world.users[username] = User.objects.create_user(
            username=username,
            password=world.PASSWORD,
            role=Role.OFFICER,
            region=Region.objects.get(code=region),
            department=department,
            email=email,
            is_active=active,
            first_name=username,
        )
    organizations = world.organizations
    world.warnings = dict(
        zip(
            ["maker", "hengyang", "farm"],
            raise_warnings([organizations["maker"], organizations["hengyang"], organizations["farm"]], [80, 90, 45]),
            strict=True,
        )
    )
    return world


@pytest.fixture
def opening_day():
    with time_machine.travel(OPENING, tick=False):
        assert timezone.localdate() == datetime.date(2026, 9, 30)
        yield OPENING
