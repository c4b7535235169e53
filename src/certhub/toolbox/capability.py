"""Process capability (C12): how well a process in statistical control fits its specification limits.

The indices and their confidence intervals are computed exactly as the R package qcc's `processCapability`
(R/capability.R, version 3) computes them, so that an engineer can check CertHub against the reference:

- Cp  = (USL − LSL) / 6σ_within;  Cpl = (μ − LSL) / 3σ_within;  Cpu = (USL − μ) / 3σ_within;  Cpk = min(Cpl, Cpu);
- Cpm = Cp / √(1 + ((μ − T)/σ_within)²)  (Chan, Cheng and Spiring 1988, in qcc's form);
- Pp, Ppk: the same with the overall standard deviation s of all the values;
- CIs: Cp and Pp · √(χ²(α/2, n−1)/(n−1)) … √(χ²(1−α/2, n−1)/(n−1)) (Chou, Owen and Borrego 1990);
  Cpl, Cpu, Cpk, Ppk: index · (1 ∓ z·√(1/(9n·index²) + 1/(2(n−1)))) (Bissell 1990), with z = Φ⁻¹(confidence)
  for the one-sided Cpl/Cpu and z = Φ⁻¹(1 − α/2) for Cpk and Ppk, as qcc does; Cpm · √(χ²(·, ν)/ν) with
  ν = n(1 + δ²)/(1 + 2δ²), δ = (μ − T)/σ_within (Boyles 1991).

μ is the mean of the calibration (phase I) values, σ_within is the control chart's estimate — R̄/d2 with
subgroups, MR̄/d2(2) for individuals — from `toolbox.spc.sigma_within`, and n the number of phase-I values.
The target T defaults to the middle of the specification, as in qcc. The verdict's thresholds are data
(`data/capability_grades.json`, with their source)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from scipy import stats  # type: ignore[import-untyped]

from certhub.toolbox.errors import InputError
from certhub.toolbox.spc import sigma_within as spc_sigma_within

INDICES = ("cp", "cpl", "cpu", "cpk", "cpm", "pp", "ppk")


@cache
def grades() -> dict[str, Any]:
    """The verdict thresholds and the normality test's settings, with their sources."""
    path = Path(__file__).with_name("data") / "capability_grades.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Normality:
    """A test of the values' normality. `trusted` is False when normality is rejected (p < 0.05) or cannot be
    tested, and `warning` then says in plain words why the indices should not be relied on."""

    test: str  # "shapiro-wilk", "anderson-darling" or "none"
    statistic: float
    p_value: float
    trusted: bool
    warning: str

    def to_json(self) -> dict[str, object]:
        return {
            "test": self.test,
            "statistic": _finite(self.statistic),
            "p_value": _finite(self.p_value),
            "trusted": self.trusted,
            "warning": self.warning,
        }


@dataclass(frozen=True)
class Capability:
    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    lsl: float
    usl: float
    target: float
    cp: float
    cpl: float
    cpu: float
    cpk: float
    cpm: float
    pp: float
    ppk: float
    ci: dict[str, tuple[float, float]]
    expected_below: float  # shares 0–1 of the fitted normal below LSL / above USL
    expected_above: float
    observed_below: float  # shares 0–1 of the values below LSL / above USL
    observed_above: float
    normality: Normality
    values: np.ndarray
    verdict: str
    confidence: float = 0.95

    def to_json(self) -> dict[str, object]:
        """The command's and the API's answer: the keys of issue 18 §6 first, then the rest. Every number is
        finite (JSON has no NaN); an index that cannot be finite is refused before this is built."""
        out: dict[str, object] = {key: _round(getattr(self, key)) for key in INDICES}
        out["ci"] = {key: [_round(lo), _round(hi)] for key, (lo, hi) in self.ci.items()}
        out.update(
            {
                "sigma_within": _round(self.sigma_within),
                "sigma_overall": _round(self.sigma_overall),
                "n": self.n,
                "mean": _round(self.mean),
                "lsl": self.lsl,
                "usl": self.usl,
                "target": self.target,
                "confidence": self.confidence,
                "expected_below": _round(self.expected_below),
                "expected_above": _round(self.expected_above),
                "observed_below": _round(self.observed_below),
                "observed_above": _round(self.observed_above),
                "normality": self.normality.to_json(),
                "verdict": self.verdict,
            }
        )
        return out


def _round(value: float) -> float:
    """Twelve significant digits: more than any table prints, and no 1.7029999999999998 in the JSON."""
    return float(f"{value:.12g}")


def _finite(value: float) -> float | None:
    return _round(value) if math.isfinite(value) else None


