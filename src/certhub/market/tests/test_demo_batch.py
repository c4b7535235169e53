"""The demo province's market control, as the issue's "Done when" reads (C7): the demo's e-commerce listings
sent through `POST /api/v1/market/checks` get exactly the expected verdict and reason each (the full table
below); the demo campaign's tally equals its checks; a self-declared product counts as covered in the CCC
coverage KPI and raises no warning — and stops counting the day its declaration is withdrawn."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.models import User
from certhub.core.testing import sign_in_client
from certhub.demo.generator import DemoProvince, Size
from certhub.demo.generator.market import CAMPAIGN, LISTINGS, ORGANIZATIONS, read_listings
from certhub.market.actions import do_withdraw_declaration
from certhub.market.models import Campaign, MarketCheck, SelfDeclaration
from certhub.market.queries import campaign_tally
from certhub.registry.choices import GradedSubject
from certhub.registry.models import Organization
from certhub.registry.testing import make_uscc
from certhub.risk.detectors import ccc_uncovered
from certhub.risk.models import Warning
from certhub.stats.aggregate import ccc_coverage

pytestmark = pytest.mark.django_db

TEST_LISTINGS = Path(__file__).resolve().parent / "data" / "demo_listings.csv"
FRIDGE, KETTLE, RICE_COOKER = "2025990701000001", "2025990717000002", "2025990718000003"
DRILL, WELDER, FORGED = "ZS4303022026000001", "ZS4307022026000001", "2024991807000999"


def uscc(key: str) -> str:
    serial, county, _name, _section = ORGANIZATIONS[key]
    return make_uscc(serial, county)


# Row by row: verdict, placement, catalogue code, certificate or declaration, producer, and the reason ({day}: the
# check day, today; {suspended}: thirty days before, when the demo suspended the rice cooker's certificate).
# Every verdict the engine gives is here at least once; the forged number twice, in two shops.
EXPECTED = [
    ("covered", "certificate", "0701", FRIDGE, "maker",
     f"证书{FRIDGE}（持证人长沙湘电电器有限公司）在{{day}}有效，覆盖型号“BCD-196”"),
    ("covered", "gtin", "0717", KETTLE, "maker",
     f"商品条码6975123400034是证书{KETTLE}（持证人长沙湘电电器有限公司）所列的产品，证书在{{day}}有效"),
    ("covered", "declaration", "0501", DRILL, "declarer",
     f"自我声明{DRILL}（生产者湘潭湘工电动工具有限公司）在{{day}}有效，覆盖型号“Z1J-13”"),
    ("not_in_catalogue", "keywords", None, None, None, "“纯棉短袖T恤 男款 夏季”（“短袖”）不属于{day}施行的CCC目录产品"),
    ("needs_person", "none", None, None, None, "无法按目录描述确定“多功能智能家居礼盒”是否属于CCC目录，需人工判定"),
    ("model_not_covered", "certificate", "0701", FRIDGE, "maker",
     f"证书{FRIDGE}有效，但型号“BCD-500”不在证书所列的产品型号中"),
    ("certificate_invalid", "certificate", "0718", RICE_COOKER, "maker_suspended",
     f"证书{RICE_COOKER}自{{suspended}}起已暂停，检查日{{day}}不得使用"),
    ("declaration_invalid", "declaration", "0603", WELDER, "declarer_withdrawn", f"自我声明{WELDER}已于2026-06-08撤回"),
    ("no_claim", "keywords", "0702", None, None, "按目录描述（“电风扇”）归入0702 电风扇，未提供CCC证书或自我声明"),
    ("no_claim", "given", "0709", None, None,
     "目录产品0709 皮肤和毛发护理器具（按填报的目录代码），未提供CCC证书或自我声明"),
    ("forged_number", "keywords", "0707", None, None,
     f"所称编号{FORGED}在登记库中既不是证书也不是自我声明，疑似伪造"),
    ("forged_number", "keywords", "0707", None, None,
     f"所称编号{FORGED}在登记库中既不是证书也不是自我声明，疑似伪造"),
]  # fmt: skip


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """A small demo province, its market campaign included."""
    with django_db_blocker.unblock():
        demo = DemoProvince(Size(organizations=500, certificates=600, bodies=6, labs=4, reports_per_lab=1))
        demo.run()
        yield demo
        from django.core.management import call_command

        call_command("flush", "--no-input", verbosity=0)
        from certhub.registry.testing import ensure_reference_data

        ensure_reference_data()


def test_the_tests_listings_are_the_demos():
    assert TEST_LISTINGS.read_bytes() == LISTINGS.read_bytes()
    assert len(read_listings(TEST_LISTINGS)) == len(EXPECTED)


def test_the_demo_listings_through_the_api_get_exactly_the_expected_verdicts(province, client):
    campaign = Campaign.objects.get(name=CAMPAIGN)
    officer = User.objects.get(username="officer")
    sign_in_client(client, officer)
    with TEST_LISTINGS.open(encoding="utf-8", newline="") as handle:
        listings = list(csv.DictReader(handle))
    response = client.post(
        "/api/v1/market/checks",
        {"channel": "online", "region_code": "430000", "campaign": campaign.pk, "listings": listings},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    today = timezone.localdate()
    suspended = (today - datetime.timedelta(days=30)).isoformat()
    assert answer["rows_total"] == answer["rows_done"] == len(EXPECTED)
    got = [
        (
            check["verdict"],
            check["placement"],
            check["ccc_product_code"],
            check["certificate_number"] or check["declaration_number"],
            check["producer_uscc"],
        )
        for check in answer["checks"]
    ]
    want = [
        (verdict, placement, code, number, uscc(producer) if producer else None)
        for verdict, placement, code, number, producer, _reason in EXPECTED
    ]
    assert got == want
    reasons = [reason.format(day=today.isoformat(), suspended=suspended) for *_rest, reason in EXPECTED]
    assert [check["reason"] for check in answer["checks"]] == reasons
    # The shops are known by their credit codes; the second shop of the forged number gave none.
    assert [c["shop_organization_uscc"] for c in answer["checks"][-2:]] == [uscc("shop_forged"), None]
    assert answer["verdicts"] == {
        "covered": 3, "not_in_catalogue": 1, "needs_person": 1, "model_not_covered": 1, "certificate_invalid": 1,
        "declaration_invalid": 1, "no_claim": 2, "forged_number": 2,
    }  # fmt: skip


def test_the_campaigns_tally_equals_its_checks(province):
    campaign = Campaign.objects.get(name=CAMPAIGN)
    checks = MarketCheck.objects.filter(campaign=campaign)
    by_verdict = {verdict: checks.filter(verdict=verdict).count() for verdict in campaign_tally(campaign)["by_verdict"]}
    # The platforms' file (12 listings, one of each verdict, the forged number twice), the two products the
    # city's officer checked on site in the good shop and the kettle sampled there, all three covered.
    assert campaign_tally(campaign) == {
        "checked": 15,
        "covered": 6,
        "violations": 7,
        "by_verdict": by_verdict,
    }
    assert by_verdict == {
        "covered": 6, "not_in_catalogue": 1, "model_not_covered": 1, "certificate_invalid": 1,
        "declaration_invalid": 1, "forged_number": 2, "no_claim": 2, "needs_person": 1,
    }  # fmt: skip
    assert checks.count() == 15
    assert sorted(checks.values_list("channel", flat=True)) == ["online"] * 12 + ["onsite"] * 2 + ["sample"]
    sample = checks.get(channel="sample")
    assert sample.test_report is not None and sample.test_report.issue_date > sample.checked_on
    assert (sample.verdict, sample.certificate.number, sample.sample_number) == (
        "covered",
        KETTLE,
        f"湘抽〔{sample.checked_on.year}〕0001",
    )


def test_a_self_declared_product_counts_as_covered_and_raises_no_warning(province):
    today = timezone.localdate()
    declarer = Organization.objects.get(uscc=uscc("declarer"))
    declared = set(SelfDeclaration.objects.filter(status="published").values_list("organization_id", flat=True))
    assert declarer.pk in declared and len(declared) == 4  # the drill's maker and the three province makers
    # Every maker with a published declaration makes what it declared, and none is flagged or warned.
    assert not declared & {finding.subject_id for finding in ccc_uncovered(today)}
    assert not Warning.objects.filter(subject_type=GradedSubject.ORGANIZATION, subject_id__in=declared).exists()
    before = ccc_coverage(today, "430302")[("430302", "")]

    declaration = SelfDeclaration.objects.get(number=DRILL)
    do_withdraw_declaration(
        declaration=declaration,
        reason="停止生产该型号。",
        withdrawn_on=today,
        actor=Actor(role=Role.ENTERPRISE, label=declarer.name, organization_id=declarer.pk),
    )
    after = ccc_coverage(today, "430302")[("430302", "")]
    # Withdrawn today: the same product made, one fewer covered; the detector now finds its maker.
    assert (after[0], after[1]) == (before[0] - 1, before[1])
    assert declarer.pk in {finding.subject_id for finding in ccc_uncovered(today)}
