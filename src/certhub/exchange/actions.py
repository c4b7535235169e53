"""Submission actions: record a submission, reject it whole, apply one chunk of it, finish it (C2).

A chunk is planned and applied in one transaction (exchange.rows plans it against the registry as it is
inside that transaction), and the submission's progress moves in the same transaction: a process killed
half-way leaves each chunk entirely applied or not at all, and `rows_done` says where to resume."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.exchange.choices import RowOutcome, Severity, SubmissionKind, SubmissionState
from certhub.exchange.models import Submission, SubmissionProblem
from certhub.exchange.readers import RawRow
from certhub.exchange.rows import (
    CertificatePlanner,
    ChunkPlan,
    OrganizationPlanner,
    PlannedRow,
    Problem,
    ReportPlanner,
)
from certhub.registry import bans
from certhub.registry.actions import (
    do_bulk_create_test_reports,
    do_change_certificate_status,
    do_import_organizations,
)
from certhub.registry.certificate_rules import new_certificate, new_certificate_draft
from certhub.registry.certificate_writer import (
    RenderedCertificates,
    assign_certificate_ids,
    encode_certificates,
    insert_certificates,
    render_certificates,
    update_certificate,
    write_certificates,
)
from certhub.registry.models import Certificate, Organization

SUBMISSION_AUDIT_FIELDS = [
    "organization",
    "region",
    "kind",
    "mode",
    "channel",
    "file_format",
    "filename",
    "sha256",
    "size_bytes",
    "state",
    "total_rows",
    "created_count",
    "updated_count",
    "unchanged_count",
    "rejected_count",
]


def permission_for(kind: str) -> Permission:
    if kind == SubmissionKind.ORGANIZATIONS:
        return Permission.MANAGE_REGISTRY  # market registration's records come through the regulator (C1)
    return Permission.WRITE_TEST_REPORT if kind == SubmissionKind.REPORTS else Permission.WRITE_CERTIFICATE


def _authorize(actor: Actor, submission: Submission) -> None:
    """A body's or lab's submission is its organization's; an organizations file is the officer's region's."""
    authorize(
        actor,
        permission_for(submission.kind),
        organization_id=submission.organization_id,
        region_code=submission.region_id,
    )


def refuse_banned_submitter(organization: Organization | None) -> None:
    """ValidationFailed naming `organization` when it is under permanent exit: an institution ordered out
    sends no submission (C9), and nothing of it is kept (the pipeline asks before storing the file)."""
    if organization is None:
        return
    exit_ban = bans.organization_ban(organization.pk, bans.ISSUING_KINDS)
    if exit_ban is not None:
        raise ValidationFailed({"organization": [bans.ban_refusal(exit_ban)]})


@action
def do_open_submission(
    *,
    organization: Organization | None,
    kind: str,
    mode: str,
    channel: str,
    file_format: str,
    filename: str,
    sha256: str,
    size_bytes: int,
    stored_path: str = "",
    region: Region | None = None,
    actor: Actor,
) -> Submission:
    """Record that a submission arrived, before anything is read from it: even a file refused whole
    stays in the organization's history (who, when, digest, why). An organizations file has no
    organization but the filing officer's `region` (None: an administrator's, province-wide)."""
    if kind == SubmissionKind.ORGANIZATIONS:
        organization = None
        authorize(actor, permission_for(kind), region_code=region.code if region else None)
    elif organization is None:
        raise ValidationFailed({"organization": _("报送须属于一个机构")})
    else:
        authorize(actor, permission_for(kind), organization_id=organization.pk)
        refuse_banned_submitter(organization)
    submission = Submission(
        organization=organization,
        region=region,
        submitted_by_id=actor.user_id,
        submitted_label=actor.label,
        channel=channel,
        kind=kind,
        mode=mode,
        file_format=file_format,
        filename=filename[:255],
        sha256=sha256,
        size_bytes=size_bytes,
        stored_path=stored_path,
        state=SubmissionState.RECEIVED,
    )
    submission.save()
    record_audit(
        actor,
        AuditEventType.SUBMISSION_RECEIVED,
        submission,
        before=None,
        after=snapshot(submission, SUBMISSION_AUDIT_FIELDS),
    )
    return submission


@action_step
def _store_problems(submission: Submission, problems: Iterable[Problem]) -> None:
    """Keep at most SUBMISSION_MAX_PROBLEMS lines per submission; count the rest."""
    stored = SubmissionProblem.objects.filter(submission=submission).count()
    room = max(0, settings.SUBMISSION_MAX_PROBLEMS - stored)
    rows: list[SubmissionProblem] = []
    omitted = 0
    for row, field, value, message, severity in problems:
        if len(rows) < room:
            rows.append(
                SubmissionProblem(
                    submission=submission,
                    row=row,
                    field=field[:64],
                    # The value as sent, but a NUL written visibly: PostgreSQL cannot store one.
                    value=value.replace("\x00", "\\0")[:200],
                    message=message,
                    severity=severity,
                )
            )
        else:
            omitted += 1
    SubmissionProblem.objects.bulk_create(rows, batch_size=2000)
    submission.problems_omitted += omitted


