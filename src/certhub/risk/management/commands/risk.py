"""`certhub risk detect`: run every risk detector over the registry and print each subject's score, grade
and the findings behind them (MISSION.md C6; docs/risk.md). Read-only: it changes no grade.
`certhub risk score`: the same, then write every subject's grade (with history) and raise warnings — the
daily scoring run (risk.actions.do_run_scoring). Exit 0, or 2 when the scoring rule (CERTHUB_RISK_SCORING
or the default) is refused — with the key at fault."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from certhub.core.actors import SYSTEM
from certhub.core.errors import ValidationFailed
from certhub.risk.actions import do_run_scoring
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
        run.add_argument("--today", default=None, type=datetime.date.fromisoformat,
                         help="the day judged, YYYY-MM-DD (default: today)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rule = load_rule(options["rule"])
        except ValidationFailed as error:
            raise CommandError(f"the scoring rule is refused: {error.message}", returncode=2) from None
        if options["command"] == "score":
            started = time.monotonic()
            run = do_run_scoring(today=options["today"], rule=rule, actor=SYSTEM)
            self.stdout.write(f"{run.subjects} subjects scored as of {run.as_of}: {run.findings} findings, "
                              f"{run.changed} grades changed, {run.warnings} new warnings "
                              f"({time.monotonic() - started:.1f} s)")  # fmt: skip
            return
        findings = run_all()
        scores = score(findings, rule)
        for result in sorted(scores, key=lambda s: (-s.score, s.subject_type, s.subject_key)):
            self.stdout.write(f"{result.grade}  {result.score:>5}  {result.subject_type}  {result.subject_key}")
            for contribution in result.contributions:
                self.stdout.write(f"      {contribution.points:>5}  {contribution.explanation}")
        self.stdout.write(f"{len(findings)} findings, {len(scores)} subjects scored")
