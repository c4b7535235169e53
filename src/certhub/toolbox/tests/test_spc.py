"""Control charts (C12) against published results.

R's qcc: the printed output of its vignette ("A quick tour of qcc", vignettes/qcc.Rmd: the piston rings,
qcc(diameter[1:25,], type = "xbar" / "R", newdata = diameter[26:40,])), its tests (tests/testthat/
test-qcc.R) and the qcc results recorded in the tests of the Python port mistat (gedeck/mistat,
mistat/qcc/tests/test_ComparisonWithR.py: piston rings with equal and unequal subgroups, orange juice p
chart, Montgomery's viscosity individuals). NIST/SEMATECH e-Handbook of Statistical Methods: §6.3.2.2
(individuals chart, flow rate of 10 batches), §6.3.2.4 (EWMA, λ = 0.3, target 50), §6.3.3.1 (c chart,
defects on 25 wafers).

Two constants are taken as qcc tabulates them, and the tests say so: R̄ is divided by d2 to three decimals, as
every published table prints it (σ̂ matches qcc to every printed digit), and the R and MR charts' limits use
qcc's d3 table (se.R.unscaled: d3(5) = 0.8640855 where the exact value is 0.8640819; within 1e-5 of the computed
d3 for every n, tests/test_spc_constants.py), so that their limits equal qcc's to every printed digit."""

from __future__ import annotations

import numpy as np
import pytest

from certhub.toolbox.spc import CHARTS, RULESETS, Violation, constants, control_chart, sigma_within
from certhub.toolbox.tests.spc_data import pistonrings, rows


def sig(x: float, digits: int = 7) -> float:
    """x to `digits` significant digits, as R prints numbers (getOption("digits") = 7)."""
    return float(f"{x:.{digits - 1}e}")


def beyond(series):
    return [v.index for v in series.violations if v.rule in ("nelson-1", "we-1")]


# ------------------------------------------------------------------ piston rings (qcc)


def test_piston_rings_xbar_r_phase_one_and_two_equal_qcc():
    values, samples = pistonrings()
    result = control_chart("xbar-r", values, subgroups=samples, phase1=25)
    xbar, r = result.charts
    assert result.chart == "xbar-r"
    assert (xbar.name, r.name) == ("xbar", "r")
    assert len(xbar.points) == 40 and xbar.labels == tuple(str(i) for i in range(1, 41))
    assert (xbar.phase1, xbar.excluded) == (25, ())
    # qcc vignette: Center of group statistics = 74.00118, Standard deviation = 0.009785039, 73.98805 74.0143
    assert sig(xbar.center) == 74.00118
    assert sig(xbar.sigma) == 0.009785039
    assert sig(float(xbar.lcl[0])) == 73.98805
    assert sig(float(xbar.ucl[0])) == 74.0143
    assert np.all(xbar.lcl == xbar.lcl[0]) and np.all(xbar.ucl == xbar.ucl[0])
    # qcc(diameter[1:25,], type = "R", newdata = …): center 0.02276, LCL 0, UCL 0.04812533
    assert sig(r.center) == 0.02276
    assert float(r.lcl[0]) == 0.0
    assert sig(float(r.ucl[0])) == 0.04812533
    # Samples 37, 38 and 39 (1-based) are beyond the upper limit; the R chart has no signal.
    assert beyond(xbar) == [36, 37, 38]
    assert all(float(xbar.points[i]) > float(xbar.ucl[i]) for i in (36, 37, 38))
    assert r.violations == ()


