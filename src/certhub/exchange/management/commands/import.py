"""`certhub import FILE --as BODY`: an operator brings in a certification body's file (C2), the same way
an upload or the batch API does (exchange.pipeline), with a progress bar. `certhub import FILE --kind
organizations [--region CODE]` brings in market registration's organizations (C1) for a region (the whole
province without --region), as the regulator's operator. Run it again on the same file
to resume after an interruption; `--resume ID` resumes a submission made through the upload page."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel, Role
from certhub.core.errors import DomainError
from certhub.core.models import Region
from certhub.exchange.choices import SubmissionChannel, SubmissionKind, SubmissionMode
from certhub.exchange.models import Submission
from certhub.exchange.pipeline import Options, process, resume, submit_file, unfinished
from certhub.exchange.readers import Received, file_digest, sniff_format
from certhub.registry.models import CertificationBody, Lab


def registration_actor(region: Region | None) -> Actor:
    """The operator importing market registration's organizations: an administrator's rights, limited to
    `region` when one is given (its rows must lie there), named as an operator import in the audit rows."""
    if region is None:
        return Actor(role=Role.ADMINISTRATOR, label="certhub-import:organizations", region_level=RegionLevel.PROVINCE)
    return Actor(
        role=Role.OFFICER,
        label=f"certhub-import:organizations:{region.code}",
        region_code=region.code,
        region_level=region.level,
    )


def operator_actor(submitter: CertificationBody | Lab) -> Actor:
    """The operator acts with the body's (or lab's) own rights, and the audit rows say it was an operator
    import."""
    if isinstance(submitter, Lab):
        return Actor(
            role=Role.LAB, label=f"certhub-import:{submitter.cma_number}", organization_id=submitter.organization_id
        )
    return Actor(
        role=Role.CERTIFICATION_BODY,
        label=f"certhub-import:{submitter.approval_number}",
        organization_id=submitter.organization_id,
    )


class Command(BaseCommand):
    help = (
        "Import a certification body's CSV, XLSX or JSON Lines file of certificates or status changes, "
        "or a lab's file of test reports (--kind reports --as CMA_NUMBER), "
        "or market registration's organizations (--kind organizations [--region CODE])."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="the file (CSV in UTF-8 or GB18030, XLSX, JSON Lines)")
        parser.add_argument(
            "--as", dest="body", help="the body (approval number, credit code or name) or, for reports, the lab"
        )
        parser.add_argument("--kind", choices=SubmissionKind.values, default=SubmissionKind.CERTIFICATES)
        parser.add_argument(
            "--region", help="organizations: the region (GB/T 2260 code) the rows must lie in; the province if omitted"
        )
        parser.add_argument(
            "--mode",
            choices=SubmissionMode.values,
            default=SubmissionMode.ALL_OR_NOTHING,
            help="all: nothing applied unless every row is valid (default); valid: apply valid rows",
        )
        parser.add_argument("--chunk-rows", type=int, default=0, help="rows per committed chunk (setting by default)")
        parser.add_argument("--pause", type=float, default=0.0, help="seconds to wait between chunks")
        parser.add_argument("--resume", type=int, metavar="ID", help="resume submission ID from its archived file")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int | None) -> None:
            if options["no_progress"]:
                return
            if phase not in bars:
                label = {"validate": "校验 validate", "apply": "写入 apply"}[phase]
                bars[phase] = tqdm(total=total, desc=label, unit=" rows", file=sys.stderr, dynamic_ncols=True)
            bar = bars[phase]
            bar.update(done - bar.n)

        run = Options(
            channel=SubmissionChannel.COMMAND,
            chunk_rows=options["chunk_rows"],
            pause=options["pause"],
            progress=progress,
            kind=options["kind"],
            mode=options["mode"],
        )
        if options["kind"] == SubmissionKind.ORGANIZATIONS and options["region"]:
            run.region = Region.objects.filter(code=options["region"]).first()
            if run.region is None:
                raise CommandError(f"--region {options['region']}: no such region")
        started = time.monotonic()
        try:
            submission = self._run(options, run)
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            for bar in bars.values():
                bar.close()
        self._report(submission, time.monotonic() - started)
        if submission.state == "rejected":
            raise CommandError(f"submission #{submission.pk} rejected")

    def _run(self, options: dict[str, Any], run: Options) -> Submission:
        if options["resume"]:
            submission = Submission.objects.select_related("organization").filter(pk=options["resume"]).first()
            if submission is None:
                raise CommandError(f"no submission #{options['resume']}")
            if submission.kind == SubmissionKind.ORGANIZATIONS:
                self.stdout.write(f"续传 · resuming submission #{submission.pk} after row {submission.rows_done:,}")
                return resume(submission, run, actor=registration_actor(submission.region))
            body = (Lab if submission.kind == SubmissionKind.REPORTS else CertificationBody).objects.get(
                organization=submission.organization
            )
            self.stdout.write(f"续传 · resuming submission #{submission.pk} after row {submission.rows_done:,}")
            return resume(submission, run, actor=operator_actor(body))
        if options["kind"] == SubmissionKind.ORGANIZATIONS:
            return self._organizations(options, run)
        if not options["file"] or not options["body"]:
            raise CommandError("give FILE and --as BODY (or --resume ID)")
        body = self._submitter(options["body"], options["kind"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = operator_actor(body)
        size, sha256 = file_digest(path)
        interrupted = unfinished(body.organization, sha256)
        if interrupted is not None:
            self.stdout.write(f"续传 · resuming submission #{interrupted.pk} after row {interrupted.rows_done:,}")
            received = Received(
                path=Path(interrupted.stored_path) if interrupted.stored_path else path,
                name=path.name,
                size=size,
                sha256=sha256,
                file_format=sniff_format(path, path.name),
            )
            return process(interrupted, received, run, actor=actor)
        return submit_file(path, path.name, body.organization, run, actor=actor)

    def _organizations(self, options: dict[str, Any], run: Options) -> Submission:
        if not options["file"]:
            raise CommandError("give FILE (or --resume ID)")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = registration_actor(run.region)
        size, sha256 = file_digest(path)
        interrupted = unfinished(None, sha256, run.region)
        if interrupted is not None:
            self.stdout.write(f"续传 · resuming submission #{interrupted.pk} after row {interrupted.rows_done:,}")
            received = Received(
                path=Path(interrupted.stored_path) if interrupted.stored_path else path,
                name=path.name,
                size=size,
                sha256=sha256,
                file_format=sniff_format(path, path.name),
            )
            return process(interrupted, received, run, actor=actor)
        return submit_file(path, path.name, None, run, actor=actor)

    def _submitter(self, text: str, kind: str) -> CertificationBody | Lab:
        if kind == SubmissionKind.REPORTS:
            labs = Lab.objects.select_related("organization").filter(
                Q(cma_number=text) | Q(organization__uscc=text.upper()) | Q(name=text)
            )
            found: list[CertificationBody | Lab] = list(labs[:2])
        else:
            bodies = CertificationBody.objects.select_related("organization").filter(
                Q(approval_number=text) | Q(organization__uscc=text.upper()) | Q(name=text)
            )
            found = list(bodies[:2])
        if len(found) != 1:
            what = "lab" if kind == SubmissionKind.REPORTS else "certification body"
            raise CommandError(f"--as {text}: {'no' if not found else 'more than one'} {what} matches")
        return found[0]

    def _report(self, submission: Submission, seconds: float) -> None:
        self.stdout.write(
            f"报送 · submission #{submission.pk}: {submission.get_state_display()} · {submission.total_rows:,} rows"
            f" · created {submission.created_count:,} · updated {submission.updated_count:,}"
            f" · unchanged {submission.unchanged_count:,} · rejected {submission.rejected_count:,}"
            f" · notes {submission.note_count:,} · {seconds:.1f} s"
        )
        if submission.message:
            self.stdout.write(submission.message)
        for problem in submission.problems.filter(severity="error")[:20]:
            self.stdout.write(f"  row {problem.row} {problem.field}: {problem.message} [{problem.value}]")
