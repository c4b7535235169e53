"""`certhub ledger verify | checkpoint | key` (C4, docs/ledger.md).

verify      recompute the log from its entries and check nodes, head, checkpoints and audit rows
            (exit 0 when everything holds, 1 with every problem found)
checkpoint  sign a checkpoint now if entries were added (`--force`: even within the interval);
            run it every minute from cron or a timer to publish regularly without traffic
key         print the verifier key (name+hash+base64) that checks the checkpoints"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from certhub.core.actors import SYSTEM
from certhub.ledger import keys, log, note
from certhub.ledger.actions import do_publish_checkpoint
from certhub.ledger.verify import verify_ledger


class Command(BaseCommand):
    help = "Verify the transparency ledger, sign a checkpoint, or print the verifier key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint", "key"])
        parser.add_argument(
            "--key",
            action="append",
            default=[],
            help="verify: a verifier key for the checkpoints (default: this server's key)",
        )
        parser.add_argument("--no-audit", action="store_true", help="verify: skip comparing entries to audit rows")
        parser.add_argument("--force", action="store_true", help="checkpoint: sign even within the interval")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["action"])(options)

    def key(self, options: dict[str, Any]) -> None:
        self.stdout.write(keys.verifier_key())

    def checkpoint(self, options: dict[str, Any]) -> None:
        made = do_publish_checkpoint(actor=SYSTEM, force=options["force"])
        if made is None:
            self.stdout.write("the ledger is empty: no checkpoint")
            return
        self.stdout.write(made.note)

    def verify(self, options: dict[str, Any]) -> None:
        try:
            verifiers = [note.Verifier.parse(k) for k in options["key"]] or [keys.signer().verifier()]
        except note.NoteError as error:
            raise CommandError(str(error), returncode=2) from None
        size = log.tree_size()
        with tqdm(total=size, unit="entries", disable=options["verbosity"] < 1 or size < 50_000) as bar:
            report = verify_ledger(verifiers, check_audit=not options["no_audit"], progress=bar.update)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            if report.more_problems:
                self.stderr.write(f"… and {report.more_problems} more")
            raise CommandError(f"invalid: {len(report.problems) + report.more_problems} problems", returncode=1)
        self.stdout.write(f"valid: {report.entries} entries, {report.checkpoints} checkpoints")
