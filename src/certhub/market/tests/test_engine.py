"""The engine is set-based (C7; docs/architecture.md "five things": no N+1): judging a batch costs the same
number of queries whatever its size and whatever mix of claims it holds; and a sample's lab report is linked
to its check when it comes back."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.market.actions import do_check_listings, do_link_sample_report
from certhub.market.engine import judge
from certhub.market.listings import check_listings
from certhub.market.models import MarketCheck
from certhub.market.tests.engine_world import DRILL_GTIN, FRIDGE_GTIN, build_market_world, gtin
from certhub.registry import actions

DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def market(world):
    return build_market_world(world)


def mixed(count: int) -> list[dict]:
    """`count` listings cycling through every kind of claim, each with numbers and GTINs of its own."""
    # The kinds that cost a query of their own come first, so that ten listings already hold them all.
    kinds = [
        lambda i: {"product_name": "手电钻", "catalogue_code": "0501", "shop": f"店铺{i}"},
        lambda i: {"product_name": "冰箱", "shop_uscc": "91430100MA4L0K3T41" if i % 2 else ""},
        lambda i: {"product_name": "家用电冰箱", "model": "BCD-218", "claimed_number": "2025010701000123"},
        lambda i: {"product_name": "家用电冰箱", "claimed_number": "2025010701000124"},
        lambda i: {"product_name": "家用电冰箱", "claimed_number": f"2099{i:012d}"},
        lambda i: {"product_name": "充电电钻", "claimed_number": f"ZS43010420259{i:05d}"},
        lambda i: {"product_name": "充电电钻", "model": "Z1C-10", "claimed_number": "ZS4301042025000001"},
        lambda i: {"product_name": "家用电冰箱", "gtin": FRIDGE_GTIN},
        lambda i: {"product_name": "电钻", "gtin": DRILL_GTIN},
        lambda i: {"product_name": "电钻", "gtin": gtin(f"69{i:010d}")},
        lambda i: {"product_name": f"海尔双门家用电冰箱 {i}升"},
        lambda i: {"product_name": f"纯棉短袖T恤 {i}号"},
    ]
    return [{**kinds[i % len(kinds)](i), "checked_on": DAY.isoformat()} for i in range(count)]


def queries_to_judge(count: int) -> tuple[int, list]:
    listings = check_listings(mixed(count), today=DAY)
    with CaptureQueriesContext(connection) as captured:
        judgements = judge(listings, day_default=DAY)
    return len(captured), judgements


def test_judging_costs_the_same_queries_for_10_and_500_listings(market):
    few, small = queries_to_judge(10)
    many, large = queries_to_judge(500)
    # The catalogue; the declarations by number; the certified products by GTIN; the declarations by GTIN
    # (their ids, then the rows); the certificates; their status events; their models; the shops.
    assert few == many == 9
    assert [j.verdict for j in small] == [j.verdict for j in large[:10]]
    assert {j.verdict for j in large} == {
        "covered", "certificate_invalid", "forged_number", "no_claim", "not_in_catalogue"
    }  # fmt: skip


def sample_check(market, **overrides):
    batch = do_check_listings(
        listings=[{"product_name": "家用电冰箱", "gtin": FRIDGE_GTIN, "sample_number": "CY-2026-001", **overrides}],
        channel="sample",
        region_code="430104",
        source="page",
        actor=market.actor("inspector"),
    )
    return MarketCheck.objects.get(batch=batch)


def report(market, number: str, issued: datetime.date):
    return actions.do_create_test_report(
        lab=market.world.labs["main"],
        number=number,
        signatory=market.world.signatories["zhou"],
        issue_date=issued,
        conclusion="FAIL",
        items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005"}],
        product="家用电冰箱",
        actor=market.actor("lab"),
    )


def test_a_samples_lab_report_is_linked_to_its_check(market):
    check = sample_check(market, checked_on="2026-03-01")
    lab_report = report(market, "R-2026-0301", datetime.date(2026, 3, 20))
    before = AuditEvent.objects.count()
    linked = do_link_sample_report(check=check, report=lab_report, actor=market.actor("officer_changsha"))
    assert MarketCheck.objects.get(pk=check.pk).test_report_id == lab_report.pk
    assert linked.verdict == "covered"  # the report is about quality; the verdict about certification stays
    assert AuditEvent.objects.count() == before + 1
    audit = AuditEvent.objects.latest("id")
    assert (audit.event_type, audit.before["test_report_id"], audit.after["test_report_id"]) == (
        "MARKET_SAMPLE_REPORTED",
        None,
        lab_report.pk,
    )
    second = report(market, "R-2026-0302", datetime.date(2026, 3, 21))
    with pytest.raises(Conflict, match="该抽样已关联检验报告，不能替换"):
        do_link_sample_report(check=check, report=second, actor=market.actor("officer_changsha"))
    assert MarketCheck.objects.get(pk=check.pk).test_report_id == lab_report.pk


def test_a_report_is_linked_only_to_a_sample_and_not_before_it_was_taken(market):
    check = sample_check(market, checked_on="2026-03-01")
    early = report(market, "R-2026-0201", datetime.date(2026, 2, 20))
    online = MarketCheck.objects.get(
        batch=do_check_listings(
            listings=[{"product_name": "家用电冰箱", "gtin": FRIDGE_GTIN, "checked_on": "2026-03-01"}],
            channel="online",
            region_code="430104",
            source="api",
            actor=market.actor("inspector"),
        )
    )
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        do_link_sample_report(check=check, report=early, actor=market.actor("inspector"))
    assert refused.value.errors == {"report": ["报告R-2026-0201签发于2026-02-20，早于抽样日期2026-03-01"]}
    with pytest.raises(ValidationFailed) as not_sample:
        do_link_sample_report(check=online, report=early, actor=market.actor("inspector"))
    assert not_sample.value.errors == {
        "check": ["只有抽样检验可以关联检验报告"],
        "report": ["报告R-2026-0201签发于2026-02-20，早于抽样日期2026-03-01"],
    }
    with pytest.raises(NotPermitted):
        do_link_sample_report(check=check, report=early, actor=market.actor("officer_hengyang"))
    assert AuditEvent.objects.count() == before
    assert MarketCheck.objects.filter(test_report__isnull=False).count() == 0
