"""Setting risk grades (分类监管, C6). The scoring that proposes them belongs to the risk
detectors; this is the one place a grade is written."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import audit_event, queue_ledger_events, record_audit, record_batch_audit
from certhub.core.canonical import dumps as canonical_bytes
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.identifiers import clean_identifier
from certhub.core.models import AuditEvent
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import RegulatedModel, action, action_step
from certhub.registry.choices import GradedSubject, RiskGrade
from certhub.registry.models import Certificate, CertificationBody, Lab, Organization
from certhub.risk.choices import UseChannel, WarningStatus
from certhub.risk.detectors import Finding, run_all
from certhub.risk.models import CertificateUse, Grade, GradeChange, Penalty, ScoringRun, Warning
from certhub.risk.queries import subject_names
from certhub.risk.scoring import Rule, Score, load_rule, score


@action
def do_set_risk_grades(
    *, rows: Iterable[tuple[str, int, str, str]], graded_on: datetime.date | None = None, actor: Actor
) -> int:
    """Set the grade of many subjects: rows of (subject type, subject id, grade, basis). One audit row per
    grade that changed; returns how many changed."""
    authorize(actor, Permission.SET_RISK_GRADES)
    wanted: dict[tuple[str, int], tuple[str, str]] = {}
    for number, (subject_type, subject_id, grade, basis) in enumerate(rows, start=1):
        if subject_type not in GradedSubject.values:
            raise ValidationFailed(
                {f"rows[{number}].subject_type": _("未知的对象类型“%(value)s”") % {"value": subject_type}}
            )
        if grade not in RiskGrade.values:
            raise ValidationFailed(
                {f"rows[{number}].grade": _("风险等级应为A、B、C、D，收到“%(value)s”") % {"value": grade}}
            )
        wanted[(subject_type, int(subject_id))] = (grade, basis)
    day = graded_on or timezone.localdate()
    existing = {
        (g.subject_type, g.subject_id): g
        for g in Grade.objects.filter(subject_id__in=[k[1] for k in wanted])
        if (g.subject_type, g.subject_id) in wanted
    }
    changed: list[Grade] = []
    created: list[Grade] = []
    events: list[tuple[Grade, dict[str, str] | None]] = []
    for key, (grade, basis) in wanted.items():
        current = existing.get(key)
        if current is not None and current.grade == grade:
            continue
        before = {"grade": current.grade} if current else None
        row = current or Grade(subject_type=key[0], subject_id=key[1])
        row.grade, row.graded_on, row.basis = grade, day, basis
        (changed if current else created).append(row)
        events.append((row, before))
    Grade.objects.bulk_create(created, batch_size=2000)
    Grade.objects.bulk_update(changed, ["grade", "graded_on", "basis"], batch_size=2000)
    audit = [
        audit_event(
            actor,
            AuditEventType.RISK_GRADES_SET,
            row,
            before=before,
            after={"subject_type": row.subject_type, "subject_id": row.subject_id, "grade": row.grade},
        )
        for row, before in events
    ]
    AuditEvent.objects.bulk_create(audit, batch_size=2000)
    queue_ledger_events(audit, [row for row, _b in events])
    return len(events)


# ---------------------------------------------------------------- the scoring run (C6)


def _subjects() -> dict[tuple[str, int], str]:
    """Every graded subject with the region of its organization: (type, id) → region code."""
    rows = Organization.objects.values_list("id", "region_id").iterator(chunk_size=20_000)
    subjects = {(GradedSubject.ORGANIZATION.value, pk): region for pk, region in rows}
    for kind, model in ((GradedSubject.CERTIFICATION_BODY, CertificationBody), (GradedSubject.LAB, Lab)):
        subjects.update(
            {(kind.value, pk): region for pk, region in model.objects.values_list("id", "organization__region_id")}
        )
    return subjects


def _finding_rows(result: Score, findings: list[Finding]) -> list[dict[str, object]]:
    """A warning's findings as stored: each with its sentence in both languages and its share of the score."""
    points = {c.detector: str(c.points) for c in result.contributions}
    return [
        {
            "detector": f.detector,
            "count": f.count,
            "since": f.since.isoformat(),
            "text_zh": f.text("zh-hans"),
            "text_en": f.text("en"),
            "contribution": points.get(f.detector, "0"),
        }
        for f in findings
        if f.detector in points
    ]