def capability(
    values: Sequence[float] | np.ndarray,
    *,
    subgroups: Sequence[str] | None = None,
    phase1: int | None = None,
    lsl: float,
    usl: float,
    target: float | None = None,
    confidence: float = 0.95,
) -> Capability:
    """Capability of the first `phase1` subgroups (or values, without subgroups) against [lsl, usl]; all the
    data when `phase1` is None. Raises InputError for limits, counts or data it cannot use."""
    x = _values(values)
    _check(lsl, usl, target, confidence)
    groups: list[str] | None = None
    if subgroups is not None:
        groups = [str(label) for label in subgroups]
        if len(groups) != len(x):
            raise InputError("subgroups", _("子组标签与数值的个数不同"))
    x, groups = _phase1(x, groups, phase1)
    if len(x) < 2:
        raise InputError("values", _("至少需要 2 个数值"))
    if groups is not None and len(set(groups)) < 2:
        # one subgroup's range says little about the process; the control charts refuse it too (issue 18)
        message = _("至少需要 2 个子组（样本）才能估计组内标准差，现在只有 %(n)s 个")
        raise InputError("subgroups", message % {"n": len(set(groups))})
    return with_sigma(
        x, sigma_within=float(spc_sigma_within(x, groups)), lsl=lsl, usl=usl, target=target, confidence=confidence
    )


def with_sigma(
    values: Sequence[float] | np.ndarray,
    *,
    sigma_within: float,
    lsl: float,
    usl: float,
    target: float | None = None,
    confidence: float = 0.95,
) -> Capability:
    """The same with a known within-subgroup sigma (from a control chart kept elsewhere, or a textbook's
    example); the overall sigma is still the values' standard deviation."""
    x = _values(values)
    _check(lsl, usl, target, confidence)
    if len(x) < 2:
        raise InputError("values", _("至少需要 2 个数值"))
    sigma_o = float(np.std(x, ddof=1))
    sigma_w = float(sigma_within)
    if not (sigma_w > 0 and sigma_o > 0 and math.isfinite(sigma_w)):
        raise InputError("values", _("数值没有波动（组内或总体标准差为 0），无法计算过程能力"))
    lsl, usl = float(lsl), float(usl)
    middle = (lsl + usl) / 2 if target is None else float(target)
    return _indices(x, sigma_w, sigma_o, lsl, usl, middle, confidence)