@action
def do_reject_submission(
    *,
    submission: Submission,
    message: str,
    problems: Iterable[Problem],
    counts: dict[str, int] | None = None,
    omitted: int = 0,
    encoding: str = "",
    actor: Actor,
) -> Submission:
    """Refuse a submission whole: nothing of it is applied; its problems and counts are kept."""
    _authorize(actor, submission)
    _store_problems(submission, problems)
    submission.problems_omitted += omitted
    counts = counts or {}
    submission.total_rows = counts.get("total", 0)
    submission.rejected_count = counts.get(RowOutcome.REJECTED, 0)
    submission.note_count = counts.get(Severity.NOTE, 0)
    submission.state = SubmissionState.REJECTED
    submission.message = message
    submission.encoding = encoding or submission.encoding
    _finished(submission, actor, reason=message)
    return submission


@action
def do_start_applying(*, submission: Submission, total_rows: int | None, encoding: str, actor: Actor) -> Submission:
    _authorize(actor, submission)
    submission.state = SubmissionState.APPLYING
    submission.total_rows = total_rows or 0
    submission.encoding = encoding
    submission.save(update_fields=["state", "total_rows", "encoding"])
    return submission


@action
def do_apply_submission_chunk(
    *,
    submission: Submission,
    planner: CertificatePlanner | ReportPlanner | OrganizationPlanner,
    chunk: list[RawRow],
    rows_done: int,
    rejected: dict[int, list[Problem]] | None = None,
    actor: Actor,
) -> dict[str, int]:
    """Plan and apply one chunk of rows in one transaction, through the registry's own write paths: new
    certificates as do_bulk_create_certificates writes them, contents as do_update_certificate, status
    as do_change_certificate_status (audit rows and public records included). Rows with errors are
    reported, not applied (the all-or-nothing mode has already refused any file with an error)."""
    _authorize(actor, submission)
    plan = planner.plan(chunk, rejected)
    if isinstance(planner, OrganizationPlanner):
        _import_organizations(plan, actor)
    elif isinstance(planner, ReportPlanner):
        # The chunk's new reports in one batch: the lab's ban is read once for them (C9), not per report.
        reports = [row.cleaned for row in plan.rows if row.outcome == RowOutcome.CREATED and row.cleaned]
        if reports:
            do_bulk_create_test_reports(lab=planner.lab, rows=reports, actor=actor)
    else:
        today = timezone.localdate()
        created = [row for row in plan.rows if row.outcome == RowOutcome.CREATED and row.cleaned]
        certificates = [new_certificate(planner.body, row.cleaned or {}, today) for row in created]
        insert_certificates(certificates, [row.history for row in created], actor=actor)
        _apply_changes(plan, actor)
    _store_problems(submission, plan.problems)
    counts = {outcome: plan.count(outcome) for outcome in RowOutcome.values}
    counts[Severity.NOTE] = sum(1 for p in plan.problems if p[4] == Severity.NOTE)
    _count(submission, counts, rows_done)
    return counts


@dataclass
class PreparedChunk:
    """One chunk, validated and rendered while an all-or-nothing submission is checked whole: its new
    certificates as rows ready to write; the raw rows that change registered certificates, planned
    again when applied (against the registry as it then is); the counts and problems of the rest."""

    rows: int
    rendered: RenderedCertificates
    changes: list[RawRow]
    counts: dict[str, int]
    problems: list[Problem]


def prepare_chunk(
    planner: CertificatePlanner, chunk: list[RawRow], rejected: dict[int, list[Problem]], actor: Actor
) -> tuple[PreparedChunk, ChunkPlan]:
    """Plan a chunk and render its new certificates (nothing is written)."""
    plan = planner.plan(chunk, rejected)
    today = timezone.localdate()
    created = [row for row in plan.rows if row.outcome == RowOutcome.CREATED and row.cleaned]
    certificates = [new_certificate_draft(planner.body, row.cleaned or {}, today) for row in created]
    rendered = render_certificates(certificates, [row.history for row in created], actor=actor)
    if connection.vendor == "postgresql" and rendered.certificates:
        # Keys from the sequences and the COPY bytes now, while checking: writing is then a byte stream.
        assign_certificate_ids(rendered)
        encode_certificates(rendered)
    changed = {row.number for row in plan.rows if row.outcome == RowOutcome.UPDATED}
    counts = {
        outcome: sum(1 for row in plan.rows if row.outcome == outcome and row.number not in changed)
        for outcome in RowOutcome.values
    }
    problems = [p for p in plan.problems if p[0] not in changed]
    counts[Severity.NOTE] = sum(1 for p in problems if p[4] == Severity.NOTE)
    changes = [raw for raw in chunk if raw.number in changed]
    return PreparedChunk(len(chunk), rendered, changes, counts, problems), plan


