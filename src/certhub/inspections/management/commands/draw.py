"""`certhub draw rfc3797|sha256 --pool-size N --count K --source "…" [--source "…" …] [--table]`: compute a
publicly verifiable selection (MISSION.md C5) from published random sources, as anyone can. Prints the
chosen pool positions (1-based), one a line, in selection order; `--table` prints RFC 3797's table
(selection, digest, members left, position) instead. Exit 0, or 2 with the reason when the inputs cannot
give a draw."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from certhub.inspections.draw import ALGORITHMS, DrawError, key_string, steps


class Command(BaseCommand):
    help = "Compute a publicly verifiable random selection (RFC 3797, or its SHA-256 variant)."
    requires_system_checks: list[str] = []  # a pure computation: usable without a configured database

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("algorithm", choices=ALGORITHMS)
        parser.add_argument("--pool-size", type=int, required=True, help="how many members the pool has, in order")
        parser.add_argument("--count", type=int, required=True, help="how many to select")
        parser.add_argument("--source", action="append", default=[], help="one published random source (repeat)")
        parser.add_argument("--table", action="store_true", help="print every step, as RFC 3797's example does")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = key_string(options["source"])
            chosen = list(steps(options["pool_size"], options["count"], options["source"], options["algorithm"]))
        except DrawError as error:
            raise CommandError(str(error), returncode=2) from None
        if not options["table"]:
            self.stdout.write("\n".join(str(step.position) for step in chosen))
            return
        self.stdout.write(f"key string: {key}")
        self.stdout.write(f"{'index':>6}  {'digest':<{len(chosen[0].digest)}}  {'div':>5}  selected")
        for step in chosen:
            self.stdout.write(f"{step.number:>6}  {step.digest}  {step.remaining:>5}  -> {step.position}")
