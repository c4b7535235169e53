"""Control charts of the quality toolbox (`--parts toolbox-spc`; C12, issue 18): an X̄-R chart of 1,000,000
measurements in 200,000 subgroups of 5 — subgroup statistics, limits and all eight Nelson rules — by
`certhub.toolbox.spc.control_chart` (numpy, whole arrays), beside a straightforward per-point Python loop
(`certhub.toolbox.tests.spc_loop`, a transcription of qcc's definitions) in the same run, on the same data;
the two results (center, σ̂, every violation) are asserted equal before any figure is printed.

The measurements are a normal process (mean 74, σ 0.01, seeded) with a few shifts, trends and alternating
stretches, so that every rule has something to find. No database is needed.

Run on its own: `python -m bench --parts toolbox-spc` or `python -m bench.toolbox_spc`."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUBGROUPS = 200_000
SIZE = 5


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certhub.settings")
    import django

    django.setup()


def data(subgroups: int = SUBGROUPS, size: int = SIZE) -> tuple[list[float], list[str]]:
    """Measurements and their subgroup labels (as read from a file: text), time-ordered."""
    import numpy as np

    rng = np.random.default_rng(18)
    shift = np.zeros(subgroups)
    for start in rng.integers(0, subgroups - 40, subgroups // 2000):  # a shift of 1.5σ/√n now and then
        shift[start : start + 12] += rng.choice([-1.0, 1.0]) * 0.0075
    for start in rng.integers(0, subgroups - 40, subgroups // 5000):  # trends
        shift[start : start + 8] += np.linspace(-0.01, 0.01, 8)
    for start in rng.integers(0, subgroups - 40, subgroups // 5000):  # alternation
        shift[start : start + 16] += np.where(np.arange(16) % 2, 0.012, -0.012)
    values = rng.normal(74.0, 0.01, (subgroups, size)) + shift[:, None]
    labels = np.repeat(np.arange(1, subgroups + 1), size).astype(str)
    return values.ravel().tolist(), labels.tolist()


def measure(subgroups: int = SUBGROUPS, size: int = SIZE) -> dict[str, Any]:
    _django()
    from certhub.toolbox.spc import RULESETS, control_chart
    from certhub.toolbox.tests import spc_loop

    print(
        f"\n== toolbox-spc: X̄-R chart, {subgroups * size:,} measurements in {subgroups:,} subgroups of {size}, "
        "eight Nelson rules",
        flush=True,
    )
    values, labels = data(subgroups, size)
    started = time.perf_counter()
    result = control_chart("xbar-r", values, subgroups=labels, rules="nelson")
    ours_s = time.perf_counter() - started
    xbar = result.charts[0]
    started = time.perf_counter()
    loop = spc_loop.xbar_r(values, labels, RULESETS["nelson"])
    loop_s = time.perf_counter() - started
    ours = [(v.index, v.rule) for v in xbar.violations]
    assert abs(xbar.center - float(loop["center"])) < 1e-9, (xbar.center, loop["center"])  # type: ignore[arg-type]
    assert abs(xbar.sigma - float(loop["sigma"])) < 1e-12, (xbar.sigma, loop["sigma"])  # type: ignore[arg-type]
    assert ours == loop["violations"], "the vectorized rules and the loop disagree"
    by_rule: dict[str, int] = {}
    for _index, rule in ours:
        by_rule[rule] = by_rule.get(rule, 0) + 1
    return {
        "measurements": subgroups * size,
        "subgroups": subgroups,
        "violations": len(ours),
        "violations_by_rule": by_rule,
        "certhub_s": round(ours_s, 3),
        "loop_s": round(loop_s, 3),
        "ratio": round(loop_s / ours_s, 1),
        "results_equal": True,
    }


def print_report(report: dict[str, Any]) -> None:
    print(
        f"\ntoolbox-spc: X̄-R of {report['measurements']:,} measurements ({report['subgroups']:,} subgroups), "
        "limits and the eight Nelson rules"
    )
    print(f"  certhub.toolbox.spc (numpy)      {report['certhub_s']:8.3f} s")
    print(f"  per-point Python loop            {report['loop_s']:8.3f} s")
    print(f"  ratio (loop / certhub)           {report['ratio']:8.1f} ×")
    print(
        f"  violations (equal in both)       {report['violations']:,}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(report["violations_by_rule"].items()))
    )


if __name__ == "__main__":
    print_report(measure())