def test_piston_rings_run_rules_nelson_and_western_electric():
    values, samples = pistonrings()
    nelson = control_chart("xbar-r", values, subgroups=samples, phase1=25).charts[0]
    # qcc prints no run-rule flags for this chart: these follow qcc's rule definitions (R/rules.R), and
    # test_spc_rules.py checks the same flags with a point-by-point transcription of those definitions.
    # Samples 35–40 drift upwards: 2 of 3 beyond 2σ (rule 5), 4 of 5 beyond 1σ (rule 6), 37–39 beyond 3σ.
    assert [(v.index + 1, v.rule) for v in nelson.violations] == [
        (35, "nelson-5"),
        (35, "nelson-6"),
        (37, "nelson-1"),
        (37, "nelson-5"),
        (38, "nelson-1"),
        (38, "nelson-5"),
        (38, "nelson-6"),
        (39, "nelson-1"),
        (39, "nelson-5"),
        (39, "nelson-6"),
        (40, "nelson-5"),
        (40, "nelson-6"),
    ]
    western = control_chart("xbar-r", values, subgroups=samples, phase1=25, rules="western-electric").charts[0]
    assert [(v.index + 1, v.rule) for v in western.violations] == [
        (35, "we-2"),
        (35, "we-3"),
        (37, "we-1"),
        (37, "we-2"),
        (38, "we-1"),
        (38, "we-2"),
        (38, "we-3"),
        (39, "we-1"),
        (39, "we-2"),
        (39, "we-3"),
        (40, "we-2"),
        (40, "we-3"),
    ]
    none = control_chart("xbar-r", values, subgroups=samples, phase1=25, rules="none")
    assert [s.violations for s in none.charts] == [(), ()]


def test_piston_rings_two_sigma_limits_equal_qcc():
    # mistat's record of qcc(diameter[1:25,], type = "xbar", nsigmas = 2): 73.99242 74.00993, beyond: 1 and 14.
    values, samples = pistonrings()
    xbar = control_chart("xbar-r", values[:125], subgroups=samples[:125], width=2.0).charts[0]
    assert (sig(float(xbar.lcl[0])), sig(float(xbar.ucl[0]))) == (73.99242, 74.00993)
    assert beyond(xbar) == [0, 13]


def test_piston_rings_xbar_s_equals_qcc():
    # mistat's record of qcc(diameter[1:25,], type = "S"): center 0.009240037, std.dev 0.009829977, UCL 0.01930242.
    values, samples = pistonrings()
    xbar, s = control_chart("xbar-s", values, subgroups=samples, phase1=25).charts
    assert s.name == "s"
    assert sig(s.center) == 0.009240037
    assert sig(s.sigma) == 0.009829977
    assert float(s.lcl[0]) == 0.0
    assert sig(float(s.ucl[0])) == 0.01930242
    assert sig(xbar.sigma) == 0.009829977  # X̄ limits from s̄/c4 (qcc's "UWAVE-SD")
    assert sig(xbar.center) == 74.00118
    assert beyond(xbar) == [36, 37, 38]


def test_unequal_subgroup_sizes_are_handled_as_qcc_does():
    # mistat's record of qcc on the piston rings without rows 9, 10, 30, 35, 45, 64, 65, 74, 75, 85, 99, 100:
    # sample 1 has 5 values, sample 2 has 3.
    values, samples = pistonrings(drop=(9, 10, 30, 35, 45, 64, 65, 74, 75, 85, 99, 100))
    xbar, r = control_chart("xbar-r", values, subgroups=samples, phase1=25).charts
    assert sig(xbar.center) == 74.00075
    assert sig(xbar.sigma) == 0.009856701
    assert [sig(float(x)) for x in xbar.lcl[:3]] == [73.98753, 73.98368, 73.98753]
    assert [sig(float(x)) for x in xbar.ucl[:3]] == [74.01398, 74.01782, 74.01398]
    assert sig(r.center) == 0.02230088
    assert [sig(float(x), 5) for x in r.ucl[:3]] == [sig(0.04785198, 5), sig(0.04857007, 5), sig(0.04785198, 5)]
    _xbar, s = control_chart("xbar-s", values, subgroups=samples, phase1=25).charts
    assert sig(s.center) == 0.00938731
    assert sig(s.sigma) == 0.009930923
    assert [sig(float(x)) for x in s.ucl[:3]] == [0.01955302, 0.02318885, 0.01955302]


def test_subgroups_keep_the_order_they_first_appear_in():
    result = control_chart("xbar-r", [5, 6, 1, 2, 9, 9.5, 1.5, 5.5], subgroups=["b", "b", "a", "a", "c", "c", "a", "b"])
    xbar, r = result.charts
    assert xbar.labels == ("b", "a", "c")
    assert xbar.points.tolist() == [5.5, 1.5, 9.25]
    assert r.points.tolist() == [1.0, 1.0, 0.5]


# ------------------------------------------------------------------ individuals


