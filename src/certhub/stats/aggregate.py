"""The daily aggregation behind the KPI dashboard (C11; docs/architecture.md convention 18–19; docs/statistics.md).

Each metric of a day is computed by one or two set-based GROUP BY statements over the registry, grouped by
the region code of the records (a county, or a prefecture for records registered there), then rolled up the
region tree (core.Region) to prefecture and province in Python — over the groups, never over the records.
Every count is of records that belong to exactly one region, so the roll-up is a sum.

`run(day)` computes and commits each metric of the day in its own transaction and notes it done
(ComputedMetric): an interrupted run resumes where it stopped; `redo=True` recomputes. The same statements,
narrowed to a region, give `certhub.stats.queries.live_figures` — the dashboard's numbers computed at
request time, which the benchmark times against the page that reads the figures."""

# ruff: noqa: S608 - the statements below are built from fixed fragments; every value is a bound parameter.
from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from certhub.core.models import Region
from certhub.core.workdays import working_days_between
from certhub.market.declarations import in_force_sql
from certhub.registry.choices import UNGRADED, GradedSubject
from certhub.stats import editions
from certhub.stats.choices import (
    INDUSTRIAL_SECTIONS,
    REPORT_WINDOW_DAYS,
    CaseAge,
    InspectionKey,
    Metric,
    case_age_bucket,
)
from certhub.stats.models import ComputedMetric, Figure, SchemeLabel

# (region code of the records, key) → (numerator, denominator or None for a count)
Groups = dict[tuple[str, str], tuple[int, int | None]]
Compute = Callable[[datetime.date, str | None], Groups]


