"""The detector `signed_after_ban` (C9, 谁签字谁担责): reports signed by a person on or after the start of
their lifetime ban, while it was in force, one finding per lab and person; nothing before the ban, after
its lift, or after the day judged."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.actors import SYSTEM
from certhub.registry.actions import do_create_test_report
from certhub.registry.actions.bans import do_impose_ban, do_lift_ban
from certhub.risk.detectors import DETECTORS, signed_after_ban
from certhub.risk.scoring import load_rule, score

pytestmark = pytest.mark.django_db

INSULATION = {"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "符合"}


@pytest.fixture
def signed(world):
    def issue(number: str, day: datetime.date) -> None:
        do_create_test_report(
            lab=world.labs["main"],
            number=number,
            signatory=world.signatories["zhou"],
            issue_date=day,
            conclusion="PASS",
            items=[INSULATION],
            actor=world.actor("lab"),
        )

    for number, day in (("R-1", (2025, 5, 31)), ("R-2", (2025, 6, 1)), ("R-3", (2025, 7, 1))):
        issue(number, datetime.date(*day))


def lifetime_ban(world):
    return do_impose_ban(
        kind="LIFETIME_BAN",
        person=world.signatories["zhou"].person,
        decision_number="湘市监罚〔2025〕21号",
        decided_on=datetime.date(2025, 5, 20),
        authority="湖南省市场监督管理局",
        starts=datetime.date(2025, 6, 1),
        reason="出具虚假检验检测报告",
        legal_basis="检验检测机构监督管理办法",
        actor=SYSTEM,
    )


def test_reports_signed_after_the_ban_are_found_with_the_ban_named(world, signed):
    assert signed_after_ban(today=datetime.date(2025, 12, 31)) == []
    lifetime_ban(world)
    [finding] = signed_after_ban(today=datetime.date(2025, 12, 31))
    assert (finding.detector, finding.subject_type, finding.subject_id, finding.subject_key) == (
        "signed_after_ban",
        "lab",
        world.labs["main"].pk,
        "231812050341",
    )
    assert (finding.count, finding.since) == (2, datetime.date(2025, 6, 1))
    assert finding.explanation == (
        "检验检测机构湖南省产品质量检验检测研究院（231812050341）的周敏自2025-06-01起被终身禁入（湘市监罚〔2025〕21号），"
        "此后仍签发了2份报告，最早一份在2025-06-01"
    )
    assert finding.text("en") == (
        "周敏 of the inspection and testing body 湖南省产品质量检验检测研究院 (231812050341), under a lifetime ban "
        "since 2025-06-01 (湘市监罚〔2025〕21号), signed 2 reports after it, the first on 2025-06-01"
    )
    # The day judged: a report after it does not count yet.
    assert [(f.count, f.since) for f in signed_after_ban(today=datetime.date(2025, 6, 20))] == [
        (1, datetime.date(2025, 6, 1))
    ]
    assert DETECTORS["signed_after_ban"] is signed_after_ban


def test_a_lifted_ban_stops_counting_from_its_lift(world, signed):
    ban = lifetime_ban(world)
    do_lift_ban(
        ban=ban,
        decision_number="湘市监撤〔2025〕2号",
        lifted_on=datetime.date(2025, 6, 15),
        reason="复议撤销",
        actor=SYSTEM,
    )
    assert [(f.count, f.since) for f in signed_after_ban(today=datetime.date(2025, 12, 31))] == [
        (1, datetime.date(2025, 6, 1))
    ]


def test_the_finding_weighs_on_the_labs_score(world, signed):
    lifetime_ban(world)
    [lab] = score(signed_after_ban(today=datetime.date(2025, 12, 31)), load_rule())
    # 2 reports of saturation 1 → severity 100 × weight 0.2 = 20 points: grade B and a warning (20).
    assert [(c.detector, c.severity, c.points) for c in lab.contributions] == [("signed_after_ban", 100, 20)]
    assert (lab.subject_type, lab.subject_id, lab.score, lab.grade) == ("lab", world.labs["main"].pk, 20, "B")
