"""`certhub complaints …` (C10, complaints and tip-offs):

- `periods` prints the statutory periods with their sources (complaints/data/periods.json);
- `remind [--today YYYY-MM-DD]` reminds the officers covering each open complaint whose period ends within
  the reminder window or has passed, once a day (the daily job; idempotent: a second run the same day sends
  nothing); prints how many and which;
- `overdue [--today YYYY-MM-DD]` prints the open complaints past their period, oldest first."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from certhub.complaints import periods
from certhub.complaints.actions import send_complaint_reminders
from certhub.complaints.choices import OPEN_STATES
from certhub.complaints.models import Complaint
from certhub.core.cli import date_option


def _day(value: str | None) -> datetime.date:
    return date_option(value, "--today") if value else timezone.localdate()


class Command(BaseCommand):
    help = "Complaints and tip-offs (投诉举报): the statutory periods, the daily reminders, the overdue list."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("periods", help="the statutory periods with their sources")
        remind = commands.add_parser("remind", help="remind the officers of periods ending soon or passed")
        remind.add_argument("--today", default=None, help="the day to count from (default: today, Asia/Shanghai)")
        overdue = commands.add_parser("overdue", help="the open complaints past their period")
        overdue.add_argument("--today", default=None, help="the day to count from (default: today, Asia/Shanghai)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['command']}")(options)

    def _periods(self, options: dict[str, Any]) -> None:
        for period in periods.periods():
            extension = f" (+{period.extension_working_days} once)" if period.extension_working_days else ""
            self.stdout.write(f"{period.step:<13} {period.working_days:>3} working days{extension} — {period.source}")

    def _remind(self, options: dict[str, Any]) -> None:
        reminded = send_complaint_reminders(_day(options["today"]))
        self.stdout.write(f"{len(reminded)} complaints reminded of")
        for complaint in reminded:
            assert complaint.due_on is not None
            self.stdout.write(f"  {complaint.number}  {complaint.region_code}  due {complaint.due_on.isoformat()}")

    def _overdue(self, options: dict[str, Any]) -> None:
        day = _day(options["today"])
        rows = Complaint.objects.filter(state__in=OPEN_STATES, due_on__lt=day).order_by("due_on", "id")
        for complaint in rows:
            assert complaint.due_on is not None
            self.stdout.write(
                f"{complaint.number}  {complaint.region_code}  {complaint.due_step}  due {complaint.due_on.isoformat()}"
            )
        self.stdout.write(f"{rows.count()} overdue")
