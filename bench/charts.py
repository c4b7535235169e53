"""Charts drawn on the server with matplotlib (`--parts charts`; C11, C12, issue 18), two measurements in one run:

1. **A 100,000-point control chart**: an individuals chart (I-MR, phase I the first 20,000 points, Nelson rules)
   of a seeded normal process with a few shifts, drawn by `certhub.toolbox.figures.control_chart` and made
   inline SVG by `certhub.core.plots.to_svg` — thinned for display (min/max per bucket, at most 2,000 points
   on the line) beside the same chart unthinned (every point on the line), in the same run on the same
   series. Both must draw every violation: the red markers in the two SVGs are counted and asserted equal to
   the series' violations before a figure is printed. Wall time (best and median of `--charts-rounds`) and
   the SVG's size.
2. **The statistics dashboard** (`GET /statistics/`, the province, as its officer) in one process with Django
   set up on the demo province of `--size` (SQLite, bench/db.py; generated once; `certhub stats aggregate`
   run first): `--charts-requests` requests one at a time through Django's test client with the charts
   (matplotlib, the SVG cached per inputs and language as a server process keeps it), beside the same page
   with the charts left out (the views' chart helpers answering nothing; the standard-transition section's
   bar charts too), beside the page with the cache
   emptied before each request (every chart drawn each time: what the cache saves). p50/p90 in ms. The
   page's p50 recorded before (hand-drawn SVG, at `large` on PostgreSQL over HTTP: docs/benchmarks.md, "KPI
   dashboard") is printed beside it for reference — a different setting, so only the same-run columns compare.

Run on its own: `python -m bench --parts charts --size small` or `python -m bench.charts [SIZE]`."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POINTS = 100_000
MAX_POINTS = 2000
# docs/benchmarks.md, "KPI dashboard", run 3: the province page's p50 with the hand-drawn SVG charts.
RECORDED_P50_MS = 44.3
RECORDED = "44.3 ms (hand-drawn SVG; large, PostgreSQL, over HTTP; docs/benchmarks.md)"


def _django(database_url: str | None = None) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    if database_url:
        os.environ["CERTHUB_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certhub.settings")
    import django

    django.setup()


def series() -> Any:
    """The I chart of 100,000 seeded measurements (mean 10, σ 1) with shifts of 3σ in phase II."""
    import numpy as np

    from certhub.toolbox.spc import control_chart

    rng = np.random.default_rng(18)
    values = rng.normal(10.0, 1.0, POINTS)
    for start in range(30_000, POINTS - 100, 10_000):
        values[start : start + 40] += 3.0
    return control_chart("imr", values, phase1=20_000).charts[0]


def _render(chart: Any, max_points: int) -> tuple[float, str]:
    from certhub.core.plots import to_svg
    from certhub.toolbox.figures import control_chart

    started = time.perf_counter()
    svg = str(to_svg(control_chart(chart, title="单值图", max_points=max_points), title="单值图"))
    return time.perf_counter() - started, svg


def measure_control_chart(rounds: int = 3) -> dict[str, Any]:
    import re

    from certhub.core.plots import BAD

    chart = series()
    violations = len({v.index for v in chart.violations})
    print(f"\n== charts: control chart of {POINTS:,} points, {violations:,} points breaking a Nelson rule", flush=True)
    result: dict[str, Any] = {"points": POINTS, "violation_points": violations}
    for name, limit in (("thinned", MAX_POINTS), ("unthinned", POINTS)):
        times, svg = [], ""
        for _ in range(rounds):
            seconds, svg = _render(chart, limit)
            times.append(seconds)
        markers = len(re.findall(rf'<use [^>]*fill="{BAD}"', svg))
        assert markers == violations, f"{name}: {markers} violation markers drawn, {violations} violations"
        result[name] = {
            "max_points": limit,
            "best_s": round(min(times), 3),
            "median_s": round(statistics.median(times), 3),
            "svg_bytes": len(svg.encode()),
            "violation_markers": markers,
        }
    result["ratio"] = round(result["unthinned"]["median_s"] / result["thinned"]["median_s"], 1)
    return result


def _timed(client: Any, path: str, requests: int, before: Any = None) -> dict[str, float]:
    for _ in range(3):  # warm-up: templates, the first drawing of each chart into the cache
        client.get(path)
    times = []
    for _ in range(requests):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and b'id="kpi-table"' in response.content, response.status_code
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
        "html_bytes": len(response.content),
    }


def measure_dashboard(size: str, requests: int) -> dict[str, Any]:
    from bench.db import SqliteDatabase

    database = SqliteDatabase(size)
    print(f"\n== charts: statistics dashboard ({size}, {database.label}, in-process)", flush=True)
    database.ensure_data()
    database.certhub("stats", "aggregate")
    _django(database.url)
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from certhub.core.models import User
    from certhub.core.testing import sign_in_client
    from certhub.stats import charts, views

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    setup_test_environment()
    client = sign_in_client(Client(), User.objects.get(username="officer"))
    result: dict[str, Any] = {"size": size, "engine": database.engine, "requests": requests}
    result["with_charts"] = _timed(client, "/statistics/", requests)
    from certhub.core import plots
    from certhub.stats import transition_charts

    def forget() -> None:  # every chart drawn again: the dashboard's and the transitions' caches emptied
        charts._cached_svg.cache_clear()
        with plots._svg_cache_lock:
            plots._svg_cache.clear()

    result["charts_drawn_each_time"] = _timed(client, "/statistics/", requests, forget)
    kept = (views.kpi_charts, charts.plot_svg, transition_charts.share_chart)
    views.kpi_charts = lambda board: []  # type: ignore[assignment]
    charts.plot_svg = lambda plot: ""  # type: ignore[assignment,return-value]
    transition_charts.share_chart = lambda row: None  # type: ignore[assignment]  # the transitions' bar charts
    try:
        result["without_charts"] = _timed(client, "/statistics/", requests)
    finally:
        views.kpi_charts, charts.plot_svg, transition_charts.share_chart = kept
    result["recorded_p50_ms"] = RECORDED_P50_MS
    return result


def measure(size: str = "small", requests: int = 100, rounds: int = 3) -> dict[str, Any]:
    _django()
    report = {"control_chart": measure_control_chart(rounds)}
    # The dashboard in a process of its own: Django's settings are fixed once set up.
    completed = subprocess.run(
        [sys.executable, "-m", "bench.charts", "--dashboard", size, str(requests)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    print(completed.stderr, end="", flush=True)
    completed.check_returncode()
    import json

    report["dashboard"] = json.loads(completed.stdout.strip().splitlines()[-1])
    return report


def print_report(report: dict[str, Any]) -> None:
    chart = report["control_chart"]
    print(f"\n-- control chart, {chart['points']:,} points, {chart['violation_points']:,} violation points")
    print(f"{'':<12} {'max points':>10} {'best':>8} {'median':>8} {'SVG':>10} {'violations drawn':>17}")
    for name in ("thinned", "unthinned"):
        row = chart[name]
        print(
            f"{name:<12} {row['max_points']:>10,} {row['best_s']:>7.3f}s {row['median_s']:>7.3f}s "
            f"{row['svg_bytes'] / 1024:>8,.0f}kB {row['violation_markers']:>17,}"
        )
    print(f"unthinned / thinned: {chart['ratio']}× (target: thinned under 1 s)")
    board = report["dashboard"]
    print(f"\n-- statistics dashboard, province, {board['size']} ({board['engine']}), {board['requests']} requests")
    print(f"{'':<34} {'p50':>8} {'p90':>8} {'HTML':>8}")
    for key, name in (
        ("with_charts", "matplotlib charts (as committed)"),
        ("without_charts", "charts left out"),
        ("charts_drawn_each_time", "charts drawn on every request"),
    ):
        row = board[key]
        print(f"{name:<34} {row['p50_ms']:>6.1f}ms {row['p90_ms']:>6.1f}ms {row['html_bytes'] / 1024:>6,.0f}kB")
    print(f"recorded before: {RECORDED}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--dashboard"]:
        import json

        size, requests = argv[1], int(argv[2])
        sys.stdout.flush()
        stdout = sys.stdout
        sys.stdout = sys.stderr  # progress to stderr; the JSON alone on stdout
        try:
            result = measure_dashboard(size, requests)
        finally:
            sys.stdout = stdout
        print(json.dumps(result))
        return 0
    report = measure(argv[0] if argv else "small")
    print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