def _fingerprint(findings: list[dict[str, object]]) -> list[tuple[object, object]]:
    return sorted((f["detector"], f["count"]) for f in findings)


@action
def do_run_scoring(*, today: datetime.date | None = None, rule: Rule | None = None, actor: Actor) -> ScoringRun:
    """Run every detector, score every organization, certification body and lab under the rule, write the
    grades that changed with their history, and raise or refresh warnings (C6).

    A subject with no finding scores 0, grade A. One audit row (and ledger entry) for the run, whose state
    is the digest of every change; each change also has its GradeChange row. A subject whose score reaches
    the rule's warning threshold gets a warning, unless it has one open (refreshed instead) or its last
    warning, already handled, had the same findings (nothing new to act on)."""
    authorize(actor, Permission.SET_RISK_GRADES)
    day = today or timezone.localdate()
    rule = rule or load_rule()
    findings = run_all(day)
    scores = {(s.subject_type, s.subject_id): s for s in score(findings, rule)}
    by_subject: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings:
        by_subject.setdefault((str(finding.subject_type), finding.subject_id), []).append(finding)
    rule_state = rule.as_json()
    run = ScoringRun(
        as_of=day,
        rule=rule_state,
        rule_digest=hashlib.sha256(canonical_bytes(rule_state)).hexdigest(),
        findings=len(findings),
    )
    run.save()
    subjects = _subjects()
    run.subjects = len(subjects)
    grades = Grade.objects.values_list("id", "subject_type", "subject_id", "grade", "score", "region_code")
    current = {
        (t, pk): (gid, grade, value, region) for gid, t, pk, grade, value, region in grades.iterator(chunk_size=20_000)
    }
    # Plain dicts, not model instances: at 300,000 subjects the instances alone would cost a gigabyte.
    created: list[dict[str, object]] = []
    history: list[dict[str, object]] = []
    plain: dict[str, list[int]] = {}  # grade → ids of rows that become (grade, score 0, no basis)
    scored: list[Grade] = []
    moved: dict[str, list[int]] = {}  # region → ids of rows whose subject moved
    digest = hashlib.sha256()
    for key in sorted(subjects):
        region = subjects[key]
        result = scores.get(key)
        grade = result.grade if result else RiskGrade.A.value
        value = float(result.score) if result else 0.0
        basis = result.basis() if result else ""
        existing = current.get(key)
        if existing is None:
            created.append(
                {
                    "subject_type": key[0],
                    "subject_id": key[1],
                    "grade": grade,
                    "score": value,
                    "basis": basis,
                    "graded_on": day,
                    "region_code": region,
                }
            )
        else:
            gid, old_grade, old_value, old_region = existing
            if old_region != region:
                moved.setdefault(region, []).append(gid)
            if old_grade == grade and old_value == value:
                continue
            if result is None:
                plain.setdefault(grade, []).append(gid)
            else:
                scored.append(Grade(id=gid, grade=grade, score=value, basis=basis, graded_on=day))
            if old_grade == grade:
                continue
        before = existing[1] if existing else ""
        history.append(
            {
                "subject_type": key[0],
                "subject_id": key[1],
                "from_grade": before,
                "to_grade": grade,
                "score": value,
                "changed_on": day,
                "basis": basis,
                "run_id": run.pk,
            }
        )
        digest.update(f"{key[0]}:{key[1]}:{before}>{grade}\n".encode())
    _insert(Grade, created)
    for grade, ids in plain.items():
        for start in range(0, len(ids), 5000):
            Grade.objects.filter(id__in=ids[start : start + 5000]).update(
                grade=grade, score=0.0, basis="", graded_on=day
            )
    Grade.objects.bulk_update(scored, ["grade", "score", "basis", "graded_on"], batch_size=1000)
    for region, ids in moved.items():
        for start in range(0, len(ids), 5000):
            Grade.objects.filter(id__in=ids[start : start + 5000]).update(region_code=region)
    _insert(GradeChange, history)
    run.changed = len(history)
    run.warnings = _raise_warnings(run, rule, scores, by_subject, subjects, day)
    run.save(update_fields=["subjects", "changed", "warnings"])
    record_audit(
        actor,
        AuditEventType.RISK_SCORED,
        run,
        before=None,
        after={
            "as_of": day.isoformat(),
            "rule_digest": run.rule_digest,
            "subjects": run.subjects,
            "findings": run.findings,
            "changed": run.changed,
            "changes_digest": digest.hexdigest(),
            "warnings": run.warnings,
        },
    )
    return run


