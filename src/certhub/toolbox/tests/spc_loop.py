"""A straightforward point-by-point transcription of the X̄-R chart and of the run rules as R's qcc package
defines them (R/qcc.R, R/rules.R): plain Python loops, no numpy. It is the independent check of the
vectorized `certhub.toolbox.spc` (test_spc_rules.py) and the baseline of `python -m bench --parts toolbox-spc`."""

from __future__ import annotations

import math
from collections.abc import Sequence

RUN = {"nelson-2": 9, "we-4": 8}


def rule_flags(
    points: Sequence[float], center: float, sigma: Sequence[float], rule: str, width: float = 3.0
) -> list[bool]:
    """Whether each point is flagged by `rule`, looking back from the point as a person would."""
    n = len(points)
    zone = width / 3.0
    out = [False] * n
    for i in range(n):
        x, s = points[i], sigma[i]
        if rule in ("nelson-1", "we-1"):
            out[i] = x > center + width * s or x < center - width * s
        elif rule in RUN:
            length = RUN[rule]
            if i + 1 >= length:
                window = range(i - length + 1, i + 1)
                out[i] = all(points[j] > center for j in window) or all(points[j] < center for j in window)
        elif rule == "nelson-3":
            if i >= 5:
                window = range(i - 4, i + 1)
                out[i] = all(points[j] > points[j - 1] for j in window) or all(
                    points[j] < points[j - 1] for j in window
                )
        elif rule == "nelson-4":
            if i >= 13:
                ok = True
                for j in range(i - 11, i + 1):
                    if (points[j] - points[j - 1]) * (points[j - 1] - points[j - 2]) >= 0:
                        ok = False
                        break
                out[i] = ok
        elif rule in ("nelson-5", "we-2", "nelson-6", "we-3"):
            m, k, z = (2, 3, 2 * zone) if rule in ("nelson-5", "we-2") else (4, 5, zone)
            if i + 1 >= k:
                above = sum(1 for j in range(i - k + 1, i + 1) if points[j] > center + z * sigma[j])
                below = sum(1 for j in range(i - k + 1, i + 1) if points[j] < center - z * sigma[j])
                out[i] = (above >= m and x > center + z * s) or (below >= m and x < center - z * s)
        elif rule == "nelson-7":
            if i >= 14:
                out[i] = all(abs(points[j] - center) <= zone * sigma[j] for j in range(i - 14, i + 1))
        elif rule == "nelson-8":
            if i >= 7:
                window = range(i - 7, i + 1)
                up = [points[j] > center + zone * sigma[j] for j in window]
                down = [points[j] < center - zone * sigma[j] for j in window]
                out[i] = all(a or b for a, b in zip(up, down, strict=True)) and any(up) and any(down)
        else:
            raise ValueError(rule)
    return out


D2 = {2: 1.128, 3: 1.693, 4: 2.059, 5: 2.326, 6: 2.534, 7: 2.704, 8: 2.847, 9: 2.970, 10: 3.078}  # Montgomery App. VI


def xbar_r(values: Sequence[float], subgroups: Sequence[str], rules: Sequence[str]) -> dict[str, object]:
    """X̄-R limits from every subgroup and the rules on the X̄ points, one value and one point at a time."""
    groups: dict[str, list[float]] = {}
    for value, key in zip(values, subgroups, strict=True):
        groups.setdefault(key, []).append(value)
    means, ranges, sizes = [], [], []
    for members in groups.values():
        total, low, high = 0.0, members[0], members[0]
        for v in members:
            total += v
            low = min(low, v)
            high = max(high, v)
        means.append(total / len(members))
        ranges.append(high - low)
        sizes.append(len(members))
    weighted = 0.0
    for m, n in zip(means, sizes, strict=True):
        weighted += m * n
    center = weighted / sum(sizes)
    sigma = sum(r / D2[n] for r, n in zip(ranges, sizes, strict=True)) / len(ranges)
    each = [sigma / math.sqrt(n) for n in sizes]
    flags = {rule: rule_flags(means, center, each, rule) for rule in rules}
    violations = [(i, rule) for i in range(len(means)) for rule in rules if flags[rule][i]]
    return {"center": center, "sigma": sigma, "means": means, "ranges": ranges, "violations": violations}
