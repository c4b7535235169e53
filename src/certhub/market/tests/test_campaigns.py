"""Campaigns (专项整治, C7) through their action: defined inside the officer's region over catalogue products in
force during the campaign; each refusal with its exact message and nothing written; the tally equals the
checks recorded under the campaign."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.errors import NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.market.actions import do_create_campaign
from certhub.market.choices import Verdict
from certhub.market.models import Campaign, MarketCheck
from certhub.market.queries import campaign_tally
from certhub.market.testing import do_record_judged_checks

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 3, 1), datetime.date(2026, 6, 30)


def campaign_args(**overrides):
    return {
        "name": "2026年电器产品CCC专项整治",
        "region_code": "430100",
        "product_codes": ["0701", "0703", "0701"],
        "starts_on": START,
        "ends_on": END,
        "description": "长沙市电商平台和商场",
    } | overrides


def written():
    return Campaign.objects.count(), AuditEvent.objects.filter(event_type="CAMPAIGN_CREATED").count()


def test_an_officer_defines_a_campaign_in_the_region(world):
    campaign = do_create_campaign(**campaign_args(), actor=world.actor("officer_changsha"))
    campaign.refresh_from_db()
    assert (
        campaign.name,
        campaign.region_code,
        campaign.product_codes,
        campaign.starts_on,
        campaign.ends_on,
        campaign.description,
    ) == ("2026年电器产品CCC专项整治", "430100", ["0701", "0703"], START, END, "长沙市电商平台和商场")
    event = AuditEvent.objects.get(event_type="CAMPAIGN_CREATED")
    assert (event.subject_id, event.actor_label, event.after["product_codes"]) == (
        str(campaign.pk),
        "officer_changsha",
        ["0701", "0703"],
    )
    # A county within the officer's region, and the whole catalogue (no code), are fine too.
    county = do_create_campaign(
        **campaign_args(region_code="430104", product_codes=[]), actor=world.actor("officer_changsha")
    )
    assert (county.region_code, county.product_codes) == ("430104", [])


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"region_code": "430400"},
            {"region_code": ["地区430400不在你的辖区内，只能在本辖区内开展专项整治"]},
        ),
        ({"region_code": "439999"}, {"region_code": ["没有代码为439999的行政区划"]}),
        (
            {"product_codes": ["0701", "9999", "07O1"]},
            {
                "product_codes[1]": ["专项整治期间（2026-03-01至2026-06-30）施行的CCC目录中没有产品代码“9999”"],
                "product_codes[2]": ["专项整治期间（2026-03-01至2026-06-30）施行的CCC目录中没有产品代码“07O1”"],
            },
        ),
        (
            {"ends_on": datetime.date(2026, 2, 28)},
            {"ends_on": ["结束日期（2026-02-28）不得早于开始日期（2026-03-01）"]},
        ),
        (
            {"name": "  ", "starts_on": "2026-13-01"},
            {"name": ["必填"], "starts_on": ["日期格式应为YYYY-MM-DD，收到“2026-13-01”"]},
        ),
    ],
)
def test_bad_campaigns_are_refused_with_the_field_and_nothing_is_written(world, overrides, errors):
    with pytest.raises(ValidationFailed) as refused:
        do_create_campaign(**campaign_args(**overrides), actor=world.actor("officer_changsha"))
    assert refused.value.errors == errors
    assert written() == (0, 0)


def test_only_officers_define_campaigns(world):
    for username in ("maker", "cb_hunan", "lab"):
        with pytest.raises(NotPermitted) as refused:
            do_create_campaign(**campaign_args(), actor=world.actor(username))
        assert refused.value.message == f"{username} 无权执行“制定专项整治”"
    assert written() == (0, 0)


def test_the_tally_equals_the_campaigns_checks(world):
    officer = world.actor("officer_changsha")
    campaign = do_create_campaign(**campaign_args(), actor=officer)
    other = do_create_campaign(**campaign_args(name="另一项"), actor=officer)
    verdicts = [Verdict.COVERED] * 3 + [Verdict.FORGED_NUMBER] * 2 + [
        Verdict.NO_CLAIM, Verdict.MODEL_NOT_COVERED, Verdict.NOT_IN_CATALOGUE, Verdict.NEEDS_PERSON,
    ]  # fmt: skip
    do_record_judged_checks(
        rows=[{"product_name": f"商品{i}", "verdict": v, "reason": "测试"} for i, v in enumerate(verdicts)],
        region_code="430104",
        campaign=campaign,
        checked_on=datetime.date(2026, 3, 10),
        actor=officer,
    )
    do_record_judged_checks(
        rows=[{"product_name": "不计入", "verdict": Verdict.NO_CLAIM, "reason": "测试"}],
        region_code="430104",
        campaign=other,
        actor=officer,
    )
    tally = campaign_tally(campaign)
    assert tally == {
        "checked": 9,
        "covered": 3,
        "violations": 4,
        "by_verdict": {
            "covered": 3,
            "not_in_catalogue": 1,
            "model_not_covered": 1,
            "certificate_invalid": 0,
            "declaration_invalid": 0,
            "forged_number": 2,
            "no_claim": 1,
            "needs_person": 1,
        },
    }
    # The tally is the checks: count them another way.
    rows = list(MarketCheck.objects.filter(campaign=campaign).values_list("verdict", flat=True))
    assert tally["checked"] == len(rows)
    assert tally["by_verdict"] == {v: rows.count(v) for v in Verdict.values}
    assert campaign_tally(other)["checked"] == 1
