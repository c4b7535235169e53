"""`certhub licensing …` (C8; docs/licensing.md):

- `procedures` prints every licence type's kinds, tracks and statutory periods with the legal text and
  article each follows;
- `due --officer USERNAME [--today YYYY-MM-DD]` prints that officer's due and overdue cases, overdue first;
- `submit FILE --user USERNAME` files the application in FILE (JSON: licence_type, kind, track, uscc,
  particulars, and region_code, licence_number, commitment_text when needed) for the user's organization,
  through the same action as the pages and the API; a refused application prints each field and reason and
  exits 1, with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certhub.core.actors import Actor
from certhub.core.cli import date_option
from certhub.core.errors import DomainError
from certhub.core.models import User
from certhub.licensing.actions import do_submit_application
from certhub.licensing.choices import ApplicationKind, Step, Track
from certhub.licensing.procedures import procedures
from certhub.licensing.queries import due_and_overdue

SUBMIT_FIELDS = ("licence_type", "kind", "track", "uscc", "particulars", "region_code", "licence_number",
                 "commitment_text")  # fmt: skip


class Command(BaseCommand):
    help = "Licensing (行政许可): the procedures as configured, an officer's due list, filing an application."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("procedures", help="every licence type's kinds, tracks and periods with their sources")
        due = commands.add_parser("due", help="an officer's due and overdue cases, overdue first")
        due.add_argument("--officer", required=True, help="the officer's username")
        due.add_argument("--today", default=None, help="the day to count from (default: today, Asia/Shanghai)")
        submit = commands.add_parser("submit", help="file the application in a JSON file")
        submit.add_argument("file", help="JSON object: licence_type, kind, track, uscc, particulars, …")
        submit.add_argument("--user", required=True, help="the applicant's username (acts for its organization)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['command']}")(options)

    def _procedures(self, options: dict[str, Any]) -> None:
        write = self.stdout.write
        for proc in procedures().values():
            write(f"{proc.code}  {proc.name}  (validity {proc.validity_years} years: {proc.validity_source})")
            for kind in proc.kinds:
                tracks = "/".join(str(Track(t).label) for t in proc.tracks_for(kind))
                write(f"  {kind:<13} {ApplicationKind(kind).label}: {tracks}")
            renewal, check, bar = proc.renewal, proc.post_check, proc.bar
            write(f"  renewal: at least {renewal.months} months before expiry — {renewal.source} {renewal.article}")
            for step, period in proc.periods.items():
                label = Step(step).label
                write(f"  {step:<13} {period.working_days:>3} working days  {label} — {period.source} {period.article}")
            write(f"  post-approval check within {check.months} months — {check.source} {check.article}")
            write(f"  bar after a revocation: {bar.months // 12} years — {bar.source} {bar.article}")

    def _due(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["officer"]).first()
        if user is None:
            raise CommandError(f"--officer: no user {options['officer']!r}", returncode=2)
        today = date_option(options["today"], "--today") if options["today"] else timezone.localdate()
        items = due_and_overdue(Actor.from_user(user), today)
        for item in items:
            flag = f"overdue {item.days_overdue} d" if item.overdue else "due"
            self.stdout.write(
                f"{item.number}  {item.due_on.isoformat()}  {flag:<14} {item.step_label}  {item.applicant_name}"
            )
        self.stdout.write(f"{len(items)} cases")

    def _submit(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"--user: no user {options['user']!r}", returncode=2)
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{options['file']}: {error}", returncode=2) from None
        if not isinstance(data, dict):
            raise CommandError(f"{options['file']}: expected a JSON object", returncode=2)
        arguments = {name: data.get(name, "") for name in SUBMIT_FIELDS}
        arguments["particulars"] = data.get("particulars") or {}
        try:
            application = do_submit_application(**arguments, actor=Actor.from_user(user))
        except DomainError as error:
            problems = getattr(error, "errors", None) or {"": [error.message]}
            for field, messages in problems.items():
                for message in messages:
                    self.stderr.write(f"{field}: {message}" if field else message)
            raise CommandError("application refused; nothing written", returncode=1) from None
        self.stdout.write(f"{application.number}  {application.get_state_display()}")