def test_nist_individuals_example():
    # NIST/SEMATECH e-Handbook §6.3.2.2: x̄ = 50.81, MR̄ = 1.8778, UCL = 55.8041, LCL = 45.8159.
    flow = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]
    i, mr = control_chart("imr", flow).charts
    assert round(i.center, 2) == 50.81
    assert round(mr.center, 4) == 1.8778
    assert (round(float(i.ucl[0]), 4), round(float(i.lcl[0]), 4)) == (55.8041, 45.8159)
    assert round(float(mr.ucl[0]), 4) == round(1.8777777777777784 * (1 + 3 * constants.d3(2) / 1.128), 4)
    assert float(mr.lcl[0]) == 0.0
    assert mr.labels == tuple(str(n) for n in range(2, 11))  # a moving range belongs to its second value
    assert mr.phase1 == 9
    assert i.violations == () and mr.violations == ()


def test_montgomery_viscosity_individuals_equal_qcc():
    # mistat's record of qcc(x, type = "xbar.one"): 33.52333, 0.4261651, 32.24484 34.80183.
    x = [33.75, 33.05, 34, 33.81, 33.46, 34.02, 33.68, 33.27, 33.49, 33.20, 33.62, 33.00, 33.54, 33.12, 33.84]
    i = control_chart("imr", x).charts[0]
    assert (sig(i.center), sig(i.sigma)) == (33.52333, 0.4261651)
    assert (sig(float(i.lcl[0])), sig(float(i.ucl[0]))) == (32.24484, 34.80183)
    assert sigma_within(x) == pytest.approx(0.4261651, abs=5e-8)


def test_viscosity_trial_has_the_one_violation_qcc_finds():
    # qcc tests/testthat/test-qcc.R: qcc(viscosity[trial], type = "xbar.one") has one violation.
    x = [float(r["viscosity"]) for r in rows("viscosity.csv") if r["trial"] == "TRUE"]
    i = control_chart("imr", x, rules="western-electric").charts[0]
    assert i.violations == (Violation(3, "we-1"),)


# ------------------------------------------------------------------ attributes


def orange_juice():
    trial = [r for r in rows("orangejuice.csv") if r["trial"] == "TRUE"]
    return [int(r["D"]) for r in trial], [int(r["size"]) for r in trial]


def test_orange_juice_p_chart_equals_qcc():
    # mistat's record of qcc(D[trial], sizes = size[trial], type = "p"): 0.2313333, 0.421685,
    # 0.05242755 0.4102391, samples 15 and 23 beyond the upper limit.
    d, n = orange_juice()
    p = control_chart("p", d, sizes=n).charts[0]
    assert (sig(p.center), sig(p.sigma)) == (0.2313333, 0.421685)
    assert (sig(float(p.lcl[0])), sig(float(p.ucl[0]))) == (0.05242755, 0.4102391)
    assert beyond(p) == [14, 22]


def test_orange_juice_revised_limits_without_the_out_of_control_samples_equal_qcc():
    # help(orangejuice): the limits again without samples 15 and 23: 0.215, 0.4108223, 0.04070284 0.3892972,
    # and sample 21 beyond the revised upper limit.
    d, n = orange_juice()
    p = control_chart("p", d, sizes=n, exclude_out_of_control=True).charts[0]
    assert p.excluded == (14, 22)
    assert (sig(p.center), sig(p.sigma)) == (0.215, 0.4108223)
    assert (sig(float(p.lcl[0])), sig(float(p.ucl[0]))) == (0.04070284, 0.3892972)
    assert beyond(p) == [14, 20, 22]


def test_np_chart_is_the_p_chart_times_n():
    d, n = orange_juice()
    p = control_chart("p", d, sizes=n).charts[0]
    np_ = control_chart("np", d, sizes=n).charts[0]
    assert np_.center == pytest.approx(50 * p.center, abs=1e-12)
    assert np_.ucl == pytest.approx(50 * p.ucl, abs=1e-12)
    assert np_.points.tolist() == [float(x) for x in d]
    assert beyond(np_) == beyond(p)


def test_p_chart_with_varying_sizes_has_stepped_limits():
    p = control_chart("p", [2, 5, 3], sizes=[50, 100, 25]).charts[0]
    pbar = 10 / 175
    assert p.center == pytest.approx(pbar, abs=1e-15)
    expected = [pbar + 3 * (pbar * (1 - pbar) / n) ** 0.5 for n in (50, 100, 25)]
    assert p.ucl.tolist() == pytest.approx(expected, abs=1e-15)
    assert p.lcl.tolist() == [0.0, 0.0, 0.0]
    assert p.to_json()["ucl"] == pytest.approx(expected, abs=1e-15)


