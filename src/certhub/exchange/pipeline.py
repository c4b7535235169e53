"""The way every submission goes, whatever brought it (upload page, batch API, `certhub import`) (C2):

1. keep the file (by its SHA-256, so an interrupted import resumes from the same bytes) and record the
   submission; refuse it whole if it is empty, too large, not decodable, not an XLSX, or its header is wrong;
2. all-or-nothing (the default): validate every row first, streaming, against the registry; any error
   and the submission is rejected with every problem listed, and nothing is applied;
3. apply chunk by chunk (exchange.actions.do_apply_submission_chunk): each chunk is planned and written in
   one transaction, with the submission's progress, so a killed process resumes at the next chunk.

Memory stays bounded whatever the file's size: rows stream from disk, one chunk is in memory at a time,
and duplicate numbers are found with an 8-byte digest per row."""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, connection, connections
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.errors import ValidationFailed
from certhub.core.files import copy_private, private_dir
from certhub.core.models import Region, region_prefix
from certhub.core.permissions import authorize
from certhub.exchange.actions import (
    PreparedChunk,
    do_apply_organization_rows,
    do_apply_prepared_chunk,
    do_apply_submission_chunk,
    do_finish_submission,
    do_open_submission,
    do_reject_submission,
    do_start_applying,
    permission_for,
    prepare_chunk,
    refuse_banned_submitter,
)
from certhub.exchange.batching import Duplicates, chunks
from certhub.exchange.choices import RowOutcome, Severity, SubmissionKind, SubmissionMode, SubmissionState
from certhub.exchange.models import Submission
from certhub.exchange.readers import FileRejected, RawRow, Received, file_digest, read_rows, receive, sniff_format
from certhub.exchange.rows import (
    CertificatePlanner,
    ChunkPlan,
    OrganizationPlanner,
    Problem,
    ReportPlanner,
)
from certhub.registry.models import CertificationBody, Lab, Organization

# progress(phase, rows_done, total_rows or None): phase is "validate" or "apply".
Progress = Callable[[str, int, int | None], None]


@dataclass
class Options:
    kind: str = SubmissionKind.CERTIFICATES
    mode: str = SubmissionMode.ALL_OR_NOTHING
    channel: str = ""
    chunk_rows: int = 0
    pause: float = 0.0  # seconds between chunks, to spare a busy database
    progress: Progress | None = None
    region: Region | None = None  # an organizations file: the filing officer's region (None: province-wide)


def keep_file(path: Path, sha256: str, name: str) -> Path:
    """Archive the received bytes under their digest (idempotent: the same file is kept once)."""
    directory = private_dir(settings.SUBMISSION_DIR)  # uploads are private (core/files.py)
    suffix = "".join(Path(name).suffixes[-1:]).lower()[:8]
    target = directory / f"{sha256}{suffix}"
    if not target.exists():
        partial = target.with_name(target.name + ".part")
        copy_private(path, partial)
        partial.replace(target)
    return target


def submit_file(
    path: Path, name: str, organization: Organization | None, options: Options, *, actor: Actor
) -> Submission:
    """Receive a file from `organization` (an organizations file: from the officer of `options.region`)
    and take it as far as it goes; return the submission."""
    if options.kind != SubmissionKind.ORGANIZATIONS and organization is not None:
        # Who may submit first, then the submitter's ban (C9), before the file is stored or recorded.
        authorize(actor, permission_for(options.kind), organization_id=organization.pk)
        refuse_banned_submitter(organization)
    try:
        received = receive(path, name)
    except FileRejected as refusal:
        size, sha256 = file_digest(path)
        submission = do_open_submission(
            organization=organization,
            kind=options.kind,
            mode=options.mode,
            channel=options.channel,
            file_format=sniff_format(path, name),
            filename=name,
            sha256=sha256,
            size_bytes=size,
            region=options.region,
            actor=actor,
        )
        return do_reject_submission(
            submission=submission, message=refusal.message, problems=_file_problems(refusal), actor=actor
        )
    stored = keep_file(path, received.sha256, name)
    submission = do_open_submission(
        organization=organization,
        kind=options.kind,
        mode=options.mode,
        channel=options.channel,
        file_format=received.file_format,
        filename=name,
        sha256=received.sha256,
        size_bytes=received.size,
        stored_path=str(stored),
        region=options.region,
        actor=actor,
    )
    received.path = stored
    return process(submission, received, options, actor=actor)


