"""Run rules (C12): the expected flags of qcc's own rule tests (tests/testthat/test-rules.R, each series with
center 0 and σ 1), and the vectorized rules equal to a point-by-point transcription of them (spc_loop.py)
on random series, and on the piston rings."""

from __future__ import annotations

import numpy as np
import pytest

from certhub.toolbox.spc import RULE_TEXT, RULESETS, Violation, control_chart, rule_text, run_rules
from certhub.toolbox.tests import spc_loop
from certhub.toolbox.tests.spc_data import pistonrings


def flagged(points, rule):
    """1-based positions flagged by `rule` on a series with center 0 and σ 1, as qcc's tests number them."""
    return [v.index + 1 for v in run_rules(np.array(points, dtype=float), 0.0, 1.0, (rule,))]


QCC_RULE_TESTS = [
    ("we-1", [0, 3.2, -3.5, 2.9], [2, 3]),
    ("we-2", [0, 2.5, 1.0, 2.6, 0], [4]),
    ("we-3", [0, 1.2, 1.3, 0.2, 1.4, 1.5], [6]),
    ("we-4", [-1, -1, -1, -1, -1, -1, -1, -1, 1], [8]),
    ("we-4", [2.5] * 7 + [3.2], [8]),
    ("we-3", [2.5] * 7 + [3.2], [5, 6, 7, 8]),
    ("we-2", [2.5] * 7 + [3.2], [3, 4, 5, 6, 7, 8]),
    ("we-1", [2.5] * 7 + [3.2], [8]),
    ("we-4", [0.5] * 8 + [-0.5], [8]),
    ("we-4", [0, 1] * 7 + [0], []),
    ("nelson-4", [0, 1] * 7 + [0], [14, 15]),
    ("nelson-1", [0, 3.2, -3.4, 3], [2, 3]),
    ("nelson-2", [0.5] * 10 + [-0.5] * 10, [9, 10, 19, 20]),
    ("nelson-3", [1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1], [6, 7, 13, 14]),
    ("nelson-4", [1, 3, 2, 4, 3, 5, 4, 6, 5, 7, 6, 8, 7, 9, 8], [14, 15]),
    ("nelson-5", [0, 2.3, 0.4, 2.2, -2.4, -0.2, -2.5], [4, 7]),
    ("nelson-6", [1.2, 1.3, 0.2, 1.4, 1.5, -1.2, -1.3, -0.1, -1.4, -1.5], [5, 10]),
    ("nelson-7", [0.3] * 16 + [1.2], [15, 16]),
    ("nelson-8", [1.2, -1.3, 1.1, -1.4, 1.5, -1.2, 1.3, -1.1, 0.2], [8]),
    ("nelson-8", [1.2] * 8, []),
]


@pytest.mark.parametrize(("rule", "points", "expected"), QCC_RULE_TESTS)
def test_rules_flag_what_qcc_flags(rule, points, expected):
    assert flagged(points, rule) == expected


@pytest.mark.parametrize("seed", range(6))
def test_vectorized_rules_equal_the_point_by_point_loop(seed):
    rng = np.random.default_rng(seed)
    # A drifting, sometimes alternating series with varying σᵢ, so that every rule fires somewhere.
    n = 600
    points = rng.normal(0, 1, n) + np.repeat(rng.normal(0, 1.2, n // 30), 30)
    points[100:130] = np.where(np.arange(30) % 2, 1.0, -1.0) * rng.uniform(0.5, 1.5, 30)
    points[200:230] = np.linspace(-2, 2, 30)
    points[300:320] = rng.uniform(-0.5, 0.5, 20)
    points[400:412] = np.where(np.arange(12) < 6, 1.6, -1.6) + rng.uniform(-0.2, 0.2, 12)
    sigma = rng.uniform(0.8, 1.2, n)
    rules = RULESETS["nelson"] + RULESETS["western-electric"]
    vectorized = run_rules(points, 0.1, sigma, rules)
    by_loop = {r: spc_loop.rule_flags(points.tolist(), 0.1, sigma.tolist(), r) for r in rules}
    expected = tuple(Violation(i, r) for i in range(n) for r in rules if by_loop[r][i])
    assert vectorized == expected
    assert {v.rule for v in vectorized} == set(rules)  # the series does exercise every rule


def test_piston_rings_flags_equal_the_loop_and_the_loop_limits_equal_ours():
    values, samples = pistonrings()
    ours = control_chart("xbar-r", values[:125], subgroups=samples[:125]).charts[0]
    loop = spc_loop.xbar_r(values[:125], samples[:125], RULESETS["nelson"])
    assert ours.center == pytest.approx(loop["center"], abs=1e-12)
    assert ours.sigma == pytest.approx(loop["sigma"], abs=1e-15)
    assert [(v.index, v.rule) for v in ours.violations] == loop["violations"]
    full = control_chart("xbar-r", values, subgroups=samples, phase1=25).charts[0]
    flags = {
        r: spc_loop.rule_flags(full.points.tolist(), full.center, [full.sigma / 5**0.5] * 40, r)
        for r in RULESETS["nelson"]
    }
    assert [(v.index, v.rule) for v in full.violations] == [
        (i, r) for i in range(40) for r in RULESETS["nelson"] if flags[r][i]
    ]


def test_violations_are_ordered_by_point_then_by_the_rule_order_given():
    points = [0, 3.5, 2.5, 2.6]
    assert run_rules(points, 0.0, 1.0, ("we-2", "we-1")) == (
        Violation(1, "we-1"),
        Violation(2, "we-2"),
        Violation(3, "we-2"),
    )
    assert run_rules(points, 0.0, 1.0, ()) == ()


def test_every_rule_has_its_words():
    assert set(RULE_TEXT) == set(RULESETS["nelson"]) | set(RULESETS["western-electric"])
    assert rule_text("nelson-2") == "Nelson 规则 2：连续 9 点在中心线同一侧"
    assert rule_text("we-4") == "西方电气规则 4：连续 8 点在中心线同一侧"


def test_the_rules_read_in_english_under_the_english_switch():
    from django.utils import translation

    with translation.override("en"):
        assert rule_text("nelson-2") == "Nelson rule 2: 9 points in a row on the same side of the center line"
        assert rule_text("we-1") == "Western Electric rule 1: a point beyond the 3σ control limits"
