"""Risk detectors (MISSION.md C6): each a small named unit that finds one kind of anomaly across the whole
registry with set-based SQL and explains each finding in a sentence an officer can act on.

So far: test reports outside the lab's qualified scope on their date (超资质认定范围); reports signed by a
signatory not authorized that day or outside their own scope; implausible report volume per signatory per
day; certificates reported late by their body; published 双随机 results that found a problem. Findings are
internal: officers only."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from certhub.exchange.queries import LATE_AFTER_DAYS
from certhub.risk.choices import GradedSubject


@dataclass(frozen=True)
class Finding:
    """One anomaly: which detector, about whom, how many records, since when, and why in words."""

    detector: str
    subject_type: str
    subject_id: int
    subject_key: str
    count: int
    since: datetime.date
    explanation: str


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _day(value: object) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _findings(detector: str, subject_type: str, sql: str, message: str, names: tuple[str, ...] = (),
              **fixed: object) -> list[Finding]:  # fmt: skip
    """Run a detector's statement — its columns: subject id, subject key, count, first day, then `names` —
    and word each row with `message` (placeholders: key, count, since, the names, and `fixed`)."""
    findings = []
    for subject_id, key, count, since, *extra in _rows(sql):
        day = _day(since)
        words = {"key": key, "count": count, "since": day.isoformat(), **dict(zip(names, extra, strict=True)),
                 **fixed}  # fmt: skip
        findings.append(Finding(detector, subject_type, subject_id, key, count, day, message % words))
    return findings


# A scope row covers an item on a day when it names the same parameter and standard and is in force then.
_COVERS = ("s.parameter = i.parameter AND s.standard = i.standard AND s.valid_from <= r.issue_date "
           "AND (s.valid_until IS NULL OR s.valid_until >= r.issue_date)")  # fmt: skip


def lab_reports_outside_scope() -> list[Finding]:
    """Reports with an item the lab was not qualified for on the report's date (no scope row in force with
    that parameter and standard), or issued while the lab's CMA qualification was not valid. One finding
    per lab and parameter."""
    return _findings(
        "lab_outside_scope", GradedSubject.LAB,
        "SELECT l.id, l.cma_number, COUNT(DISTINCT r.id), MIN(r.issue_date), l.name, i.parameter, i.standard "  # noqa: S608
        "FROM registry_testreportitem i JOIN registry_testreport r ON r.id = i.report_id "
        "JOIN registry_lab l ON l.id = r.lab_id "
        "WHERE r.issue_date < l.cma_valid_from OR r.issue_date > l.cma_valid_until OR NOT EXISTS ("
        f"SELECT 1 FROM registry_labscope s WHERE s.lab_id = r.lab_id AND {_COVERS}) "
        "GROUP BY l.id, l.cma_number, l.name, i.parameter, i.standard ORDER BY l.cma_number, i.parameter, i.standard",
        _("检验检测机构%(name)s（%(key)s）签发了%(count)d份含“%(parameter)s”（%(standard)s）的报告，"
          "超出其当日的资质认定范围，最早一份在%(since)s"),
        ("name", "parameter", "standard"),
    )  # fmt: skip


def signatory_outside_authorization() -> list[Finding]:
    """Reports signed by a signatory not authorized on the report's date, or with an item outside the
    signatory's own authorized scope on that date. One finding per lab and signatory."""
    return _findings(
        "signatory_outside_authorization", GradedSubject.LAB,
        "SELECT l.id, l.cma_number, COUNT(DISTINCT r.id), MIN(r.issue_date), l.name, p.name "  # noqa: S608
        "FROM registry_testreportitem i JOIN registry_testreport r ON r.id = i.report_id "
        "JOIN registry_lab l ON l.id = r.lab_id JOIN registry_signatory g ON g.id = r.signatory_id "
        "JOIN registry_person p ON p.id = g.person_id "
        "WHERE r.issue_date < g.valid_from OR (g.valid_until IS NOT NULL AND r.issue_date > g.valid_until) "
        "OR NOT EXISTS (SELECT 1 FROM registry_signatory_scope gs JOIN registry_labscope s ON s.id = gs.labscope_id "
        f"WHERE gs.signatory_id = g.id AND {_COVERS}) "
        "GROUP BY l.id, l.cma_number, l.name, g.id, p.name ORDER BY l.cma_number, p.name",
        _("检验检测机构%(name)s（%(key)s）的授权签字人%(person)s签发了%(count)d份超出其当日授权签字范围"
          "（或不在授权期内）的报告，最早一份在%(since)s"),
        ("name", "person"),
    )  # fmt: skip