def resume(submission: Submission, options: Options, *, actor: Actor) -> Submission:
    """Carry on an interrupted submission from its archived file, after its last committed chunk."""
    if submission.finished:
        return submission
    path = Path(submission.stored_path)
    if not path.exists():
        raise ValidationFailed({"submission": _("第%(pk)d号报送的存档文件已不存在，无法续传") % {"pk": submission.pk}})
    received = Received(
        path=path,
        name=submission.filename,
        size=submission.size_bytes,
        sha256=submission.sha256,
        file_format=submission.file_format,
    )
    options.kind, options.mode = submission.kind, submission.mode
    return process(submission, received, options, actor=actor)


def unfinished(organization: Organization | None, sha256: str, region: Region | None = None) -> Submission | None:
    """An interrupted submission of these same bytes from this organization (or, for an organizations
    file, filed for this region), if there is one."""
    submissions = Submission.objects.filter(sha256=sha256, state=SubmissionState.APPLYING)
    if organization is None:
        submissions = submissions.filter(organization__isnull=True, region=region)
    else:
        submissions = submissions.filter(organization=organization)
    return submissions.order_by("-id").first()


def _file_problems(refusal: FileRejected) -> list[Problem]:
    return [(0, field, value, message, Severity.ERROR) for field, value, message in refusal.problems]


def planner_for(submission: Submission) -> CertificatePlanner | ReportPlanner | OrganizationPlanner:
    if submission.kind == SubmissionKind.ORGANIZATIONS:
        region = submission.region
        return OrganizationPlanner(region_prefix(region.code, region.level) if region else None, submission.pk)
    if submission.kind == SubmissionKind.REPORTS:
        lab = Lab.objects.filter(organization=submission.organization).first()
        if lab is None:
            raise ValidationFailed({"organization": _("报送机构不是已登记的检验检测机构")})
        return ReportPlanner(lab, submission.pk)
    body = CertificationBody.objects.select_related("organization").filter(organization=submission.organization).first()
    if body is None:
        raise ValidationFailed({"organization": _("报送机构不是已登记的认证机构")})
    return CertificatePlanner(body, submission.kind, submission.pk)


def process(submission: Submission, received: Received, options: Options, *, actor: Actor) -> Submission:
    """Validate (all-or-nothing) and apply; see the module's docstring."""
    # A million rows allocate a great many short-lived objects and almost no reference cycles: collecting
    # less often keeps the cycle collector from rescanning every live object over and over.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        return _process(submission, received, options, actor=actor)
    finally:
        gc.set_threshold(*thresholds)


def _process(submission: Submission, received: Received, options: Options, *, actor: Actor) -> Submission:
    chunk_rows = options.chunk_rows or settings.SUBMISSION_CHUNK_ROWS
    progress = options.progress or (lambda phase, done, total: None)
    try:
        planner = planner_for(submission)
        rows = read_rows(received, submission.kind)
    except FileRejected as refusal:
        return do_reject_submission(
            submission=submission,
            message=refusal.message,
            problems=_file_problems(refusal),
            encoding=received.encoding,
            actor=actor,
        )
    if submission.mode == SubmissionMode.ALL_OR_NOTHING and submission.state == SubmissionState.RECEIVED:
        if isinstance(planner, OrganizationPlanner):
            return _organizations_all_or_nothing(submission, planner, rows, received, options, chunk_rows, actor=actor)
        if isinstance(planner, CertificatePlanner):
            return _all_or_nothing(submission, planner, rows, received, options, chunk_rows, actor=actor)
        # Reports: check the whole file, then apply it as the valid-rows mode does (every row is valid).
        verdict = validate_all(planner, rows, chunk_rows, progress, kind=submission.kind)
        if verdict.rejected or not verdict.counts["total"]:
            return _reject_or_finish(submission, verdict, received, actor=actor)
        submission = do_start_applying(
            submission=submission, total_rows=verdict.counts["total"], encoding=received.encoding, actor=actor
        )
        rows = read_rows(received, submission.kind)
    if submission.state == SubmissionState.RECEIVED:
        submission = do_start_applying(submission=submission, total_rows=None, encoding=received.encoding, actor=actor)
    return _apply_rows(submission, planner, rows, received, options, chunk_rows, actor=actor)