@action
def do_apply_prepared_chunk(
    *, submission: Submission, planner: CertificatePlanner, prepared: PreparedChunk, rows_done: int, actor: Actor
) -> dict[str, int]:
    """Write a prepared chunk in one transaction: its rendered new certificates (a number registered in
    the meantime fails the chunk on the unique constraint, and `certhub import --resume` then plans it
    afresh), and its changes to registered certificates, planned again now."""
    _authorize(actor, submission)
    write_certificates(prepared.rendered)
    counts = dict(prepared.counts)
    problems = list(prepared.problems)
    if prepared.changes:
        plan = planner.plan(prepared.changes)
        _apply_changes(plan, actor)
        for outcome in RowOutcome.values:
            counts[outcome] += plan.count(outcome)
        problems.extend(plan.problems)
        counts[Severity.NOTE] += sum(1 for p in plan.problems if p[4] == Severity.NOTE)
    _store_problems(submission, problems)
    _count(submission, counts, rows_done)
    return counts


def _apply_changes(plan: ChunkPlan, actor: Actor) -> None:
    """Updates and status changes of registered certificates, through the registry's single-row paths."""
    changing = [row for row in plan.rows if row.outcome == RowOutcome.UPDATED and row.certificate is not None]
    instances = Certificate.objects.select_related(
        "holder", "holder__region", "scheme", "certification_body", "ccc_product"
    ).in_bulk([row.certificate.id for row in changing])
    for row in changing:
        certificate = instances[row.certificate.id]
        if row.changes and row.cleaned is not None:
            certificate = update_certificate(certificate, row.cleaned, actor=actor)
        if row.status is not None:
            to_status, day, reason = row.status
            do_change_certificate_status(
                certificate=certificate, to_status=to_status, effective_date=day, reason=reason, actor=actor
            )


def _import_organizations(plan: ChunkPlan, actor: Actor) -> None:
    """Write a chunk's valid organization rows (do_import_organizations) and set each row's outcome to what
    was done: the registry decides created, updated or unchanged inside this transaction."""
    valid = [row for row in plan.rows if row.cleaned is not None and row.outcome != RowOutcome.REJECTED]
    if not valid:
        return
    done = do_import_organizations(rows=[row.cleaned or {} for row in valid], actor=actor)
    outcome = {
        **dict.fromkeys(done.created, RowOutcome.CREATED),
        **dict.fromkeys(done.updated, RowOutcome.UPDATED),
        **dict.fromkeys(done.unchanged, RowOutcome.UNCHANGED),
    }
    for row in valid:
        row.outcome = outcome[(row.cleaned or {})["uscc"]]


@action
def do_apply_organization_rows(
    *,
    submission: Submission,
    rows: list[tuple[int, dict[str, Any]]],
    problems: list[Problem],
    rejected: int,
    rows_done: int,
    actor: Actor,
) -> dict[str, int]:
    """Write one checked chunk of an all-or-nothing organizations file in one transaction: its rows
    (row number, cleaned values) as do_import_organizations writes them, its notes, its progress."""
    _authorize(actor, submission)
    plan = ChunkPlan(
        rows=[PlannedRow(number, RowOutcome.CREATED, cleaned=cleaned) for number, cleaned in rows], problems=problems
    )
    _import_organizations(plan, actor)
    _store_problems(submission, problems)
    counts = {outcome: plan.count(outcome) for outcome in RowOutcome.values}
    counts[RowOutcome.REJECTED] += rejected
    counts[Severity.NOTE] = sum(1 for p in problems if p[4] == Severity.NOTE)
    _count(submission, counts, rows_done)
    return counts


@action_step
def _count(submission: Submission, counts: dict[str, int], rows_done: int) -> None:
    submission.created_count += counts[RowOutcome.CREATED]
    submission.updated_count += counts[RowOutcome.UPDATED]
    submission.unchanged_count += counts[RowOutcome.UNCHANGED]
    submission.rejected_count += counts[RowOutcome.REJECTED]
    submission.note_count += counts[Severity.NOTE]
    submission.rows_done = rows_done
    submission.save(
        update_fields=[
            "created_count",
            "updated_count",
            "unchanged_count",
            "rejected_count",
            "note_count",
            "rows_done",
            "problems_omitted",
        ]
    )


@action
def do_finish_submission(*, submission: Submission, total_rows: int, actor: Actor) -> Submission:
    _authorize(actor, submission)
    submission.total_rows = total_rows
    submission.state = SubmissionState.PARTIAL if submission.rejected_count else SubmissionState.APPLIED
    _finished(submission, actor)
    return submission


@action_step
def _finished(submission: Submission, actor: Actor, reason: str = "") -> None:
    """Close a submission (its state set by the caller) with its SUBMISSION_FINISHED audit row."""
    submission.finished_at = timezone.now()
    submission.save()
    record_audit(
        actor,
        AuditEventType.SUBMISSION_FINISHED,
        submission,
        before=None,
        after=snapshot(submission, SUBMISSION_AUDIT_FIELDS),
        reason=reason,
    )
