"""The officers' "due and overdue" licensing list at scale (`--parts due`; issue 15, C8): 100,000 open
cases, p50 under 100 ms, beside baselines measured in the same run.

In a fresh database of each engine (`certhub_due` on the benchmark's PostgreSQL cluster, and
var/bench/certhub-due.sqlite3), a process with Django set up:

1. writes `--due-cases` open applications (default 100,000) across the province's counties in every open
   state, each with its running statutory clock (working days from core.workdays) and its kept next
   deadline, a tenth of them also waiting on a department's opinion — through bulk inserts inside one
   action (the rows the licensing actions would have left; writing them one action at a time would take
   the better part of an hour and is not what is measured);
2. times CertHub's list, `licensing.queries.due_and_overdue(actor, today)` (200 rows, overdue first), for a
   province officer and for a prefecture officer: a few warm-up calls, then `--due-requests` calls each;
   p50, p90, p99 in milliseconds;
3. the baselines, on the same rows: (a) the naive per-case computation — every open case of the officer's
   region read with its clocks and opinion requests and its next deadline computed in Python
   (`licensing.clocks.next_due`), timed on a sample of `--due-sample` cases and extrapolated to all of
   them; (b) one set-based SQL statement over the running clocks (MIN(due_on) per case, ordered, 200 rows)
   without the kept deadline, timed like CertHub's list.

Run on its own: `python -m bench --parts due --engines postgresql`."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.db import run_fresh

TARGET_P50_MS = 100.0


def measure(cases: int, requests: int, sample: int, engines: list[str], run_dir: Path) -> dict[str, Any]:
    return run_fresh(
        "due",
        engines,
        run_dir,
        f"the officers' licensing due list, {cases:,} open cases",
        "bench.due",
        cases,
        requests,
        sample,
    )


def print_report(results: dict[str, Any]) -> None:
    print("\n== licensing due list (200 rows, overdue first; ms per list)")
    header = (
        f"{'database':<11} {'officer':<11} {'cases':>8} {'p50':>8} {'p90':>8} {'p99':>8}   baselines in the same run"
    )
    print(header)
    print("-" * (len(header) + 40))
    for result in results.values():
        for who in ("province", "prefecture"):
            mine = result[who]
            print(
                f"{result['label']:<11} {who:<11} {mine['cases']:>8,} {mine['p50']:>8.2f} {mine['p90']:>8.2f}"
                f" {mine['p99']:>8.2f}   set-based SQL over clocks p50 {mine['sql_p50']:.1f} ms;"
                f" per-case computation {mine['naive_s']:.1f} s (extrapolated from {mine['naive_sample']:,})"
            )
        p50 = result["province"]["p50"]
        met = "met" if p50 < TARGET_P50_MS else "NOT met"
        print(f"  target p50 < {TARGET_P50_MS:.0f} ms at {result['cases']:,} open cases: {met} ({p50:.2f} ms)")


# ====================================================================== the measuring half


def _timed(call: Any, runs: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _worker_main(out: str, cases: int, requests: int, sample: int) -> None:
    import django

    django.setup()

    import datetime
    import random

    from django.db import connection
    from django.db.models import Min
    from django.utils import timezone

    from certhub.core import bulk
    from certhub.core.actors import SYSTEM, Actor
    from certhub.core.choices import Role
    from certhub.core.models import Region, User
    from certhub.core.regulated import action
    from certhub.core.workdays import add_working_days
    from certhub.licensing import clocks
    from certhub.licensing.choices import ApplicationState, Step
    from certhub.licensing.models import Application, Clock, OpinionRequest
    from certhub.licensing.queries import applications_visible_to, due_and_overdue
    from certhub.registry.models import Organization
    from certhub.registry.testing import ensure_reference_data, make_uscc

    ensure_reference_data()
    rnd = random.Random(15)
    today = timezone.localdate()
    counties = list(Region.objects.filter(level="county").values_list("code", flat=True))
    steps: dict[str, tuple[str, int]] = {
        ApplicationState.SUBMITTED: (Step.ACCEPTANCE, 5),
        ApplicationState.UNDER_REVIEW: (Step.REVIEW, 45),
        ApplicationState.AWAITING_OPINIONS: (Step.REVIEW, 45),
        ApplicationState.REVIEW_CONCLUDED: (Step.DECISION, 20),
    }
    memo: dict[tuple[datetime.date, int], Any] = {}

    def due(start: datetime.date, days: int) -> Any:
        if (start, days) not in memo:
            memo[(start, days)] = add_working_days(start, days)
        return memo[(start, days)]

    @action
    def seed(*, actor: Actor) -> None:
        started = time.perf_counter()
        organizations = [
            Organization(uscc=make_uscc(500_000 + i, county), name=f"申请单位{i:05d}", region_id=county)
            for i, county in enumerate(rnd.choice(counties) for _ in range(2_000))
        ]
        bulk.insert(Organization, organizations)
        applications, running, opinions = [], [], []
        for serial in range(1, cases + 1):
            organization = rnd.choice(organizations)
            state = rnd.choice(list(steps))
            step, days = steps[state]
            started_on = today - datetime.timedelta(days=rnd.randint(0, 90))
            deadline = due(started_on, days)
            application = Application(
                number=f"XK-2026-{serial:06d}",
                licence_type="CMA",
                kind="FIRST",
                track="GENERAL",
                state=state,
                applicant_id=organization.pk,
                region_code=organization.region_id,
                particulars={},
                submitted_on=started_on,
                next_due_on=deadline.day,
                next_due_step=step,
                next_due_provisional=deadline.provisional,
            )
            applications.append(application)
        bulk.insert(Application, applications)
        for application in applications:
            step, days = steps[application.state]
            started_on = application.submitted_on
            running.append(
                Clock(
                    application_id=application.pk,
                    step=step,
                    working_days=days,
                    started_on=started_on,
                    due_on=application.next_due_on,
                    provisional=application.next_due_provisional,
                )
            )
            if application.state == ApplicationState.AWAITING_OPINIONS:
                asked = due(started_on, 10)
                opinions.append(
                    OpinionRequest(
                        application_id=application.pk,
                        department="生态环境局",
                        requested_on=started_on,
                        due_on=asked.day,
                        provisional=asked.provisional,
                    )
                )
                if asked.day < application.next_due_on:
                    application.next_due_on, application.next_due_step = asked.day, Step.OPINION
        bulk.insert(Clock, running)
        bulk.insert(OpinionRequest, opinions)
        Application.objects.bulk_update(
            [a for a in applications if a.next_due_step == Step.OPINION], ["next_due_on", "next_due_step"]
        )
        print(f"  wrote {cases:,} open cases in {time.perf_counter() - started:.1f} s", flush=True)

    seed(actor=SYSTEM)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    officers = {
        "province": User.objects.create_user(
            username="due_province", role=Role.OFFICER, region=Region.objects.get(code="430000")
        ),
        "prefecture": User.objects.create_user(
            username="due_prefecture", role=Role.OFFICER, region=Region.objects.get(code="430100")
        ),
    }
    report: dict[str, Any] = {"cases": cases}
    for who, user in officers.items():
        actor = Actor.from_user(user)
        visible = applications_visible_to(actor).filter(next_due_on__isnull=False)
        count = visible.count()
        listed = due_and_overdue(actor, today)
        assert len(listed) == min(200, count) and listed == sorted(listed, key=lambda i: (i.due_on,))
        mine = _timed(lambda actor=actor: due_and_overdue(actor, today), requests)
        prefix = actor.region_prefix or ""

        def set_based(prefix: str = prefix) -> list[Any]:
            return list(
                Clock.objects.filter(
                    stopped_on__isnull=True, paused_since__isnull=True, application__region_code__startswith=prefix
                )
                .values("application_id")
                .annotate(due=Min("due_on"))
                .order_by("due", "application_id")[:200]
            )

        sql = _timed(set_based, max(5, requests // 10), warmup=1)
        chosen = list(visible.order_by("?")[: min(sample, count)])
        start = time.perf_counter()
        computed = [clocks.next_due(application) for application in chosen]
        naive_each = (time.perf_counter() - start) / max(len(chosen), 1)
        assert all(day is not None for day, _step, _provisional in computed)
        report[who] = {
            "cases": count,
            "p50": statistics.median(mine),
            "p90": _percentile(mine, 0.9),
            "p99": _percentile(mine, 0.99),
            "sql_p50": statistics.median(sql),
            "naive_sample": len(chosen),
            "naive_s": naive_each * count,
        }
        print(f"  {who}: {count:,} cases, p50 {report[who]['p50']:.2f} ms", flush=True)
    Path(out).write_text(json.dumps(report))


if __name__ == "__main__":
    _worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
