"""From listings to consequences through the real engine (C7 → C6): a batch of a campaign judged by
do_check_listings feeds the forged_number and uncertified_sale detectors, the campaign's tally equals its
checks, the forged number warns on the next scoring run, and opens a case about the shop in one step."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from certhub.cases.actions import do_open_case_from_market_check
from certhub.core.actors import SYSTEM
from certhub.market.actions import do_check_listings, do_create_campaign
from certhub.market.models import MarketCheck
from certhub.market.queries import campaign_tally
from certhub.risk.actions import do_run_scoring
from certhub.risk.detectors import forged_number, uncertified_sale
from certhub.risk.models import Warning

pytestmark = pytest.mark.django_db


def test_a_judged_batch_becomes_signals_a_tally_a_warning_and_a_case(world):
    officer = world.actor("officer_changsha")
    today = timezone.localdate()
    hengyang, farm, maker = (world.organizations[k] for k in ("hengyang", "farm", "maker"))
    campaign = do_create_campaign(
        name="电冰箱专项整治",
        region_code="430100",
        product_codes=["0701"],
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=10),
        actor=officer,
    )
    listing = {"platform": "某电商平台", "product_name": "家用电冰箱", "catalogue_code": "0701"}
    batch = do_check_listings(
        listings=[
            {**listing, "shop": "湘江电器专营店", "shop_uscc": hengyang.uscc, "claimed_number": "2099010701999999"},
            {**listing, "shop": "星城电器旗舰店", "shop_uscc": maker.uscc, "claimed_number": "2025010701000123",
             "model": "BCD-218"},
            {**listing, "shop": "潇湘家电", "shop_uscc": farm.uscc, "claimed_number": "2025010701000123",
             "model": "BCD-300"},
        ],
        channel="online",
        region_code="430104",
        source="api",
        campaign=campaign,
        actor=officer,
    )  # fmt: skip
    checks = list(MarketCheck.objects.filter(batch=batch).order_by("row"))
    assert [(c.verdict, c.shop_organization_id, c.producer_id) for c in checks] == [
        ("forged_number", hengyang.pk, None),
        ("covered", maker.pk, maker.pk),
        ("model_not_covered", farm.pk, maker.pk),
    ]
    assert campaign_tally(campaign) == {
        "checked": 3,
        "covered": 1,
        "violations": 2,
        "by_verdict": {
            "covered": 1,
            "not_in_catalogue": 0,
            "model_not_covered": 1,
            "certificate_invalid": 0,
            "declaration_invalid": 0,
            "forged_number": 1,
            "no_claim": 0,
            "needs_person": 0,
        },
    }
    assert [(f.subject_id, f.count) for f in forged_number(today=today)] == [(hengyang.pk, 1)]
    assert sorted((f.subject_id, f.count) for f in uncertified_sale(today=today)) == sorted(
        [(maker.pk, 1), (farm.pk, 1)]
    )
    run = do_run_scoring(today=today, actor=SYSTEM)
    assert run.warnings == 1
    assert Warning.objects.get().subject_id == hengyang.pk
    case = do_open_case_from_market_check(check=checks[0], actor=officer)
    assert (case.subject_id, case.market_check_id, case.title) == (
        hengyang.pk,
        checks[0].pk,
        "市场检查：编号不在登记库中（疑似伪造）（家用电冰箱）",
    )
