"""The lab detectors (超资质认定范围): each finds exactly the reports it should, with its explanation, and
nothing on reports within scope."""

from __future__ import annotations

import datetime

import pytest

from certhub.registry.actions import do_create_test_report
from certhub.registry.models import Certificate
from certhub.risk.detectors import (
    inspection_problems,
    lab_reports_outside_scope,
    late_reporting,
    signatory_outside_authorization,
    signatory_volume,
)

INSULATION = {"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "符合"}
LEAD = {"parameter": "铅", "standard": "GB 5009.12-2023", "result": "0.05 mg/kg"}
CADMIUM = {"parameter": "镉", "standard": "GB 5009.15-2023", "result": "0.01 mg/kg"}


@pytest.fixture
def report(world):
    lab, signatory, actor = world.labs["main"], world.signatories["zhou"], world.actor("lab")

    def issue(number: str, day: datetime.date, *items: dict) -> None:
        do_create_test_report(
            lab=lab,
            number=number,
            signatory=signatory,
            issue_date=day,
            conclusion="PASS",
            items=list(items),
            actor=actor,
        )

    return issue


def test_reports_within_scope_raise_nothing(report):
    report("R-1", datetime.date(2025, 3, 1), INSULATION)
    assert (lab_reports_outside_scope(), signatory_outside_authorization()) == ([], [])


def test_a_parameter_outside_the_lab_scope_is_found_per_lab_and_parameter(world, report):
    report("R-1", datetime.date(2025, 3, 1), INSULATION, CADMIUM)
    report("R-2", datetime.date(2025, 2, 1), CADMIUM)
    report("R-3", datetime.date(2025, 4, 1), INSULATION)
    lab = world.labs["main"]
    [finding] = lab_reports_outside_scope()
    assert (finding.detector, finding.subject_type, finding.subject_id, finding.subject_key) == (
        "lab_outside_scope",
        "lab",
        lab.pk,
        "231812050341",
    )
    assert (finding.count, finding.since) == (2, datetime.date(2025, 2, 1))
    assert finding.explanation == (
        "检验检测机构湖南省产品质量检验检测研究院（231812050341）签发了2份含“镉”（GB 5009.15-2023）的报告，"
        "超出其当日的资质认定范围，最早一份在2025-02-01"
    )


def test_a_report_before_the_qualification_or_the_scope_row_is_outside_scope(report):
    report("R-OLD", datetime.date(2023, 4, 30), INSULATION)  # the CMA and the scope row start on 2023-05-01
    assert [(f.count, f.since) for f in lab_reports_outside_scope()] == [(1, datetime.date(2023, 4, 30))]


def test_a_signatory_outside_their_own_scope_or_period_is_found(world, report):
    report("R-1", datetime.date(2025, 3, 1), LEAD)  # in the lab's scope, not in 周敏's
    report("R-2", datetime.date(2023, 4, 1), INSULATION)  # before 周敏 was authorized
    report("R-3", datetime.date(2025, 3, 2), INSULATION)  # fine
    assert lab_reports_outside_scope()[0].count == 1  # R-2 is also before the lab's qualification
    [finding] = signatory_outside_authorization()
    assert (finding.detector, finding.count, finding.since) == (
        "signatory_outside_authorization",
        2,
        datetime.date(2023, 4, 1),
    )
    assert finding.explanation == (
        "检验检测机构湖南省产品质量检验检测研究院（231812050341）的授权签字人周敏签发了2份超出其当日授权签字范围"
        "（或不在授权期内）的报告，最早一份在2023-04-01"
    )


def test_a_signatory_signing_more_than_the_daily_limit_is_found(report):
    for n in range(3):
        report(f"D-{n}", datetime.date(2025, 5, 6), INSULATION)
    report("E-1", datetime.date(2025, 5, 7), INSULATION)
    report("E-2", datetime.date(2025, 5, 7), INSULATION)
    [finding] = signatory_volume(limit=2)
    assert (finding.detector, finding.count, finding.since) == ("signatory_volume", 1, datetime.date(2025, 5, 6))
    assert finding.explanation == (
        "检验检测机构湖南省产品质量检验检测研究院（231812050341）的授权签字人周敏有1天单日签发报告超过2份"
        "（最多一天3份），最早在2025-05-06"
    )
    assert signatory_volume(limit=3) == []
    with pytest.raises(ValueError, match="at least 1"):
        signatory_volume(limit=0)


def test_late_reporting_counts_each_bodys_certificates_past_the_allowed_delay(world):
    lags = list(
        Certificate.objects.values_list("certification_body__approval_number", "reporting_lag_days", "issue_date")
    )
    longest = max(lag for _body, lag, _day in lags)
    assert late_reporting(after_days=longest) == []
    findings = {f.subject_key: (f.count, f.since) for f in late_reporting(after_days=longest - 1)}
    latest = [(body, day) for body, lag, day in lags if lag == longest]
    assert findings == {
        body: (sum(1 for b, _d in latest if b == body), min(d for b, d in latest if b == body)) for body, _day in latest
    }
    with pytest.raises(ValueError, match="cannot be negative"):
        late_reporting(after_days=-1)


def test_published_problems_found_by_inspections_are_signals(world):
    import time_machine
    from django.utils import timezone

    from certhub.core.actors import SYSTEM
    from certhub.inspections import actions
    from certhub.inspections.testing import build_inspection_world

    iw = build_inspection_world(world.PASSWORD)
    batch = actions.do_commit_batch(batch=iw.batch, actor=SYSTEM)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        batch = actions.do_draw_batch(batch=batch, sources=["1 2 3", "4 5"], actor=SYSTEM)
        day = timezone.localdate()
        first, second = batch.tasks.order_by("sequence")[:2]
        for task, result, follow_up in ((first, "CORRECTED", "CORRECTION"), (second, "NORMAL", "NONE")):
            inspector = task.assignments.order_by("slot").first().inspector
            actions.do_record_result(
                task=task,
                result=result,
                follow_up=follow_up,
                findings="年报未公示",
                inspected_from=day,
                inspected_until=day,
                actor=iw.actor(inspector.user.username),
            )
            actions.do_publish_result(task=task, actor=world.actor("officer_province"))
    [finding] = inspection_problems()
    assert (finding.subject_type, finding.subject_id, finding.subject_key, finding.count, finding.since) == (
        "organization",
        first.organization_id,
        first.target_key,
        1,
        day,
    )
    assert finding.explanation == (
        f"{first.target_name}（{first.target_key}）在1次已公示的双随机抽查中被发现问题，最早公示于{day.isoformat()}"
    )
