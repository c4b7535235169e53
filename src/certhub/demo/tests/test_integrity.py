"""The demo province's integrity archives: an entry of every kind the archive reads (complaints aside, which
their own app brings), the revoked institution on the public disclosure list with its decision, and a
department's joint punishment query that finds its permanent exit."""

import datetime

import time_machine

from certhub.core.choices import RegionLevel
from certhub.core.models import Region
from certhub.demo.generator import SIZES, DemoProvince
from certhub.integrity.archive import entries_of
from certhub.integrity.disclosure import disclosure_rows
from certhub.integrity.joint import answers, checked_items

NOW = datetime.datetime(2026, 11, 16, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_the_demo_archives(reference):
    with time_machine.travel(NOW, tick=False):
        province = DemoProvince(SIZES["small"])
        province.counties = list(Region.objects.filter(level=RegionLevel.COUNTY))
        province._licensing()
        organizations = province._integrity()
        today = NOW.date()
        entries = entries_of([organization.pk for organization in organizations.values()])
        rows = disclosure_rows(today)
        found = answers(checked_items([{"uscc": organizations["revoked_body"].uscc}]), today)
    assert sorted({entry.kind for entry in entries}) == [
        "BAN",
        "CREDIT_REPAIR",
        "PENALTY",
        "REVOCATION",
        "SUSPENSION",
    ]
    revoked = [row for row in rows if row["category"] == "BODY_REVOKED"]
    assert [(row["name"], row["decision_number"], row["decided_on"]) for row in revoked] == [
        ("潇湘诚安认证有限公司", "国认监〔2026〕57号", "2026-09-17")
    ]
    penalties = {row["decision_number"] for row in rows if row["category"] == "PENALTY"}
    assert "长市监罚〔2026〕301号" in penalties and "株市监罚〔2025〕66号" not in penalties
    bans = {(row["name"], row["detail"]) for row in rows if row["category"] == "INSTITUTION_BAN"}
    assert {("潇湘诚安认证有限公司", "永久退出"), ("长沙信达电器制造有限公司", "列入严重违法失信名单")} <= bans
    assert ("长沙信达电器制造有限公司", "限制申请资质") not in bans
    assert [ban["kind"] for ban in found[0]["bans"]] == ["PERMANENT_EXIT"]