def test_nist_c_chart_example():
    # NIST/SEMATECH e-Handbook §6.3.3.1: defects on 25 wafers, c̄ = 16, UCL = 28, LCL = 4; wafer 24 (31) above.
    defects = [16, 14, 28, 16, 12, 20, 10, 12, 10, 17, 19, 17, 14, 16, 15, 13, 14, 16, 11, 20, 11, 19, 16, 31, 13]
    c = control_chart("c", defects).charts[0]
    assert (c.center, float(c.lcl[0]), float(c.ucl[0])) == (16.0, 4.0, 28.0)
    assert c.violations == (Violation(23, "nelson-1"),)


def test_circuit_u_chart_phase_two_has_the_one_violation_qcc_finds():
    # qcc tests/testthat/test-qcc.R: circuit without samples 6 and 20, trial as phase I, u chart: 1 violation
    # under qcc's default rules 1 and 4 of Western Electric.
    kept = [r for i, r in enumerate(rows("circuit.csv"), start=1) if i not in (6, 20)]
    phase1 = sum(r["trial"] == "TRUE" for r in kept)
    u = control_chart(
        "u",
        [int(r["x"]) for r in kept],
        sizes=[int(r["size"]) for r in kept],
        phase1=phase1,
        rules="western-electric",
    ).charts[0]
    assert [v for v in u.violations if v.rule in ("we-1", "we-4")] == [Violation(27, "we-4")]


def test_u_chart_limits_step_with_the_units():
    u = control_chart("u", [4, 10, 3], sizes=[2, 5, 1]).charts[0]
    ubar = 17 / 8
    assert u.points.tolist() == [2.0, 2.0, 3.0]
    assert u.ucl.tolist() == pytest.approx([ubar + 3 * (ubar / n) ** 0.5 for n in (2, 5, 1)], abs=1e-15)


# ------------------------------------------------------------------ EWMA and CUSUM


def test_nist_ewma_example_values():
    # NIST/SEMATECH e-Handbook §6.3.2.4: λ = 0.3, EWMA₀ = target 50; the published EWMA column.
    data = [52.0, 47.0, 53.0, 49.3, 50.1, 47.0, 51.0, 50.1, 51.2, 50.5]
    data += [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]
    published = [50.60, 49.52, 50.56, 50.18, 50.16, 49.21, 49.75, 49.85, 50.26, 50.33]
    published += [50.11, 49.36, 49.52, 50.05, 49.38, 49.92, 50.73, 51.23, 51.94, 51.99]
    ewma = control_chart("ewma", data, lam=0.3, target=50.0).charts[0]
    assert [round(float(z), 2) for z in ewma.points] == published
    sigma = ewma.sigma
    # qcc ewma(): σ_zᵢ = σ √(λ/(2 − λ) (1 − (1 − λ)^(2i))), limits target ± 3 σ_zᵢ
    expected = [50.0 + 3 * sigma * (0.3 / 1.7 * (1 - 0.7 ** (2 * i))) ** 0.5 for i in range(1, 21)]
    assert ewma.ucl.tolist() == pytest.approx(expected, abs=1e-12)
    assert sigma == pytest.approx(np.mean(np.abs(np.diff(data))) / 1.128, abs=1e-12)


def qcc_cusum_loop(z: list[float], k: float) -> tuple[list[float], list[float]]:
    """qcc's cusum() recursion, as written in R/cusum.R, one point at a time."""
    pos, neg, p, n = [], [], 0.0, 0.0
    for value in z:
        p = max(0.0, p + value - k)
        n = max(0.0, n - value - k)
        pos.append(p)
        neg.append(-n)
    return pos, neg


