"""The risk benchmark's baseline (bench/risk.py): scoring one subject at a time the straightforward way — the
subject loaded, its records read through the ORM with a few queries, the detectors' rules (risk.detectors)
applied to them in Python, the score from certhub.risk.scoring under the same rule, and the grade saved with
Grade.save() inside an action per subject. Nothing set-based, no bulk write: what a per-object loop over
the ORM costs, to be extrapolated from a sample.

The rules are the detectors' statements read as Python, so that the baseline computes what CertHub
computes (the benchmark checks it does, subject by subject); the explanations are shorter sentences of
the baseline's own."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from certhub.core.regulated import action
from certhub.registry.choices import GradedSubject, RiskGrade
from certhub.risk.choices import WarningStatus
from certhub.risk.detectors import NOT_VALID, PENALTY_YEARS, REPORTS_PER_SIGNATORY_DAY, Finding
from certhub.risk.scoring import Rule, Score, score

# A subject's findings: (subject type, its key, its region code, the findings).
Found = tuple[str, str, str, list[Finding]]


def _finding(detector: str, kind: str, pk: int, key: str, count: int, since: datetime.date) -> Finding:
    return Finding(detector, kind, pk, key, count, since, f"{detector}: {count} since {since.isoformat()}")


def organization(pk: int, day: datetime.date) -> Found:
    """An organization's certificate uses while not valid, CCC products made without a certificate, published
    inspection problems and recent penalties."""
    from certhub.inspections.choices import ADVERSE_RESULTS, TaskStatus
    from certhub.inspections.models import Task
    from certhub.registry.choices import CertificateStatus
    from certhub.registry.dates import add_months
    from certhub.registry.models import Certificate, CertificateEvent, ManufacturedProduct, Organization
    from certhub.risk.models import CertificateUse, Penalty

    kind = GradedSubject.ORGANIZATION.value
    subject = Organization.objects.get(pk=pk)
    certificates = {c.id: c for c in Certificate.objects.filter(holder=subject).select_related("scheme")}
    events: dict[int, list[Any]] = defaultdict(list)
    for event in CertificateEvent.objects.filter(certificate__holder=subject):
        events[event.certificate_id].append(event)
    uses = list(CertificateUse.objects.filter(certificate__holder=subject))
    made = list(ManufacturedProduct.objects.filter(organization=subject).select_related("ccc_product"))
    penalties = list(Penalty.objects.filter(organization=subject))
    tasks = list(Task.objects.filter(organization=subject, status=TaskStatus.PUBLISHED))
    found = []

    # certificate_use_invalid: the status in force on the day of use is the last event on or before it.
    invalid = []
    for use in uses:
        certificate = certificates[use.certificate_id]
        before = [e for e in events[certificate.id] if e.effective_date <= use.used_on]
        status = max(before, key=lambda e: (e.effective_date, e.id)).to_status if before else None
        if use.used_on > certificate.expiry_date or status in NOT_VALID:
            invalid.append(use)
    if invalid:
        found.append(
            _finding("certificate_use_invalid", kind, pk, subject.uscc, len(invalid), min(u.used_on for u in invalid))
        )

    # ccc_uncovered: a catalogue product in force, and no active, unexpired CCC certificate for it.
    uncovered = []
    for product in made:
        catalogue = product.ccc_product
        if catalogue.effective_from > day or (catalogue.effective_to is not None and catalogue.effective_to < day):
            continue
        if not any(
            c.ccc_product_id == product.ccc_product_id
            and c.scheme.code == "CCC"
            and c.status == CertificateStatus.ACTIVE
            and c.expiry_date >= day
            for c in certificates.values()
        ):
            uncovered.append(product)
    if uncovered:
        found.append(
            _finding("ccc_uncovered", kind, pk, subject.uscc, len(uncovered), min(p.recorded_on for p in uncovered))
        )

    adverse = [t for t in tasks if t.result in ADVERSE_RESULTS]
    if adverse:
        found.append(
            _finding("inspection_problems", kind, pk, subject.uscc, len(adverse), min(t.published_on for t in adverse))
        )

    since = add_months(day, -12 * PENALTY_YEARS)
    recent = [p for p in penalties if since < p.decided_on <= day]
    if recent:
        found.append(_finding("penalties", kind, pk, subject.uscc, len(recent), min(p.decided_on for p in recent)))
    return kind, subject.uscc, subject.region_id, found


def body(pk: int, day: datetime.date) -> Found:
    """A certification body's short QMS initial audits, late-reported certificates and overdue surveillance."""
    from certhub.exchange.queries import LATE_AFTER_DAYS
    from certhub.registry.choices import AuditKind, CertificateStatus
    from certhub.registry.dates import add_months
    from certhub.registry.models import Certificate, CertificationAudit, CertificationBody
    from certhub.risk.audit_time import qms_table

    kind = GradedSubject.CERTIFICATION_BODY.value
    subject = CertificationBody.objects.select_related("organization").get(pk=pk)
    late: list[datetime.date] = []
    overdue: list[datetime.date] = []
    for certificate in (
        Certificate.objects.filter(certification_body=subject).select_related("scheme").iterator(chunk_size=2000)
    ):
        if certificate.reporting_lag_days is not None and certificate.reporting_lag_days > LATE_AFTER_DAYS:
            late.append(certificate.issue_date)
        months = certificate.scheme.surveillance_months
        last = certificate.last_surveillance_date or certificate.issue_date
        if (
            months
            and certificate.status == CertificateStatus.ACTIVE
            and certificate.expiry_date >= day
            and last < add_months(day, -months)
        ):
            overdue.append(last)
    table = qms_table()
    short = []
    for audit in CertificationAudit.objects.filter(
        certificate__certification_body=subject, kind=AuditKind.INITIAL
    ).select_related("certificate__scheme"):
        if audit.certificate.scheme.code != "QMS":
            continue
        least = table.minimum(audit.effective_personnel)
        if least is not None and audit.stage1_days + audit.stage2_days < least:
            short.append(audit.end_date)
    key = subject.approval_number
    found = []
    if short:
        found.append(_finding("audit_time_short", kind, pk, key, len(short), min(short)))
    if late:
        found.append(_finding("late_reporting", kind, pk, key, len(late), min(late)))
    if overdue:
        found.append(_finding("surveillance_overdue", kind, pk, key, len(overdue), min(overdue)))
    return kind, key, subject.organization.region_id, found


