"""A case from a market check's violation in one step (C7 → C6): opened about the producer or the shop's
organization with the default deadline and the officer's department told, or joined to that organization's
open case; each refusal with its exact message and nothing changed."""

from __future__ import annotations

import datetime

import pytest

from certhub.cases.actions import do_open_case_from_market_check
from certhub.cases.models import Case, Measure, Notice
from certhub.cases.tests.conftest import CITY_MARKET
from certhub.core.errors import Conflict, NotPermitted
from certhub.core.models import AuditEvent
from certhub.market.choices import Verdict
from certhub.market.testing import do_record_judged_checks

pytestmark = pytest.mark.django_db


def state():
    return (
        list(Case.objects.order_by("id").values_list("number", "subject_id", "market_check_id")),
        list(Measure.objects.order_by("id").values_list("case_id", "market_check_id")),
        Notice.objects.count(),
        AuditEvent.objects.count(),
    )


def checks(world, *rows):
    return do_record_judged_checks(
        rows=[{"reason": "测试理由。", **row} for row in rows],
        region_code="430104",
        checked_on=datetime.date(2026, 9, 29),
        actor=world.actor("officer_changsha"),
    )


def test_a_forged_number_opens_a_case_about_the_shop_in_one_step(
    cases_world, opening_day, django_capture_on_commit_callbacks, mailoutbox
):
    world = cases_world
    hengyang = world.organizations["hengyang"]
    [check] = checks(
        world,
        {
            "product_name": "双门电冰箱",
            "verdict": Verdict.FORGED_NUMBER,
            "claimed_number": "2099010701999999",
            "shop": "湘江电器专营店",
            "shop_organization": hengyang,
            "reason": "编号2099010701999999不是登记库中的CCC证书或自我声明编号。",
        },
    )
    audit_before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        case = do_open_case_from_market_check(check=check, actor=world.actor("yuelu_market"))
    case.refresh_from_db()
    assert (
        case.number,
        case.market_check_id,
        case.subject_type,
        case.subject_id,
        case.subject_name,
        case.uscc,
        case.region_code,
        case.title,
        case.departments,
        case.working_days,
        case.deadline,
        case.opened_by.username,
    ) == (
        "AJ-2026-430104-0001",
        check.pk,
        "organization",
        hengyang.pk,
        "衡阳湘江机械制造有限公司",
        hengyang.uscc,
        "430104",
        "市场检查：编号不在登记库中（疑似伪造）（双门电冰箱）",
        [CITY_MARKET],
        10,
        datetime.date(2026, 10, 20),
        "yuelu_market",
    )
    assert list(AuditEvent.objects.filter(pk__gt=0).order_by("id").values_list("event_type", flat=True))[
        audit_before:
    ] == ["CASE_OPENED"]
    assert AuditEvent.objects.order_by("-id").first().after["market_check"] == check.pk
    # The department's officers covering the check's region are told.
    assert sorted(Notice.objects.filter(case=case).values_list("recipient__username", flat=True)) == [
        "cs_market",
        "yuelu_market",
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["cs_market@amr.changsha.example"]
    assert mailoutbox[0].subject == "【立案通报】AJ-2026-430104-0001 衡阳湘江机械制造有限公司"
    assert mailoutbox[0].body.splitlines()[0] == (
        "市场检查发现违法情形，已立案处置，请责任部门按期处置。编号2099010701999999不是登记库中的CCC证书或自我声明编号。"
    )

    # The same check again: refused, naming the case; nothing changed.
    before = state()
    with pytest.raises(Conflict) as refused:
        do_open_case_from_market_check(check=check, actor=world.actor("yuelu_market"))
    assert refused.value.errors == {"check": ["该市场检查已立案：AJ-2026-430104-0001"]}
    assert state() == before


def test_another_violation_of_the_same_organization_joins_its_open_case(cases_world, opening_day):
    world = cases_world
    maker, hengyang = world.organizations["maker"], world.organizations["hengyang"]
    first, second = checks(
        world,
        {"product_name": "家用电冰箱", "verdict": Verdict.NO_CLAIM, "shop_organization": maker},
        {"product_name": "家用电冰箱 BCD-300", "verdict": Verdict.MODEL_NOT_COVERED, "model": "BCD-300",
         "claimed_number": "2025010701000123", "certificate": world.certificates["ccc"], "producer": maker,
         "shop_organization": hengyang, "reason": "证书2025010701000123未列出型号BCD-300。"},
    )  # fmt: skip
    case = do_open_case_from_market_check(check=first, actor=world.actor("yuelu_market"))
    notices_before, audit_before = Notice.objects.count(), AuditEvent.objects.count()
    # The second check's producer (the maker) has an open case the officer's region covers: joined to it.
    joined = do_open_case_from_market_check(check=second, actor=world.actor("cs_market"))
    assert joined.pk == case.pk
    assert Case.objects.count() == 1
    [measure] = Measure.objects.filter(case=case)
    assert (measure.market_check_id, measure.taken_on, measure.recorded_by.username, measure.description) == (
        second.pk,
        datetime.date(2026, 9, 30),
        "cs_market",
        "并案：市场检查发现“家用电冰箱 BCD-300”证书未覆盖该型号（标称编号2025010701000123）。"
        "证书2025010701000123未列出型号BCD-300。",
    )
    assert list(AuditEvent.objects.order_by("id").values_list("event_type", flat=True))[audit_before:] == [
        "CASE_MEASURE_RECORDED"
    ]
    assert Notice.objects.count() == notices_before
    before = state()
    with pytest.raises(Conflict) as refused:
        do_open_case_from_market_check(check=second, actor=world.actor("cs_market"))
    assert refused.value.errors == {"check": ["该市场检查已立案：AJ-2026-430104-0001"]}
    assert state() == before


def test_refusals_change_nothing(cases_world, opening_day):
    world = cases_world
    covered, unmatched, forged = checks(
        world,
        {"product_name": "家用电冰箱 BCD-218", "verdict": Verdict.COVERED, "producer": world.organizations["maker"]},
        {"product_name": "电热水壶", "verdict": Verdict.NO_CLAIM, "shop": "无名小店"},
        {"product_name": "电冰箱", "verdict": Verdict.FORGED_NUMBER, "claimed_number": "2099010701999999",
         "shop_organization": world.organizations["farm"]},
    )  # fmt: skip
    before = state()
    with pytest.raises(Conflict) as refused:
        do_open_case_from_market_check(check=covered, actor=world.actor("yuelu_market"))
    assert refused.value.errors == {
        "check": ["该市场检查的结论为“已覆盖（证书或自我声明有效）”，不是违法情形，不能立案"]
    }
    with pytest.raises(Conflict) as refused:
        do_open_case_from_market_check(check=unmatched, actor=world.actor("yuelu_market"))
    assert refused.value.errors == {"check": ["该市场检查未能对应到登记库中的生产者或经营者，不能由此立案"]}
    # Outside the officer's region (the check is in 430104): refused.
    for username in ("hy_market", "furong_market", "maker"):
        with pytest.raises(NotPermitted) as forbidden:
            do_open_case_from_market_check(check=forged, actor=world.actor(username))
        assert forbidden.value.message == f"{username} 无权执行“处置风险预警”"
    assert state() == before
