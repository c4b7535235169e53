"""Control-chart constants (C12), computed rather than copied from a table, so that every subgroup size from
2 to 100 has them to full precision (the printed tables stop at 25 and round to three or four digits).

For n independent standard normal values (Montgomery, *Introduction to Statistical Quality Control*, 7th ed.,
§6.2 and Appendix VI; ASTM E2587-16 §A1):

- d2(n) = E[R] = ∫ (1 − (1 − Φ(x))ⁿ − Φ(x)ⁿ) dx over the real line (Tippett 1925);
- d3(n) = sd(R), from E[R²] = 2 ∫₀^∞ r (1 − W(r)) dr with W(r) = P(R ≤ r) = n ∫ φ(x) (Φ(x + r) − Φ(x))ⁿ⁻¹ dx,
  a double integral over (r, x);
- c4(n) = E[s]/σ = √(2/(n − 1)) · Γ(n/2) / Γ((n − 1)/2).

The factors of the Shewhart limits follow from them (Montgomery Appendix VI's definitions): A2 = 3/(d2√n),
A3 = 3/(c4√n), D3 = max(0, 1 − 3·d3/d2), D4 = 1 + 3·d3/d2, D1 = max(0, d2 − 3·d3), D2 = d2 + 3·d3,
B3 = max(0, 1 − 3·√(1 − c4²)/c4), B4 = 1 + 3·√(1 − c4²)/c4, B5 = max(0, c4 − 3·√(1 − c4²)),
B6 = c4 + 3·√(1 − c4²), E2 = 3/d2(2) for the individuals chart. `tests/test_spc_constants.py` checks them
against the published table kept in data/constants.json."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np
from scipy import integrate, special  # type: ignore[import-untyped]  # scipy ships no type stubs

MAX_N = 100  # the largest subgroup size the range-based constants are offered for (issue 18: n = 2…100)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _check(n: int) -> int:
    n = int(n)
    if n < 2 or n > MAX_N:
        raise ValueError(f"subgroup size {n} outside 2…{MAX_N}")
    return n


@cache
def d2(n: int) -> float:
    """Expected range of n standard normal values."""
    n = _check(n)
    value, _err = integrate.quad(lambda x: 1.0 - special.ndtr(-x) ** n - special.ndtr(x) ** n, -np.inf, np.inf)
    return float(value)


def d2_published(n: int) -> float:
    """d2 to the three decimals every published table prints (Montgomery Appendix VI, ASTM E2587; R's qcc
    and the NIST/SEMATECH e-Handbook divide by these): the divisor of σ̂ = R̄/d2 and MR̄/d2, so that a
    result here agrees with theirs to the digit (the exact d2 differs from it by less than 0.03 %)."""
    return round(d2(n), 3)


@cache
def _qcc_d3() -> dict[int, float]:
    data = json.loads((Path(__file__).resolve().parent / "data" / "qcc_d3.json").read_text(encoding="utf-8"))
    return dict(zip(data["n"], data["d3"], strict=True))


def d3_published(n: int) -> float:
    """d3 as R's qcc tabulates it (data/qcc_d3.json, n = 2…50), the spread of the range its R-chart and MR-chart
    limits use: with it, the R chart's limits equal qcc's to every printed digit (issue 18: the reference
    results). The table agrees with the computed d3 to within 1e-5 (tests/test_spc_constants.py); beyond n = 50
    the computed value."""
    return _qcc_d3().get(_check(n)) or d3(n)


@cache
def d3(n: int) -> float:
    """Standard deviation of the range of n standard normal values."""
    n = _check(n)

    def integrand(x: float, r: float) -> float:
        # r · φ(x) · (1 − n (Φ(x + r) − Φ(x))ⁿ⁻¹): integrating φ over x gives 1, so this is r (1 − W(r)).
        phi = math.exp(-x * x / 2.0) * _INV_SQRT_2PI
        return r * phi * (1.0 - n * (special.ndtr(x + r) - special.ndtr(x)) ** (n - 1))

    # Finite bounds: beyond |x| = 12 the normal density is below 1e-31 and a range over 20σ has probability
    # below 1e-80 for n ≤ 100, while infinite bounds make QUADPACK give up on round-off for some n.
    second_moment, _err = integrate.dblquad(integrand, 0.0, 20.0, -12.0, 12.0)
    return float(math.sqrt(2.0 * second_moment - d2(n) ** 2))


def c4(n: int | float) -> float:
    """E[s]/σ for n normal values; any n ≥ 2 (no table limit: the gamma functions are taken as logarithms)."""
    if n < 2:
        raise ValueError(f"subgroup size {n} below 2")
    return float(math.sqrt(2.0 / (n - 1)) * math.exp(special.gammaln(n / 2.0) - special.gammaln((n - 1) / 2.0)))


def c4_array(n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    return np.sqrt(2.0 / (n - 1)) * np.exp(special.gammaln(n / 2.0) - special.gammaln((n - 1) / 2.0))


def d2_array(n: np.ndarray) -> np.ndarray:
    """d2 for each subgroup size of an array (computed once per distinct size)."""
    n = np.asarray(n, dtype=int)
    sizes, inverse = np.unique(n, return_inverse=True)
    return np.array([d2(int(s)) for s in sizes])[inverse]


def d2_published_array(n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype=int)
    sizes, inverse = np.unique(n, return_inverse=True)
    return np.array([d2_published(int(s)) for s in sizes])[inverse]


def d3_array(n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype=int)
    sizes, inverse = np.unique(n, return_inverse=True)
    return np.array([d3(int(s)) for s in sizes])[inverse]


def d3_published_array(n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype=int)
    sizes, inverse = np.unique(n, return_inverse=True)
    return np.array([d3_published(int(s)) for s in sizes])[inverse]


def factors(n: int) -> dict[str, float]:
    """Every Shewhart factor for subgroup size n, by Montgomery Appendix VI's definitions (3-sigma limits)."""
    n = _check(n)
    d2n, d3n, c4n = d2(n), d3(n), c4(n)
    s = math.sqrt(1.0 - c4n * c4n)
    return {
        "d2": d2n,
        "d3": d3n,
        "c4": c4n,
        "A2": 3.0 / (d2n * math.sqrt(n)),
        "A3": 3.0 / (c4n * math.sqrt(n)),
        "A": 3.0 / math.sqrt(n),
        "D1": max(0.0, d2n - 3.0 * d3n),
        "D2": d2n + 3.0 * d3n,
        "D3": max(0.0, 1.0 - 3.0 * d3n / d2n),
        "D4": 1.0 + 3.0 * d3n / d2n,
        "B3": max(0.0, 1.0 - 3.0 * s / c4n),
        "B4": 1.0 + 3.0 * s / c4n,
        "B5": max(0.0, c4n - 3.0 * s),
        "B6": c4n + 3.0 * s,
        "E2": 3.0 / d2(2),
    }