def _rows(sql: str, params: Iterable[str | int | datetime.date | None]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _day(value: object) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _within(column: str, prefix: str | None) -> tuple[str, list[str]]:
    """A filter on a region-code column: the codes starting with `prefix`, written as a range so that the index
    serves it on both databases (as registry.queries.within_region); nothing when there is no prefix."""
    if not prefix:
        return "", []
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return f" AND {column} >= %s AND {column} < %s", [prefix, upper]


def _scheme_id(code: str) -> int | None:
    rows = _rows("SELECT id FROM registry_scheme WHERE code = %s", [code])
    return rows[0][0] if rows else None


def _shares(rows: Iterable[tuple]) -> Groups:
    """Rows of (region code, denominator, numerator) as the groups of a share with an empty key."""
    return {(code, ""): (int(numerator or 0), int(denominator)) for code, denominator, numerator in rows}


def _counts(rows: Iterable[tuple]) -> Groups:
    """Rows of (region code, key, count) as counting groups."""
    groups: dict[tuple[str, str], int] = defaultdict(int)
    for code, key, count in rows:
        groups[(code, key)] += int(count)
    return {group: (count, None) for group, count in groups.items()}


# ----------------------------------------------------------------------------------------- the three KPIs


def iso9001(day: datetime.date, prefix: str | None = None) -> Groups:
    """湘政发〔2018〕28号 (二): above-designated-size industrial enterprises (sections B, C, D) by their region,
    and how many hold at least one ISO 9001 (QMS) certificate that is ACTIVE and within its dates on `day`."""
    qms = _scheme_id("QMS")
    where, params = _within("o.region_id", prefix)
    sections = ", ".join(["%s"] * len(INDUSTRIAL_SECTIONS))
    return _shares(
        _rows(
            "SELECT o.region_id, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM registry_certificate c "
            "WHERE c.holder_id = o.id AND c.scheme_id = %s AND c.status = 'ACTIVE' AND c.issue_date <= %s "
            "AND c.expiry_date >= %s) THEN 1 ELSE 0 END) FROM registry_organization o "
            f"WHERE o.above_designated_size = %s AND o.industry_section IN ({sections}){where} GROUP BY o.region_id",
            [qms, day, day, True, *INDUSTRIAL_SECTIONS, *params],
        )
    )


def cma_reports(day: datetime.date, prefix: str | None = None) -> Groups:
    """湘政发〔2018〕28号 (二): evidentiary test reports (any conclusion but INFORMATIVE, 仅提供数据) issued in the
    365 days up to `day`, by the region of the lab, and how many were issued while the lab was ACTIVE, its CMA
    valid on the issue date and every item inside a scope row in force that day (the rule of
    risk.detectors.lab_reports_outside_scope)."""
    where, params = _within("o.region_id", prefix)
    first = day - datetime.timedelta(days=REPORT_WINDOW_DAYS - 1)
    return _shares(
        _rows(
            "SELECT o.region_id, COUNT(*), SUM(CASE WHEN l.status = 'ACTIVE' AND r.issue_date >= l.cma_valid_from "
            "AND r.issue_date <= l.cma_valid_until AND NOT EXISTS (SELECT 1 FROM registry_testreportitem i "
            "WHERE i.report_id = r.id AND NOT EXISTS (SELECT 1 FROM registry_labscope s WHERE s.lab_id = r.lab_id "
            "AND s.parameter = i.parameter AND s.standard = i.standard AND s.valid_from <= r.issue_date "
            "AND (s.valid_until IS NULL OR s.valid_until >= r.issue_date))) THEN 1 ELSE 0 END) "
            "FROM registry_testreport r JOIN registry_lab l ON l.id = r.lab_id "
            "JOIN registry_organization o ON o.id = l.organization_id "
            f"WHERE r.conclusion <> 'INFORMATIVE' AND r.issue_date >= %s AND r.issue_date <= %s{where} "
            "GROUP BY o.region_id",
            [first, day, *params],
        )
    )


def ccc_coverage(day: datetime.date, prefix: str | None = None) -> Groups:
    """湘政发〔2018〕28号 (五): CCC-catalogue products made (ManufacturedProduct, recorded by `day`) whose catalogue
    entry is in force on `day`, by the maker's region, and how many are covered: the maker holds an ACTIVE CCC
    certificate for that very catalogue product, within its dates, or — for a `*`/`**` product — a
    self-declaration of it in force on `day` (market.declarations.in_force_sql, C7)."""
    ccc = _scheme_id("CCC")
    where, params = _within("m.region_code", prefix)
    declared = in_force_sql(organization="m.organization_id", product="m.ccc_product_id", day="%s")
    return _shares(
        _rows(
            "SELECT m.region_code, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM registry_certificate c "
            "WHERE c.holder_id = m.organization_id AND c.ccc_product_id = m.ccc_product_id AND c.scheme_id = %s "
            f"AND c.status = 'ACTIVE' AND c.issue_date <= %s AND c.expiry_date >= %s) OR {declared} THEN 1 ELSE 0 END) "
            "FROM registry_manufacturedproduct m JOIN registry_cccproduct p ON p.id = m.ccc_product_id "
            "WHERE m.recorded_on <= %s AND p.effective_from <= %s AND (p.effective_to IS NULL OR p.effective_to >= %s)"
            f"{where} GROUP BY m.region_code",
            [ccc, day, day, day, day, day, day, day, *params],
        )
    )


# ----------------------------------------------------------------------------------------- the other figures


def certificates(day: datetime.date, prefix: str | None = None) -> Groups:
    """Certificates issued by `day` by the holder's region, scheme and current status ("QMS:ACTIVE"); drafts
    are not certificates yet and are left out."""
    where, params = _within("c.region_code", prefix)
    rows = _rows(
        "SELECT c.region_code, s.code, c.status, COUNT(*) FROM registry_certificate c "
        "JOIN registry_scheme s ON s.id = c.scheme_id "
        f"WHERE c.status <> 'DRAFT' AND c.issue_date <= %s{where} GROUP BY c.region_code, s.code, c.status",
        [day, *params],
    )
    return _counts((code, f"{scheme}:{status}", count) for code, scheme, status, count in rows)


def inspections(day: datetime.date, prefix: str | None = None) -> Groups:
    """双随机 tasks by the region of the inspected target (where the inspection happens): drawn, done
    (inspection ended by `day`), published by `day` — on time or after the 20-working-day deadline — and
    overdue (deadline passed, not published by `day`)."""
    where, params = _within("t.target_region", prefix)
    rows = _rows(
        "SELECT t.target_region, COUNT(*), "
        "SUM(CASE WHEN t.inspected_until <= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.published_on <= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.published_on <= %s AND t.published_on <= t.deadline THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.published_on <= %s AND t.published_on > t.deadline THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.deadline < %s AND (t.published_on IS NULL OR t.published_on > %s) THEN 1 ELSE 0 END) "
        f"FROM inspections_task t WHERE 1 = 1{where} GROUP BY t.target_region",
        [day, day, day, day, day, day, *params],
    )
    keys = [
        InspectionKey.DRAWN,
        InspectionKey.DONE,
        InspectionKey.PUBLISHED,
        InspectionKey.ON_TIME,
        InspectionKey.LATE,
        InspectionKey.OVERDUE,
    ]
    return _counts(
        (code, str(key), count or 0) for code, *counts in rows for key, count in zip(keys, counts, strict=True)
    )


def grades(day: datetime.date, prefix: str | None = None) -> Groups:
    """The current risk grade mix ("organization:A") of organizations, certification bodies and labs, by the
    region of their organization; a subject never graded counts as B (registry.choices.UNGRADED)."""
    where, params = _within("o.region_id", prefix)
    statements = (
        (GradedSubject.ORGANIZATION, "registry_organization o", "o.id"),
        (
            GradedSubject.CERTIFICATION_BODY,
            "registry_certificationbody x JOIN registry_organization o ON o.id = x.organization_id",
            "x.id",
        ),
        (GradedSubject.LAB, "registry_lab x JOIN registry_organization o ON o.id = x.organization_id", "x.id"),
    )
    rows = []
    for subject_type, source, subject_id in statements:
        rows += [
            (code, f"{subject_type}:{grade}", count)
            for code, grade, count in _rows(
                f"SELECT o.region_id, COALESCE(g.grade, %s), COUNT(*) FROM {source} LEFT JOIN risk_grade g "
                f"ON g.subject_type = %s AND g.subject_id = {subject_id} WHERE 1 = 1{where} "
                "GROUP BY o.region_id, COALESCE(g.grade, %s)",
                [str(UNGRADED), str(subject_type), *params, str(UNGRADED)],
            )
        ]
    return _counts(rows)


def cases(day: datetime.date, prefix: str | None = None) -> Groups:
    """Cases open on `day` (opened by then, not closed by then) by region: all, overdue (deadline passed), and
    by working days since opening (≤ 5, 6–20, > 20). Grouped by opening date in SQL; each distinct date's age
    in working days is counted once."""
    where, params = _within("k.region_code", prefix)
    rows = _rows(
        "SELECT k.region_code, k.opened_on, COUNT(*), SUM(CASE WHEN k.deadline < %s THEN 1 ELSE 0 END) "
        "FROM cases_case k WHERE k.opened_on <= %s AND (k.closed_on IS NULL OR k.closed_on > %s)"
        f"{where} GROUP BY k.region_code, k.opened_on",
        [day, day, day, *params],
    )
    ages: dict[datetime.date, str] = {}
    counted = []
    for code, opened_on, count, overdue in rows:
        opened = _day(opened_on)
        if opened not in ages:
            ages[opened] = case_age_bucket(working_days_between(opened, day))
        counted += [(code, "open", count), (code, "overdue", overdue or 0), (code, str(ages[opened]), count)]
    return _counts(counted)


COMPUTE: dict[str, Compute] = {
    Metric.ISO9001: iso9001,
    Metric.CMA_REPORTS: cma_reports,
    Metric.CCC_COVERAGE: ccc_coverage,
    Metric.CERTIFICATES: certificates,
    Metric.INSPECTIONS: inspections,
    Metric.GRADES: grades,
    Metric.CASES: cases,
    # issue 18: standard-revision transitions (stats.editions)
    Metric.TRANSITIONS: editions.figures,
}
# Metrics added after a release: a day computed before one of them existed still shows (its section says the
# figure is not computed yet) instead of the whole dashboard going blank on upgrade; the next run of the daily
# job fills the missing metric in, as it resumes any metric a day lacks (docs/architecture.md, nothing may
# change for users).
LATER: frozenset[str] = frozenset({Metric.TRANSITIONS})
CASE_KEYS = ("open", "overdue", CaseAge.UP_TO_5, CaseAge.UP_TO_20, CaseAge.OVER_20)


# ----------------------------------------------------------------------------------------- the region roll-up


def region_parents() -> dict[str, str | None]:
    """Each region's parent code (core.Region: one province's few hundred rows)."""
    return dict(Region.objects.values_list("code", "parent_id"))


def roll_up(groups: Groups, parents: dict[str, str | None]) -> Groups:
    """The figures of every region from the groups of its records: a record in a county counts in the county,
    its prefecture and the province; one registered at a prefecture counts there and in the province."""
    totals: dict[tuple[str, str], list[int | None]] = {}
    for (code, key), (numerator, denominator) in groups.items():
        chain: list[str] = []
        seen: str | None = code
        while seen is not None and seen not in chain:
            chain.append(seen)
            seen = parents.get(seen)
        if code not in parents:  # a code the region table does not know: its GB/T 2260 ancestors by prefix
            chain = sorted({code, code[:4] + "00", code[:2] + "0000"})
        for region in chain:
            total = totals.setdefault((region, key), [0, None])
            total[0] = (total[0] or 0) + numerator
            if denominator is not None:
                total[1] = (total[1] or 0) + denominator
    return {group: (int(n or 0), d) for group, (n, d) in totals.items()}


# ----------------------------------------------------------------------------------------- the job


@dataclass(frozen=True)
class Step:
    """What the job did with one metric of one day."""

    day: datetime.date
    metric: str
    skipped: bool
    rows: int = 0


def _refresh_scheme_labels() -> None:
    """Copy the schemes' names for the page (a few dozen rows; upserted, never deleted)."""
    for code, name, name_en, kind in _rows("SELECT code, name, name_en, kind FROM registry_scheme", []):
        SchemeLabel.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "kind": kind})


