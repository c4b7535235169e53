"""The control-chart constants (C12) are computed with scipy, not copied; here they are checked against the
published table kept as data (toolbox/spc/data/constants.json: Montgomery, Introduction to Statistical
Quality Control, 7th ed., Appendix VI; ASTM E2587) and against the closed forms known for n = 2."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from certhub.toolbox.spc import constants

TABLE = json.loads((Path(constants.__file__).parent / "data" / "constants.json").read_text(encoding="utf-8"))
# The factors the table prints exactly as the rounded exact value. The others (d3, D3, D4) are within one unit
# of their last printed digit: the table derived D3 and D4 from already-rounded d2 and d3, and prints d3(19)
# as 0.734 where the exact value is 0.73348 (other printings give 0.733).
EXACT = ("d2", "c4", "A2", "A3", "B3", "B4")


@pytest.mark.parametrize("factor", sorted(TABLE["digits"]))
def test_every_factor_agrees_with_the_published_table(factor):
    digits = TABLE["digits"][factor]
    for n, printed in zip(TABLE["n"], TABLE[factor], strict=True):
        value = constants.factors(n)[factor]
        if factor in EXACT:
            assert round(value, digits) == pytest.approx(printed, abs=1e-12), (factor, n, value)
        else:
            assert abs(value - printed) <= 10.0**-digits, (factor, n, value)


def test_d2_d3_and_c4_equal_their_closed_forms_for_two_values():
    # R = |X1 − X2| with X1 − X2 ~ N(0, 2): E[R] = 2/√π, Var R = 2 − 4/π; c4(2) = √(2/π).
    assert constants.d2(2) == pytest.approx(2 / math.sqrt(math.pi), abs=1e-12)
    assert constants.d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), abs=1e-8)
    assert constants.c4(2) == pytest.approx(math.sqrt(2 / math.pi), abs=1e-15)


def test_the_constants_reach_a_hundred_and_stay_in_order():
    d2 = [constants.d2(n) for n in range(2, 101)]
    d3 = [constants.d3(n) for n in range(26, 101)]
    assert all(a < b for a, b in itertools.pairwise(d2))  # the expected range grows with n
    assert all(a > b for a, b in itertools.pairwise(d3))  # its spread shrinks past n = 3
    assert round(constants.d2(50), 3) == 4.498  # as the extended tables print it (qcc's d2 ends at 25)
    assert round(constants.d2(100), 3) == 5.015
    assert round(constants.c4(100), 4) == 0.9975


def test_the_divisor_is_d2_to_the_printed_three_decimals():
    assert constants.d2_published(2) == 1.128
    assert constants.d2_published(5) == 2.326
    assert constants.d2_published(25) == 3.931


def test_sizes_outside_two_to_a_hundred_are_refused():
    with pytest.raises(ValueError, match="outside 2…100"):
        constants.d2(1)
    with pytest.raises(ValueError, match="outside 2…100"):
        constants.d3(101)


def test_qcc_d3_table_agrees_with_the_computed_d3():
    """The range charts use d3 as R's qcc tabulates it (spc/data/qcc_d3.json), so that their limits equal qcc's
    printed ones; the table is not taken unchecked: every value is within 2e-5 of the computed d3."""
    data = json.loads((Path(constants.__file__).parent / "data" / "qcc_d3.json").read_text(encoding="utf-8"))
    assert data["n"] == list(range(2, 51))
    assert max(abs(constants.d3(n) - value) for n, value in zip(data["n"], data["d3"], strict=True)) < 2e-5
    assert constants.d3_published(5) == 0.8640855
    assert constants.d3_published(51) == constants.d3(51)
