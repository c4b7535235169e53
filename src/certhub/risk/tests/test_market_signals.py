"""Market checks as risk signals (C7 → C6): the forged_number and uncertified_sale detectors, market checks
under an invalid certificate counted by certificate_use_invalid, and the weight that makes one forged number
a warning."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from certhub.core.actors import SYSTEM
from certhub.market.choices import Verdict
from certhub.market.testing import do_record_judged_checks
from certhub.registry.models import CccProduct
from certhub.risk.actions import do_run_scoring
from certhub.risk.detectors import DETECTORS, certificate_use_invalid, forged_number, uncertified_sale
from certhub.risk.models import Grade, Warning
from certhub.risk.scoring import load_rule

DAY = datetime.date(2026, 3, 2)


def record(world, *rows, checked_on=DAY):
    return do_record_judged_checks(
        rows=[{"reason": "测试", **row} for row in rows],
        region_code="430104",
        checked_on=checked_on,
        actor=world.actor("officer_changsha"),
    )


@pytest.fixture
def fridge():
    return CccProduct.objects.get(code="0701", effective_to__isnull=True)


def test_forged_numbers_are_found_per_producer_and_shop_and_repeats_count(world):
    maker, hengyang, farm = (world.organizations[k] for k in ("maker", "hengyang", "farm"))
    record(
        world,
        # A shop matched to 衡阳湘江 twice with one made-up number and once with another.
        {"product_name": "电冰箱A", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701999999",
         "shop": "湘江电器专营店", "shop_organization": hengyang},
        {"product_name": "电冰箱A", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701999999",
         "shop": "湘江电器专营店", "shop_organization": hengyang},
        {"product_name": "电冰箱B", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701888888",
         "shop": "湘江电器专营店", "shop_organization": hengyang},
        # A producer selling in its own shop: one check, one count.
        {"product_name": "电冰箱C", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "ZS4301042026999999",
         "producer": maker, "shop_organization": maker},
        # A shop not matched to any organization: kept, but nobody to score.
        {"product_name": "电冰箱D", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701777777",
         "shop": "无名小店"},
        # Other verdicts are not forgeries.
        {"product_name": "电冰箱E", "verdict": Verdict.NO_CLAIM, "shop_organization": farm},
    )  # fmt: skip
    record(
        world,
        {"product_name": "电冰箱F", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701666666",
         "shop_organization": farm},
        checked_on=DAY + datetime.timedelta(days=1),
    )  # fmt: skip
    found = {(f.subject_id, f.count, f.since) for f in forged_number(today=DAY)}
    assert found == {(hengyang.pk, 3, DAY), (maker.pk, 1, DAY)}
    by_subject = {f.subject_id: f for f in forged_number(today=DAY)}
    assert by_subject[hengyang.pk].explanation == (
        f"衡阳湘江机械制造有限公司（{hengyang.uscc}）有3次市场检查发现标称的证书或自我声明编号不在登记库中"
        "（疑似伪造，2个编号，如2099010701888888），最早在2026-03-02"
    )
    assert by_subject[hengyang.pk].text("en") == (
        f"衡阳湘江机械制造有限公司 ({hengyang.uscc}): 3 market checks found a certificate or declaration number "
        "not in the registry (probable forgery; 2 numbers, e.g. 2099010701888888), the first on 2026-03-02"
    )
    # The check of the next day counts once that day is judged.
    assert {(f.subject_id, f.count) for f in forged_number(today=DAY + datetime.timedelta(days=1))} == {
        (hengyang.pk, 3),
        (maker.pk, 1),
        (farm.pk, 1),
    }


def test_uncertified_sales_count_no_claim_model_not_covered_and_invalid_declarations(world, fridge):
    maker, hengyang, farm = (world.organizations[k] for k in ("maker", "hengyang", "farm"))
    ccc = world.certificates["ccc"]
    record(
        world,
        {"product_name": "家用电冰箱 BCD-300", "verdict": Verdict.MODEL_NOT_COVERED, "model": "BCD-300",
         "certificate": ccc, "producer": maker, "shop_organization": hengyang, "ccc_product": fridge,
         "checked_on": datetime.date(2026, 2, 1)},
        {"product_name": "家用电冰箱", "verdict": Verdict.NO_CLAIM, "shop_organization": hengyang,
         "ccc_product": fridge},
        {"product_name": "电热水壶", "verdict": Verdict.DECLARATION_INVALID, "producer": farm,
         "claimed_number": "ZS4311022025000001"},
        {"product_name": "家用电冰箱 BCD-218", "verdict": Verdict.COVERED, "certificate": ccc, "producer": maker,
         "shop_organization": farm},
        {"product_name": "棉质T恤", "verdict": Verdict.NOT_IN_CATALOGUE, "shop_organization": farm},
        {"product_name": "多功能料理机", "verdict": Verdict.NEEDS_PERSON, "shop_organization": farm},
    )  # fmt: skip
    found = {f.subject_id: (f.count, f.since, f.explanation) for f in uncertified_sale(today=DAY)}
    assert found == {
        maker.pk: (
            1,
            datetime.date(2026, 2, 1),
            f"长沙星城电器有限公司（{maker.uscc}）有1次市场检查发现CCC目录产品未获有效认证或自我声明覆盖即销售"
            "（如“家用电冰箱 BCD-300”），最早在2026-02-01",
        ),
        hengyang.pk: (
            2,
            datetime.date(2026, 2, 1),
            f"衡阳湘江机械制造有限公司（{hengyang.uscc}）有2次市场检查发现CCC目录产品未获有效认证或自我声明覆盖即销售"
            "（如“家用电冰箱”），最早在2026-02-01",
        ),
        farm.pk: (
            1,
            DAY,
            f"永州潇湘有机农场（{farm.uscc}）有1次市场检查发现CCC目录产品未获有效认证或自我声明覆盖即销售"
            "（如“电热水壶”），最早在2026-03-02",
        ),
    }
    assert forged_number(today=DAY) == []


def test_a_sale_under_an_invalid_certificate_counts_as_a_use_of_it_for_its_holder(world):
    hengyang = world.organizations["hengyang"]
    assert certificate_use_invalid(today=DAY) == []
    record(
        world,
        {"product_name": "机械设备", "verdict": Verdict.CERTIFICATE_INVALID,
         "certificate": world.certificates["suspended"], "producer": hengyang,
         "shop_organization": world.organizations["farm"], "checked_on": datetime.date(2025, 12, 1)},
        # A product sold under a valid certificate is no use while invalid.
        {"product_name": "机械设备", "verdict": Verdict.COVERED, "certificate": world.certificates["active"],
         "producer": world.organizations["maker"]},
    )  # fmt: skip
    [finding] = certificate_use_invalid(today=DAY)
    assert (finding.subject_id, finding.count, finding.since) == (hengyang.pk, 1, datetime.date(2025, 12, 1))
    assert finding.explanation == (
        f"衡阳湘江机械制造有限公司（{hengyang.uscc}）有1次在证书暂停、撤销、注销或过期后仍使用证书"
        "（如CNCA-QMS-2025-0002），最早在2025-12-01"
    )
    # Judged on an earlier day, before the check: not yet seen.
    assert certificate_use_invalid(today=datetime.date(2025, 11, 30)) == []


def test_the_organization_weights_sum_to_one_and_one_forged_number_raises_a_warning(world):
    rule = load_rule()
    assert rule.weights["organization"] == {
        "certificate_use_invalid": Decimal("0.2"),
        "ccc_uncovered": Decimal("0.2"),
        "inspection_problems": Decimal("0.2"),
        "forged_number": Decimal("0.2"),
        "uncertified_sale": Decimal("0.1"),
        "penalties": Decimal("0.05"),
        "complaints_substantiated": Decimal("0.05"),
    }
    assert sum(rule.weights["organization"].values()) == 1
    assert {"forged_number", "uncertified_sale"} <= set(DETECTORS)
    hengyang, farm = world.organizations["hengyang"], world.organizations["farm"]
    record(
        world,
        {"product_name": "电冰箱", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701999999",
         "shop_organization": hengyang},
        {"product_name": "家用电冰箱", "verdict": Verdict.NO_CLAIM, "shop_organization": farm},
    )  # fmt: skip
    run = do_run_scoring(today=DAY, actor=SYSTEM)
    assert run.warnings == 1
    [warning] = Warning.objects.all()
    # One forged number: severity 100 (saturation 1) × 0.2 = 20, the warning threshold; grade B (10 ≤ 20 < 25).
    assert (warning.subject_id, warning.score, warning.grade) == (hengyang.pk, 20.0, "B")
    assert [(f["detector"], f["count"], f["contribution"]) for f in warning.findings] == [("forged_number", 1, "20.0")]
    # One uncertified sale: 100 × 0.1 = 10, grade B, below the warning threshold.
    assert Grade.objects.get(subject_type="organization", subject_id=farm.pk).grade == "B"
    assert Grade.objects.get(subject_type="organization", subject_id=farm.pk).score == 10.0
