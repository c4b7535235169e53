"""`certhub stats aggregate [--day YYYY-MM-DD] [--since YYYY-MM-DD] [--redo]`: compute the dashboard's daily
figures (C11; docs/statistics.md). Each metric of each day is committed on its own, so a run that
stops resumes where it stopped; what is done is skipped unless --redo. Exit 2 on a bad date."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from certhub.core.cli import date_option
from certhub.stats import aggregate


class Command(BaseCommand):
    help = "Pre-aggregate the KPI dashboard's figures for a day or a range of days (resumable, idempotent)."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        run = commands.add_parser("aggregate", help="compute the daily figures the dashboard reads")
        run.add_argument("--day", default=None, help="the last day to compute (default: today, Asia/Shanghai)")
        run.add_argument("--since", default=None, help="compute every day from this one up to --day")
        run.add_argument("--redo", action="store_true", help="recompute days and metrics already computed")

    def handle(self, *args: Any, **options: Any) -> None:
        last = date_option(options["day"], "--day") if options["day"] else timezone.localdate()
        first = date_option(options["since"], "--since") if options["since"] else last
        if first > last:
            raise CommandError(f"--since {first} is after --day {last}", returncode=2)
        days = aggregate.days_between(first, last)
        computed = skipped = 0
        with tqdm(
            total=len(days) * len(aggregate.COMPUTE),
            unit=" figures",
            file=sys.stderr,
            dynamic_ncols=True,
            disable=options["verbosity"] < 1,
        ) as bar:

            def advance(step: aggregate.Step) -> None:
                bar.set_description(f"{step.day} {step.metric}")
                bar.update(1)

            for day in days:
                for step in aggregate.run(day, redo=options["redo"], progress=advance):
                    skipped += step.skipped
                    computed += not step.skipped
        self.stdout.write(f"{len(days)} day(s): {computed} metric(s) computed, {skipped} already done and skipped")