def _apply_rows(
    submission: Submission,
    planner: CertificatePlanner | ReportPlanner | OrganizationPlanner,
    rows: Iterator[RawRow],
    received: Received,
    options: Options,
    chunk_rows: int,
    *,
    actor: Actor,
) -> Submission:
    """Plan and apply chunk by chunk, after the rows already committed (`rows_done`): the valid-rows mode,
    and how an interrupted submission resumes."""
    progress = options.progress or (lambda phase, done, total: None)
    duplicates = Duplicates(submission.kind)
    done = 0
    for raw in islice(rows, submission.rows_done):  # resuming: these rows' chunks are committed
        duplicates.check(raw)
        done += 1
    progress("apply", done, submission.total_rows or None)
    for chunk in chunks(rows, chunk_rows, submission.kind):
        rejected = duplicates.rejected(chunk)
        done += len(chunk)
        do_apply_submission_chunk(
            submission=submission, planner=planner, chunk=chunk, rows_done=done, rejected=rejected, actor=actor
        )
        progress("apply", done, submission.total_rows or None)
        if options.pause:
            time.sleep(options.pause)
    return _finish(submission, done, received, actor=actor)


def _all_or_nothing(
    submission: Submission,
    planner: CertificatePlanner,
    rows: Iterator[RawRow],
    received: Received,
    options: Options,
    chunk_rows: int,
    *,
    actor: Actor,
) -> Submission:
    """Validate every row first, rendering each valid chunk into a spill file as it goes; any error and
    nothing is applied. Otherwise write the rendered chunks, each in its own transaction: the file is
    read and checked once, not twice."""
    progress = options.progress or (lambda phase, done, total: None)
    directory = private_dir(settings.SUBMISSION_DIR)
    with tempfile.TemporaryFile(dir=directory, prefix="spill-") as spill:
        verdict = validate_all(
            planner, rows, chunk_rows, progress, spill=spill, actor=actor, workers=planning_workers(received)
        )
        if verdict.rejected or not verdict.counts["total"]:
            return _reject_or_finish(submission, verdict, received, actor=actor)
        total = verdict.counts["total"]
        submission = do_start_applying(submission=submission, total_rows=total, encoding=received.encoding, actor=actor)
        spill.seek(0)
        done = 0
        progress("apply", done, total)
        while done < total:
            prepared: PreparedChunk = pickle.load(spill)  # noqa: S301 - our own file, written just now
            try:
                do_apply_prepared_chunk(
                    submission=submission,
                    planner=planner,
                    prepared=prepared,
                    rows_done=done + prepared.rows,
                    actor=actor,
                )
            except IntegrityError:
                # A number of this chunk was registered since the file was checked (another submission of
                # the same body, say): the chunk rolled back; plan the rest afresh against the registry.
                submission.refresh_from_db()
                return _apply_rows(
                    submission,
                    planner,
                    read_rows(received, submission.kind),
                    received,
                    options,
                    chunk_rows,
                    actor=actor,
                )
            done += prepared.rows
            progress("apply", done, total)
            if options.pause:
                time.sleep(options.pause)
    return _finish(submission, done, received, actor=actor)


def _organizations_all_or_nothing(
    submission: Submission,
    planner: OrganizationPlanner,
    rows: Iterator[RawRow],
    received: Received,
    options: Options,
    chunk_rows: int,
    *,
    actor: Actor,
) -> Submission:
    """Check every row of an organizations file (one read), spilling each chunk's cleaned rows; any error
    and nothing is applied. Otherwise write the spilled chunks, each in its own transaction, compared with
    the registry as it then is (do_apply_organization_rows)."""
    progress = options.progress or (lambda phase, done, total: None)
    duplicates = Duplicates(submission.kind)
    verdict = Verdict({"total": 0}, [], 0)
    with tempfile.TemporaryFile(dir=private_dir(settings.SUBMISSION_DIR), prefix="spill-") as spill:
        for chunk in chunks(rows, chunk_rows, submission.kind):
            plan = planner.check(chunk, duplicates.rejected(chunk))
            verdict.add(ChunkSummary.of(plan), len(chunk))
            if not verdict.rejected:
                cleaned = [(row.number, _portable(row.cleaned)) for row in plan.rows if row.cleaned is not None]
                pickle.dump((len(chunk), cleaned, plan.problems), spill, protocol=pickle.HIGHEST_PROTOCOL)
            progress("validate", verdict.counts["total"], None)
        if verdict.rejected or not verdict.counts["total"]:
            return _reject_or_finish(submission, verdict, received, actor=actor)
        total = verdict.counts["total"]
        submission = do_start_applying(submission=submission, total_rows=total, encoding=received.encoding, actor=actor)
        spill.seek(0)
        done = 0
        progress("apply", done, total)
        while done < total:
            size, cleaned, problems = pickle.load(spill)  # noqa: S301 - our own file, written just now
            regions = planner.regions
            do_apply_organization_rows(
                submission=submission,
                rows=[(number, {**values, "region": regions[values["region"]]}) for number, values in cleaned],
                problems=problems,
                rejected=0,
                rows_done=done + size,
                actor=actor,
            )
            done += size
            progress("apply", done, total)
            if options.pause:
                time.sleep(options.pause)
    return _finish(submission, done, received, actor=actor)


