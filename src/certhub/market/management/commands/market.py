"""`certhub market …` (C7, CCC market control):

- `check FILE [--campaign ID] [--channel online] [--region CODE] [--user USERNAME]` checks a file of listings
  (CSV in UTF-8 or GB18030, XLSX, JSON Lines; the columns of docs/data-formats.md "Listings") with a progress
  bar: refused whole with each row's problem, or recorded as one batch with a verdict per listing. The
  region is the campaign's unless given; the operator acts as the officer or inspector named by --user, or
  else as the system's operator (an administrator's rights, named in the audit rows). Run it again on the
  same file to resume after an interruption; a file already checked answers its batch again."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel, Role
from certhub.core.errors import DomainError, ValidationFailed
from certhub.core.models import User
from certhub.market.choices import CheckChannel
from certhub.market.files import check_file
from certhub.market.models import Campaign
from certhub.market.queries import batch_verdicts

OPERATOR = Actor(role=Role.ADMINISTRATOR, label="certhub-market:check", region_level=RegionLevel.PROVINCE)
PROBLEMS_PRINTED = 50


class Command(BaseCommand):
    help = "CCC market control (强制性产品认证市场监管): check a file of listings."

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        check = commands.add_parser("check", help="check a file of listings (CSV, XLSX, JSON Lines)")
        check.add_argument("file", help="the file")
        check.add_argument("--campaign", type=int, default=None, help="the campaign (专项整治) id")
        check.add_argument("--channel", choices=CheckChannel.values, default=CheckChannel.ONLINE)
        check.add_argument("--region", default=None, help="where the listings were checked (GB/T 2260)")
        check.add_argument("--user", default=None, help="the officer or inspector acting (default: the operator)")
        check.add_argument("--chunk-rows", type=int, default=1000, help="listings per committed chunk (≤ 1,000)")
        check.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['command']}")(options)

    def _check(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        campaign = None
        if options["campaign"] is not None:
            campaign = Campaign.objects.filter(pk=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"--campaign: no campaign {options['campaign']}", returncode=2)
        region = options["region"] or (campaign.region_code if campaign else None)
        if not region:
            raise CommandError("give --region CODE (or --campaign ID)", returncode=2)
        actor = OPERATOR
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user {options['user']!r}", returncode=2)
            actor = Actor.from_user(user)
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int | None) -> None:
            if options["no_progress"]:
                return
            if phase not in bars:
                label = {"validate": "校验 validate", "check": "核查 check"}[phase]
                bars[phase] = tqdm(total=total, desc=label, unit=" rows", file=sys.stderr, dynamic_ncols=True)
            bars[phase].update(done - bars[phase].n)

        started = time.monotonic()
        try:
            batch = check_file(
                path,
                path.name,
                channel=options["channel"],
                region_code=region,
                campaign=campaign,
                actor=actor,
                chunk_rows=options["chunk_rows"],
                progress=progress,
            )
        except ValidationFailed as failure:
            for field, messages in list(failure.errors.items())[:PROBLEMS_PRINTED]:
                self.stdout.write(f"  {field}: {'; '.join(messages)}")
            raise CommandError(f"refused, nothing recorded: {len(failure.errors)} problems") from None
        except DomainError as error:
            raise CommandError(error.message) from None
        finally:
            for bar in bars.values():
                bar.close()
        seconds = time.monotonic() - started
        self.stdout.write(
            f"核查 · batch #{batch.pk}: {batch.get_state_display()} · {batch.rows_done:,} listings · {seconds:.1f} s"
        )
        for verdict, count in batch_verdicts(batch).items():
            self.stdout.write(f"  {verdict:<20} {count:>10,}")