# More reports than this signed by one signatory on one day is not a review anyone could have done: each
# report is to be checked before signing (检验检测机构资质认定管理办法; 授权签字人 reviews every report).
REPORTS_PER_SIGNATORY_DAY = 40


def signatory_volume(limit: int = REPORTS_PER_SIGNATORY_DAY) -> list[Finding]:
    """Days on which one signatory signed more than `limit` reports. One finding per lab and signatory: the
    number of such days, the first, and the most on one day."""
    if limit < 1:
        raise ValueError(f"the daily limit must be at least 1, not {limit}")
    return _findings(
        "signatory_volume", GradedSubject.LAB,
        "SELECT l.id, l.cma_number, COUNT(*), MIN(d.issue_date), l.name, p.name, MAX(d.reports) FROM ("  # noqa: S608
        "SELECT r.lab_id, r.signatory_id, r.issue_date, COUNT(*) AS reports FROM registry_testreport r "
        f"GROUP BY r.lab_id, r.signatory_id, r.issue_date HAVING COUNT(*) > {int(limit)}) d "
        "JOIN registry_lab l ON l.id = d.lab_id JOIN registry_signatory g ON g.id = d.signatory_id "
        "JOIN registry_person p ON p.id = g.person_id "
        "GROUP BY l.id, l.cma_number, l.name, g.id, p.name ORDER BY l.cma_number, p.name",
        _("检验检测机构%(name)s（%(key)s）的授权签字人%(person)s有%(count)d天单日签发报告超过%(limit)d份"
          "（最多一天%(most)d份），最早在%(since)s"),
        ("name", "person", "most"), limit=limit,
    )  # fmt: skip


def late_reporting(after_days: int = LATE_AFTER_DAYS) -> list[Finding]:
    """Certification bodies whose certificates reached CertHub more than `after_days` after they were
    issued (C2: a genuine certificate "not found" because it was reported late). One finding per body."""
    if after_days < 0:
        raise ValueError(f"the allowed delay cannot be negative ({after_days})")
    return _findings(
        "late_reporting", GradedSubject.CERTIFICATION_BODY,
        "SELECT b.id, b.approval_number, COUNT(*), MIN(c.issue_date), b.name, MAX(c.reporting_lag_days) "  # noqa: S608
        "FROM registry_certificate c JOIN registry_certificationbody b ON b.id = c.certification_body_id "
        f"WHERE c.reporting_lag_days > {int(after_days)} "
        "GROUP BY b.id, b.approval_number, b.name ORDER BY b.approval_number",
        _("认证机构%(name)s（%(key)s）有%(count)d张证书在发证%(days)d天后才报送（最长%(longest)d天），"
          "最早一张发证于%(since)s"),
        ("name", "longest"), days=after_days,
    )  # fmt: skip


def inspection_problems() -> list[Finding]:
    """Organizations whose published 双随机 results found a problem (C5 results flow into risk)."""
    from certhub.inspections.choices import ADVERSE_RESULTS, TaskStatus

    adverse = ", ".join(f"'{result}'" for result in sorted(ADVERSE_RESULTS))
    return _findings(
        "inspection_problems", GradedSubject.ORGANIZATION,
        "SELECT o.id, o.uscc, COUNT(*), MIN(t.published_on), o.name FROM inspections_task t "  # noqa: S608
        f"JOIN registry_organization o ON o.id = t.organization_id WHERE t.status = '{TaskStatus.PUBLISHED}' "
        f"AND t.result IN ({adverse}) GROUP BY o.id, o.uscc, o.name ORDER BY o.uscc",
        _("%(name)s（%(key)s）在%(count)d次已公示的双随机抽查中被发现问题，最早公示于%(since)s"),
        ("name",),
    )  # fmt: skip


DETECTORS: dict[str, Callable[[], list[Finding]]] = {
    "lab_outside_scope": lab_reports_outside_scope,
    "signatory_outside_authorization": signatory_outside_authorization,
    "signatory_volume": signatory_volume,
    "late_reporting": late_reporting,
    "inspection_problems": inspection_problems,
}