def _portable(cleaned: dict[str, Any] | None) -> dict[str, Any]:
    """Cleaned organization values with the region as its code (a small pickle)."""
    values = dict(cleaned or {})
    values["region"] = values["region"].code
    return values


def _reject_or_finish(submission: Submission, verdict: Verdict, received: Received, *, actor: Actor) -> Submission:
    if not verdict.rejected:
        return _finish(submission, 0, received, actor=actor)
    message = _("%(rejected)d行有错误，本次报送未生效：请改正后重新报送") % {"rejected": verdict.rejected}
    return do_reject_submission(
        submission=submission,
        message=message,
        problems=verdict.problems,
        counts=verdict.counts,
        omitted=verdict.omitted,
        encoding=received.encoding,
        actor=actor,
    )


def _finish(submission: Submission, done: int, received: Received, *, actor: Actor) -> Submission:
    if not done:
        message = _("文件只有表头，没有数据行")
        return do_reject_submission(
            submission=submission,
            message=message,
            problems=[(0, "", "", message, Severity.ERROR)],
            encoding=received.encoding,
            actor=actor,
        )
    submission = do_finish_submission(submission=submission, total_rows=done, actor=actor)
    refresh_statistics(submission)
    return submission


def refresh_statistics(submission: Submission) -> None:
    """After a large load, fresh planner statistics for the tables it filled (what autovacuum would do
    minutes later), so that the next lookups and imports are planned for the rows now there."""
    if submission.created_count < 50_000 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if submission.kind == SubmissionKind.ORGANIZATIONS:
            cursor.execute("ANALYZE registry_organization")
            return
        cursor.execute("ANALYZE registry_certificate, registry_certificateevent, registry_certificatepublicrecord")


@dataclass
class Verdict:
    counts: dict[str, int]
    problems: list[Problem]
    omitted: int

    @property
    def rejected(self) -> int:
        return self.counts.get(RowOutcome.REJECTED, 0)

    def add(self, summary: ChunkSummary, size: int) -> None:
        """Count a chunk's outcomes and keep its problems, at most SUBMISSION_MAX_PROBLEMS in all."""
        for outcome, count in summary.outcomes.items():
            self.counts[outcome] = self.counts.get(outcome, 0) + count
        self.counts["total"] += size
        notes = sum(1 for p in summary.problems if p[4] == Severity.NOTE)
        self.counts[Severity.NOTE] = self.counts.get(Severity.NOTE, 0) + notes
        room = max(settings.SUBMISSION_MAX_PROBLEMS - len(self.problems), 0)
        self.problems.extend(summary.problems[:room])
        self.omitted += max(0, len(summary.problems) - room)


# ---------------------------------------------------------------- checking a whole file

# Set in a planning worker process (see _Workers): its planner and actor.
_WORKER: dict[str, Any] = {}


def _worker_start(planner: CertificatePlanner, actor: Actor) -> None:
    _WORKER["planner"], _WORKER["actor"] = planner, actor


def _worker_prepare(job: tuple[list[tuple[Any, ...]], dict[int, list[Problem]]]) -> tuple[bytes, int, ChunkSummary]:
    """In a worker: plan and render a chunk; return it pickled for the spill file, as the parent writes it."""
    rows, rejected = job
    chunk = [RawRow(*row) for row in rows]
    prepared, plan = prepare_chunk(_WORKER["planner"], chunk, rejected, _WORKER["actor"])
    return pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL), len(chunk), ChunkSummary.of(plan)


