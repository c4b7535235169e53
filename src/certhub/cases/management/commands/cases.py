"""`certhub cases remind [--today YYYY-MM-DD]`: the daily reminder of rapid handling (信息通报, C6).
Every open case whose deadline is past or within three working days gets one DEADLINE_NEAR notice per
officer told of it (in the app, and by e-mail to those with an address), once per case: running it again,
the same day or later, sends nothing new. Run it daily (cron or a systemd timer); docs/cases.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from certhub.cases.actions import send_deadline_reminders
from certhub.core.cli import date_option


class Command(BaseCommand):
    help = "Rapid handling (快速处置): send the deadline reminders of open cases."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        remind = commands.add_parser("remind", help="remind the officers of every case due within 3 working days")
        remind.add_argument("--today", default=None, help="the day to count from (default: today, Asia/Shanghai)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = date_option(options["today"], "--today") if options["today"] else None
        cases = send_deadline_reminders(today)
        for case in cases:
            self.stdout.write(f"{case.number}  {case.deadline.isoformat()}  {case.subject_name}")
        self.stdout.write(f"{len(cases)} cases reminded")