def lab(pk: int, day: datetime.date) -> Found:
    """A lab's reports outside its qualified scope, signed outside the signatory's authorization, and days
    on which a signatory signed implausibly many."""
    from certhub.registry.models import Lab, LabScope, Signatory, TestReport

    kind = GradedSubject.LAB.value
    subject = Lab.objects.select_related("organization").get(pk=pk)
    scope = list(LabScope.objects.filter(lab=subject))
    signatories = {g.id: g for g in Signatory.objects.filter(lab=subject).prefetch_related("scope")}
    reports = list(TestReport.objects.filter(lab=subject).prefetch_related("items"))

    def covers(row: Any, item: Any, report: Any) -> bool:
        return (
            row.parameter == item.parameter
            and row.standard == item.standard
            and row.valid_from <= report.issue_date
            and (row.valid_until is None or row.valid_until >= report.issue_date)
        )

    outside: dict[tuple[str, str], dict[int, datetime.date]] = defaultdict(dict)
    unauthorized: dict[int, dict[int, datetime.date]] = defaultdict(dict)
    for report in reports:
        signatory = signatories.get(report.signatory_id) or Signatory.objects.get(pk=report.signatory_id)
        own_scope = list(signatory.scope.all())
        day_of = report.issue_date
        for item in report.items.all():
            if (
                day_of < subject.cma_valid_from
                or day_of > subject.cma_valid_until
                or not any(covers(row, item, report) for row in scope)
            ):
                outside[(item.parameter, item.standard)][report.id] = day_of
            if (
                day_of < signatory.valid_from
                or (signatory.valid_until is not None and day_of > signatory.valid_until)
                or not any(covers(row, item, report) for row in own_scope)
            ):
                unauthorized[signatory.id][report.id] = day_of
    per_day = Counter((r.signatory_id, r.issue_date) for r in reports)
    busy: dict[int, list[datetime.date]] = defaultdict(list)
    for (signatory_id, issued), count in per_day.items():
        if count > REPORTS_PER_SIGNATORY_DAY:
            busy[signatory_id].append(issued)
    key = subject.cma_number
    found = [_finding("lab_outside_scope", kind, pk, key, len(r), min(r.values())) for r in outside.values()]
    found += [
        _finding("signatory_outside_authorization", kind, pk, key, len(r), min(r.values()))
        for r in unauthorized.values()
    ]
    found += [_finding("signatory_volume", kind, pk, key, len(days), min(days)) for days in busy.values()]
    return kind, key, subject.organization.region_id, found


@dataclass(frozen=True)
class Graded:
    before: tuple[str, float | None] | None  # CertHub's grade and score, as found
    after: tuple[str, float]  # the baseline's


@action
def save_grade(
    *, kind: str, pk: int, region: str, result: Score | None, day: datetime.date, rule: Rule, run: Any, actor: Any
) -> Graded:
    """The subject's grade saved as a naive implementation would: read, set, save(); a history row when the
    grade moved; its open warning refreshed when the score reaches the warning threshold."""
    from certhub.risk.models import Grade, GradeChange, Warning

    grade = result.grade if result else RiskGrade.A.value
    value = float(result.score) if result else 0.0
    row = Grade.objects.filter(subject_type=kind, subject_id=pk).first()
    before = (row.grade, row.score) if row else None
    old = row.grade if row else ""
    row = row or Grade(subject_type=kind, subject_id=pk)
    row.grade, row.score, row.basis, row.graded_on, row.region_code = (
        grade,
        value,
        result.basis() if result else "",
        day,
        region,
    )
    row.save()
    if old != grade:
        GradeChange(
            run=run,
            subject_type=kind,
            subject_id=pk,
            from_grade=old,
            to_grade=grade,
            score=value,
            changed_on=day,
            basis=row.basis,
        ).save()
    if result is not None and result.score >= rule.warning:
        warning = Warning.objects.filter(subject_type=kind, subject_id=pk, status=WarningStatus.OPEN).first()
        if warning is not None:
            warning.score, warning.grade, warning.refreshed_on = value, grade, day
            warning.save(update_fields=["score", "grade", "refreshed_on"])
    return Graded(before, (grade, value))


def grade_subject(
    find: Callable[[int, datetime.date], Found], pk: int, day: datetime.date, rule: Rule, run: Any, *, actor: Any
) -> Graded:
    """One subject, start to end: its findings, its score, its grade saved."""
    kind, _key, region, findings = find(pk, day)
    scores = score(findings, rule)
    return save_grade(
        kind=kind, pk=pk, region=region, result=scores[0] if scores else None, day=day, rule=rule, run=run, actor=actor
    )