@dataclass
class ChunkSummary:
    """What the verdict needs of a chunk's plan (a plan itself holds model instances, not worth sending)."""

    outcomes: dict[str, int]
    problems: list[Problem]

    @classmethod
    def of(cls, plan: ChunkPlan) -> ChunkSummary:
        outcomes: dict[str, int] = {}
        for row in plan.rows:
            outcomes[row.outcome] = outcomes.get(row.outcome, 0) + 1
        return cls(outcomes, plan.problems)


class _Workers:
    """Planning and rendering chunks in worker processes while this one reads the file: checking a row
    is Python work, and a machine has more than one core. The pool is forked after this process's
    database connections are closed (each worker opens its own, for reads only); at most two chunks per
    worker are in flight, so memory stays bounded; results come back in the file's order."""

    def __init__(self, planner: CertificatePlanner, actor: Actor, workers: int) -> None:
        connections.close_all()
        context = multiprocessing.get_context("fork")
        gc.freeze()  # the cycle collector must not write to every inherited object and unshare its page
        try:
            self.pool = context.Pool(workers, initializer=_worker_start, initargs=(planner, actor))
        finally:
            gc.unfreeze()
        self.limit = 2 * workers
        self.pending: deque[Any] = deque()

    def submit(
        self, chunk: list[RawRow], rejected: dict[int, list[Problem]]
    ) -> Iterator[tuple[bytes, int, ChunkSummary]]:
        rows = [(raw.number, raw.values, raw.problem) for raw in chunk]  # plain tuples pickle faster
        self.pending.append(self.pool.apply_async(_worker_prepare, ((rows, rejected),)))
        while len(self.pending) >= self.limit:
            yield self.pending.popleft().get()

    def drain(self) -> Iterator[tuple[bytes, int, ChunkSummary]]:
        while self.pending:
            yield self.pending.popleft().get()

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


def planning_workers(received: Received) -> int:
    """Worker processes for checking this file: SUBMISSION_WORKERS for files of more than a few chunks,
    none inside an outer transaction (its rows would be invisible to the workers) or for small files."""
    if connection.in_atomic_block or received.size < settings.SUBMISSION_PARALLEL_MIN_BYTES:
        return 0
    return max(0, settings.SUBMISSION_WORKERS if settings.SUBMISSION_WORKERS > 1 else 0)


def validate_all(
    planner: CertificatePlanner | ReportPlanner | OrganizationPlanner,
    rows: Iterator[RawRow],
    chunk_rows: int,
    progress: Progress,
    *,
    spill: IO[bytes] | None = None,
    actor: Actor | None = None,
    kind: str = SubmissionKind.CERTIFICATES,
    workers: int = 0,
) -> Verdict:
    """Plan every row without writing, keeping at most SUBMISSION_MAX_PROBLEMS problems in memory. With a
    `spill` file, each chunk is also rendered into it for writing later (rendering stops at the first
    error: nothing will be written then). With `workers`, chunks are planned in worker processes."""
    duplicates = Duplicates(kind)
    verdict = Verdict({"total": 0}, [], 0)
    # Only certificates are rendered, and only when there is a spill file and an actor to write them.
    renderer = planner if spill is not None and isinstance(planner, CertificatePlanner) else None
    pool = _Workers(renderer, actor, workers) if renderer is not None and actor is not None and workers else None

    def take(prepared: PreparedChunk | bytes | None, summary: ChunkSummary, size: int) -> None:
        if prepared is not None and spill is not None and not verdict.rejected:
            if isinstance(prepared, bytes):
                spill.write(prepared)  # pickled by the worker: the same bytes pickle.dump would write
            else:
                pickle.dump(prepared, spill, protocol=pickle.HIGHEST_PROTOCOL)
        verdict.add(summary, size)
        progress("validate", verdict.counts["total"], None)

    try:
        for chunk in chunks(rows, chunk_rows, kind):
            rejected = duplicates.rejected(chunk)
            if pool is not None:
                for pickled, size, summary in pool.submit(chunk, rejected):
                    take(pickled, summary, size)
            elif renderer is not None and actor is not None and not verdict.rejected:
                prepared, plan = prepare_chunk(renderer, chunk, rejected, actor)
                take(prepared, ChunkSummary.of(plan), len(chunk))
            else:
                take(None, ChunkSummary.of(planner.plan(chunk, rejected)), len(chunk))
        if pool is not None:
            for pickled, size, summary in pool.drain():
                take(pickled, summary, size)
    finally:
        if pool is not None:
            pool.close()
    return verdict