def compute_day(day: datetime.date, metric: str, parents: dict[str, str | None] | None = None) -> Groups:
    """The figures of one metric on one day for every region (nothing written)."""
    return roll_up(COMPUTE[metric](day, None), parents if parents is not None else region_parents())


def run(
    day: datetime.date | None = None,
    *,
    redo: bool = False,
    metrics: Iterable[str] | None = None,
    progress: Callable[[Step], None] | None = None,
) -> list[Step]:
    """Compute and store the figures of `day` (today by default, Asia/Shanghai). Each metric is committed on
    its own with its done-mark, so that a run that stops resumes at the first metric not done; done metrics
    are skipped unless `redo`. Idempotent: a day's figures are replaced whole, never added to."""
    day = day or timezone.localdate()
    parents = region_parents()
    steps = []
    for metric in metrics or COMPUTE:
        if not redo and ComputedMetric.objects.filter(day=day, metric=metric).exists():
            step = Step(day, metric, skipped=True)
        else:
            started = time.perf_counter()
            with transaction.atomic():
                if metric == Metric.CERTIFICATES:
                    _refresh_scheme_labels()
                figures = compute_day(day, metric, parents)
                Figure.objects.filter(day=day, metric=metric).delete()
                Figure.objects.bulk_create(
                    [
                        Figure(
                            day=day,
                            region_code=code,
                            metric=metric,
                            key=key,
                            numerator=numerator,
                            denominator=denominator,
                        )
                        for (code, key), (numerator, denominator) in figures.items()
                    ],
                    batch_size=2000,
                )
                done = {"computed_at": timezone.now(), "rows": len(figures), "seconds": time.perf_counter() - started}
                ComputedMetric.objects.update_or_create(day=day, metric=metric, defaults=done)
            step = Step(day, metric, skipped=False, rows=len(figures))
        steps.append(step)
        if progress is not None:
            progress(step)
    return steps


def days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every day from `first` to `last`, both included."""
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def complete_days() -> list[datetime.date]:
    """The days whose every metric has been computed, oldest first: what the dashboard may show."""
    done: dict[datetime.date, set[str]] = defaultdict(set)
    for day, metric in ComputedMetric.objects.values_list("day", "metric"):
        done[day].add(metric)
    required = set(COMPUTE) - LATER
    return sorted(day for day, metrics in done.items() if metrics >= required)