def test_piston_rings_cusum_equals_qcc():
    # qcc (vignette / examples): cusum(diameter[1:25,], …): Center of group statistics = 74.00118,
    # Standard deviation = 0.009785039.
    values, samples = pistonrings()
    upper, lower = control_chart("cusum", values, subgroups=samples, phase1=25, h=4.0).charts
    assert (upper.name, lower.name) == ("cusum-upper", "cusum-lower")
    assert sig(upper.sigma) == 0.009785039
    means = [float(np.mean(values[i : i + 5])) for i in range(0, 200, 5)]
    center = float(np.mean(means[:25]))
    z = [(m - center) / (upper.sigma / 5**0.5) for m in means]
    pos, neg = qcc_cusum_loop(z, 0.5)
    assert upper.points.tolist() == pytest.approx(pos, abs=1e-9)
    assert lower.points.tolist() == pytest.approx(neg, abs=1e-9)
    assert [v.index for v in upper.violations] == [i for i, x in enumerate(pos) if x > 4.0]
    assert [v.index for v in lower.violations] == [i for i, x in enumerate(neg) if x < -4.0]
    assert (float(upper.ucl[0]), float(lower.lcl[0])) == (4.0, -4.0)


# ------------------------------------------------------------------ JSON


def test_to_json_has_numbers_for_constant_limits_and_lists_for_stepped_ones():
    values, samples = pistonrings()
    data = control_chart("xbar-r", values, subgroups=samples, phase1=25).to_json()
    assert data["chart"] == "xbar-r"
    xbar = data["charts"][0]
    assert set(xbar) == {
        "name",
        "center",
        "sigma",
        "lcl",
        "ucl",
        "points",
        "labels",
        "violations",
        "phase1",
        "excluded",
    }
    assert isinstance(xbar["lcl"], float) and isinstance(xbar["ucl"], float)
    assert xbar["violations"][:2] == [{"index": 34, "rule": "nelson-5"}, {"index": 34, "rule": "nelson-6"}]
    assert len(xbar["points"]) == 40 and xbar["phase1"] == 25 and xbar["excluded"] == []
    ewma = control_chart("ewma", [1.0, 2.0, 1.5, 3.0]).to_json()["charts"][0]
    assert isinstance(ewma["ucl"], list) and len(ewma["ucl"]) == 4


def test_interface_constants():
    assert CHARTS == ("xbar-r", "xbar-s", "imr", "p", "np", "c", "u", "ewma", "cusum")
    assert RULESETS["nelson"] == tuple(f"nelson-{i}" for i in range(1, 9))
    assert RULESETS["western-electric"] == ("we-1", "we-2", "we-3", "we-4")
    assert RULESETS["none"] == ()


def test_sigma_within_for_subgroups_is_r_bar_over_d2():
    values, samples = pistonrings()
    assert sig(sigma_within(values[:125], samples[:125])) == 0.009785039


def test_ewma_limits_equal_the_qcc_vignette():
    # qcc vignette: ewma(diameter[1:25,], lambda = 0.2, nsigmas = 3): 73.99855 74.00380 (1), 73.99781
    # 74.00454 (2), 73.99680 74.00555 (25); with nsigmas = 2.7 and newdata: 73.99881 74.00354 (1), 73.99724
    # 74.00511 (40).
    values, samples = pistonrings()
    ewma = control_chart("ewma", values[:125], subgroups=samples[:125], lam=0.2).charts[0]
    assert (sig(ewma.center), sig(ewma.sigma)) == (74.00118, 0.009785039)
    assert [(sig(float(ewma.lcl[i])), sig(float(ewma.ucl[i]))) for i in (0, 1, 24)] == [
        (73.99855, 74.0038),
        (73.99781, 74.00454),
        (73.9968, 74.00555),
    ]
    ewma = control_chart("ewma", values, subgroups=samples, phase1=25, lam=0.2, width=2.7).charts[0]
    assert [(sig(float(ewma.lcl[i])), sig(float(ewma.ucl[i]))) for i in (0, 39)] == [
        (73.99881, 74.00354),
        (73.99724, 74.00511),
    ]


def test_ewma_of_individuals_equals_the_qcc_vignette():
    # qcc vignette: ewma(viscosity[trial], lambda = 0.2, nsigmas = 2.7, newdata = viscosity[!trial]):
    # center 34.088, std.dev 0.5076521, 33.81387 34.36213 (1), 33.73694 34.43906 (2), 33.63111 34.54489 (35).
    data = rows("viscosity.csv")
    x = [float(r["viscosity"]) for r in data]
    phase1 = sum(r["trial"] == "TRUE" for r in data)
    ewma = control_chart("ewma", x, phase1=phase1, lam=0.2, width=2.7).charts[0]
    assert (sig(ewma.center), sig(ewma.sigma)) == (34.088, 0.5076521)
    assert [(sig(float(ewma.lcl[i])), sig(float(ewma.ucl[i]))) for i in (0, 1, 34)] == [
        (33.81387, 34.36213),
        (33.73694, 34.43906),
        (33.63111, 34.54489),
    ]