@action_step
def _insert(model: type[RegulatedModel], rows: list[dict[str, object]]) -> None:
    """Write new rows given as {attname: value}, numbered by the database (nothing points at them yet)."""
    spec = bulk.table(model)
    blank = dict.fromkeys(spec.names)
    values = (spec.values_of(SimpleNamespace(**{**blank, **row})) for row in rows)
    bulk.insert_rows(model, ([v for i, v in enumerate(row) if i != spec.pk_index] for row in values), numbered=False)


@action_step
def _raise_warnings(
    run: ScoringRun,
    rule: Rule,
    scores: dict[tuple[str, int], Score],
    by_subject: dict[tuple[str, int], list[Finding]],
    subjects: dict[tuple[str, int], str],
    day: datetime.date,
) -> int:
    """Raise new warnings and refresh open ones; returns how many were raised."""
    warned = {key: result for key, result in scores.items() if result.score >= rule.warning and key in subjects}
    if not warned:
        return 0
    latest: dict[tuple[str, int], Warning] = {}
    for warning in Warning.objects.filter(subject_id__in=[k[1] for k in warned]).order_by("id"):
        if (warning.subject_type, warning.subject_id) in warned:
            latest[(warning.subject_type, warning.subject_id)] = warning
    names = subject_names(warned)
    raised: list[Warning] = []
    for key, result in sorted(warned.items()):
        rows = _finding_rows(result, by_subject[key])
        before = latest.get(key)
        if before is not None and before.status == WarningStatus.OPEN:
            before.run, before.score, before.grade = run, float(result.score), result.grade
            before.findings, before.refreshed_on = rows, day
            before.save(update_fields=["run", "score", "grade", "findings", "refreshed_on"])
            continue
        if before is not None and _fingerprint(before.findings) == _fingerprint(rows):
            continue  # handled already, and nothing new since
        name, uscc = names[key]
        raised.append(
            Warning(
                run=run,
                subject_type=key[0],
                subject_id=key[1],
                subject_name=name,
                uscc=uscc,
                region_code=subjects[key],
                score=float(result.score),
                grade=result.grade,
                findings=rows,
                raised_on=day,
                refreshed_on=day,
            )
        )
    Warning.objects.bulk_create(raised, batch_size=1000)
    return len(raised)


# ---------------------------------------------------------------- signals recorded here (C6)


def _row_date(value: object, field: str, errors: dict[str, list[str]], today: datetime.date) -> datetime.date | None:
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append(_("“%(value)s”不是YYYY-MM-DD格式的日期") % {"value": value})
        return None
    if day > today:
        errors.setdefault(field, []).append(_("日期%(day)s晚于今天") % {"day": day.isoformat()})
        return None
    return day


