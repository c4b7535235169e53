"""A self-declaration in force counts as coverage (C7, C11): the CCC coverage KPI counts the maker's `*`/`**`
product as covered and the ccc_uncovered detector raises no finding for it, from the declaration day until
the day it is withdrawn; a maker of the same product without a declaration stays uncovered."""

import datetime

import pytest

from certhub.core.actors import SYSTEM
from certhub.market.actions import do_withdraw_declaration
from certhub.market.tests.declaring import add_compressor_lab, declare, report
from certhub.registry.actions import do_record_manufactured_products
from certhub.risk.detectors import ccc_uncovered
from certhub.stats.aggregate import ccc_coverage


@pytest.fixture
def made(world):
    """The maker makes 0701 (CCC-certified) and 0704 (to be declared); Hengyang makes 0704 too."""
    add_compressor_lab(world)
    report(world, "XZ-2025-001")
    maker, hengyang = world.organizations["maker"].uscc, world.organizations["hengyang"].uscc
    do_record_manufactured_products(
        rows=[
            {"uscc": maker, "ccc_product": "0701", "source": "licence", "recorded_on": "2025-05-01"},
            {"uscc": maker, "ccc_product": "0704", "source": "statistics", "recorded_on": "2025-05-01"},
            {"uscc": hengyang, "ccc_product": "0704", "source": "inspection", "recorded_on": "2025-05-01"},
        ],
        actor=SYSTEM,
    )
    return world


def uncovered(day):
    return {(f.subject_id, f.count) for f in ccc_uncovered(today=day)}


def test_a_declaration_in_force_covers_the_product_in_the_kpi_and_the_detector(made):
    maker, hengyang = made.organizations["maker"].pk, made.organizations["hengyang"].pk
    before, declared_on, after = datetime.date(2025, 6, 9), datetime.date(2025, 6, 10), datetime.date(2025, 8, 1)
    # Before any declaration: the maker's 0704 is uncovered beside its certified 0701.
    assert ccc_coverage(before) == {("430104", ""): (1, 2), ("430405", ""): (0, 1)}
    assert uncovered(before) == {(maker, 1), (hengyang, 1)}
    declaration = declare(made)
    assert declaration.declared_on == declared_on
    # The day before the declaration nothing changes; from the declaration day the maker is covered.
    assert ccc_coverage(before) == {("430104", ""): (1, 2), ("430405", ""): (0, 1)}
    assert uncovered(before) == {(maker, 1), (hengyang, 1)}
    assert ccc_coverage(declared_on) == {("430104", ""): (2, 2), ("430405", ""): (0, 1)}
    assert uncovered(declared_on) == {(hengyang, 1)}
    assert ccc_coverage(after) == {("430104", ""): (2, 2), ("430405", ""): (0, 1)}
    # Withdrawn from 2025-09-01: covered until the day before, uncovered from that day.
    do_withdraw_declaration(
        declaration=declaration, reason="产品停产", withdrawn_on=datetime.date(2025, 9, 1), actor=made.actor("maker")
    )
    assert ccc_coverage(datetime.date(2025, 8, 31)) == {("430104", ""): (2, 2), ("430405", ""): (0, 1)}
    assert uncovered(datetime.date(2025, 8, 31)) == {(hengyang, 1)}
    assert ccc_coverage(datetime.date(2025, 9, 1)) == {("430104", ""): (1, 2), ("430405", ""): (0, 1)}
    assert uncovered(datetime.date(2025, 9, 1)) == {(maker, 1), (hengyang, 1)}


def test_another_makers_declaration_covers_nothing_of_hengyang(made):
    declare(made)
    [finding] = [f for f in ccc_uncovered(today=datetime.date(2025, 7, 1))]
    hengyang = made.organizations["hengyang"]
    assert finding.subject_id == hengyang.pk
    assert finding.explanation == (
        f"衡阳湘江机械制造有限公司（{hengyang.uscc}）生产1种CCC目录产品（如“电动机－压缩机”）而无有效的CCC证书或自我声明，"
        "最早登记于2025-05-01"
    )
