"""Run rules (C12): Nelson's eight (L. S. Nelson, "The Shewhart Control Chart — Tests for Special Causes",
Journal of Quality Technology 16(4), 1984) and the Western Electric four (Western Electric, *Statistical
Quality Control Handbook*, 1956, §1-B), evaluated the way R's qcc package evaluates them (R/rules.R), so that
a point is flagged from the moment the pattern is complete: for a run rule, the run's n-th point and every
later point of the same run; for an "m of k" rule, the last point of the window when it is itself beyond.

Every rule is whole-array numpy (run lengths from a running maximum of the last break, window counts from
cumulative sums): no Python loop per point, so a million subgroups take a fraction of a second."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

RULESETS: dict[str, tuple[str, ...]] = {
    "nelson": tuple(f"nelson-{i}" for i in range(1, 9)),
    "western-electric": tuple(f"we-{i}" for i in range(1, 5)),
    "none": (),
}

# What each rule says, for the pages, the exports and the command.
RULE_TEXT = {
    "nelson-1": _("Nelson 规则 1：1 点落在 3σ 控制限外"),
    "nelson-2": _("Nelson 规则 2：连续 9 点在中心线同一侧"),
    "nelson-3": _("Nelson 规则 3：连续 6 点递增或递减"),
    "nelson-4": _("Nelson 规则 4：连续 14 点交替上下"),
    "nelson-5": _("Nelson 规则 5：连续 3 点中有 2 点落在中心线同一侧 2σ 以外"),
    "nelson-6": _("Nelson 规则 6：连续 5 点中有 4 点落在中心线同一侧 1σ 以外"),
    "nelson-7": _("Nelson 规则 7：连续 15 点落在中心线两侧 1σ 以内"),
    "nelson-8": _("Nelson 规则 8：连续 8 点落在中心线两侧 1σ 以外且两侧都有"),
    "we-1": _("西方电气规则 1：1 点落在 3σ 控制限外"),
    "we-2": _("西方电气规则 2：连续 3 点中有 2 点落在中心线同一侧 2σ 以外"),
    "we-3": _("西方电气规则 3：连续 5 点中有 4 点落在中心线同一侧 1σ 以外"),
    "we-4": _("西方电气规则 4：连续 8 点在中心线同一侧"),
}
ALL_RULES = tuple(RULE_TEXT)


@dataclass(frozen=True)
class Violation:
    index: int  # 0-based into Series.points
    rule: str


def rule_text(rule: str) -> str:
    """The rule in words ("Nelson 规则 2：连续 9 点在中心线同一侧")."""
    return str(RULE_TEXT[rule])


def run_lengths(condition: np.ndarray) -> np.ndarray:
    """For each position, how many consecutive True values end there (0 where False)."""
    idx = np.arange(condition.size)
    last_break = np.maximum.accumulate(np.where(condition, -1, idx))
    return idx - last_break


def _window_count(condition: np.ndarray, width: int) -> np.ndarray:
    """How many True values in the window of `width` ending at each position (0 before the first full one)."""
    sums = np.concatenate(([0], np.cumsum(condition, dtype=np.int64)))
    out = np.zeros(condition.size, dtype=np.int64)
    if condition.size >= width:
        out[width - 1 :] = sums[width:] - sums[: sums.size - width]
    return out


def _flag_runs(condition: np.ndarray, length: int) -> np.ndarray:
    return run_lengths(condition) >= length


def _m_of_k(above: np.ndarray, below: np.ndarray, m: int, k: int) -> np.ndarray:
    """m of k consecutive points beyond a zone line on the same side, the last point among them (qcc WER2)."""
    return ((_window_count(above, k) >= m) & above) | ((_window_count(below, k) >= m) & below)


def _rule(points: np.ndarray, center: np.ndarray, sigma: np.ndarray, rule: str, width: float) -> np.ndarray:
    n = points.size
    zone = width / 3.0  # one zone is a third of the control limits' width (1σ for 3-sigma limits)
    dev = points - center
    if rule in ("nelson-1", "we-1"):
        return (dev > width * sigma) | (dev < -width * sigma)
    if rule in ("nelson-2", "we-4"):
        length = 9 if rule == "nelson-2" else 8
        return _flag_runs(dev > 0, length) | _flag_runs(dev < 0, length)
    if rule == "nelson-3":
        out = np.zeros(n, dtype=bool)
        if n > 1:
            diffs = np.diff(points)
            out[1:] = _flag_runs(diffs > 0, 5) | _flag_runs(diffs < 0, 5)
        return out
    if rule == "nelson-4":
        out = np.zeros(n, dtype=bool)
        if n > 2:
            diffs = np.diff(points)
            alternating = diffs[1:] * diffs[:-1] < 0
            out[2:] = _flag_runs(alternating, 12)
        return out
    if rule in ("nelson-5", "we-2"):
        return _m_of_k(dev > 2 * zone * sigma, dev < -2 * zone * sigma, 2, 3)
    if rule in ("nelson-6", "we-3"):
        return _m_of_k(dev > zone * sigma, dev < -zone * sigma, 4, 5)
    if rule == "nelson-7":
        return _flag_runs(np.abs(dev) <= zone * sigma, 15)
    if rule == "nelson-8":
        above = dev > zone * sigma
        below = dev < -zone * sigma
        return (_window_count(above | below, 8) >= 8) & (_window_count(above, 8) >= 1) & (_window_count(below, 8) >= 1)
    raise ValueError(f"unknown rule {rule!r}")


def flags(
    points: Sequence[float] | np.ndarray,
    center: float | np.ndarray,
    sigma_each: float | np.ndarray,
    rules: Sequence[str],
    *,
    width: float = 3.0,
) -> dict[str, np.ndarray]:
    """Each rule's boolean array over the points (what `run_rules` lists, in array form)."""
    p = np.asarray(points, dtype=float)
    c = np.broadcast_to(np.asarray(center, dtype=float), p.shape)
    s = np.broadcast_to(np.asarray(sigma_each, dtype=float), p.shape)
    return {rule: _rule(p, c, s, rule, width) for rule in rules}


def run_rules(
    points: Sequence[float] | np.ndarray,
    center: float | np.ndarray,
    sigma_each: float | np.ndarray,
    rules: Sequence[str],
    *,
    width: float = 3.0,
) -> tuple[Violation, ...]:
    """Every (point, rule) the points break, ordered by point, then by the rule's order in `rules`.

    `sigma_each` is the standard deviation of each plotted point (a number or one per point: σ/√nᵢ for X̄);
    the limits are center ± width·σ and the zones a third of that, as qcc draws them."""
    by_rule = flags(points, center, sigma_each, rules, width=width)
    if not by_rule:
        return ()
    matrix = np.stack([by_rule[r] for r in rules])  # rules × points
    rule_idx, point_idx = np.nonzero(matrix)
    order = np.lexsort((rule_idx, point_idx))
    names = tuple(rules)
    return tuple(Violation(int(point_idx[i]), names[int(rule_idx[i])]) for i in order)