@action
def do_record_certificate_uses(*, rows: Sequence[dict[str, Any]], actor: Actor) -> int:
    """Record certificates seen in use, as departments report them: rows of {"certificate" (id),
    "used_on", "channel", "place", "reported_by"}. All or nothing; a bad row names its index and field.
    One audit row for the batch (its digest)."""
    authorize(actor, Permission.RECORD_RISK_SIGNAL)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    regions = dict(
        Certificate.objects.filter(id__in=[r.get("certificate") for r in rows]).values_list("id", "region_code")
    )
    for region in sorted(set(regions.values())):  # officers report uses inside their region (C14)
        authorize(actor, Permission.RECORD_RISK_SIGNAL, region_code=region)
    known = set(regions)
    uses = []
    for index, row in enumerate(rows):
        field = f"rows[{index}]"
        if row.get("certificate") not in known:
            errors.setdefault(f"{field}.certificate", []).append(_("没有这张证书"))
        if row.get("channel") not in UseChannel.values:
            errors.setdefault(f"{field}.channel", []).append(
                _("未知的发现渠道“%(value)s”") % {"value": row.get("channel")}
            )
        day = _row_date(row.get("used_on"), f"{field}.used_on", errors, today)
        if not errors and day is not None:  # day is None only after an error
            uses.append(
                CertificateUse(
                    certificate_id=row["certificate"],
                    used_on=day,
                    channel=row["channel"],
                    place=str(row.get("place", ""))[:200],
                    reported_by=str(row.get("reported_by", ""))[:64],
                )
            )
    if errors:
        raise ValidationFailed(errors)
    bulk.insert(CertificateUse, uses)
    record_batch_audit(actor, AuditEventType.RISK_SIGNAL_RECORDED, uses, "certificate_uses")
    return len(uses)


@action
def do_record_penalties(*, rows: Sequence[dict[str, Any]], actor: Actor) -> int:
    """Record administrative penalty decisions: rows of {"organization" (id), "decision_number",
    "decided_on", "authority", "reason"}. All or nothing, as above."""
    authorize(actor, Permission.RECORD_RISK_SIGNAL)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    regions = dict(
        Organization.objects.filter(id__in=[r.get("organization") for r in rows]).values_list("id", "region_id")
    )
    for region in sorted(set(regions.values())):
        authorize(actor, Permission.RECORD_RISK_SIGNAL, region_code=region)
    known = set(regions)
    numbers, malformed = [], {}
    for index, row in enumerate(rows):
        try:  # the identifier grammar (core/identifiers.py); empty is its own message below
            numbers.append(clean_identifier(row.get("decision_number"), 64, required=False))
        except ValueError as problem:
            malformed[index] = str(problem)
            numbers.append("")
    taken = set(Penalty.objects.filter(decision_number__in=numbers).values_list("decision_number", flat=True))
    penalties = []
    for index, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        field = f"rows[{index}]"
        if row.get("organization") not in known:
            errors.setdefault(f"{field}.organization", []).append(_("没有这个机构"))
        if index in malformed:
            errors.setdefault(f"{field}.decision_number", []).append(malformed[index])
        elif not number:
            errors.setdefault(f"{field}.decision_number", []).append(_("请填写处罚决定书文号"))
        elif number in taken or numbers.index(number) != index:
            errors.setdefault(f"{field}.decision_number", []).append(_("文号%(number)s已登记") % {"number": number})
        for name in ("authority", "reason"):
            if not str(row.get(name, "")).strip():
                errors.setdefault(f"{field}.{name}", []).append(_("此项必填"))
        day = _row_date(row.get("decided_on"), f"{field}.decided_on", errors, today)
        if not errors and day is not None:  # day is None only after an error
            penalties.append(
                Penalty(
                    organization_id=row["organization"],
                    decision_number=number,
                    decided_on=day,
                    authority=str(row["authority"]).strip(),
                    reason=str(row["reason"]).strip(),
                )
            )
    if errors:
        raise ValidationFailed(errors)
    bulk.insert(Penalty, penalties)
    record_batch_audit(actor, AuditEventType.RISK_SIGNAL_RECORDED, penalties, "penalties")
    return len(penalties)
