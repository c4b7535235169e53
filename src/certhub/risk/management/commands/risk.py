"""`certhub risk detect`: run every risk detector over the registry and print each subject's score, grade
and the findings behind them (C6; docs/risk.md). Read-only: it changes no grade.
`certhub risk score`: the same, then write every subject's grade (with history) and raise warnings — the
daily scoring run (risk.actions.do_run_scoring). Exit 0, or 2 when the scoring rule (CERTHUB_RISK_SCORING
or the default) is refused — with the key at fault.
`certhub risk record uses|penalties|products|audits FILE.csv [--as APPROVAL_NUMBER]`: load signals that
departments and bodies report (UTF-8 CSV with a header row; docs/risk.md), all or nothing: a bad row is
named by its line and field and nothing is written (exit 1)."""

from __future__ import annotations

import csv
import datetime
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from certhub.core.actors import SYSTEM
from certhub.core.errors import ValidationFailed
from certhub.registry.actions import do_record_certification_audits, do_record_manufactured_products
from certhub.registry.models import Certificate, CertificationBody, Organization
from certhub.risk.actions import do_record_certificate_uses, do_record_penalties, do_run_scoring
from certhub.risk.detectors import run_all
from certhub.risk.scoring import load_rule, score


class Command(BaseCommand):
    help = "Run the risk detectors and print the scores and grades they give (changes nothing)."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        detect = commands.add_parser("detect", help="run every detector; print scores, grades and findings")
        detect.add_argument("--rule", default=None, help="a scoring rule file (default: CERTHUB_RISK_SCORING)")
        run = commands.add_parser("score", help="score and grade every subject, with history; raise warnings")
        run.add_argument("--rule", default=None, help="a scoring rule file (default: CERTHUB_RISK_SCORING)")
        run.add_argument(
            "--today",
            default=None,
            type=datetime.date.fromisoformat,
            help="the day judged, YYYY-MM-DD (default: today)",
        )
        record = commands.add_parser("record", help="load reported signals from a CSV file (all or nothing)")
        record.add_argument("kind", choices=sorted(COLUMNS), help="what the file holds")
        record.add_argument("file", type=Path)
        record.add_argument("--as", dest="body", default="", help="audits: the certification body's approval number")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "record":
            try:
                self.stdout.write(f"{record_file(options['kind'], options['file'], options['body'])} rows recorded")
            except ValidationFailed as error:
                lines = [f"{field}: {message}" for field, messages in error.errors.items() for message in messages]
                raise CommandError("nothing recorded:\n" + "\n".join(lines), returncode=1) from None
            return
        try:
            rule = load_rule(options["rule"])
        except ValidationFailed as error:
            raise CommandError(f"the scoring rule is refused: {error.message}", returncode=2) from None
        if options["command"] == "score":
            started = time.monotonic()
            run = do_run_scoring(today=options["today"], rule=rule, actor=SYSTEM)
            self.stdout.write(
                f"{run.subjects} subjects scored as of {run.as_of}: {run.findings} findings, "
                f"{run.changed} grades changed, {run.warnings} new warnings "
                f"({time.monotonic() - started:.1f} s)"
            )
            return
        findings = run_all()
        scores = score(findings, rule)
        for result in sorted(scores, key=lambda s: (-s.score, s.subject_type, s.subject_key)):
            self.stdout.write(f"{result.grade}  {result.score:>5}  {result.subject_type}  {result.subject_key}")
            for contribution in result.contributions:
                self.stdout.write(f"      {contribution.points:>5}  {contribution.explanation}")
        self.stdout.write(f"{len(findings)} findings, {len(scores)} subjects scored")


# The columns of each kind of file (docs/risk.md, "Loading signals").
COLUMNS = {
    "uses": ("approval_number", "certificate_number", "used_on", "channel"),  # optional: place, reported_by
    "penalties": ("uscc", "decision_number", "decided_on", "authority", "reason"),
    "products": ("uscc", "ccc_product", "source", "recorded_on"),
    "audits": ("certificate", "kind", "stage1_days", "stage2_days", "effective_personnel", "end_date"),
}


def _line(index: int) -> str:
    return f"line {index + 2}"  # the header is line 1


def record_file(kind: str, path: Path, body_approval: str = "") -> int:
    """Read a signals file and record it through its action; a row's errors are named by its line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS[kind] if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationFailed({path.name: f"missing columns: {', '.join(missing)}"})
            rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationFailed({path.name: f"cannot read the file: {error}"}) from None
    try:
        return _record(kind, rows, body_approval)
    except ValidationFailed as failure:  # rows[3].field → line 5.field
        renamed = {}
        for field, messages in failure.errors.items():
            if field.startswith("rows["):
                index = int(field[5 : field.index("]")])
                field = _line(index) + field[field.index("]") + 1 :]
            renamed[field] = messages
        raise ValidationFailed(renamed) from None


def _record(kind: str, rows: list[dict[str, str]], body_approval: str) -> int:
    if kind == "uses":
        ids = {}
        for approval, number, pk in Certificate.objects.filter(
            number__in=[r["certificate_number"] for r in rows]
        ).values_list("certification_body__approval_number", "number", "id"):
            ids[(approval, number)] = pk
        keys = [(r["approval_number"], r["certificate_number"]) for r in rows]
        unknown = {
            f"rows[{i}].certificate_number": "no certificate with this number from this body"
            for i, key in enumerate(keys)
            if key not in ids
        }
        if unknown:
            raise ValidationFailed(unknown)
        return do_record_certificate_uses(
            rows=[{**r, "certificate": ids[key]} for r, key in zip(rows, keys, strict=True)], actor=SYSTEM
        )
    if kind == "penalties":
        organizations = dict(
            Organization.objects.filter(uscc__in=[r["uscc"].upper() for r in rows]).values_list("uscc", "id")
        )
        unknown = {
            f"rows[{i}].uscc": "no organization with this credit code"
            for i, r in enumerate(rows)
            if r["uscc"].upper() not in organizations
        }
        if unknown:
            raise ValidationFailed(unknown)
        return do_record_penalties(
            rows=[{**r, "organization": organizations[r["uscc"].upper()]} for r in rows], actor=SYSTEM
        )
    if kind == "products":
        return do_record_manufactured_products(rows=rows, actor=SYSTEM)
    body = CertificationBody.objects.filter(approval_number=body_approval).first()
    if body is None:
        raise ValidationFailed({"--as": f"no certification body with approval number “{body_approval}”"})
    for row in rows:
        personnel = row["effective_personnel"]
        row["effective_personnel"] = int(personnel) if personnel.isdigit() else personnel  # type: ignore[assignment]
    return do_record_certification_audits(body=body, rows=rows, actor=SYSTEM)
