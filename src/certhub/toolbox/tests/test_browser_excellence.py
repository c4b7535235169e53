"""The performance-excellence self-assessment (GB/T 19580, C12) in a real browser on a phone: the enterprise
user creates this year's assessment, scores the leadership items with evidence, is refused a score over an
item's points next to that item (nothing saved), corrects it, and sees the profile chart and the comparison
with last year. Every page passes axe-core's WCAG 2.1 AA check and fits the phone."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from certhub.core.testing import assert_accessible, fits_the_phone, sign_in
from certhub.registry.testing import build_world
from certhub.toolbox import excellence
from certhub.toolbox.models import Assessment, AssessmentScore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_enterprise_scores_its_self_assessment_on_a_phone(live_server, phone):
    world = build_world()
    maker = world.organizations["maker"]
    before = excellence.create_assessment(world.actor("maker"), year=2025)
    excellence.save_scores(world.actor("maker"), before, {"4.1.2": ("20", ""), "4.1.3": ("10", "")})
    base = live_server.url
    sign_in(phone, base, "maker", world.PASSWORD, lands_on=f"{reverse('portal:search')}?q={maker.uscc}")

    phone.goto(base + "/toolbox/excellence/")
    assert_accessible(phone, context="the list of self-assessments")
    phone.get_by_label("年度").fill("2026")
    phone.get_by_role("button", name="新建").click()
    phone.wait_for_url(re.compile(r"/toolbox/excellence/\d+/$"))
    assessment = Assessment.objects.get(organization=maker, year=2026)

    phone.get_by_role("link", name="评分（0/3）").first.click()
    phone.wait_for_url(re.compile(r"/score/4\.1/$"))
    phone.get_by_label("得分").nth(0).fill("32.5")
    phone.get_by_label("证据说明").nth(0).fill("战略评审会纪要（每季度）")
    phone.get_by_label("得分").nth(1).fill("31")
    phone.get_by_role("button", name="保存").click()
    phone.locator("#score-4\\.1\\.3-error").wait_for()
    assert phone.locator("#score-4\\.1\\.3-error").inner_text() == "得分 31 超过本条款的分值 30 分。"
    assert AssessmentScore.objects.filter(assessment=assessment).count() == 0
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the scoring form with a refused score")

    phone.get_by_label("得分").nth(1).fill("15")
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_url(re.compile(r"/toolbox/excellence/\d+/#category-4\.1$"))
    assert {(s.item, s.score) for s in assessment.scores.all()} == {
        ("4.1.2", Decimal("32.5")),
        ("4.1.3", Decimal("15.0")),
    }
    assert phone.locator("#total").inner_text().startswith("47.5 / 1000")
    assert phone.get_by_role("img", name="2026 年度卓越绩效自评：各类目得分率").count() == 1
    row = phone.locator("#comparison-table tbody tr").first.inner_text()
    assert row.split() == ["4.1", "领导", "110", "47.5", "30.0", "+17.5"]
    assert fits_the_phone(phone)
    assert_accessible(phone, context="the assessment with its profile and comparison")
    # The refused form answered 422 (the browser logs that status); nothing else went wrong, no CSP violation.
    assert [e for e in phone.console_errors if "status of 422" not in e] == []