def _values(values: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise InputError("values", _("数值应为一列"))
    if not np.all(np.isfinite(x)):
        first = int(np.flatnonzero(~np.isfinite(x))[0])
        raise InputError("values", _("第 %(index)d 个数值不是有限的数") % {"index": first + 1})
    return x


def _check(lsl: float, usl: float, target: float | None, confidence: float) -> None:
    for name, limit in (("lsl", lsl), ("usl", usl)):
        if limit is None or not math.isfinite(float(limit)):
            raise InputError(name, _("请填写规格限（一个有限的数）"))
    if float(lsl) >= float(usl):
        raise InputError("lsl", _("规格下限（LSL）必须小于规格上限（USL）"))
    if target is not None and not (math.isfinite(float(target)) and float(lsl) <= float(target) <= float(usl)):
        raise InputError("target", _("目标值必须在规格下限和上限之间"))
    if not 0 < confidence < 1:
        raise InputError("confidence", _("置信水平必须在 0 和 1 之间"))


def _phase1(x: np.ndarray, groups: list[str] | None, phase1: int | None) -> tuple[np.ndarray, list[str] | None]:
    """The calibration data: the first `phase1` subgroups in the order they first appear, or the first
    `phase1` values without subgroups."""
    if phase1 is None:
        return x, groups
    if isinstance(phase1, bool) or int(phase1) != phase1 or phase1 < 1:
        raise InputError("phase1", _("第一阶段的子组数必须是正整数"))
    phase1 = int(phase1)
    if groups is None:
        if phase1 > len(x):
            message = _("第一阶段的点数（%(phase1)d）超过了数据的个数（%(count)d）")
            raise InputError("phase1", message % {"phase1": phase1, "count": len(x)})
        return x[:phase1], None
    order = list(dict.fromkeys(groups))
    if phase1 > len(order):
        message = _("第一阶段的子组数（%(phase1)d）超过了子组的个数（%(count)d）")
        raise InputError("phase1", message % {"phase1": phase1, "count": len(order)})
    keep = set(order[:phase1])
    mask = np.fromiter((label in keep for label in groups), dtype=bool, count=len(groups))
    return x[mask], [label for label in groups if label in keep]


def _indices(
    x: np.ndarray, sigma_w: float, sigma_o: float, lsl: float, usl: float, target: float, confidence: float
) -> Capability:
    n = len(x)
    mu = float(x.mean())
    cp = (usl - lsl) / (6 * sigma_w)
    cpu = (usl - mu) / (3 * sigma_w)
    cpl = (mu - lsl) / (3 * sigma_w)
    cpk = min(cpu, cpl)
    delta = (mu - target) / sigma_w
    cpm = cp / math.sqrt(1 + delta**2)
    pp = (usl - lsl) / (6 * sigma_o)
    ppk = min((usl - mu) / (3 * sigma_o), (mu - lsl) / (3 * sigma_o))
    alpha = 1 - confidence
    one_sided = float(stats.norm.ppf(confidence))
    two_sided = float(stats.norm.ppf(1 - alpha / 2))
    nu = n * (1 + delta**2) / (1 + 2 * delta**2)
    ci = {
        "cp": _chisq(cp, n - 1, alpha),
        "cpl": _bissell(cpl, one_sided, n),
        "cpu": _bissell(cpu, one_sided, n),
        "cpk": _bissell(cpk, two_sided, n),
        "cpm": _chisq(cpm, nu, alpha),
        "pp": _chisq(pp, n - 1, alpha),
        "ppk": _bissell(ppk, two_sided, n),
    }
    fitted = stats.norm(mu, sigma_w)
    return Capability(
        n=n,
        mean=mu,
        sigma_within=sigma_w,
        sigma_overall=sigma_o,
        lsl=lsl,
        usl=usl,
        target=target,
        cp=cp,
        cpl=cpl,
        cpu=cpu,
        cpk=cpk,
        cpm=cpm,
        pp=pp,
        ppk=ppk,
        ci=ci,
        expected_below=float(fitted.cdf(lsl)),
        expected_above=float(fitted.sf(usl)),
        observed_below=float(np.count_nonzero(x < lsl) / n),
        observed_above=float(np.count_nonzero(x > usl) / n),
        normality=normality(x),
        values=x,
        verdict=verdict(cpk),
        confidence=confidence,
    )


def _chisq(index: float, df: float, alpha: float) -> tuple[float, float]:
    lo, hi = stats.chi2.ppf([alpha / 2, 1 - alpha / 2], df)
    return index * math.sqrt(lo / df), index * math.sqrt(hi / df)


def _bissell(index: float, z: float, n: int) -> tuple[float, float]:
    if index == 0:
        return 0.0, 0.0  # qcc's formula divides by the index; a zero index has a zero-width interval there
    half = z * math.sqrt(1 / (9 * n * index**2) + 1 / (2 * (n - 1)))
    return index * (1 - half), index * (1 + half)


def normality(x: np.ndarray) -> Normality:
    """Shapiro–Wilk up to 5,000 values, Anderson–Darling above (scipy); `trusted` False when p < α."""
    settings = grades()["normality"]
    alpha = float(settings["alpha"])
    n = len(x)
    if n < 3:
        return Normality("none", math.nan, math.nan, False, _("数值少于 3 个，无法检验正态性，能力指数仅供参考。"))
    if n <= int(settings["shapiro_wilk_max_n"]):
        result = stats.shapiro(x)
        test = "shapiro-wilk"
    else:
        result = stats.anderson(x, method="interpolate")
        test = "anderson-darling"
    statistic, p_value = float(result.statistic), float(result.pvalue)
    if p_value < alpha:
        warning = _(
            "数据不服从正态分布（%(test)s 检验 p = %(p).3g < 0.05）：能力指数和预期不合格率按正态分布计算，"
            "可能不可信。请先查找异常值、混合的批次或过程偏移，或采用非正态方法。"
        ) % {"test": "Shapiro–Wilk" if test == "shapiro-wilk" else "Anderson–Darling", "p": p_value}
        return Normality(test, statistic, p_value, False, warning)
    return Normality(test, statistic, p_value, True, "")


def verdict(cpk: float) -> str:
    """One plain sentence on the process, by the thresholds of data/capability_grades.json."""
    texts = {
        "ample": _("过程能力充分 (Cpk ≥ 1.67)"),
        "adequate": _("过程能力充足 (Cpk ≥ 1.33)"),
        "marginal": _("过程能力尚可，但余量不足，需密切监控 (1.00 ≤ Cpk < 1.33)"),
        "inadequate": _("过程能力不足，产品有超出规格的风险 (Cpk < 1.00)"),
    }
    for grade in grades()["grades"]:
        if grade["min"] is None or cpk >= grade["min"]:
            return texts[grade["key"]]
    raise AssertionError("the last grade has no minimum")
