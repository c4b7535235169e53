"""Scores and grades from findings under a configured rule; a bad rule is refused with the key at fault."""

from __future__ import annotations

import copy
import datetime
import json
from decimal import Decimal

import pytest

from certhub.core.errors import ValidationFailed
from certhub.risk.detectors import Finding
from certhub.risk.scoring import DEFAULT_FILE, load_rule, parse_rule, score

DEFAULT = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
DAY = datetime.date(2025, 3, 1)


def finding(detector: str, subject_type: str, subject_id: int, count: int) -> Finding:
    return Finding(detector, subject_type, subject_id, f"K{subject_id}", count, DAY, f"{detector}×{count}")


def test_the_default_rule_loads_and_grades_by_its_thresholds():
    rule = load_rule()
    assert (rule.thresholds, rule.warning) == ((Decimal("10"), Decimal("25"), Decimal("50")), Decimal("20"))
    assert [rule.grade(Decimal(s)) for s in ("0", "9.9", "10", "24.9", "25", "49.9", "50", "100")] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
    ]


def test_a_score_is_the_weighted_sum_of_capped_severities_and_explains_itself():
    rule = load_rule()
    scores = score(
        [
            finding("lab_outside_scope", "lab", 7, 5),
            finding("signatory_volume", "lab", 7, 9),
            finding("lab_outside_scope", "lab", 7, 1),
            finding("late_reporting", "certification_body", 3, 10),
            finding("inspection_problems", "organization", 9, 1),
        ],
        rule,
    )
    by_subject = {(s.subject_type, s.subject_id): s for s in scores}
    lab = by_subject[("lab", 7)]
    # lab_outside_scope: 6 of 2 → capped 100 × 0.4 = 40; signatory_volume: 9 of 1 → capped 100 × 0.1 = 10.
    assert [(c.detector, c.severity, c.points) for c in lab.contributions] == [
        ("lab_outside_scope", Decimal("100"), Decimal("40.0")),
        ("signatory_volume", Decimal("100"), Decimal("10.0")),
    ]
    assert (lab.score, lab.grade) == (Decimal("50.0"), "D")
    assert lab.basis() == "风险分50.0：lab_outside_scope×5；lab_outside_scope×1（40.0分）；signatory_volume×9（10.0分）"
    # late_reporting: 10 of 20 → 50 × 0.3 = 15; inspection_problems: 1 of 1 → 100 × 0.2 = 20.
    assert (by_subject[("certification_body", 3)].score, by_subject[("certification_body", 3)].grade) == (
        Decimal("15.0"),
        "B",
    )
    assert (by_subject[("organization", 9)].score, by_subject[("organization", 9)].grade) == (Decimal("20.0"), "B")


def _with(change):
    data = copy.deepcopy(DEFAULT)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            lambda d: d["weights"]["lab"].__setitem__("lab_outside_scope", "x"),
            {"weights.lab.lab_outside_scope": ["“x”不是数字"]},
        ),
        (
            lambda d: d["weights"]["lab"].__setitem__("lab_outside_scope", "0.6"),
            {"weights.lab": ["权重之和应为1，现为1.2"]},
        ),
        (
            lambda d: d["weights"]["lab"].__setitem__("lab_outside_scope", "1.5"),
            {"weights.lab.lab_outside_scope": ["权重应在0到1之间"]},
        ),
        (
            lambda d: d["weights"]["lab"].__setitem__("no_such_detector", "0"),
            {"weights.lab.no_such_detector": ["未知的检测项"]},
        ),
        (lambda d: d["weights"].__setitem__("people", {"late_reporting": "1"}), {"weights.people": ["未知的对象类型"]}),
        (
            lambda d: d["saturation"].__setitem__("late_reporting", 0),
            {"saturation.late_reporting": ["应为不小于1的整数"]},
        ),
        (lambda d: d["grades"].__setitem__("D", "120"), {"grades": ["等级分界应满足 0 < B < C < D ≤ 100"]}),
        (lambda d: d["grades"].__setitem__("B", "50"), {"grades": ["等级分界应满足 0 < B < C < D ≤ 100"]}),
        (lambda d: d.pop("weights"), {"weights": ["缺少权重（weights）"]}),
        (lambda d: d.__setitem__("warning", "0"), {"warning": ["预警分值应在0（不含）到100之间"]}),
        (lambda d: d.__setitem__("warning", "高"), {"warning": ["“高”不是数字"]}),
    ],
)
def test_a_bad_rule_is_refused_naming_the_key(change, errors):
    with pytest.raises(ValidationFailed) as caught:
        parse_rule(_with(change))
    assert caught.value.errors == errors


def test_a_rule_file_that_does_not_parse_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "scoring.json"
    broken.write_text("{weights:")
    monkeypatch.setenv("CERTHUB_RISK_SCORING", str(broken))
    with pytest.raises(ValidationFailed) as caught:
        load_rule()
    assert list(caught.value.errors) == ["scoring"]
    assert caught.value.errors["scoring"][0].startswith("无法读取评分规则scoring.json：")


def test_certhub_risk_detect_prints_scores_grades_and_findings(world, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from certhub.registry.actions import do_create_test_report

    lab = world.labs["main"]
    for number in ("R-1", "R-2"):
        do_create_test_report(
            lab=lab,
            number=number,
            signatory=world.signatories["zhou"],
            issue_date=DAY,
            conclusion="PASS",
            items=[{"parameter": "镉", "standard": "GB 5009.15-2023"}],
            actor=world.actor("lab"),
        )
    out = StringIO()
    call_command("risk", "detect", stdout=out)
    lines = out.getvalue().splitlines()
    # Outside the lab's scope (2 of 2 → 100 × 0.4 = 40) and outside 周敏's (2 of 3 → 66.7 × 0.2 = 13.3).
    assert lines[0] == "D   53.3  lab  231812050341"
    assert lines[1].split()[0] == "40.0" and "签发了2份含“镉”（GB 5009.15-2023）的报告" in lines[1]
    assert lines[2].split()[0] == "13.3" and "授权签字人周敏签发了2份" in lines[2]
    # The world's two bodies reported their certificates long after issue: late reporting, one finding each.
    assert [line.split()[2:] for line in lines if "certification_body" in line] == [
        ["certification_body", "CNCA-R-2004-117"],
        ["certification_body", "CNCA-R-2011-089"],
    ]
    # … and their certificates issued years ago have had no surveillance audit since: overdue, one finding each.
    assert lines[-1] == "6 findings, 3 subjects scored"
    bad = tmp_path / "rule.json"
    bad.write_text(json.dumps(_with(lambda d: d["grades"].__setitem__("D", "120"))))
    with pytest.raises(CommandError, match="the scoring rule is refused: grades: 等级分界应满足") as caught:
        call_command("risk", "detect", "--rule", str(bad))
    assert caught.value.returncode == 2
