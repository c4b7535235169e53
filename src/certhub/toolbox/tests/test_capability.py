"""Process capability against the published reference results (issue 18, Done when).

- R package qcc, `processCapability` on the piston-ring data (phase I = samples 1–25): the printed tables of
  qcc's vignette (vignettes/qcc.Rmd, "Process capability analysis", as rendered in docs/articles/qcc.html of
  github.com/luca-scr/qcc), to the three decimals qcc prints;
- qcc's own unit test (tests/testthat/test-capability.R): a 3 × 4 table whose indices and CIs qcc pins to
  1e-6, including Pp and Ppk;
- the NIST/SEMATECH e-Handbook of Statistical Methods, section 6.1.6 "What is Process Capability?": USL 20,
  LSL 8, mean 16, sigma 2 give Cp 1.00, Cpu 0.6667, Cpl 1.3333, Cpk 0.6667.

The piston-ring data (Montgomery, Introduction to Statistical Quality Control, table 6.3) is public; CertHub
keeps a copy (toolbox/data/pistonrings.csv, for the tests and the demo) as R's qcc package ships it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from certhub.toolbox.capability import capability, with_sigma
from certhub.toolbox.errors import InputError
from certhub.toolbox.tables import labels, numbers, read_table

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def rings() -> tuple[np.ndarray, list[str]]:
    table = read_table((DATA / "pistonrings.csv").read_bytes(), "pistonrings.csv")
    return numbers(table, "diameter"), labels(table, "sample")


def printed(value: float, digits: int = 3) -> float:
    return round(value, digits)


# (lsl, usl, target) → {index: (value, 2.5 %, 97.5 %)}, exactly as the vignette prints them; where the vignette
# prints two decimals (its first table, the same numbers as the second) the three-decimal table is used.
QCC_VIGNETTE = {
    (73.95, 74.05, None): {
        "cp": (1.703, 1.491, 1.915),
        "cpl": (1.743, 1.555, 1.932),
        "cpu": (1.663, 1.483, 1.844),
        "cpk": (1.663, 1.448, 1.878),
        "cpm": (1.691, 1.480, 1.902),
    },
    (73.95, 74.05, 74.02): {
        "cp": (1.703, 1.491, 1.915),
        "cpl": (1.743, 1.555, 1.932),
        "cpu": (1.663, 1.483, 1.844),
        "cpk": (1.663, 1.448, 1.878),
        "cpm": (0.786, 0.656, 0.915),
    },
    (73.99, 74.01, None): {
        "cp": (0.341, 0.298, 0.383),
        "cpl": (0.381, 0.318, 0.444),
        "cpu": (0.301, 0.242, 0.359),
        "cpk": (0.301, 0.231, 0.370),
        "cpm": (0.338, 0.296, 0.380),
    },
    (73.99, 74.1, None): {
        "cp": (1.874, 1.641, 2.106),
        "cpl": (0.381, 0.318, 0.444),
        "cpu": (3.367, 3.011, 3.722),
        "cpk": (0.381, 0.305, 0.456),
        "cpm": (0.408, 0.338, 0.479),
    },
}


@pytest.mark.parametrize("limits", list(QCC_VIGNETTE))
def test_piston_rings_equal_qcc_vignette(rings, limits):
    values, samples = rings
    lsl, usl, target = limits
    cap = capability(values, subgroups=samples, phase1=25, lsl=lsl, usl=usl, target=target)
    got = {
        key: (printed(getattr(cap, key)), printed(cap.ci[key][0]), printed(cap.ci[key][1]))
        for key in QCC_VIGNETTE[limits]
    }
    assert got == QCC_VIGNETTE[limits]
    # "Number of obs = 125", "Center = 74.00118", "StdDev = 0.009785039" (R̄/d2 with d2(5) = 2.326, the
    # printed three decimals qcc divides by)
    assert cap.n == 125
    assert round(cap.mean, 5) == 74.00118
    assert float(f"{cap.sigma_within:.7g}") == 0.009785039
    assert cap.target == ((lsl + usl) / 2 if target is None else target)


def test_piston_rings_shares_as_qcc_prints_them(rings):
    """qcc: "Exp<LSL 13%  Obs<LSL 12%  Exp>USL 18%  Obs>USL 16%" for LSL 73.99, USL 74.01 (signif 2 digits)."""
    values, samples = rings
    cap = capability(values, subgroups=samples, phase1=25, lsl=73.99, usl=74.01)
    assert [float(f"{share * 100:.2g}") for share in (cap.expected_below, cap.observed_below)] == [13, 12]
    assert [float(f"{share * 100:.2g}") for share in (cap.expected_above, cap.observed_above)] == [18, 16]
    assert (round(cap.observed_below * 125), round(cap.observed_above * 125)) == (15, 20)


def test_piston_rings_json_is_the_commands_answer(rings):
    values, samples = rings
    cap = capability(values, subgroups=samples, phase1=25, lsl=73.95, usl=74.05)
    data = json.loads(json.dumps(cap.to_json(), allow_nan=False))
    assert list(data)[:9] == ["cp", "cpl", "cpu", "cpk", "cpm", "pp", "ppk", "ci", "sigma_within"]
    assert [round(x, 3) for x in data["ci"]["cp"]] == [1.491, 1.915]
    assert data["n"] == 125
    assert (data["lsl"], data["usl"], data["target"]) == (73.95, 74.05, 74.0)
    assert round(data["sigma_overall"], 8) == 0.01006997  # sd() of the 125 phase-I diameters
    assert data["verdict"] == "过程能力充足 (Cpk ≥ 1.33)"
    assert data["normality"]["test"] == "shapiro-wilk"
    assert data["normality"]["trusted"] is True
    assert data["normality"]["warning"] == ""


def test_qcc_unit_test_table():
    """qcc tests/testthat/test-capability.R, "Two-sided off-target case": spec 9.9–10.1, target 10.02; qcc's
    sigma is R̄/d2(4) with its tabulated d2(4) = 2.059, R̄ = (0.04 + 0.04 + 0.07)/3."""
    data = [10.00, 10.02, 9.98, 10.01, 10.03, 9.99, 10.01, 10.00, 9.97, 10.04, 10.02, 9.99]
    groups = ["1"] * 4 + ["2"] * 4 + ["3"] * 4
    cap = capability(data, subgroups=groups, lsl=9.9, usl=10.1, target=10.02)
    assert cap.sigma_within == pytest.approx((0.04 + 0.04 + 0.07) / 3 / 2.059, abs=1e-15)
    same = with_sigma(data, sigma_within=(0.04 + 0.04 + 0.07) / 3 / 2.059, lsl=9.9, usl=10.1, target=10.02)
    assert {k: pytest.approx(v) for k, v in same.ci.items()} == cap.ci
    expected = {
        "cp": (1.372667, 0.808460, 1.937713),
        "cpl": (1.441300, 0.911657, 1.970943),
        "cpu": (1.304033, 0.820114, 1.787953),
        "cpk": (1.304033, 0.727408, 1.880659),
        "cpm": (1.167834, 0.650542, 1.686689),
        "pp": (1.612598, 0.949773, 2.276410),
        "ppk": (1.531968, 0.864608, 2.199329),
    }
    for key, (value, low, high) in expected.items():
        assert getattr(cap, key) == pytest.approx(value, abs=1e-6), key
        assert cap.ci[key] == pytest.approx((low, high), abs=1e-6), key


def test_nist_handbook_6_1_6():
    """USL 20, LSL 8, μ 16, σ 2: Cp = 1.00, Cpu = 0.6667, Cpl = 1.3333, Cpk = 0.6667 (printed to 4 decimals).
    Two values 16 ± √2 have mean 16 and standard deviation 2, so Pp and Ppk equal them too."""
    root2 = math.sqrt(2)
    cap = with_sigma([16 - root2, 16 + root2], sigma_within=2, lsl=8, usl=20)
    assert (round(cap.cp, 4), round(cap.cpu, 4), round(cap.cpl, 4), round(cap.cpk, 4)) == (1.0, 0.6667, 1.3333, 0.6667)
    assert (round(cap.pp, 4), round(cap.ppk, 4)) == (1.0, 0.6667)
    # the share above USL, 2 sigma away: 1 − Φ(2) = 0.02275 (standard normal table)
    assert round(cap.expected_above, 5) == 0.02275
    assert cap.verdict == "过程能力不足，产品有超出规格的风险 (Cpk < 1.00)"
    # two values cannot be tested for normality: said so, and not trusted
    assert (cap.normality.test, cap.normality.trusted) == ("none", False)
    assert cap.normality.warning == "数值少于 3 个，无法检验正态性，能力指数仅供参考。"
    assert cap.to_json()["normality"]["p_value"] is None


def test_individuals_use_moving_range():
    """Without subgroups σ_within = MR̄/d2(2), d2(2) = 1.128: 16 ± 0.564 alternating has MR̄ = 1.128, σ = 1,
    while the overall standard deviation is 0.564·√(40/39)."""
    values = [16 + 0.564 if i % 2 else 16 - 0.564 for i in range(40)]
    cap = capability(values, lsl=8, usl=20)
    assert round(cap.sigma_within, 3) == 1.0
    assert round(cap.cpk, 2) == 1.33
    assert round(cap.sigma_overall, 6) == round(0.564 * math.sqrt(40 / 39), 6)


def test_non_normal_data_is_flagged():
    rng = np.random.default_rng(18)
    values = rng.exponential(1.0, 200)
    cap = capability(values, lsl=0, usl=10)
    assert cap.normality.test == "shapiro-wilk"
    assert cap.normality.trusted is False
    assert cap.normality.p_value < 0.05
    assert cap.normality.warning.startswith("数据不服从正态分布（Shapiro–Wilk 检验 p = ")


def test_large_samples_use_anderson_darling():
    rng = np.random.default_rng(7)
    cap = capability(rng.normal(10, 1, 6000), lsl=4, usl=16)
    assert cap.normality.test == "anderson-darling"
    assert cap.normality.trusted is True
    assert 0.05 <= cap.normality.p_value <= 0.15  # scipy interpolates in the published table (0.01–0.15)


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"lsl": 74.05, "usl": 73.95}, "lsl", "规格下限（LSL）必须小于规格上限（USL）"),
        ({"lsl": 74.0, "usl": 74.0}, "lsl", "规格下限（LSL）必须小于规格上限（USL）"),
        ({"lsl": 73.95, "usl": 74.05, "phase1": 41}, "phase1", "第一阶段的子组数（41）超过了子组的个数（40）"),
        ({"lsl": 73.95, "usl": 74.05, "phase1": 0}, "phase1", "第一阶段的子组数必须是正整数"),
        ({"lsl": 73.95, "usl": 74.05, "target": 75}, "target", "目标值必须在规格下限和上限之间"),
        ({"lsl": math.nan, "usl": 74.05}, "lsl", "请填写规格限（一个有限的数）"),
    ],
)
def test_bad_parameters_refused(rings, kwargs, field, text):
    values, samples = rings
    with pytest.raises(InputError) as refused:
        capability(values, subgroups=samples, **kwargs)
    assert (refused.value.field, refused.value.text()) == (field, text)


def test_too_few_values_refused():
    with pytest.raises(InputError) as refused:
        capability([74.0], lsl=73, usl=75)
    assert (refused.value.field, refused.value.text()) == ("values", "至少需要 2 个数值")
    with pytest.raises(InputError) as refused:
        capability([74.0, 74.1, 74.2], lsl=73, usl=75, phase1=1)
    assert (refused.value.field, refused.value.text()) == ("values", "至少需要 2 个数值")
    with pytest.raises(InputError) as refused:
        capability([74.0, 74.1, 74.2], lsl=73, usl=75, phase1=4)
    assert refused.value.text() == "第一阶段的点数（4）超过了数据的个数（3）"


def test_fewer_than_two_subgroups_refused():
    with pytest.raises(InputError) as refused:
        capability([1, 2, 3, 4, 5, 6], subgroups=list("aabbcc"), phase1=1, lsl=0, usl=10)
    assert (refused.value.field, refused.value.text()) == (
        "subgroups",
        "至少需要 2 个子组（样本）才能估计组内标准差，现在只有 1 个",
    )


def test_no_spread_refused():
    with pytest.raises(InputError) as refused:
        capability([5.0] * 10, lsl=4, usl=6)
    assert refused.value.text() == "数值没有波动（组内或总体标准差为 0），无法计算过程能力"


def test_non_finite_value_refused():
    with pytest.raises(InputError) as refused:
        capability([1.0, 2.0, math.inf], lsl=0, usl=3)
    assert refused.value.text() == "第 3 个数值不是有限的数"