def test_individuals_exclusion_sets_the_outlier_aside_and_its_two_moving_ranges():
    x = [10.0, 10.2, 9.9, 10.1, 20.0, 10.0, 9.8, 10.1]
    trial = control_chart("imr", x).charts[0]
    assert trial.violations == (Violation(4, "nelson-1"),)
    i, mr = control_chart("imr", x, exclude_out_of_control=True).charts
    assert i.excluded == (4,)
    assert mr.excluded == (3, 4)  # the ranges into and out of the outlier (range j ends at value j + 1)
    assert i.center == pytest.approx((10.0 + 10.2 + 9.9 + 10.1 + 10.0 + 9.8 + 10.1) / 7, abs=1e-12)
    # ranges 10→10.2, 10.2→9.9, 9.9→10.1, 10→9.8, 9.8→10.1: those touching 20.0 are left out
    assert mr.center == pytest.approx((0.2 + 0.3 + 0.2 + 0.2 + 0.3) / 5, abs=1e-12)
    assert i.sigma == pytest.approx(mr.center / 1.128, abs=1e-12)


def test_xbar_r_exclusion_revises_the_limits_once_without_the_subgroups_beyond():
    values, samples = pistonrings()
    shifted = values[:125].copy()
    shifted[50:55] = [v + 0.05 for v in shifted[50:55]]  # sample 11 pushed far up
    trial = control_chart("xbar-r", shifted, subgroups=samples[:125]).charts[0]
    assert [v.index for v in trial.violations if v.rule == "nelson-1"] == [10]
    xbar, r = control_chart("xbar-r", shifted, subgroups=samples[:125], exclude_out_of_control=True).charts
    assert xbar.excluded == r.excluded == (10,)
    kept = [k for k in range(25) if k != 10]
    means = [float(np.mean(shifted[5 * k : 5 * k + 5])) for k in range(25)]
    ranges = [float(np.ptp(shifted[5 * k : 5 * k + 5])) for k in range(25)]
    assert xbar.center == pytest.approx(sum(means[k] for k in kept) / 24, abs=1e-12)
    assert xbar.sigma == pytest.approx(sum(ranges[k] for k in kept) / 24 / 2.326, abs=1e-15)
    assert beyond(xbar) == [10]  # still drawn and still beyond the revised limits


def test_ewma_and_cusum_exclusion_set_aside_the_signalling_phase_one_points():
    x = [10.0, 10.2, 9.9, 10.1, 9.8, 10.0, 10.2, 9.9, 14.0, 14.2, 13.9, 10.1, 9.9, 10.0, 10.2, 9.8]
    trial = control_chart("ewma", x, lam=0.5).charts[0]
    signalling = [v.index for v in trial.violations]
    assert signalling == [8, 9, 10]
    ewma = control_chart("ewma", x, lam=0.5, exclude_out_of_control=True).charts[0]
    assert ewma.excluded == (8, 9, 10)
    kept = [v for i, v in enumerate(x) if i not in (8, 9, 10)]
    assert ewma.center == pytest.approx(sum(kept) / len(kept), abs=1e-12)
    # CUSUM: every phase-I point where the trial sums are beyond the decision interval (a sum stays up for a
    # while after a shift, so more points than the shift itself).
    t_upper, t_lower = control_chart("cusum", x).charts
    beyond_h = tuple(i for i in range(len(x)) if t_upper.points[i] > 5.0 or t_lower.points[i] < -5.0)
    upper, lower = control_chart("cusum", x, exclude_out_of_control=True).charts
    assert upper.excluded == lower.excluded == beyond_h
    assert beyond_h[:3] == (7, 9, 10)


def test_labels_may_be_numbers_or_mixed_as_json_sends_them():
    values = [1.0, 2.0, 1.5, 2.5, 3.0, 3.5]
    assert control_chart("xbar-r", values, subgroups=[1, 1, 2, 2, 3, 3]).charts[0].labels == ("1", "2", "3")
    mixed = control_chart("xbar-r", values, subgroups=[1, 1, "b", "b", None, None]).charts[0]
    assert mixed.labels == ("1", "b", "None")
    assert mixed.points.tolist() == [1.5, 2.0, 3.25]
